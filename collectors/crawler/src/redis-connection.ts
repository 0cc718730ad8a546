import { Redis } from 'ioredis';

/**
 * One ioredis client for commands; BullMQ duplicates it for its blocking connections. BullMQ
 * needs maxRetriesPerRequest null so a Redis restart pauses workers instead of failing jobs.
 */
export async function connectRedis(url: string): Promise<Redis> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`--redis '${url}' is not a URL: use redis://HOST:PORT`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new Error(`--redis '${url}' must start with redis:// or rediss://`);
  const redis = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: true });
  // Without a listener ioredis prints every reconnect failure; commands still fail and say why.
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    throw new Error(`no Redis answers at ${url} (${(error as Error).message}): start redis-server or pass --redis redis://HOST:PORT`);
  }
  return redis;
}
