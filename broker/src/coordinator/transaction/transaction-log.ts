import { STATE_CODES, type TransactionMetadata, type TransactionState } from './transaction-metadata.ts';

/**
 * The record formats of __transaction_state, as Kafka writes them so its tooling could read the
 * topic: key TransactionLogKey v0 (version int16, transactional id string) and value
 * TransactionLogValue v0 (producer id, epoch, timeout, status byte, partitions by topic, last
 * update and start timestamps). Strings are int16-length, arrays int32-counted.
 */
const KEY_VERSION = 0;
const VALUE_VERSION = 0;

function str(value: string): Buffer {
  const bytes = Buffer.from(value);
  const len = Buffer.alloc(2);
  len.writeInt16BE(bytes.length);
  return Buffer.concat([len, bytes]);
}

export function encodeTxnKey(transactionalId: string): Buffer {
  const version = Buffer.alloc(2);
  version.writeInt16BE(KEY_VERSION);
  return Buffer.concat([version, str(transactionalId)]);
}

export function decodeTxnKey(key: Buffer): string | null {
  if (key.length < 4 || key.readInt16BE(0) !== KEY_VERSION) return null;
  const len = key.readInt16BE(2);
  return key.toString('utf8', 4, 4 + len);
}

export function encodeTxnValue(txn: TransactionMetadata): Buffer {
  const head = Buffer.alloc(2 + 8 + 2 + 4 + 1);
  head.writeInt16BE(VALUE_VERSION, 0);
  head.writeBigInt64BE(BigInt(txn.producerId), 2);
  head.writeInt16BE(txn.producerEpoch, 10);
  head.writeInt32BE(txn.timeoutMs, 12);
  head.writeInt8(STATE_CODES[txn.state], 16);
  const byTopic = new Map<string, number[]>();
  for (const { topic, partition } of txn.partitions) byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition]);
  const parts: Buffer[] = [head];
  const count = Buffer.alloc(4);
  count.writeInt32BE(byTopic.size);
  parts.push(count);
  for (const [topic, partitions] of byTopic) {
    const ids = Buffer.alloc(4 + 4 * partitions.length);
    ids.writeInt32BE(partitions.length, 0);
    partitions.forEach((partition, i) => ids.writeInt32BE(partition, 4 + 4 * i));
    parts.push(str(topic), ids);
  }
  const tail = Buffer.alloc(16);
  tail.writeBigInt64BE(BigInt(txn.lastUpdateTimestamp), 0);
  tail.writeBigInt64BE(BigInt(txn.startTimestamp), 8);
  parts.push(tail);
  return Buffer.concat(parts);
}

export function decodeTxnValue(transactionalId: string, value: Buffer): TransactionMetadata {
  let at = 0;
  const int16 = () => { const v = value.readInt16BE(at); at += 2; return v; };
  const int32 = () => { const v = value.readInt32BE(at); at += 4; return v; };
  const int64 = () => { const v = Number(value.readBigInt64BE(at)); at += 8; return v; };
  const string = () => { const n = int16(); const v = value.toString('utf8', at, at + n); at += n; return v; };
  const version = int16();
  if (version !== VALUE_VERSION) throw new Error(`__transaction_state value version ${version} is not supported`);
  const producerId = int64();
  const producerEpoch = int16();
  const timeoutMs = int32();
  const code = value.readInt8(at);
  at += 1;
  const state = (Object.entries(STATE_CODES).find(([, c]) => c === code)?.[0] ?? 'Dead') as TransactionState;
  const partitions: TransactionMetadata['partitions'] = [];
  const topics = int32();
  for (let t = 0; t < topics; t++) {
    const topic = string();
    const n = int32();
    for (let p = 0; p < n; p++) partitions.push({ topic, partition: int32() });
  }
  const lastUpdateTimestamp = int64();
  const startTimestamp = int64();
  return { transactionalId, producerId, producerEpoch, timeoutMs, state, partitions, lastUpdateTimestamp, startTimestamp };
}
