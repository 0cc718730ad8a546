/**
 * The pixel's query string as events. `d` carries one event or an array as JSON (what the tracker
 * sends when it falls back to the pixel); the flat form (e, n, aid, uid, sid, eid, url, ref, ts, p)
 * is for hand-written pixels such as <noscript> tags and e-mails, which cannot make ids or clocks.
 */
export type PixelQuery = Record<string, string | string[] | undefined>;

export type PixelParse = { ok: true; events: unknown[] } | { ok: false; reason: string };

function single(query: PixelQuery, name: string): string | undefined {
  const value = query[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Event fields taken as they are from flat-form parameters, when present. */
const FLAT_FIELDS = [
  ['event', 'n'],
  ['anonymousId', 'aid'],
  ['userId', 'uid'],
  ['sessionId', 'sid'],
] as const;

export function eventsFromPixel(query: PixelQuery, now: number, newId: () => string): PixelParse {
  const data = single(query, 'd');
  if (data !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch (error) {
      return { ok: false, reason: `pixel: parameter d is not JSON (${(error as Error).message})` };
    }
    if (Array.isArray(parsed)) return { ok: true, events: parsed };
    if (typeof parsed === 'object' && parsed !== null) return { ok: true, events: [parsed] };
    return { ok: false, reason: 'pixel: parameter d must be a JSON event or an array of events' };
  }
  const type = single(query, 'e');
  if (type === undefined) return { ok: false, reason: 'pixel: no event parameters (expected d=JSON or e=page|track|identify)' };
  let properties: unknown;
  const rawProperties = single(query, 'p');
  if (rawProperties !== undefined) {
    try {
      properties = JSON.parse(rawProperties);
    } catch {
      return { ok: false, reason: 'pixel: parameter p is not JSON' };
    }
  }
  const event: Record<string, unknown> = { type, eventId: single(query, 'eid') ?? newId(), timestamp: single(query, 'ts') ?? new Date(now).toISOString() };
  for (const [field, name] of FLAT_FIELDS) {
    const value = single(query, name);
    if (value !== undefined) event[field] = value;
  }
  if (properties !== undefined) event.properties = properties;
  const url = single(query, 'url');
  const referrer = single(query, 'ref');
  if (url !== undefined || referrer !== undefined) event.context = { page: url === undefined ? { referrer } : referrer === undefined ? { url } : { url, referrer } };
  return { ok: true, events: [event] };
}
