export { requireBinary, requirePythonModule, DEBIAN_PYTHON } from './binaries.ts';
export { freePort, waitFor } from './wait.ts';
export { ManagedProcess } from './managed-process.ts';
export { startBroker, type BrokerInstance, type BrokerOptions } from './broker.ts';
export { startRedis, type RedisInstance } from './redis.ts';
export { startMariaDb, type MariaDbInstance, type MariaDbOptions } from './mariadb.ts';
export { startZooKeeper, type ZooKeeperInstance } from './zookeeper.ts';
export { launchChromium } from './chromium.ts';
export { python, kcat, type RunResult } from './clients.ts';
