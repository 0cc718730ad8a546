import { randomUUID } from 'node:crypto';

/** A valid tracker event, as t.js would send it. */
export function trackEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = new Date().toISOString();
  return {
    type: 'track',
    event: 'signup',
    eventId: randomUUID(),
    anonymousId: 'anon-1',
    userId: null,
    sessionId: 'session-1',
    timestamp: now,
    sentAt: now,
    properties: { plan: 'pro' },
    context: { page: { url: 'https://shop.example/pricing', path: '/pricing' }, locale: 'en-GB', timezone: 'Europe/London' },
    ...overrides,
  };
}
