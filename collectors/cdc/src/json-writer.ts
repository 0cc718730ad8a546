/** A JSON number written digit for digit (BIGINT beyond 2^53, epoch microseconds). */
export class JsonNumber {
  constructor(readonly text: string) {}
}

export type JsonValue = null | boolean | number | string | JsonNumber | JsonValue[] | { [key: string]: JsonValue };

/** JSON.stringify, except that JsonNumber keeps every digit instead of going through a double. */
export function writeJson(value: JsonValue): string {
  if (value === null) return 'null';
  if (value instanceof JsonNumber) return value.text;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(writeJson).join(',')}]`;
  const parts: string[] = [];
  for (const [key, item] of Object.entries(value)) parts.push(`${JSON.stringify(key)}:${writeJson(item)}`);
  return `{${parts.join(',')}}`;
}
