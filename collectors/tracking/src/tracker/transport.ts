/// <reference lib="dom" />
import { readStorage, writeStorage } from './storage.ts';

export interface OutgoingEvent {
  eventId: string;
  sentAt?: string;
  [field: string]: unknown;
}

export interface TransportOptions {
  /** Collector base URL, '' for the page's own origin. */
  endpoint: string;
  batchSize: number;
  flushIntervalMs: number;
  maxQueue: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** Send every event as a pixel GET (old browsers, or by choice). */
  pixelOnly: boolean;
}

/** A queued event; `b` names the page life that handed it to sendBeacon, whose delivery is unknown. */
interface Queued {
  e: OutgoingEvent;
  b?: string;
}

const QUEUE_KEY = '_trb_q';
const BEACON_LIMIT = 60_000;

/**
 * Delivers events in order, at least once. The queue lives in localStorage until the collector
 * answers, so events of offline pages or of a closed tab go out on a later visit; the collector
 * drops the repeats by event id. One request is in flight at a time; failures back off
 * exponentially with jitter; the queue is bounded (oldest dropped first).
 */
export class Transport {
  #memory: Queued[] = [];
  #inFlight = new Set<string>();
  #timer: ReturnType<typeof setTimeout> | null = null;
  #attempts = 0;
  readonly #pageLife = Math.random().toString(36).slice(2);

  constructor(private readonly options: TransportOptions) {}

  enqueue(event: OutgoingEvent): void {
    const queue = this.#load();
    queue.push({ e: event });
    while (queue.length > this.options.maxQueue) queue.shift();
    this.#save(queue);
    if (this.#pendingCount(queue) >= this.options.batchSize) this.flush();
    else this.#schedule(this.options.flushIntervalMs);
  }

  /** Sends the next batch now unless one is in flight or a retry is waiting. */
  flush(): void {
    if (this.#inFlight.size > 0 || (this.#timer !== null && this.#attempts > 0)) return;
    this.#clearTimer();
    const batch = this.#load()
      .filter((q) => q.b !== this.#pageLife)
      .slice(0, this.options.batchSize)
      .map((q) => ({ ...q.e, sentAt: new Date().toISOString() }));
    if (batch.length === 0) return;
    for (const event of batch) this.#inFlight.add(event.eventId);
    const sent = this.options.pixelOnly || typeof fetch !== 'function' ? this.#sendPixels(batch) : this.#sendBatch(batch);
    sent.then((delivered) => {
      this.#inFlight.clear();
      if (delivered) {
        this.#attempts = 0;
        this.#remove(new Set(batch.map((e) => e.eventId)));
        if (this.#pendingCount(this.#load()) > 0) this.flush();
      } else {
        this.#attempts++;
        const backoff = Math.min(this.options.retryMaxMs, this.options.retryBaseMs * 2 ** (this.#attempts - 1));
        this.#schedule(backoff * (0.5 + Math.random() / 2));
      }
    });
  }

  /** Back online: retry at once instead of waiting for the backoff. */
  retryNow(): void {
    this.#clearTimer();
    this.#attempts = 0;
    this.flush();
  }

  /**
   * The page is going away: hand what is not in flight to sendBeacon. Those events stay queued,
   * marked, because a beacon's delivery is never confirmed; a later visit sends them again.
   */
  beaconAll(): void {
    if (typeof navigator.sendBeacon !== 'function' || navigator.onLine === false) return;
    const queue = this.#load();
    let chunk: Queued[] = [];
    const send = () => {
      if (chunk.length === 0) return;
      const body = JSON.stringify(chunk.map((q) => ({ ...q.e, sentAt: new Date().toISOString() })));
      if (navigator.sendBeacon(`${this.options.endpoint}/v1/batch`, body)) for (const q of chunk) q.b = this.#pageLife;
      chunk = [];
    };
    let size = 0;
    for (const q of queue) {
      if (this.#inFlight.has(q.e.eventId) || q.b === this.#pageLife) continue;
      const length = JSON.stringify(q.e).length;
      if (chunk.length >= this.options.batchSize || size + length > BEACON_LIMIT) {
        send();
        size = 0;
      }
      chunk.push(q);
      size += length;
    }
    send();
    this.#save(queue);
  }

  clear(): void {
    this.#clearTimer();
    this.#save([]);
  }

  async #sendBatch(batch: OutgoingEvent[]): Promise<boolean> {
    const body = JSON.stringify(batch);
    try {
      const response = await fetch(`${this.options.endpoint}/v1/batch`, {
        method: 'POST',
        body,
        headers: { 'Content-Type': 'text/plain' },
        keepalive: body.length < BEACON_LIMIT,
        credentials: 'omit',
      });
      // A 4xx other than 408/429 will not get better by retrying: the collector kept the reason.
      return response.ok || (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429);
    } catch {
      return false;
    }
  }

  async #sendPixels(batch: OutgoingEvent[]): Promise<boolean> {
    const results = await Promise.all(
      batch.map(
        (event) =>
          new Promise<boolean>((resolve) => {
            const image = new Image(1, 1);
            image.onload = () => resolve(true);
            image.onerror = () => resolve(false);
            image.src = `${this.options.endpoint}/i?d=${encodeURIComponent(JSON.stringify(event))}`;
          }),
      ),
    );
    return results.every(Boolean);
  }

  #pendingCount(queue: Queued[]): number {
    return queue.filter((q) => q.b !== this.#pageLife && !this.#inFlight.has(q.e.eventId)).length;
  }

  #remove(ids: Set<string>): void {
    this.#save(this.#load().filter((q) => !ids.has(q.e.eventId)));
  }

  #schedule(delayMs: number): void {
    if (this.#timer !== null) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.flush();
    }, delayMs);
  }

  #clearTimer(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** Re-read on every change: other tabs of the same site share the queue. */
  #load(): Queued[] {
    const stored = readStorage(QUEUE_KEY);
    if (stored === null) return this.#memory.slice();
    try {
      const parsed = JSON.parse(stored) as unknown;
      return Array.isArray(parsed) ? (parsed as Queued[]) : [];
    } catch {
      return [];
    }
  }

  #save(queue: Queued[]): void {
    this.#memory = queue;
    writeStorage(QUEUE_KEY, JSON.stringify(queue));
  }
}
