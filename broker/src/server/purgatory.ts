/**
 * Kafka's delayed-operation purgatory: an operation that cannot complete yet (a long-poll fetch,
 * a produce waiting for acks) waits under one or more keys until something touches a key and
 * the operation's condition holds, or until its deadline passes.
 */
export interface DelayedOperation {
  /** Returns true when the operation could complete now (and has completed). */
  tryComplete(): boolean;
  /** Called once when the deadline passes before completion. */
  onExpiration(): void;
}

interface Entry {
  operation: DelayedOperation;
  keys: string[];
  timer: NodeJS.Timeout;
  completed: boolean;
}

export class Purgatory {
  private readonly watchers = new Map<string, Set<Entry>>();

  get size(): number {
    let total = 0;
    for (const set of this.watchers.values()) total += set.size;
    return total;
  }

  /** Completes the operation now if it can, otherwise parks it until a key is checked or it expires. */
  tryCompleteElseWatch(operation: DelayedOperation, keys: string[], timeoutMs: number): void {
    if (operation.tryComplete()) return;
    const entry: Entry = {
      operation,
      keys,
      completed: false,
      timer: setTimeout(() => this.expire(entry), Math.max(0, timeoutMs)),
    };
    for (const key of keys) {
      let set = this.watchers.get(key);
      if (!set) {
        set = new Set();
        this.watchers.set(key, set);
      }
      set.add(entry);
    }
  }

  /** Something changed under this key: give its waiting operations a chance to complete. */
  checkAndComplete(key: string): number {
    const set = this.watchers.get(key);
    if (!set) return 0;
    let completed = 0;
    for (const entry of [...set]) {
      if (entry.completed) continue;
      if (entry.operation.tryComplete()) {
        this.finish(entry);
        completed++;
      }
    }
    return completed;
  }

  /** Expires every waiting operation now (shutdown). */
  expireAll(): void {
    for (const set of [...this.watchers.values()]) for (const entry of [...set]) this.expire(entry);
  }

  private expire(entry: Entry): void {
    if (entry.completed) return;
    this.finish(entry);
    entry.operation.onExpiration();
  }

  private finish(entry: Entry): void {
    entry.completed = true;
    clearTimeout(entry.timer);
    for (const key of entry.keys) {
      const set = this.watchers.get(key);
      if (!set) continue;
      set.delete(entry);
      if (set.size === 0) this.watchers.delete(key);
    }
  }
}
