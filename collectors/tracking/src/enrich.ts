import { isbot } from 'isbot';
import UAParser from 'ua-parser-js';
import type { BadRow, EnrichedEvent, TrackingEvent } from './tracking-event.ts';

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

const uaCache = new Map<string, string>();
const UA_CACHE_LIMIT = 1000;

/**
 * `,"userAgent":…,"ua":…,"isBot":…}`, the closing fields of an enriched event. Parsing a user
 * agent costs more than the rest of the request, and most traffic repeats a few.
 */
function userAgentJson(userAgent: string): string {
  const cached = uaCache.get(userAgent);
  if (cached) return cached;
  const result = new UAParser(userAgent).getResult();
  const ua: EnrichedEvent['ua'] = {
    browser: { name: result.browser.name, version: result.browser.version },
    os: { name: result.os.name, version: result.os.version },
    device: { type: result.device.type, vendor: result.device.vendor, model: result.device.model },
  };
  const json = `,"userAgent":${JSON.stringify(userAgent)},"ua":${JSON.stringify(ua)},"isBot":${isbot(userAgent)}}`;
  if (uaCache.size >= UA_CACHE_LIMIT) uaCache.delete(uaCache.keys().next().value!);
  uaCache.set(userAgent, json);
  return json;
}

export type RequestIdentity = Pick<BadRow, 'receivedAt' | 'ip' | 'userAgent'>;

/** What the server adds to every event of one request, worked out and serialised once for all of them. */
export interface RequestEnrichment {
  receivedAtMs: number;
  identity: RequestIdentity;
  /** `,"receivedAt":…`: the server fields before the per-event ones, as JSON. */
  receivedJson: string;
  /** `,"ip":…,"userAgent":…,"ua":…,"isBot":…}`: the server fields after them, closing the event. */
  clientJson: string;
}

/** The request's side of a bad row: receive time and the client as it may be stored. */
export function requestIdentity(facts: RequestFacts, options: { anonymizeIp: boolean }): RequestIdentity {
  return { receivedAt: new Date(facts.receivedAt).toISOString(), ip: options.anonymizeIp ? anonymizeIp(facts.ip) : facts.ip, userAgent: facts.userAgent };
}

export function requestEnrichment(facts: RequestFacts, options: { anonymizeIp: boolean }): RequestEnrichment {
  const identity = requestIdentity(facts, options);
  return {
    receivedAtMs: facts.receivedAt,
    identity,
    receivedJson: `,"receivedAt":"${identity.receivedAt}"`,
    clientJson: `,"ip":${JSON.stringify(identity.ip)}${userAgentJson(facts.userAgent)}`,
  };
}

/**
 * The event as sent plus what only the server knows, as the JSON of an EnrichedEvent. The derived
 * timestamp moves the client's event time by the client's clock error, measured as receive time
 * minus the client's send time (Snowplow's rule). The fields are listed rather than spread from
 * the event, since spreading a parsed event into a new object cost more than validating it (the
 * validator admits no other top-level fields), and the fields every event of a request shares are
 * serialised once per request.
 */
export function enrichedJson(event: TrackingEvent, request: RequestEnrichment): string {
  const created = Date.parse(event.timestamp);
  const sent = event.sentAt ? Date.parse(event.sentAt) : Number.NaN;
  const skew = Number.isNaN(sent) ? null : request.receivedAtMs - sent;
  const sentFields = JSON.stringify({
    type: event.type,
    event: event.event,
    eventId: event.eventId,
    anonymousId: event.anonymousId,
    userId: event.userId,
    sessionId: event.sessionId,
    timestamp: event.timestamp,
    sentAt: event.sentAt,
    properties: event.properties,
    traits: event.traits,
    context: event.context,
  });
  const derived = new Date(skew === null ? created : created + skew).toISOString();
  return `${sentFields.slice(0, -1)}${request.receivedJson},"derivedTimestamp":"${derived}","clockSkewMs":${skew}${request.clientJson}`;
}
