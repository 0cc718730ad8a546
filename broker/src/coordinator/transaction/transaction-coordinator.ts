import type { Logger } from '@tributary/common';
import type { TransactionResult } from '../../log/control-record.ts';
import { partitionForGroup } from '../../group/group-partition.ts';
import { realScheduler, type Scheduler } from '../../group/scheduler.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { StoredRecord } from '../../server/internal-topic-store.ts';
import { decodeTxnKey, decodeTxnValue, encodeTxnKey, encodeTxnValue } from './transaction-log.ts';
import { ALL_STATES, isPreparing, samePartition, type TopicPartition, type TransactionMetadata, type TransactionState } from './transaction-metadata.ts';
import type { TxnMarkerChannel } from './txn-marker-channel.ts';

export const TRANSACTION_STATE_TOPIC = '__transaction_state';

export interface TransactionCoordinatorConfig {
  /** transaction.state.log.num.partitions */
  numPartitions: number;
  /** transaction.max.timeout.ms */
  maxTimeoutMs: number;
  /** transaction.abort.timed.out.transaction.cleanup.interval.ms */
  abortTimedOutIntervalMs: number;
}

export interface TransactionStateStore {
  append(partition: number, records: { key: Buffer; value: Buffer | null }[]): Promise<void>;
  load(partition: number): AsyncIterable<StoredRecord>;
}

export interface TransactionCoordinatorDeps {
  store: TransactionStateStore;
  producerIds: { generateProducerId(): Promise<number> };
  markers: TxnMarkerChannel;
  /** Epoch of this broker's leadership of a __transaction_state partition; markers carry it. */
  coordinatorEpoch(partition: number): number;
  /** False once a topic is deleted: its markers are dropped instead of retried. */
  partitionExists(tp: TopicPartition): boolean;
  log?: Logger;
  scheduler?: Scheduler;
}

export interface ProducerIdAndEpoch {
  errorCode: number;
  producerId: number;
  producerEpoch: number;
}

/** Epochs are int16; Kafka starts a new producer id rather than wrap. */
const MAX_EPOCH = 32766;
const RETRY_BACKOFF_MS = 100;
/**
 * How long EndTxn and InitProducerId wait for markers before answering anyway. Once Prepare is
 * stored the outcome is decided; the markers go on in the background and other requests for the
 * id get CONCURRENT_TRANSACTIONS meanwhile, which clients retry (as with Kafka's coordinator).
 */
const MARKER_WAIT_MS = 5000;
const MAX_RETRY_BACKOFF_MS = 2000;
/** Marker errors that say a newer epoch or coordinator already moved on: retrying cannot help. */
const ABANDON_MARKER_ERRORS = new Set<number>([ErrorCode.INVALID_PRODUCER_EPOCH, ErrorCode.PRODUCER_FENCED, ErrorCode.TRANSACTION_COORDINATOR_FENCED]);

/**
 * Kafka's transaction coordinator: owns the transactional ids whose __transaction_state partition
 * this broker leads, hands out producer ids and epochs (fencing zombies), tracks the partitions of
 * each open transaction, and ends it in two phases: PrepareCommit/PrepareAbort is written before
 * any marker, CompleteCommit/CompleteAbort after all of them, so a restart in between finishes the
 * markers from the stored state.
 */
export class TransactionCoordinator {
  private readonly txns = new Map<string, TransactionMetadata>();
  private readonly partitions = new Map<number, 'loading' | 'loaded'>();
  private readonly locks = new Map<string, Promise<void>>();
  private readonly scheduler: Scheduler;
  private expiryCancel: (() => void) | null = null;
  private closed = false;

  constructor(private readonly deps: TransactionCoordinatorDeps, private readonly config: TransactionCoordinatorConfig) {
    this.scheduler = deps.scheduler ?? realScheduler;
  }

  partitionFor(transactionalId: string): number {
    return partitionForGroup(transactionalId, this.config.numPartitions);
  }

  ownsPartition(partition: number): boolean {
    return this.partitions.get(partition) === 'loaded';
  }

  private unavailable(transactionalId: string): number | null {
    if (transactionalId === '') return ErrorCode.INVALID_REQUEST;
    const state = this.partitions.get(this.partitionFor(transactionalId));
    if (state === undefined) return ErrorCode.NOT_COORDINATOR;
    if (state === 'loading') return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    return null;
  }

  // ---- partition ownership -------------------------------------------------------------

  /**
   * Becomes coordinator for a __transaction_state partition by replaying it (last record per id
   * wins, null deletes), then finishes the markers of transactions caught between Prepare and
   * Complete. Call on becoming leader of the partition.
   */
  async loadPartition(partition: number): Promise<void> {
    this.partitions.set(partition, 'loading');
    const loaded = new Map<string, TransactionMetadata>();
    try {
      for await (const record of this.deps.store.load(partition)) {
        if (record.marker) continue;
        const id = decodeTxnKey(record.key);
        if (id === null) continue;
        if (record.value === null) loaded.delete(id);
        else loaded.set(id, decodeTxnValue(id, record.value));
      }
    } catch (error) {
      this.partitions.delete(partition);
      throw error;
    }
    if (this.partitions.get(partition) !== 'loading') return;
    for (const [id, txn] of loaded) this.txns.set(id, txn);
    this.partitions.set(partition, 'loaded');
    this.deps.log?.info({ partition, transactionalIds: loaded.size }, 'loaded transaction coordinator partition');
    for (const txn of loaded.values()) {
      if (!isPreparing(txn.state)) continue;
      const result: TransactionResult = txn.state === 'PrepareCommit' ? 'commit' : 'abort';
      void this.withLock(txn.transactionalId, () => this.completeTransaction(txn.transactionalId, result)).catch((error) =>
        this.deps.log?.error({ err: error, transactionalId: txn.transactionalId }, 'finishing a prepared transaction failed'));
    }
  }

  /** Leadership of the partition moved away: forget its transactional ids (the new coordinator finishes their work). */
  unloadPartition(partition: number): void {
    this.partitions.delete(partition);
    for (const id of [...this.txns.keys()]) if (this.partitionFor(id) === partition) this.txns.delete(id);
  }

  // ---- InitProducerId ------------------------------------------------------------------

  async initProducerId(params: { transactionalId: string; transactionTimeoutMs: number; producerId: number; producerEpoch: number }): Promise<ProducerIdAndEpoch> {
    const fail = (errorCode: number): ProducerIdAndEpoch => ({ errorCode, producerId: -1, producerEpoch: -1 });
    if (params.transactionTimeoutMs <= 0 || params.transactionTimeoutMs > this.config.maxTimeoutMs) return fail(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    const unavailable = this.unavailable(params.transactionalId);
    if (unavailable !== null) return fail(unavailable);
    return this.withLock(params.transactionalId, async () => {
      const now = this.scheduler.now();
      const current = this.txns.get(params.transactionalId);
      if (!current) {
        const producerId = await this.deps.producerIds.generateProducerId();
        const txn = this.idle(params.transactionalId, producerId, 0, params.transactionTimeoutMs, 'Empty', now);
        await this.write(txn);
        return { errorCode: ErrorCode.NONE, producerId, producerEpoch: 0 };
      }
      // KIP-360: a producer that names its id and epoch may only bump its own, current one.
      if (params.producerId >= 0 && (params.producerId !== current.producerId || params.producerEpoch !== current.producerEpoch)) return fail(ErrorCode.PRODUCER_FENCED);
      if (isPreparing(current.state)) return fail(ErrorCode.CONCURRENT_TRANSACTIONS);
      let { producerId, producerEpoch } = current;
      if (current.state === 'Ongoing') {
        // A new instance of the producer: fence the old one with a bumped epoch and abort what it left open.
        if (!(await this.abortWithBumpedEpoch(current))) return fail(ErrorCode.CONCURRENT_TRANSACTIONS);
        producerEpoch = this.txns.get(params.transactionalId)!.producerEpoch;
      } else if (producerEpoch >= MAX_EPOCH) {
        producerId = await this.deps.producerIds.generateProducerId();
        producerEpoch = 0;
      } else {
        producerEpoch += 1;
      }
      const latest = this.txns.get(params.transactionalId)!;
      await this.write(this.idle(params.transactionalId, producerId, producerEpoch, params.transactionTimeoutMs, latest.state === 'Ongoing' ? 'Empty' : latest.state, now));
      return { errorCode: ErrorCode.NONE, producerId, producerEpoch };
    });
  }

  private idle(transactionalId: string, producerId: number, producerEpoch: number, timeoutMs: number, state: TransactionState, now: number): TransactionMetadata {
    return { transactionalId, producerId, producerEpoch, timeoutMs, state, partitions: [], lastUpdateTimestamp: now, startTimestamp: -1 };
  }

  /** Bumps the epoch (fencing the producer) and aborts its open transaction; true once the markers are written. */
  private async abortWithBumpedEpoch(txn: TransactionMetadata): Promise<boolean> {
    const epoch = Math.min(txn.producerEpoch + 1, MAX_EPOCH + 1);
    await this.write({ ...txn, producerEpoch: epoch, state: 'PrepareAbort', lastUpdateTimestamp: this.scheduler.now() });
    return this.finishWithin(txn.transactionalId, 'abort');
  }

  /** Runs the second phase; resolves true when it completed within MARKER_WAIT_MS, false when it is still going. */
  private finishWithin(transactionalId: string, result: TransactionResult): Promise<boolean> {
    const done = this.completeTransaction(transactionalId, result).then(
      () => true,
      (error) => {
        this.deps.log?.error({ err: error, transactionalId }, 'writing transaction markers failed');
        return false;
      },
    );
    return new Promise((resolve) => {
      const cancel = this.scheduler.schedule(MARKER_WAIT_MS, () => resolve(false));
      void done.then((completed) => {
        cancel();
        resolve(completed);
      });
    });
  }

  // ---- AddPartitionsToTxn / AddOffsetsToTxn --------------------------------------------

  /** Checks the producer against the stored state; an error code, or null when it may go on. */
  private validateProducer(txn: TransactionMetadata | undefined, producerId: number, producerEpoch: number): number | null {
    if (!txn || txn.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (producerEpoch !== txn.producerEpoch) return ErrorCode.PRODUCER_FENCED;
    return null;
  }

  /** Adds partitions to the open transaction (opening one if needed); one error code for all of them. */
  async addPartitions(params: { transactionalId: string; producerId: number; producerEpoch: number; partitions: TopicPartition[]; verifyOnly?: boolean }): Promise<number> {
    const unavailable = this.unavailable(params.transactionalId);
    if (unavailable !== null) return unavailable;
    return this.withLock(params.transactionalId, async () => {
      const txn = this.txns.get(params.transactionalId);
      const invalid = this.validateProducer(txn, params.producerId, params.producerEpoch);
      if (invalid !== null) return invalid;
      if (isPreparing(txn!.state) || txn!.state === 'PrepareEpochFence') return ErrorCode.CONCURRENT_TRANSACTIONS;
      if (txn!.state === 'Dead') return ErrorCode.INVALID_TXN_STATE;
      const ongoing = txn!.state === 'Ongoing';
      const added = params.partitions.filter((tp) => !ongoing || !txn!.partitions.some((known) => samePartition(known, tp)));
      if (params.verifyOnly) return added.length === 0 ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE;
      if (ongoing && added.length === 0) return ErrorCode.NONE;
      const now = this.scheduler.now();
      await this.write({
        ...txn!,
        state: 'Ongoing',
        partitions: ongoing ? [...txn!.partitions, ...added] : added,
        lastUpdateTimestamp: now,
        startTimestamp: ongoing ? txn!.startTimestamp : now,
      });
      return ErrorCode.NONE;
    });
  }

  // ---- EndTxn ----------------------------------------------------------------------------

  async endTransaction(params: { transactionalId: string; producerId: number; producerEpoch: number; committed: boolean }): Promise<number> {
    const unavailable = this.unavailable(params.transactionalId);
    if (unavailable !== null) return unavailable;
    const result: TransactionResult = params.committed ? 'commit' : 'abort';
    return this.withLock(params.transactionalId, async () => {
      const txn = this.txns.get(params.transactionalId);
      const invalid = this.validateProducer(txn, params.producerId, params.producerEpoch);
      if (invalid !== null) return invalid;
      switch (txn!.state) {
        case 'Ongoing':
          await this.write({ ...txn!, state: result === 'commit' ? 'PrepareCommit' : 'PrepareAbort', lastUpdateTimestamp: this.scheduler.now() });
          // Decided: the answer is NONE even if markers are still being written.
          await this.finishWithin(params.transactionalId, result);
          return ErrorCode.NONE;
        case 'CompleteCommit':
          return result === 'commit' ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE;
        case 'CompleteAbort':
          return result === 'abort' ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE;
        case 'PrepareCommit':
          return result === 'commit' ? ErrorCode.CONCURRENT_TRANSACTIONS : ErrorCode.INVALID_TXN_STATE;
        case 'PrepareAbort':
          return result === 'abort' ? ErrorCode.CONCURRENT_TRANSACTIONS : ErrorCode.INVALID_TXN_STATE;
        default:
          return ErrorCode.INVALID_TXN_STATE;
      }
    });
  }

  /**
   * Second phase: writes the markers of the prepared transaction, retrying partitions whose leader
   * cannot take them yet, then records CompleteCommit/CompleteAbort. Gives up only if this broker
   * stops coordinating the id (the new coordinator resumes from the stored Prepare state).
   */
  private async completeTransaction(transactionalId: string, result: TransactionResult): Promise<void> {
    const prepared = this.txns.get(transactionalId);
    if (!prepared) return;
    const partition = this.partitionFor(transactionalId);
    let remaining = prepared.partitions.filter((tp) => this.deps.partitionExists(tp));
    let backoff = RETRY_BACKOFF_MS;
    while (remaining.length > 0) {
      if (!this.ownsPartition(partition) || this.closed) return;
      const results = await this.deps.markers.writeMarkers(remaining, prepared.producerId, prepared.producerEpoch, result, this.deps.coordinatorEpoch(partition));
      for (const failed of results.filter((r) => ABANDON_MARKER_ERRORS.has(r.errorCode))) {
        this.deps.log?.warn({ transactionalId, topic: failed.topic, partition: failed.partition, errorCode: failed.errorCode }, 'transaction marker refused by a newer producer epoch or coordinator; not retried');
      }
      remaining = results
        .filter((r) => r.errorCode !== ErrorCode.NONE && !ABANDON_MARKER_ERRORS.has(r.errorCode) && this.deps.partitionExists(r))
        .map(({ topic, partition: p }) => ({ topic, partition: p }));
      if (remaining.length === 0) break;
      this.deps.log?.warn({ transactionalId, remaining: remaining.length, backoffMs: backoff }, 'retrying transaction markers');
      await new Promise<void>((resolve) => this.scheduler.schedule(backoff, resolve));
      backoff = Math.min(backoff * 2, MAX_RETRY_BACKOFF_MS);
    }
    if (!this.ownsPartition(partition)) return;
    const current = this.txns.get(transactionalId) ?? prepared;
    await this.write({
      ...current,
      state: result === 'commit' ? 'CompleteCommit' : 'CompleteAbort',
      partitions: [],
      lastUpdateTimestamp: this.scheduler.now(),
      startTimestamp: -1,
    });
  }

  // ---- timeouts --------------------------------------------------------------------------

  /** Aborts (and fences, with a bumped epoch) transactions open longer than their timeout. */
  async abortTimedOutTransactions(): Promise<number> {
    const now = this.scheduler.now();
    const expired = [...this.txns.values()].filter((txn) => txn.state === 'Ongoing' && txn.startTimestamp >= 0 && now - txn.startTimestamp > txn.timeoutMs);
    for (const candidate of expired) {
      await this.withLock(candidate.transactionalId, async () => {
        const txn = this.txns.get(candidate.transactionalId);
        if (!txn || txn.state !== 'Ongoing' || txn.producerEpoch !== candidate.producerEpoch || txn.startTimestamp !== candidate.startTimestamp) return;
        this.deps.log?.info({ transactionalId: txn.transactionalId, producerId: txn.producerId, timeoutMs: txn.timeoutMs }, 'aborting timed-out transaction');
        await this.abortWithBumpedEpoch(txn);
      }).catch((error) => this.deps.log?.error({ err: error, transactionalId: candidate.transactionalId }, 'aborting timed-out transaction failed'));
    }
    return expired.length;
  }

  startTimeoutChecks(intervalMs = this.config.abortTimedOutIntervalMs): void {
    const tick = () => {
      this.expiryCancel = this.scheduler.schedule(intervalMs, () => {
        void this.abortTimedOutTransactions().finally(() => {
          if (!this.closed) tick();
        });
      });
    };
    tick();
  }

  // ---- administration --------------------------------------------------------------------

  describe(transactionalIds: string[]): Array<{ errorCode: number; transactionalId: string; txn: TransactionMetadata | null }> {
    return transactionalIds.map((transactionalId) => {
      const unavailable = this.unavailable(transactionalId);
      if (unavailable !== null) return { errorCode: unavailable, transactionalId, txn: null };
      const txn = this.txns.get(transactionalId);
      return { errorCode: txn ? ErrorCode.NONE : ErrorCode.TRANSACTIONAL_ID_NOT_FOUND, transactionalId, txn: txn ?? null };
    });
  }

  list(filters: { states: string[]; producerIds: number[]; minDurationMs: number }): { unknownStates: string[]; txns: TransactionMetadata[] } {
    const unknownStates = filters.states.filter((state) => !ALL_STATES.includes(state as TransactionState));
    const now = this.scheduler.now();
    const txns = [...this.txns.values()].filter((txn) =>
      (filters.states.length === 0 || filters.states.includes(txn.state)) &&
      (filters.producerIds.length === 0 || filters.producerIds.includes(txn.producerId)) &&
      (filters.minDurationMs < 0 || (txn.startTimestamp >= 0 && now - txn.startTimestamp > filters.minDurationMs)));
    return { unknownStates, txns };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.expiryCancel?.();
    this.expiryCancel = null;
  }

  // ---- plumbing --------------------------------------------------------------------------

  /** Stores the new state, then makes it current: memory never runs ahead of the log. */
  private async write(txn: TransactionMetadata): Promise<void> {
    await this.deps.store.append(this.partitionFor(txn.transactionalId), [{ key: encodeTxnKey(txn.transactionalId), value: encodeTxnValue(txn) }]);
    this.txns.set(txn.transactionalId, txn);
  }

  /** Requests for one transactional id run one at a time, in arrival order. */
  private withLock<T>(transactionalId: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(transactionalId) ?? Promise.resolve();
    const run = previous.then(fn);
    const tail = run.then(() => undefined, () => undefined);
    this.locks.set(transactionalId, tail);
    void tail.then(() => {
      if (this.locks.get(transactionalId) === tail) this.locks.delete(transactionalId);
    });
    return run;
  }
}
