import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '@tributary/common';
import { CdcEnvelopeMapper, isCdcEnvelope } from './cdc-envelope.ts';
import { crawlPagesMapper } from './crawl-pages.ts';
import { fieldMapper, type FieldSpec } from './field-mapper.ts';
import { keyValueMapper } from './generic.ts';
import type { MappedRow, RowMapper, SinkRecord } from './row-mapper.ts';
import { trackingEventsMapper } from './tracking-events.ts';
import { RowError, type JsonObject } from './values.ts';

const TYPES = new Set(['string', 'json', 'int32', 'int64', 'double', 'boolean', 'timestamp']);

/** schemas.file: `topics: { <topic>: { columns: [{ name, type, path? }] } }`, YAML or JSON. */
export function loadDeclaredSchemas(file: string | null): Map<string, RowMapper> {
  const out = new Map<string, RowMapper>();
  if (!file) return out;
  let document: unknown;
  try {
    document = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`sink.schemas.file ${file}: ${(error as Error).message}`);
  }
  const topics = (document as { topics?: Record<string, { columns?: FieldSpec[] }> } | null)?.topics;
  if (typeof topics !== 'object' || topics === null) throw new ConfigError(`sink.schemas.file ${file}: expected 'topics:' mapping topic names to { columns: [...] }`);
  for (const [topic, spec] of Object.entries(topics)) {
    const columns = spec?.columns;
    if (!Array.isArray(columns) || columns.length === 0) throw new ConfigError(`sink.schemas.file ${file}: topic '${topic}' needs a non-empty 'columns' list`);
    for (const column of columns) {
      if (typeof column?.name !== 'string' || !TYPES.has(column.type)) {
        throw new ConfigError(`sink.schemas.file ${file}: topic '${topic}' column ${JSON.stringify(column)} needs a name and a type among ${[...TYPES].join(', ')}`);
      }
    }
    out.set(topic, fieldMapper(`declared:${topic}`, columns));
  }
  return out;
}

/**
 * The mapper of a topic: a declared schema first, then the platform's own topics by name; any
 * other topic is read as CDC when its values are Debezium envelopes, else as key and value text.
 */
export class TopicSchemas {
  readonly #cdc = new CdcEnvelopeMapper();
  readonly #sniffed = new Map<string, RowMapper>();

  constructor(private readonly declared: Map<string, RowMapper>) {}

  mapperFor(topic: string): RowMapper {
    const known = this.declared.get(topic) ?? (topic === 'tracking.events' ? trackingEventsMapper : topic === 'crawl.pages' ? crawlPagesMapper : undefined);
    if (known) return known;
    return this.#sniffed.get(topic) ?? this.#sniffing(topic);
  }

  /** Decides on the first record with a value; CDC tombstones before it carry no row anyway. */
  #sniffing(topic: string): RowMapper {
    return {
      kind: 'undecided',
      map: (record: SinkRecord): MappedRow | null => {
        if (record.value === undefined) return null;
        let object: JsonObject | null = null;
        try {
          const parsed: unknown = JSON.parse(record.value);
          if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) object = parsed as JsonObject;
        } catch (error) {
          if (!(error instanceof SyntaxError)) throw new RowError((error as Error).message);
        }
        const mapper = object && isCdcEnvelope(object) ? this.#cdc : keyValueMapper;
        this.#sniffed.set(topic, mapper);
        return mapper.map(record);
      },
    };
  }
}
