/**
 * Per-host slots inside one process: the process's own jobs for a host queue here instead of all
 * polling Redis, so the shared gate sees one contender per process and host.
 */
export class LocalSlots {
  private readonly held = new Map<string, number>();
  private readonly waiting = new Map<string, Array<() => void>>();

  async take(host: string, limit: number): Promise<() => void> {
    if ((this.held.get(host) ?? 0) >= limit) {
      await new Promise<void>((resolve) => {
        const queue = this.waiting.get(host) ?? [];
        queue.push(resolve);
        this.waiting.set(host, queue);
      });
    } else {
      this.held.set(host, (this.held.get(host) ?? 0) + 1);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.get(host)?.shift();
      // The slot passes straight to the next waiter, so the count stays as it is.
      if (next) return next();
      const count = (this.held.get(host) ?? 1) - 1;
      if (count === 0) {
        this.held.delete(host);
        this.waiting.delete(host);
      } else this.held.set(host, count);
    };
  }
}
