import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import { launchChromium, requireBinary, startMariaDb, startRedis, startZooKeeper } from '@tributary/testkit';

test('a private Redis answers on its own port and stops', async () => {
  const redis = await startRedis();
  const answer = await new Promise<string>((resolve) => {
    const socket = connect(redis.port, '127.0.0.1', () => socket.write('SET a 1\r\nGET a\r\n'));
    let data = '';
    socket.on('data', (chunk) => {
      data += chunk;
      if (data.includes('$1\r\n1')) {
        socket.destroy();
        resolve(data);
      }
    });
  });
  await redis.stop();
  assert.match(answer, /\+OK/);
});

test('a private MariaDB has the binlog on in ROW format with full row images', async () => {
  const db = await startMariaDb();
  try {
    const variables = await db.sql("SHOW VARIABLES WHERE Variable_name IN ('log_bin','binlog_format','binlog_row_image')");
    assert.match(variables, /binlog_format\tROW/);
    assert.match(variables, /binlog_row_image\tFULL/);
    assert.match(variables, /log_bin\tON/);
    await db.sql('CREATE DATABASE shop; CREATE TABLE shop.t (id INT PRIMARY KEY, v VARCHAR(10)); INSERT INTO shop.t VALUES (1, "a")');
    assert.equal((await db.sql('SELECT v FROM shop.t WHERE id = 1')).trim(), 'a');
  } finally {
    await db.stop();
  }
});

test('a private ZooKeeper serves requests', async () => {
  const zk = await startZooKeeper();
  try {
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(zk.port, '127.0.0.1', () => socket.write('srvr'));
      let data = '';
      socket.on('data', (chunk) => (data += chunk));
      socket.on('close', () => resolve(data));
    });
    assert.match(answer, /Zookeeper version: 3\./);
  } finally {
    await zk.stop();
  }
});

test("Debian's Chromium renders a local page through playwright-core", async () => {
  const server = createServer((_req, res) => res.end('<html><head><title>kit</title></head><body><script>document.title += "-js"</script></body></html>'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);
    assert.equal(await page.title(), 'kit-js');
  } finally {
    await browser.close();
    server.close();
  }
});

test('a missing binary fails with the Debian package to install', () => {
  assert.throws(() => requireBinary('tributary-no-such-binary', 'tributary-pkg'), /install the Debian package 'tributary-pkg'/);
});
