import { createAPI, Writer, type Reader } from '@platformatic/kafka';

/**
 * ElectLeaders v2 (KIP-460), which @platformatic/kafka has no admin method for, on its wire layer.
 * It never throws on a per-partition error: the command reports each partition itself.
 */

export interface ElectionResult {
  topic: string;
  partition: number;
  errorCode: number;
  errorMessage: string | null;
}

export const ELECTION_TYPES = { PREFERRED: 0, UNCLEAN: 1 } as const;

export const electLeaders = createAPI<[electionType: number, partitions: Array<{ topic: string; partitions: number[] }> | null, timeoutMs: number], { errorCode: number; results: ElectionResult[] }>(
  43,
  2,
  (electionType: number, partitions: Array<{ topic: string; partitions: number[] }> | null, timeoutMs: number) =>
    Writer.create()
      .appendInt8(electionType)
      .appendArray(partitions, (w, t) => w.appendString(t.topic).appendArray(t.partitions, (p, partition) => p.appendInt32(partition), true, false), true, true)
      .appendInt32(timeoutMs)
      .appendTaggedFields(),
  (_c: number, _k: number, _v: number, reader: Reader) => {
    reader.readInt32();
    const errorCode = reader.readInt16();
    const results = reader.readArray((r) => {
      const topic = r.readString();
      return r.readArray((p) => ({ topic, partition: p.readInt32(), errorCode: p.readInt16(), errorMessage: p.readNullableString() }));
    }).flat();
    return { errorCode, results };
  },
);
