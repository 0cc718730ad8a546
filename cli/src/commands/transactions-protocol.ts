import { createAPI, Writer, type Reader } from '@platformatic/kafka';

/**
 * The transaction admin APIs @platformatic/kafka has no admin methods for, on its wire layer.
 * Unlike its generated ones these never throw on a per-entry error code: the command reports
 * each entry's error itself. All three are flexible versions (compact strings and arrays).
 */

export interface DescribedTransaction {
  errorCode: number;
  transactionalId: string;
  transactionState: string;
  transactionTimeoutMs: number;
  transactionStartTimeMs: bigint;
  producerId: bigint;
  producerEpoch: number;
  topics: Array<{ topic: string; partitions: number[] }>;
}

export const describeTransactions = createAPI<[transactionalIds: string[]], { transactionStates: DescribedTransaction[] }>(
  65,
  0,
  (ids: string[]) => Writer.create().appendArray(ids, (w, id) => w.appendString(id), true, false).appendTaggedFields(),
  (_c: number, _k: number, _v: number, reader: Reader) => {
    reader.readInt32();
    return {
      transactionStates: reader.readArray((r) => ({
        errorCode: r.readInt16(),
        transactionalId: r.readString(),
        transactionState: r.readString(),
        transactionTimeoutMs: r.readInt32(),
        transactionStartTimeMs: r.readInt64(),
        producerId: r.readInt64(),
        producerEpoch: r.readInt16(),
        topics: r.readArray((t) => ({ topic: t.readString(), partitions: t.readArray((p) => p.readInt32(), true, false) })),
      })),
    };
  },
);

export interface ListedTransaction {
  transactionalId: string;
  producerId: bigint;
  transactionState: string;
}

export const listTransactions = createAPI<[states: string[], producerIds: bigint[], minDurationMs: bigint], { errorCode: number; transactionStates: ListedTransaction[] }>(
  66,
  1,
  (states: string[], producerIds: bigint[], minDurationMs: bigint) =>
    Writer.create()
      .appendArray(states, (w, s) => w.appendString(s), true, false)
      .appendArray(producerIds, (w, id) => w.appendInt64(id), true, false)
      .appendInt64(minDurationMs)
      .appendTaggedFields(),
  (_c: number, _k: number, _v: number, reader: Reader) => {
    reader.readInt32();
    const errorCode = reader.readInt16();
    reader.readArray((r) => r.readString(), true, false);
    return {
      errorCode,
      transactionStates: reader.readArray((r) => ({ transactionalId: r.readString(), producerId: r.readInt64(), transactionState: r.readString() })),
    };
  },
);

export interface MarkerRequest {
  producerId: bigint;
  producerEpoch: number;
  commit: boolean;
  topic: string;
  partitions: number[];
  coordinatorEpoch: number;
}

export const writeTxnMarkers = createAPI<[markers: MarkerRequest[]], Array<{ topic: string; partition: number; errorCode: number }>>(
  27,
  1,
  (markers: MarkerRequest[]) =>
    Writer.create()
      .appendArray(markers, (w, m) => {
        w.appendInt64(m.producerId)
          .appendInt16(m.producerEpoch)
          .appendBoolean(m.commit)
          .appendArray([m], (t, one) => t.appendString(one.topic).appendArray(one.partitions, (p, partition) => p.appendInt32(partition), true, false), true, true)
          .appendInt32(m.coordinatorEpoch);
      }, true, true)
      .appendTaggedFields(),
  (_c: number, _k: number, _v: number, reader: Reader) =>
    reader.readArray((r) => {
      r.readInt64();
      return r.readArray((t) => {
        const topic = t.readString();
        return t.readArray((p) => ({ topic, partition: p.readInt32(), errorCode: p.readInt16() }));
      });
    }).flat(2),
);
