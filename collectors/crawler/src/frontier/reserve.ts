import type { Redis } from 'ioredis';
import { keys } from './keys.ts';

/**
 * Reserves URLs for the frontier in one atomic step: a URL is new only if no worker reserved it
 * before, and only while the crawl is running and under its page limit. Answers per URL:
 * 1 reserved now, 0 reserved before and not done yet, 2 reserved before and done, -1 refused.
 */
const RESERVE = `
local state = redis.call('GET', KEYS[3])
local maxPages = tonumber(ARGV[1])
local answers = {}
for i = 2, #ARGV do
  local url = ARGV[i]
  if state ~= 'starting' and state ~= 'running' and state ~= 'paused' then
    answers[#answers + 1] = -1
  elseif redis.call('SISMEMBER', KEYS[1], url) == 1 then
    answers[#answers + 1] = redis.call('SISMEMBER', KEYS[4], url) == 1 and 2 or 0
  elseif tonumber(redis.call('HGET', KEYS[2], 'enqueued') or '0') >= maxPages then
    answers[#answers + 1] = -1
  else
    redis.call('SADD', KEYS[1], url)
    redis.call('HINCRBY', KEYS[2], 'enqueued', 1)
    answers[#answers + 1] = 1
  end
end
return answers
`;

export type Reservation = 'reserved' | 'pending' | 'done' | 'refused';

export async function reserveUrls(redis: Redis, crawlId: string, maxPages: number, urls: string[]): Promise<Reservation[]> {
  if (urls.length === 0) return [];
  const answers = (await redis.eval(RESERVE, 4, keys.seen(crawlId), keys.counters(crawlId), keys.state(crawlId), keys.done(crawlId), String(maxPages), ...urls)) as number[];
  return answers.map((answer) => (answer === 1 ? 'reserved' : answer === 0 ? 'pending' : answer === 2 ? 'done' : 'refused'));
}

/**
 * Claims the right to land a final URL for a job URL. A redirect target and a direct link to it
 * are two jobs with one page; the first to claim lands it, the other lands nothing.
 */
const CLAIM = `
local owner = redis.call('HGET', KEYS[1], ARGV[1])
if owner == false then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  redis.call('SADD', KEYS[2], ARGV[1])
  return 1
end
if owner == ARGV[2] then return 1 end
return 0
`;

export async function claimFinalUrl(redis: Redis, crawlId: string, finalUrl: string, jobUrl: string): Promise<boolean> {
  return Number(await redis.eval(CLAIM, 2, keys.owner(crawlId), keys.seen(crawlId), finalUrl, jobUrl)) === 1;
}
