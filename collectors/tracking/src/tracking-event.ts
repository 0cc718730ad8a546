/** What the browser tracker sends: one behaviour event. */
export interface TrackingEvent {
  type: 'page' | 'track' | 'identify';
  /** Custom event name (track), e.g. 'signup'. */
  event?: string;
  eventId: string;
  anonymousId: string;
  userId?: string | null;
  sessionId?: string;
  /** Client clock when the event happened (ISO 8601). */
  timestamp: string;
  /** Client clock when the event was sent; with the receive time it gives the clock skew. */
  sentAt?: string;
  properties?: Record<string, unknown>;
  traits?: Record<string, unknown>;
  context?: Record<string, unknown>;
}

/** A valid event as it lands in tracking.events. */
export interface EnrichedEvent extends TrackingEvent {
  receivedAt: string;
  /** Client time corrected by the clock skew (Snowplow's derived timestamp). */
  derivedTimestamp: string;
  /** receivedAt minus sentAt: client clock error plus transit time. */
  clockSkewMs: number | null;
  ip: string;
  userAgent: string;
  ua: { browser: { name?: string; version?: string }; os: { name?: string; version?: string }; device: { type?: string; vendor?: string; model?: string } };
  isBot: boolean;
}

/** A rejected input as it lands in tracking.bad (Snowplow's bad row). */
export interface BadRow {
  reason: string;
  source: 'batch' | 'pixel';
  receivedAt: string;
  ip: string;
  userAgent: string;
  /** The offending payload as received, cut to a bounded length. */
  raw: string;
}

export const RAW_PAYLOAD_LIMIT = 16 * 1024;

export function truncateRaw(raw: string): string {
  return raw.length > RAW_PAYLOAD_LIMIT ? `${raw.slice(0, RAW_PAYLOAD_LIMIT)}…[truncated ${raw.length - RAW_PAYLOAD_LIMIT} chars]` : raw;
}
