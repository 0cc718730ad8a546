/**
 * Remembers event ids for a time window so a retried delivery (browser retry, re-sent beacon) is
 * dropped. Ids are kept in arrival order, so expiry only ever looks at the oldest.
 */
export class DedupeWindow {
  readonly #seenAt = new Map<string, number>();
  /** When the oldest remembered id was seen (or earlier): expiry has nothing to do before it is due. */
  #oldestAt = Number.POSITIVE_INFINITY;

  constructor(
    private readonly windowMs: number,
    private readonly maxIds: number,
  ) {}

  /** True when the id was already seen within the window; otherwise remembers it. */
  seen(id: string, now: number): boolean {
    if (this.maxIds === 0 || this.windowMs === 0) return false;
    if (now - this.#oldestAt >= this.windowMs || this.#seenAt.size >= this.maxIds) this.#expire(now);
    if (this.#seenAt.has(id)) return true;
    this.#seenAt.set(id, now);
    if (this.#seenAt.size === 1) this.#oldestAt = now;
    return false;
  }

  /** For ids whose events were not accepted after all, so a retry is not taken for a duplicate. */
  forget(ids: Iterable<string>): void {
    for (const id of ids) this.#seenAt.delete(id);
  }

  get size(): number {
    return this.#seenAt.size;
  }

  #expire(now: number): void {
    this.#oldestAt = Number.POSITIVE_INFINITY;
    for (const [id, at] of this.#seenAt) {
      if (now - at < this.windowMs && this.#seenAt.size < this.maxIds) {
        this.#oldestAt = at;
        break;
      }
      this.#seenAt.delete(id);
    }
  }
}
