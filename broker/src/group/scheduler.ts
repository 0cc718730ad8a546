/** Delayed work for the coordinator; tests drive a manual clock instead of waiting. */
export interface Scheduler {
  now(): number;
  /** Runs fn after delayMs; returns a cancel function. */
  schedule(delayMs: number, fn: () => void): () => void;
}

export const realScheduler: Scheduler = {
  now: () => Date.now(),
  schedule(delayMs, fn) {
    const timer = setTimeout(fn, Math.max(0, delayMs));
    timer.unref();
    return () => clearTimeout(timer);
  },
};

/** A clock that only moves when told to, firing due tasks in time order. */
export class ManualScheduler implements Scheduler {
  private time = 0;
  private tasks: Array<{ at: number; fn: () => void; cancelled: boolean }> = [];

  now(): number {
    return this.time;
  }

  schedule(delayMs: number, fn: () => void): () => void {
    const task = { at: this.time + Math.max(0, delayMs), fn, cancelled: false };
    this.tasks.push(task);
    return () => {
      task.cancelled = true;
    };
  }

  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      const due = this.tasks.filter((task) => !task.cancelled && task.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      due.cancelled = true;
      this.time = due.at;
      due.fn();
    }
    this.time = target;
    this.tasks = this.tasks.filter((task) => !task.cancelled);
  }
}
