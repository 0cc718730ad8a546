import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { ConfigError } from '@tributary/common';
import type { TrackingEvent } from './tracking-event.ts';

const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
const ISO_TIME = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2})$';
const shortString = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength });

const contextSchema = {
  type: 'object',
  maxProperties: 32,
  properties: {
    page: {
      type: 'object',
      properties: {
        url: { type: 'string', maxLength: 4096 },
        path: { type: 'string', maxLength: 2048 },
        search: { type: 'string', maxLength: 2048 },
        referrer: { type: 'string', maxLength: 4096 },
        title: { type: 'string', maxLength: 1024 },
      },
    },
    utm: { type: 'object', additionalProperties: { type: 'string', maxLength: 512 } },
    screen: { type: 'object', properties: { width: { type: 'number' }, height: { type: 'number' } } },
    viewport: { type: 'object', properties: { width: { type: 'number' }, height: { type: 'number' } } },
    locale: { type: 'string', maxLength: 64 },
    timezone: { type: 'string', maxLength: 64 },
  },
};

/** Fields every event type shares; the per-type schemas below add what each type requires. */
const baseProperties = {
  type: { enum: ['page', 'track', 'identify'] },
  event: shortString(200),
  eventId: { type: 'string', pattern: UUID },
  anonymousId: shortString(128),
  userId: { anyOf: [shortString(256), { type: 'null' }] },
  sessionId: shortString(128),
  timestamp: { type: 'string', pattern: ISO_TIME },
  sentAt: { type: 'string', pattern: ISO_TIME },
  properties: { type: 'object', maxProperties: 200 },
  traits: { type: 'object', maxProperties: 200 },
  context: contextSchema,
};

const typeSchemas = {
  page: { required: ['type', 'eventId', 'anonymousId', 'timestamp'] },
  track: { required: ['type', 'event', 'eventId', 'anonymousId', 'timestamp'] },
  identify: { required: ['type', 'eventId', 'anonymousId', 'timestamp', 'userId'], properties: { userId: shortString(256) } },
} as const;

export type Verdict = { ok: true; event: TrackingEvent } | { ok: false; reason: string };

function describe(errors: ErrorObject[] | null | undefined, prefix: string): string {
  const first = errors?.[0];
  if (!first) return `${prefix}: invalid`;
  return `${prefix}${first.instancePath} ${first.message ?? 'is invalid'}`;
}

/**
 * Validates events one by one, so one bad event in a batch does not reject its neighbours. Custom
 * events may carry a registered JSON Schema for their properties (users' tracking plan).
 */
export class EventValidator {
  readonly #ajv = new Ajv({ allErrors: false, strict: false });
  readonly #byType = new Map<string, ValidateFunction>();
  readonly #customProperties = new Map<string, ValidateFunction>();

  constructor(customEventSchemas: Record<string, object> = {}) {
    for (const [type, extra] of Object.entries(typeSchemas)) {
      const schema = {
        type: 'object',
        additionalProperties: false,
        required: extra.required,
        properties: { ...baseProperties, ...('properties' in extra ? extra.properties : {}) },
      };
      this.#byType.set(type, this.#ajv.compile(schema));
    }
    for (const [name, schema] of Object.entries(customEventSchemas)) {
      try {
        this.#customProperties.set(name, this.#ajv.compile(schema));
      } catch (error) {
        throw new ConfigError(`schema of custom event '${name}' is not a valid JSON Schema: ${(error as Error).message}`);
      }
    }
  }

  validate(candidate: unknown): Verdict {
    if (typeof candidate !== 'object' || candidate === null || Array.isArray(candidate)) return { ok: false, reason: 'schema: event must be an object' };
    const type = (candidate as { type?: unknown }).type;
    const check = typeof type === 'string' ? this.#byType.get(type) : undefined;
    if (!check) return { ok: false, reason: `schema: /type must be one of page, track, identify` };
    if (!check(candidate)) return { ok: false, reason: describe(check.errors, `schema(${type}): event`) };
    const event = candidate as TrackingEvent;
    if (Number.isNaN(Date.parse(event.timestamp))) return { ok: false, reason: 'schema: /timestamp is not a valid time' };
    const custom = event.type === 'track' && event.event ? this.#customProperties.get(event.event) : undefined;
    if (custom && !custom(event.properties ?? {})) return { ok: false, reason: describe(custom.errors, `schema(${event.event}): properties`) };
    return { ok: true, event };
  }
}

/** Reads `events: { name: JSONSchema }` from the file named by tracking's schemas.file. */
export function loadCustomEventSchemas(file: string | null): Record<string, object> {
  if (!file) return {};
  let document: unknown;
  try {
    document = parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`cannot read event schemas from ${file}: ${(error as Error).message}`);
  }
  const events = (document as { events?: unknown } | null)?.events;
  if (typeof events !== 'object' || events === null || Array.isArray(events)) {
    throw new ConfigError(`${file} must hold 'events:' mapping custom event names to JSON Schemas of their properties`);
  }
  return events as Record<string, object>;
}
