import { connect } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireBinary } from './binaries.ts';
import { ManagedProcess } from './managed-process.ts';
import { instanceDir } from './run-dir.ts';
import { freePort, waitFor } from './wait.ts';

export interface ZooKeeperInstance {
  port: number;
  connectString: string;
  dir: string;
  stop(): Promise<void>;
  kill9(): Promise<void>;
}

function fourLetterWord(port: number, word: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (data) => (answer += data));
    socket.on('close', () => resolve(answer));
    socket.on('error', () => resolve(''));
    socket.write(word);
  });
}

/** A private ZooKeeper 3.8 from Debian's package (a JRE comes with it), ready when it serves requests. */
export async function startZooKeeper(): Promise<ZooKeeperInstance> {
  const java = requireBinary('java', 'zookeeper');
  requireBinary('/usr/share/zookeeper/bin/zkServer.sh', 'zookeeper');
  const dir = instanceDir('zookeeper');
  const port = await freePort();
  const config = join(dir, 'zoo.cfg');
  writeFileSync(config, [`tickTime=500`, `dataDir=${join(dir, 'data')}`, `clientPort=${port}`, 'clientPortAddress=127.0.0.1', 'admin.enableServer=false', '4lw.commands.whitelist=ruok,srvr', 'maxSessionTimeout=20000', ''].join('\n'));
  const server = new ManagedProcess(java, ['-Xmx256m', '-cp', '/usr/share/java/*:/etc/zookeeper/conf_example', 'org.apache.zookeeper.server.quorum.QuorumPeerMain', config], join(dir, 'zookeeper.log'));
  // `ruok` says imok as soon as the process runs; `srvr` reports a mode only once it serves.
  await server.untilReady(waitFor(async () => /Mode: /.test(await fourLetterWord(port, 'srvr')), { what: `zookeeper on port ${port}`, timeoutMs: 60_000, intervalMs: 200 }), 'zookeeper');
  return { port, connectString: `127.0.0.1:${port}`, dir, stop: () => server.stop(), kill9: () => server.kill9() };
}
