/**
 * Remembers event ids for a time window so a retried delivery (browser retry, re-sent beacon) is
 * dropped. Ids are kept in arrival order, so expiry only ever looks at the oldest.
 */
export class DedupeWindow {
  readonly #seenAt = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    private readonly maxIds: number,
  ) {}

  /** True when the id was already seen within the window; otherwise remembers it. */
  seen(id: string, now: number): boolean {
    this.#expire(now);
    if (this.maxIds === 0 || this.windowMs === 0) return false;
    if (this.#seenAt.has(id)) return true;
    this.#seenAt.set(id, now);
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
    for (const [id, at] of this.#seenAt) {
      if (now - at < this.windowMs && this.#seenAt.size < this.maxIds) break;
      this.#seenAt.delete(id);
    }
  }
}
