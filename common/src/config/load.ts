import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ConfigError, parseSetting, type SectionSchema, type SettingValue } from './schema.ts';

export interface ConfigSources {
  /** Path of a YAML file whose top-level keys are section names. */
  file?: string | undefined;
  /** Values given on the command line, already keyed by setting name. */
  flags?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
}

export type SectionValues = Record<string, SettingValue>;

/** TRIBUTARY_BROKER_LOG_RETENTION_MS -> broker / log.retention.ms */
export function envVarName(section: string, key: string): string {
  return `TRIBUTARY_${section}_${key}`.toUpperCase().replace(/[.-]/g, '_');
}

export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  let document: unknown;
  try {
    document = parse(text) ?? {};
  } catch (error) {
    // The parser appends a code frame on further lines; errors are one line, and the first names the place.
    throw new ConfigError(`config file ${path} is not valid YAML: ${(error as Error).message.split('\n')[0]!.replace(/:$/, '')}`);
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new ConfigError(`config file ${path} must hold a mapping of sections (e.g. 'broker:')`);
  }
  return document as Record<string, unknown>;
}

/**
 * Resolves one section with the precedence flag > environment > file > default. Unknown keys in
 * the file are errors so that a typo never silently falls back to a default.
 */
export function loadSection(section: string, schema: SectionSchema, sources: ConfigSources = {}): SectionValues {
  const env = sources.env ?? process.env;
  const fromFile = sources.file ? (readConfigFile(sources.file)[section] ?? {}) : {};
  if (typeof fromFile !== 'object' || fromFile === null || Array.isArray(fromFile)) {
    throw new ConfigError(`section '${section}' in ${sources.file} must be a mapping`);
  }
  for (const key of Object.keys(fromFile)) {
    if (!(key in schema)) {
      throw new ConfigError(`unknown setting '${section}.${key}' in ${sources.file}; see docs/configuration.md for valid keys`);
    }
  }
  const values: SectionValues = {};
  for (const [key, spec] of Object.entries(schema)) {
    const flag = sources.flags?.[key];
    const envValue = env[envVarName(section, key)];
    const fileValue = (fromFile as Record<string, unknown>)[key];
    if (flag !== undefined) values[key] = parseSetting(section, key, spec, flag, 'command line');
    else if (envValue !== undefined) values[key] = parseSetting(section, key, spec, envValue, envVarName(section, key));
    else if (fileValue !== undefined) values[key] = parseSetting(section, key, spec, fileValue, sources.file ?? 'file');
    else values[key] = spec.default;
  }
  return values;
}

/** Renders a schema as a Markdown table for the configuration reference. */
export function describeSection(section: string, schema: SectionSchema): string {
  const rows = Object.entries(schema).map(([key, spec]) => {
    const def = spec.default === null ? '(none)' : Array.isArray(spec.default) ? spec.default.join(',') : String(spec.default);
    const choices = spec.choices ? ` One of: ${spec.choices.join(', ')}.` : '';
    return `| \`${key}\` | ${spec.type} | \`${def}\` | \`${envVarName(section, key)}\` | ${spec.doc}${choices} |`;
  });
  return [`| ${section} key | type | default | environment | meaning |`, '|---|---|---|---|---|', ...rows].join('\n');
}
