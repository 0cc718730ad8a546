import type { Redis } from 'ioredis';
import { keys } from './keys.ts';

/**
 * Politeness across every worker of every machine: one request at a time per host and a minimum
 * delay between requests, decided atomically in Redis so two workers can never both pass.
 */
const ACQUIRE = `
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local lockTtl = redis.call('PTTL', KEYS[1])
if lockTtl > 0 then return lockTtl end
local nextAt = tonumber(redis.call('GET', KEYS[2]) or '0')
if nextAt > nowMs then return nextAt - nowMs end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 0
`;

const RELEASE = `
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
local delay = tonumber(ARGV[2])
redis.call('SET', KEYS[2], nowMs + delay, 'PX', delay + 60000)
return 1
`;

export class HostGate {
  constructor(
    private readonly redis: Redis,
    private readonly holder: string,
    /** A worker that dies holding the lock blocks its host only this long. */
    private readonly lockTtlMs = 120_000,
  ) {}

  /** 0 when this worker may request the host now (it then holds it), else milliseconds to wait. */
  async tryAcquire(host: string): Promise<number> {
    const wait = (await this.redis.eval(ACQUIRE, 2, keys.hostLock(host), keys.hostNext(host), this.holder, String(this.lockTtlMs))) as number;
    return Number(wait);
  }

  /** Frees the host; the next request to it may start after delayMs. */
  async release(host: string, delayMs: number): Promise<void> {
    await this.redis.eval(RELEASE, 2, keys.hostLock(host), keys.hostNext(host), this.holder, String(Math.max(0, delayMs)));
  }
}
