import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/** Hours the generated events spread over, so partitions write several dt/hour files at once. */
export const BASE_TIME = Date.parse('2026-11-24T21:00:00Z');

/** The event with index i: everything in it is derivable from i, so landed rows can be checked. */
export function trackingEvent(i: number, hours: number): { key: string; value: string } {
  const anonymousId = `a-${i % 5000}`;
  const timestamp = new Date(BASE_TIME + (i % hours) * 3_600_000 + (i % 3_600_000)).toISOString();
  const value = JSON.stringify({
    type: 'track',
    event: 'signup',
    eventId: `e-${i}`,
    anonymousId,
    sessionId: `s-${i % 977}`,
    timestamp,
    receivedAt: timestamp,
    isBot: false,
    properties: { n: i },
    context: { page: { url: `https://shop.example/p/${i % 100}`, path: `/p/${i % 100}` }, locale: 'en-GB' },
  });
  return { key: anonymousId, value };
}

/** Writes kcat -K'\t' input for events [0, count) without holding them in memory. */
export async function writeTrackingEventFile(path: string, count: number, hours: number): Promise<void> {
  const out = createWriteStream(path);
  for (let i = 0; i < count; i++) {
    const { key, value } = trackingEvent(i, hours);
    if (!out.write(`${key}\t${value}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');
}
