import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { keys } from './keys.ts';

/**
 * Politeness across every worker of every machine: at most `limit` requests in flight per host
 * and a minimum pause after each, decided atomically in Redis so two workers can never both pass.
 * Holders are a sorted set scored by expiry, so a worker killed mid-request blocks its host only
 * until its hold expires.
 */
const ACQUIRE = `
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', nowMs)
local nextAt = tonumber(redis.call('GET', KEYS[2]) or '0')
if nextAt > nowMs then return nextAt - nowMs end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return -1 end
redis.call('ZADD', KEYS[1], nowMs + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) + 1000)
return 0
`;

const RELEASE = `
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZREM', KEYS[1], ARGV[1])
local delay = tonumber(ARGV[2])
if delay > 0 then redis.call('SET', KEYS[2], nowMs + delay, 'PX', delay + 1000) end
return 1
`;

/** How long to wait before asking again while the host is busy: requests here are short. */
const BUSY_POLL_MS = 3;

export interface HostHold {
  release(delayMs: number): Promise<void>;
}

export class HostGate {
  constructor(private readonly redis: Redis) {}

  /**
   * A hold on the host when one is free now, else how long to wait before asking again.
   * holdMs bounds how long a dead holder keeps the host.
   */
  async tryAcquire(host: string, limit: number, holdMs: number): Promise<HostHold | number> {
    const token = randomUUID();
    const answer = Number(await this.redis.eval(ACQUIRE, 2, keys.hostActive(host), keys.hostNext(host), token, String(holdMs), String(limit)));
    if (answer === -1) return BUSY_POLL_MS + Math.floor(Math.random() * BUSY_POLL_MS);
    if (answer > 0) return answer;
    return {
      release: async (delayMs: number) => {
        await this.redis.eval(RELEASE, 2, keys.hostActive(host), keys.hostNext(host), token, String(Math.max(0, Math.round(delayMs))));
      },
    };
  }
}
