/**
 * Configuration is declared once per section as a schema; the same declaration validates
 * files, environment variables and flags, and renders the configuration reference in docs.
 */
export type SettingType = 'string' | 'int' | 'number' | 'boolean' | 'list';

export interface SettingSpec {
  type: SettingType;
  default: string | number | boolean | string[] | null;
  doc: string;
  /** Allowed values for strings. */
  choices?: readonly string[];
  min?: number;
  max?: number;
}

export type SectionSchema = Record<string, SettingSpec>;

export type SettingValue = string | number | boolean | string[] | null;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const MAX_LONG = 9223372036854775807;

export function parseSetting(section: string, key: string, spec: SettingSpec, raw: unknown, origin: string): SettingValue {
  const where = `${section}.${key} (from ${origin})`;
  if (raw === null) return null;
  switch (spec.type) {
    case 'string': {
      const value = String(raw);
      if (spec.choices && !spec.choices.includes(value)) {
        throw new ConfigError(`${where} must be one of ${spec.choices.join(', ')}, got '${value}'`);
      }
      return value;
    }
    case 'int':
    case 'number': {
      const value = typeof raw === 'number' ? raw : Number(String(raw).trim());
      if (String(raw).trim() === '' || Number.isNaN(value)) {
        throw new ConfigError(`${where} must be a number, got '${String(raw)}'`);
      }
      // Kafka uses Long.MAX_VALUE to mean "never"; keep that meaning without losing precision.
      const normalised = value >= MAX_LONG ? Infinity : value;
      if (spec.type === 'int' && Number.isFinite(normalised) && !Number.isInteger(normalised)) {
        throw new ConfigError(`${where} must be a whole number, got '${String(raw)}'`);
      }
      if (spec.min !== undefined && normalised < spec.min) {
        throw new ConfigError(`${where} must be at least ${spec.min}, got ${String(raw)}`);
      }
      if (spec.max !== undefined && normalised > spec.max) {
        throw new ConfigError(`${where} must be at most ${spec.max}, got ${String(raw)}`);
      }
      return normalised;
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      const text = String(raw).toLowerCase();
      if (text === 'true' || text === '1' || text === 'yes') return true;
      if (text === 'false' || text === '0' || text === 'no') return false;
      throw new ConfigError(`${where} must be true or false, got '${String(raw)}'`);
    }
    case 'list': {
      if (Array.isArray(raw)) return raw.map(String);
      return String(raw)
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item.length > 0);
    }
  }
}
