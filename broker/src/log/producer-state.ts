import { KafkaError } from '../protocol/errors.ts';
import type { BatchHeader } from './record-batch.ts';

interface BatchMetadata {
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
  lastOffset: number;
}

interface ProducerEntry {
  epoch: number;
  batches: BatchMetadata[];
}

/** Kafka keeps the last five batches per producer: a retry of any of them is a duplicate. */
const CACHED_BATCHES = 5;
const MAX_SEQUENCE = 2147483647;

export type SequenceCheck = { kind: 'append' } | { kind: 'duplicate'; firstOffset: number; lastOffset: number };

function nextSequence(sequence: number): number {
  return sequence === MAX_SEQUENCE ? 0 : sequence + 1;
}

/**
 * Idempotent producer state of one partition (Kafka's ProducerStateManager): per producer id the
 * epoch and the last batches' sequence ranges, rebuilt from batch headers after a restart.
 */
export class ProducerStateManager {
  private readonly producers = new Map<number, ProducerEntry>();

  get size(): number {
    return this.producers.size;
  }

  check(header: BatchHeader): SequenceCheck {
    if (header.producerId < 0) return { kind: 'append' };
    const entry = this.producers.get(header.producerId);
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

  update(header: BatchHeader, firstOffset: number): void {
    if (header.producerId < 0) return;
    let entry = this.producers.get(header.producerId);
    if (!entry || header.producerEpoch > entry.epoch) {
      entry = { epoch: header.producerEpoch, batches: [] };
      this.producers.set(header.producerId, entry);
    }
    entry.batches.push({
      firstSeq: header.baseSequence,
      lastSeq: (header.baseSequence + header.lastOffsetDelta) % (MAX_SEQUENCE + 1),
      firstOffset,
      lastOffset: firstOffset + header.lastOffsetDelta,
    });
    if (entry.batches.length > CACHED_BATCHES) entry.batches.shift();
  }

  clear(): void {
    this.producers.clear();
  }
}
