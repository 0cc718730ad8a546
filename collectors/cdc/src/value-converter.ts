import { JsonNumber, type JsonValue } from './json-writer.ts';
import { baseType, fractionalDigits, type ColumnDef } from './table-schema.ts';

/**
 * Column values as Debezium's MySQL connector writes them with the JSON converter
 * (decimal.handling.mode=string, time.precision.mode=adaptive_time_microseconds, binary as base64):
 * - integers: JSON numbers, written digit for digit beyond 2^53;
 * - DECIMAL: the exact decimal string;
 * - FLOAT: the shortest decimal that reads back as the same 32-bit float; DOUBLE as is;
 * - DATE: days since 1970-01-01; DATETIME(0-3): epoch milliseconds, DATETIME(4-6): epoch
 *   microseconds, both reading the zone-less value as UTC;
 * - TIMESTAMP: ISO-8601 in UTC with the column's fractional digits ('...Z');
 * - TIME: microseconds (signed); YEAR: the number;
 * - BIT(1): boolean; BIT(n): base64 of the big-endian bytes; BINARY/VARBINARY/BLOB: base64;
 * - text, ENUM, SET ('a,b') and JSON: strings; zero dates: null.
 * The same function converts snapshot rows (mysql2) and binlog rows (zongji), so both read alike.
 */
export function convertValue(column: ColumnDef, raw: unknown): JsonValue {
  if (raw === null || raw === undefined) return null;
  const type = column.type;
  switch (baseType(type)) {
    case 'tinyint':
    case 'smallint':
    case 'mediumint':
    case 'int':
    case 'bigint':
      return integer(raw);
    case 'decimal':
      return String(raw);
    case 'float':
      return shortestFloat32(Number(raw));
    case 'double':
      return Number(raw);
    case 'bit': {
      const bytes = toBuffer(raw);
      if (/^bit\(1\)/.test(type)) return bytes.some((b) => b !== 0);
      return bytes.toString('base64');
    }
    case 'binary':
    case 'varbinary':
    case 'tinyblob':
    case 'blob':
    case 'mediumblob':
    case 'longblob':
      return toBuffer(raw).toString('base64');
    case 'date':
      return epochDays(String(raw));
    case 'datetime':
      return epochDateTime(String(raw), fractionalDigits(type));
    case 'timestamp':
      return isoTimestamp(String(raw), fractionalDigits(type));
    case 'time':
      return microsOfTime(String(raw));
    case 'year':
      // The binlog stores YEAR as an offset from 1900 where 0 means the zero year '0000'.
      return Number(raw) === 1900 ? 0 : Number(raw);
    default:
      if (Buffer.isBuffer(raw)) return column.charset === null ? raw.toString('base64') : raw.toString('utf8');
      if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') return raw;
      if (typeof raw === 'bigint') return new JsonNumber(raw.toString());
      return JSON.stringify(raw);
  }
}

function integer(raw: unknown): JsonValue {
  if (typeof raw === 'number') return raw;
  const text = String(raw);
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : new JsonNumber(BigInt(text).toString());
}

function toBuffer(raw: unknown): Buffer {
  if (Buffer.isBuffer(raw)) return raw;
  if (typeof raw === 'string') return Buffer.from(raw, 'binary');
  if (typeof raw === 'number') return Buffer.from([raw]);
  return Buffer.from(String(raw));
}

/** Java's Float.toString idea: the fewest digits that survive a round trip through float32. */
export function shortestFloat32(value: number): number {
  const single = Math.fround(value);
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(single.toPrecision(digits));
    if (Math.fround(candidate) === single) return candidate;
  }
  return single;
}

const DATE_TIME = /^(-?\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?)?/;

function utcMillis(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime();
}

function parts(text: string) {
  const match = DATE_TIME.exec(text);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month === 0 || day === 0) return null;
  const fraction = (match[7] ?? '').padEnd(6, '0');
  return { year, month, day, hour: Number(match[4] ?? 0), minute: Number(match[5] ?? 0), second: Number(match[6] ?? 0), micros: Number(fraction), fractionText: match[7] ?? '' };
}

function epochDays(text: string): JsonValue {
  const p = parts(text);
  return p ? Math.round(utcMillis(p.year, p.month, p.day, 0, 0, 0) / 86_400_000) : null;
}

function epochDateTime(text: string, digits: number): JsonValue {
  const p = parts(text);
  if (!p) return null;
  const seconds = utcMillis(p.year, p.month, p.day, p.hour, p.minute, p.second);
  if (digits <= 3) return seconds + Math.floor(p.micros / 1000);
  const micros = BigInt(seconds) * 1000n + BigInt(p.micros);
  const asNumber = Number(micros);
  return Number.isSafeInteger(asNumber) ? asNumber : new JsonNumber(micros.toString());
}

function isoTimestamp(text: string, digits: number): JsonValue {
  const p = parts(text);
  if (!p) return null;
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const fraction = digits > 0 ? `.${String(p.micros).padStart(6, '0').slice(0, digits)}` : '';
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}${fraction}Z`;
}

function microsOfTime(text: string): JsonValue {
  const match = /^(-)?(\d+):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/.exec(text.trim());
  if (!match) return null;
  const micros = ((Number(match[2]) * 60 + Number(match[3])) * 60 + Number(match[4])) * 1_000_000 + Number((match[5] ?? '').padEnd(6, '0'));
  return match[1] ? -micros : micros;
}
