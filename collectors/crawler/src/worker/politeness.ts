import { DelayedError, type Job } from 'bullmq';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HostGate } from '../frontier/host-gate.ts';
import type { LocalSlots } from '../frontier/local-slots.ts';

export interface PolitenessOptions {
  gate: HostGate;
  slots: LocalSlots;
  /** Waits longer than this give the job back to the queue (delayed) instead of holding a slot. */
  maxInlineWaitMs: number;
}

export interface HostTurn {
  host: string;
  limit: number;
  /** How long a holder may keep the host if it dies holding it. */
  holdMs: number;
  /** Pause after this request before the host's next one. */
  delayMs: number;
}

/**
 * Runs `work` when the host is free for this request, holding it until `work` settles. The
 * process's own jobs queue locally first, so Redis sees one contender per process and host.
 */
export async function politely<T>(options: PolitenessOptions, job: Job, token: string | undefined, turn: HostTurn, work: () => Promise<T>): Promise<T> {
  const releaseLocal = await options.slots.take(turn.host, turn.limit);
  try {
    for (;;) {
      const answer = await options.gate.tryAcquire(turn.host, turn.limit, turn.holdMs);
      if (typeof answer !== 'number') {
        try {
          return await work();
        } finally {
          await answer.release(turn.delayMs);
        }
      }
      if (answer > options.maxInlineWaitMs && token) {
        releaseLocal();
        await job.moveToDelayed(Date.now() + answer, token);
        throw new DelayedError();
      }
      await sleep(answer);
    }
  } finally {
    releaseLocal();
  }
}
