/** Query-string parsing for the console API: small, strict, and with messages a person can act on. */

export class BadRequest extends Error {}

export function intParam(raw: unknown, name: string, options: { min: number; max: number; fallback?: number }): number | undefined {
  if (raw === undefined || raw === '') return options.fallback;
  const text = String(raw).trim();
  if (!/^-?\d+$/.test(text)) throw new BadRequest(`${name} must be a whole number, got '${text}'`);
  const value = Number(text);
  if (value < options.min || value > options.max) throw new BadRequest(`${name} must be between ${options.min} and ${options.max}, got ${value}`);
  return value;
}

/** An ISO 8601 date-time or epoch milliseconds. */
export function timestampParam(raw: unknown, name: string): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const text = String(raw).trim();
  const value = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(value)) throw new BadRequest(`${name} must be an ISO 8601 time or epoch milliseconds, got '${text}'`);
  return value;
}
