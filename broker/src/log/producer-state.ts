import { KafkaError } from '../protocol/errors.ts';
import type { BatchHeader } from './record-batch.ts';
import type { TransactionResult } from './control-record.ts';

interface BatchMetadata {
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
  lastOffset: number;
}

interface ProducerEntry {
  epoch: number;
  batches: BatchMetadata[];
  /** First offset of the producer's open transaction on this partition, or null. */
  txnFirstOffset: number | null;
  coordinatorEpoch: number;
}

/** A transaction that ended on this partition: its data span and the offset of its marker. */
export interface CompletedTxn {
  producerId: number;
  firstOffset: number;
  lastOffset: number;
  result: TransactionResult;
}

/** Coordinator-written batches (offset commits, markers) carry no sequence numbers to check. */
export type AppendOrigin = 'client' | 'coordinator';

/** Kafka keeps the last five batches per producer: a retry of any of them is a duplicate. */
const CACHED_BATCHES = 5;
const MAX_SEQUENCE = 2147483647;
const TRANSACTIONAL_FLAG = 0x10;

export type SequenceCheck = { kind: 'append' } | { kind: 'duplicate'; firstOffset: number; lastOffset: number };

function nextSequence(sequence: number): number {
  return sequence === MAX_SEQUENCE ? 0 : sequence + 1;
}

/**
 * Producer state of one partition (Kafka's ProducerStateManager): per producer id the epoch, the
 * last batches' sequence ranges and the open transaction, rebuilt from the log after a restart.
 * The first offset of the oldest open transaction bounds the last stable offset.
 */
export class ProducerStateManager {
  private readonly producers = new Map<number, ProducerEntry>();
  /** Transactions that ended but whose marker may not be replicated yet, oldest first. */
  private unreplicated: CompletedTxn[] = [];
  /** Producers with an open transaction: the LSO is computed on every fetch, over these only. */
  private readonly open = new Set<number>();

  get size(): number {
    return this.producers.size;
  }

  check(header: BatchHeader, origin: AppendOrigin = 'client'): SequenceCheck {
    if (header.producerId < 0) return { kind: 'append' };
    const entry = this.producers.get(header.producerId);
    if (origin === 'coordinator') {
      if (entry && header.producerEpoch < entry.epoch) {
        throw new KafkaError('INVALID_PRODUCER_EPOCH', `producer ${header.producerId} epoch ${header.producerEpoch} is older than ${entry.epoch}`);
      }
      return { kind: 'append' };
    }
    const firstSeq = header.baseSequence;
    const lastSeq = (header.baseSequence + header.lastOffsetDelta) % (MAX_SEQUENCE + 1);
    if (!entry) return { kind: 'append' };
    if (header.producerEpoch < entry.epoch) {
      throw new KafkaError('INVALID_PRODUCER_EPOCH', `producer ${header.producerId} epoch ${header.producerEpoch} is older than ${entry.epoch}`);
    }
    if (header.producerEpoch > entry.epoch) {
      if (firstSeq !== 0) throw new KafkaError('OUT_OF_ORDER_SEQUENCE_NUMBER', `producer ${header.producerId} new epoch ${header.producerEpoch} must start at sequence 0, got ${firstSeq}`);
      return { kind: 'append' };
    }
    const duplicate = entry.batches.find((batch) => batch.firstSeq === firstSeq && batch.lastSeq === lastSeq);
    if (duplicate) return { kind: 'duplicate', firstOffset: duplicate.firstOffset, lastOffset: duplicate.lastOffset };
    const last = entry.batches[entry.batches.length - 1];
    if (last && firstSeq !== nextSequence(last.lastSeq)) {
      throw new KafkaError('OUT_OF_ORDER_SEQUENCE_NUMBER', `producer ${header.producerId} sent sequence ${firstSeq}, expected ${nextSequence(last.lastSeq)}`);
    }
    return { kind: 'append' };
  }

  /**
   * Records an appended batch. A transactional data batch opens the producer's transaction if none
   * is open; a marker closes it and is returned, so the log can index aborts.
   */
  update(header: BatchHeader, firstOffset: number, marker: { result: TransactionResult; coordinatorEpoch: number } | null = null): CompletedTxn | null {
    if (header.producerId < 0) return null;
    let entry = this.producers.get(header.producerId);
    if (!entry || header.producerEpoch > entry.epoch) {
      entry = { epoch: header.producerEpoch, batches: [], txnFirstOffset: entry?.txnFirstOffset ?? null, coordinatorEpoch: entry?.coordinatorEpoch ?? -1 };
      this.producers.set(header.producerId, entry);
    }
    if (marker) {
      entry.coordinatorEpoch = Math.max(entry.coordinatorEpoch, marker.coordinatorEpoch);
      if (entry.txnFirstOffset === null) return null;
      const completed: CompletedTxn = { producerId: header.producerId, firstOffset: entry.txnFirstOffset, lastOffset: firstOffset, result: marker.result };
      entry.txnFirstOffset = null;
      this.open.delete(header.producerId);
      this.unreplicated.push(completed);
      return completed;
    }
    if ((header.attributes & TRANSACTIONAL_FLAG) !== 0 && entry.txnFirstOffset === null) {
      entry.txnFirstOffset = firstOffset;
      this.open.add(header.producerId);
    }
    if (header.baseSequence < 0) return null;
    entry.batches.push({
      firstSeq: header.baseSequence,
      lastSeq: (header.baseSequence + header.lastOffsetDelta) % (MAX_SEQUENCE + 1),
      firstOffset,
      lastOffset: firstOffset + header.lastOffsetDelta,
    });
    if (entry.batches.length > CACHED_BATCHES) entry.batches.shift();
    return null;
  }

  /** Markers from a coordinator of an older epoch come from one that lost its partition. */
  checkMarker(producerId: number, coordinatorEpoch: number): void {
    const entry = this.producers.get(producerId);
    if (entry && coordinatorEpoch < entry.coordinatorEpoch) {
      throw new KafkaError('TRANSACTION_COORDINATOR_FENCED', `marker for producer ${producerId} from coordinator epoch ${coordinatorEpoch}, older than ${entry.coordinatorEpoch}`);
    }
  }

  /**
   * The first offset not yet stable: the oldest open transaction's start, or the start of an ended
   * one whose marker is still above the high watermark. Null when everything is stable.
   */
  firstUnstableOffset(highWatermark: number): number | null {
    const replicated = this.unreplicated.findIndex((txn) => txn.lastOffset >= highWatermark);
    this.unreplicated.splice(0, replicated < 0 ? this.unreplicated.length : replicated);
    let first: number | null = null;
    for (const txn of this.unreplicated) if (first === null || txn.firstOffset < first) first = txn.firstOffset;
    for (const producerId of this.open) {
      const start = this.producers.get(producerId)!.txnFirstOffset!;
      if (first === null || start < first) first = start;
    }
    return first;
  }

  /** Every producer this partition knows (Kafka's DescribeProducers): epoch, last sequence, coordinator epoch, open transaction. */
  activeProducers(): Array<{ producerId: number; producerEpoch: number; lastSequence: number; coordinatorEpoch: number; currentTxnStartOffset: number }> {
    return [...this.producers].map(([producerId, entry]) => ({
      producerId,
      producerEpoch: entry.epoch,
      lastSequence: entry.batches[entry.batches.length - 1]?.lastSeq ?? -1,
      coordinatorEpoch: entry.coordinatorEpoch,
      currentTxnStartOffset: entry.txnFirstOffset ?? -1,
    }));
  }

  /** Open transactions on this partition: producer id, epoch and first offset. */
  ongoingTransactions(): Array<{ producerId: number; producerEpoch: number; firstOffset: number }> {
    const out = [];
    for (const producerId of this.open) {
      const entry = this.producers.get(producerId)!;
      out.push({ producerId, producerEpoch: entry.epoch, firstOffset: entry.txnFirstOffset! });
    }
    return out.sort((a, b) => a.firstOffset - b.firstOffset);
  }

  clear(): void {
    this.producers.clear();
    this.open.clear();
    this.unreplicated = [];
  }
}
