import { fileURLToPath } from 'node:url';
import { loadDefinitions, MessageCodec, ProtocolError, Reader, Writer } from './schema-codec.ts';

export { ProtocolError };

const defs = loadDefinitions(fileURLToPath(new URL('../../protocol-defs/', import.meta.url)));
const requests = new Map<number, MessageCodec>();
const responses = new Map<number, MessageCodec>();
for (const def of defs.values()) {
  if (def.type === 'request') requests.set(def.apiKey!, new MessageCodec(def));
}
for (const def of defs.values()) {
  if (def.type === 'response') responses.set(def.apiKey!, new MessageCodec(def));
}

export const apiMessageVersions: Record<number, { name: string; minVersion: number; maxVersion: number; firstFlexibleVersion: number | null }> = {};
for (const [key, codec] of requests) {
  apiMessageVersions[key] = {
    name: codec.name.replace(/Request$/, ''),
    minVersion: codec.valid.min,
    maxVersion: codec.valid.max,
    firstFlexibleVersion: codec.flexible.min <= codec.flexible.max ? codec.flexible.min : null,
  };
}

export const ApiKey = {
  Produce: 0, Fetch: 1, ListOffsets: 2, Metadata: 3, ControlledShutdown: 7, OffsetCommit: 8, OffsetFetch: 9, FindCoordinator: 10, JoinGroup: 11,
  Heartbeat: 12, LeaveGroup: 13, SyncGroup: 14, DescribeGroups: 15, ListGroups: 16, SaslHandshake: 17, ApiVersions: 18,
  CreateTopics: 19, DeleteTopics: 20, DeleteRecords: 21, InitProducerId: 22, OffsetForLeaderEpoch: 23,
  AddPartitionsToTxn: 24, AddOffsetsToTxn: 25, EndTxn: 26, WriteTxnMarkers: 27, TxnOffsetCommit: 28,
  DescribeAcls: 29, CreateAcls: 30, DeleteAcls: 31, DescribeConfigs: 32, AlterConfigs: 33, CreatePartitions: 37,
  SaslAuthenticate: 36, DeleteGroups: 42, ElectLeaders: 43, IncrementalAlterConfigs: 44, AlterPartitionReassignments: 45,
  ListPartitionReassignments: 46, OffsetDelete: 47, DescribeClientQuotas: 48, AlterClientQuotas: 49,
  DescribeUserScramCredentials: 50, AlterUserScramCredentials: 51, DescribeCluster: 60, DescribeProducers: 61, DescribeTransactions: 65, ListTransactions: 66,
} as const;

export interface RequestHeader {
  requestApiKey: number;
  requestApiVersion: number;
  correlationId: number;
  clientId: string | null;
}

function requestIsFlexible(apiKey: number, version: number): boolean {
  const codec = requests.get(apiKey);
  return codec !== undefined && version >= codec.valid.min && version <= codec.valid.max && codec.isFlexible(version);
}

export function readRequestHeader(frame: Buffer): { header: RequestHeader; bodyOffset: number } {
  const r = new Reader(frame);
  const requestApiKey = r.int16();
  const requestApiVersion = r.int16();
  const correlationId = r.int32();
  const clientIdLength = r.int16();
  const clientId = clientIdLength < 0 ? null : r.bytes(clientIdLength).toString('utf8');
  if (requestIsFlexible(requestApiKey, requestApiVersion)) {
    const tags = r.uvarint();
    for (let i = 0; i < tags; i++) {
      r.uvarint();
      r.bytes(r.uvarint());
    }
  }
  return { header: { requestApiKey, requestApiVersion, correlationId, clientId }, bodyOffset: r.offset };
}

export function decodeRequest(apiKey: number, apiVersion: number, frame: Buffer, offset: number): unknown {
  const codec = requests.get(apiKey);
  if (!codec) throw new ProtocolError(`unknown api key ${apiKey}`);
  return codec.decode(new Reader(frame, offset), apiVersion);
}

function framed(w: Writer): Buffer[] {
  const chunks = w.finish();
  const size = Buffer.alloc(4);
  size.writeInt32BE(chunks.reduce((a, c) => a + c.length, 0));
  return [size, ...chunks];
}

export function encodeResponse(apiKey: number, apiVersion: number, correlationId: number, body: object): Buffer[] {
  const codec = responses.get(apiKey)!;
  const w = new Writer();
  w.int32(correlationId);
  // ApiVersions responses never carry a header tag buffer, so old clients can parse them.
  if (apiKey !== ApiKey.ApiVersions && codec.isFlexible(apiVersion)) w.uvarint(0);
  codec.encode(w, body, apiVersion);
  return framed(w);
}

export function encodeRequest(apiKey: number, apiVersion: number, correlationId: number, clientId: string | null, body: object): Buffer[] {
  const codec = requests.get(apiKey)!;
  const w = new Writer();
  w.int16(apiKey);
  w.int16(apiVersion);
  w.int32(correlationId);
  if (clientId === null) w.int16(-1);
  else {
    const b = Buffer.from(clientId);
    w.int16(b.length);
    w.raw(b);
  }
  if (codec.isFlexible(apiVersion)) w.uvarint(0);
  codec.encode(w, body, apiVersion);
  return framed(w);
}

/** frame: a response without its size prefix; returns the correlation id and the body. */
export function decodeResponse(apiKey: number, apiVersion: number, frame: Buffer): { correlationId: number; body: any } {
  const codec = responses.get(apiKey)!;
  const r = new Reader(frame);
  const correlationId = r.int32();
  if (apiKey !== ApiKey.ApiVersions && codec.isFlexible(apiVersion)) {
    const tags = r.uvarint();
    for (let i = 0; i < tags; i++) {
      r.uvarint();
      r.bytes(r.uvarint());
    }
  }
  return { correlationId, body: codec.decode(r, apiVersion) };
}
