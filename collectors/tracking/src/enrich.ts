import { isbot } from 'isbot';
import UAParser from 'ua-parser-js';
import type { EnrichedEvent, TrackingEvent } from './tracking-event.ts';

/** What the collector knows about the request an event came in. */
export interface RequestFacts {
  /** Client address, already resolved through trusted proxies. */
  ip: string;
  userAgent: string;
  receivedAt: number;
}

/** Zeroes the host part: the last IPv4 octet, or all but the first 48 bits of IPv6 (Google Analytics' rule). */
export function anonymizeIp(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  const v4 = mapped ? mapped[1]! : ip;
  if (/^\d+\.\d+\.\d+\.\d+$/.test(v4)) return `${v4.slice(0, v4.lastIndexOf('.'))}.0`;
  if (!ip.includes(':')) return ip;
  const [head = '', tail = ''] = ip.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...headGroups, ...Array(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups] : headGroups;
  return `${groups.slice(0, 3).join(':')}::`;
}

const uaCache = new Map<string, EnrichedEvent['ua'] & { bot: boolean }>();
const UA_CACHE_LIMIT = 1000;

/** Parsing a user agent costs more than the rest of the request; most traffic repeats a few. */
function parseUserAgent(userAgent: string): EnrichedEvent['ua'] & { bot: boolean } {
  const cached = uaCache.get(userAgent);
  if (cached) return cached;
  const result = new UAParser(userAgent).getResult();
  const parsed = {
    browser: { name: result.browser.name, version: result.browser.version },
    os: { name: result.os.name, version: result.os.version },
    device: { type: result.device.type, vendor: result.device.vendor, model: result.device.model },
    bot: isbot(userAgent),
  };
  if (uaCache.size >= UA_CACHE_LIMIT) uaCache.delete(uaCache.keys().next().value!);
  uaCache.set(userAgent, parsed);
  return parsed;
}

/**
 * Adds what only the server knows. The derived timestamp moves the client's event time by the
 * client's clock error, measured as receive time minus the client's send time (Snowplow's rule).
 */
export function enrich(event: TrackingEvent, facts: RequestFacts, options: { anonymizeIp: boolean }): EnrichedEvent {
  const created = Date.parse(event.timestamp);
  const sent = event.sentAt ? Date.parse(event.sentAt) : Number.NaN;
  const skew = Number.isNaN(sent) ? null : facts.receivedAt - sent;
  const { bot, ...ua } = parseUserAgent(facts.userAgent);
  return {
    ...event,
    receivedAt: new Date(facts.receivedAt).toISOString(),
    derivedTimestamp: new Date(skew === null ? created : created + skew).toISOString(),
    clockSkewMs: skew,
    ip: options.anonymizeIp ? anonymizeIp(facts.ip) : facts.ip,
    userAgent: facts.userAgent,
    ua,
    isBot: bot,
  };
}
