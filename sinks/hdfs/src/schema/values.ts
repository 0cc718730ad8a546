import { isLosslessNumber, parse, stringify } from 'lossless-json';

/** A record the sink cannot turn into a row; it goes to the dead-letter topic with this reason. */
export class RowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RowError';
  }
}

export type JsonObject = Record<string, unknown>;

/**
 * Parses a record value, by default keeping every digit of its numbers (CDC writes BIGINT beyond
 * 2^53 as JSON numbers, which JSON.parse would round). Topics whose numbers are known to be small
 * pass lossless=false: JSON.parse is several times faster.
 */
export function parseObject(value: string | undefined, lossless = true): JsonObject {
  if (value === undefined) throw new RowError('the record has no value');
  let parsed: unknown;
  try {
    parsed = lossless ? parse(value) : JSON.parse(value);
  } catch (error) {
    throw new RowError(`the value is not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new RowError('the value is JSON but not an object');
  return parsed as JsonObject;
}

/** A dot path split once, for the per-record lookups of valueAt. */
export function compilePath(path: string): string[] {
  return path.split('.');
}

export function valueAt(object: JsonObject, parts: string[]): unknown {
  let current: unknown = object;
  for (const part of parts) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as JsonObject)[part];
  }
  return current;
}

const isAbsent = (value: unknown): value is null | undefined => value === null || value === undefined;

export function asString(value: unknown, field: string): string | null {
  if (isAbsent(value)) return null;
  if (typeof value === 'string') return value;
  if (isLosslessNumber(value)) return value.toString();
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value === 'object') return asJson(value, field);
  throw new RowError(`${field}: cannot store ${typeof value} as text`);
}

export function asJson(value: unknown, field: string): string | null {
  if (isAbsent(value)) return null;
  const text = stringify(value);
  if (text === undefined) throw new RowError(`${field}: not representable as JSON`);
  return text;
}

function integerText(value: unknown, field: string): string {
  const text = isLosslessNumber(value) ? value.toString() : typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string' ? String(value) : null;
  if (text === null || !/^-?\d+$/.test(text.trim())) throw new RowError(`${field}: expected an integer, got ${JSON.stringify(stringify(value) ?? String(value))}`);
  return text.trim();
}

/** For values from JSON.parse, which holds no lossless numbers: the built-in writer is faster. */
export function asPlainJson(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

export function asInt64(value: unknown, field: string): bigint | null {
  if (isAbsent(value)) return null;
  const result = BigInt(integerText(value, field));
  if (result > 0x7fffffffffffffffn || result < -0x8000000000000000n) throw new RowError(`${field}: ${result} does not fit a 64-bit integer`);
  return result;
}

export function asInt32(value: unknown, field: string): number | null {
  if (isAbsent(value)) return null;
  const result = Number(integerText(value, field));
  if (result > 0x7fffffff || result < -0x80000000) throw new RowError(`${field}: ${result} does not fit a 32-bit integer`);
  return result;
}

export function asDouble(value: unknown, field: string): number | null {
  if (isAbsent(value)) return null;
  const result = isLosslessNumber(value) ? value.valueOf() : typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (typeof result !== 'number' || Number.isNaN(result)) throw new RowError(`${field}: expected a number, got ${stringify(value) ?? String(value)}`);
  return result;
}

export function asBoolean(value: unknown, field: string): boolean | null {
  if (isAbsent(value)) return null;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new RowError(`${field}: expected true or false, got ${stringify(value) ?? String(value)}`);
}

/** ISO 8601 text or epoch milliseconds, as epoch milliseconds. */
export function asTimestamp(value: unknown, field: string): number | null {
  if (isAbsent(value)) return null;
  const ms = isLosslessNumber(value) || typeof value === 'number' ? Number(value.valueOf()) : typeof value === 'string' ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) throw new RowError(`${field}: expected an ISO 8601 time or epoch milliseconds, got ${stringify(value) ?? String(value)}`);
  return ms;
}
