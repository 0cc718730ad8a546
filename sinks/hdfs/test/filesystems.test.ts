import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalFileSystem } from '../src/fs/local-fs.ts';
import type { SinkFileSystem } from '../src/fs/file-system.ts';
import { parseWebHdfsUrl, WebHdfsFileSystem } from '../src/fs/webhdfs-client.ts';
import { WebHdfsTestServer } from './support/webhdfs-server.ts';

async function exercise(fs: SinkFileSystem): Promise<void> {
  await fs.mkdirs('/t/dt=2026-01-01');
  await fs.create('/t/dt=2026-01-01/+tmp/a.parquet', Buffer.from('hello'));
  await fs.append('/t/dt=2026-01-01/+tmp/a.parquet', Buffer.from(' world'));
  assert.equal((await fs.read('/t/dt=2026-01-01/+tmp/a.parquet')).toString(), 'hello world');
  assert.equal(await fs.rename('/t/dt=2026-01-01/+tmp/a.parquet', '/t/dt=2026-01-01/a.parquet'), true);
  assert.equal(await fs.rename('/t/dt=2026-01-01/+tmp/a.parquet', '/t/dt=2026-01-01/b.parquet'), false, 'renaming a missing file fails');
  const listed = await fs.list('/t/dt=2026-01-01');
  assert.deepEqual(listed.map((s) => [s.name, s.type]), [['+tmp', 'DIRECTORY'], ['a.parquet', 'FILE']]);
  assert.equal((await fs.status('/t/dt=2026-01-01/a.parquet'))?.length, 11);
  assert.equal(await fs.status('/nope'), null);
  assert.deepEqual(await fs.list('/nope'), []);
  assert.equal(await fs.delete('/t', true), true);
  assert.equal(await fs.status('/t'), null);
}

describe('sink file systems', () => {
  const dirs: string[] = [];
  const temp = () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-fs-'));
    dirs.push(dir);
    return dir;
  };
  after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  test('local file system', async () => {
    await exercise(new LocalFileSystem(temp()));
  });

  describe('WebHDFS against a server following the REST protocol', () => {
    let server: WebHdfsTestServer;
    before(async () => {
      server = new WebHdfsTestServer(temp());
      await server.start(2);
    });
    after(async () => server.stop());

    test('create goes through the datanode redirect; append, rename, list, status, delete', async () => {
      const fs = new WebHdfsFileSystem({ namenodes: [`http://127.0.0.1:${server.namenodePorts[0]}`], user: 'etl', root: '/data' });
      await exercise(fs);
      assert.ok(server.requests.some((r) => r.startsWith('dn PUT CREATE')), 'bytes went to the datanode');
    });

    test('fails over to the active namenode when the first is standby or down', async () => {
      const fs = new WebHdfsFileSystem({ namenodes: server.namenodePorts.map((port) => `http://127.0.0.1:${port}`), user: 'etl', root: '/ha' });
      server.failover(1);
      await fs.create('/x', Buffer.from('1'));
      assert.equal((await fs.read('/x')).toString(), '1');
      server.failover(0);
      assert.equal((await fs.status('/x'))?.length, 1);
    });

    test('parses webhdfs URLs', () => {
      assert.deepEqual(parseWebHdfsUrl('webhdfs://nn1:9870,nn2:9870/landing?user=etl'), { namenodes: ['http://nn1:9870', 'http://nn2:9870'], root: '/landing', user: 'etl' });
      assert.throws(() => parseWebHdfsUrl('hdfs://x'), /not a WebHDFS URL/);
    });
  });
});
