import { GroupCoordinator, type GroupCoordinatorConfig, type JoinGroupParams } from '../../src/group/group-coordinator.ts';
import { InMemoryGroupStore } from '../../src/group/group-store.ts';
import { ManualScheduler } from '../../src/group/scheduler.ts';

export const PARTITIONS = 4;

/** A coordinator on a manual clock over an in-memory store, owning every partition. */
export async function startCoordinator(config: Partial<GroupCoordinatorConfig> = {}, store = new InMemoryGroupStore(), scheduler = new ManualScheduler()) {
  const coordinator = new GroupCoordinator(store, { numPartitions: PARTITIONS, initialRebalanceDelayMs: 0, ...config }, null, scheduler);
  for (let p = 0; p < PARTITIONS; p++) await coordinator.loadPartition(p);
  return { coordinator, store, scheduler };
}

export function joinParams(memberId: string, extra: Partial<JoinGroupParams> = {}): JoinGroupParams {
  return {
    groupId: 'g',
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 20_000,
    memberId,
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: Buffer.from('meta') }],
    clientId: 'client',
    clientHost: '/127.0.0.1',
    requireKnownMemberId: true,
    ...extra,
  };
}

/** Lets pending promise callbacks run (the coordinator's store writes resolve in microtasks). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Whether a promise has resolved, without waiting for it. */
export async function isDone(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  await settle();
  return done;
}

/** Moves the manual clock in steps until the promise resolves (or the limit passes). */
export async function advanceUntil<T>(scheduler: ManualScheduler, promise: Promise<T>, stepMs = 500, limitMs = 600_000): Promise<T> {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  for (let waited = 0; waited <= limitMs; waited += stepMs) {
    await settle();
    if (done) return promise;
    scheduler.advance(stepMs);
  }
  throw new Error(`promise still pending after ${limitMs} ms of manual time`);
}

export const syncParams = (memberId: string, generationId: number, assignments: Array<{ memberId: string; assignment: Buffer }> = [], groupInstanceId: string | null = null) => ({
  groupId: 'g',
  generationId,
  memberId,
  groupInstanceId,
  protocolType: 'consumer',
  protocolName: 'range',
  assignments,
});

export const heartbeatParams = (memberId: string, generationId: number, groupInstanceId: string | null = null) => ({ groupId: 'g', generationId, memberId, groupInstanceId });
