import { ConfigError, type SectionSchema, type SectionValues } from '@tributary/common';
import { parseBootstrap } from '@tributary/common/kafka';
import type { AckMode } from './forwarder.ts';

/** The `tracking` section of the configuration: the collector's listener, limits, privacy and output. */
export const trackingSchema = {
  port: { type: 'int', default: 8080, min: 0, max: 65535, doc: 'HTTP port of the collector (0 picks a free port).' },
  host: { type: 'string', default: '0.0.0.0', doc: 'Address the collector binds to.' },
  'bootstrap.servers': { type: 'string', default: '127.0.0.1:9092', doc: 'Kafka bootstrap servers, HOST:PORT[,HOST:PORT].' },
  'topic.events': { type: 'string', default: 'tracking.events', doc: 'Topic for valid events (key = anonymous id).' },
  'topic.bad': { type: 'string', default: 'tracking.bad', doc: 'Topic for rejected input, with the reason and the raw payload.' },
  'cors.origins': { type: 'list', default: ['*'], doc: 'Origins allowed to send events from browsers; * allows any.' },
  'trusted.proxies': { type: 'list', default: [], doc: 'Proxy addresses or CIDRs whose X-Forwarded-For is believed; empty uses the socket address.' },
  'anonymize.ip': { type: 'boolean', default: false, doc: 'Zero the last IPv4 octet (the last 80 bits of IPv6) before events leave the collector.' },
  'max.body.bytes': { type: 'int', default: 65536, min: 1024, doc: 'Largest request body, after gzip decompression.' },
  'max.batch.events': { type: 'int', default: 100, min: 1, doc: 'Most events in one POST /v1/batch.' },
  'rate.limit.max': { type: 'int', default: 1200, min: 0, doc: 'Requests per client IP per rate.limit.window.ms (0 disables rate limiting).' },
  'rate.limit.window.ms': { type: 'int', default: 60000, min: 1, doc: 'Window of the per-IP rate limit.' },
  'dedupe.window.ms': { type: 'int', default: 3600000, min: 0, doc: 'Events whose id was seen within this time are dropped as duplicates.' },
  'dedupe.max.ids': { type: 'int', default: 1000000, min: 0, doc: 'Most event ids remembered for de-duplication (about 100 bytes each).' },
  'spool.dir': { type: 'string', default: './data/tracking-spool', doc: 'Disk queue of accepted events: all of them with ack spool, otherwise those accepted while the broker is unreachable.' },
  'schemas.file': { type: 'string', default: null, doc: 'YAML or JSON file mapping custom event names to JSON Schemas of their properties.' },
  ack: { type: 'string', default: 'spool', choices: ['spool', 'broker'], doc: 'When a request is answered: spool = once its events are on disk in spool.dir (then forwarded in the background), broker = once the broker acknowledged them (acks=all), or the spool took them while the broker is down. See docs/tracking.md.' },
  'linger.ms': { type: 'int', default: 5, min: 0, doc: 'With ack broker: how long accepted events wait to be produced together.' },
  'replay.interval.ms': { type: 'int', default: 2000, min: 10, doc: 'How often the collector retries the broker while events are spooled.' },
  'admin.token': { type: 'string', default: null, doc: 'When set, GET /metrics needs Authorization: Bearer <token> (set it through TRIBUTARY_TRACKING_ADMIN_TOKEN; never logged). The public endpoints stay open.' },
} satisfies SectionSchema;

export interface TrackingConfig {
  port: number;
  host: string;
  bootstrapServers: string;
  eventsTopic: string;
  badTopic: string;
  corsOrigins: string[];
  trustedProxies: string[];
  anonymizeIp: boolean;
  maxBodyBytes: number;
  maxBatchEvents: number;
  rateLimitMax: number;
  rateLimitWindowMs: number;
  dedupeWindowMs: number;
  dedupeMaxIds: number;
  spoolDir: string;
  schemasFile: string | null;
  ack: AckMode;
  lingerMs: number;
  replayIntervalMs: number;
  /** Bearer token guarding the admin endpoints (/metrics); null leaves them open. */
  adminToken: string | null;
}

export function trackingConfigFrom(values: SectionValues): TrackingConfig {
  const str = (key: keyof typeof trackingSchema) => values[key] as string;
  const num = (key: keyof typeof trackingSchema) => values[key] as number;
  try {
    parseBootstrap(str('bootstrap.servers'));
  } catch (error) {
    throw new ConfigError(`tracking.bootstrap.servers: ${(error as Error).message}`);
  }
  return {
    port: num('port'),
    host: str('host'),
    bootstrapServers: str('bootstrap.servers'),
    eventsTopic: str('topic.events'),
    badTopic: str('topic.bad'),
    corsOrigins: values['cors.origins'] as string[],
    trustedProxies: values['trusted.proxies'] as string[],
    anonymizeIp: values['anonymize.ip'] as boolean,
    maxBodyBytes: num('max.body.bytes'),
    maxBatchEvents: num('max.batch.events'),
    rateLimitMax: num('rate.limit.max'),
    rateLimitWindowMs: num('rate.limit.window.ms'),
    dedupeWindowMs: num('dedupe.window.ms'),
    dedupeMaxIds: num('dedupe.max.ids'),
    spoolDir: str('spool.dir'),
    schemasFile: values['schemas.file'] as string | null,
    ack: str('ack') as AckMode,
    lingerMs: num('linger.ms'),
    replayIntervalMs: num('replay.interval.ms'),
    adminToken: (values['admin.token'] as string | null) ?? null,
  };
}

/** Defaults of every setting, overridden by `overrides`: for tests and embedding. */
export function trackingConfig(overrides: Partial<TrackingConfig> = {}): TrackingConfig {
  const defaults = Object.fromEntries(Object.entries(trackingSchema).map(([key, spec]) => [key, spec.default])) as SectionValues;
  return { ...trackingConfigFrom(defaults), ...overrides };
}
