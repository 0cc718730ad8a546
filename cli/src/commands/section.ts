import { ConfigError, loadSection, readConfigFile, type SectionSchema, type SectionValues } from '@tributary/common';
import { settingsFromFlags } from './flag-values.ts';

/** Top-level keys a config file may hold: one per part (docs/configuration.md). */
const SECTIONS = ['broker', 'tracking', 'cdc', 'crawler', 'sink', 'kafka'];

/** A misspelt section would otherwise be ignored as a whole, its settings silently left at their defaults. */
function checkSections(file: string): void {
  for (const section of Object.keys(readConfigFile(file))) {
    if (!SECTIONS.includes(section)) throw new ConfigError(`unknown section '${section}' in ${file}; sections are ${SECTIONS.join(', ')} (see docs/configuration.md)`);
  }
}

export interface SectionOverrides {
  /** Defaults of this command that the environment, the file and the flags may still change. */
  defaults?: Record<string, unknown>;
  /** Settings the command decides itself (up points every part at its own broker); they beat everything. */
  fixed?: Record<string, unknown>;
}

/**
 * One config section as every command resolves it: flag > TRIBUTARY_<SECTION>_<KEY> > the
 * --config file (values.config) > default. Flags are named by flagToSetting.
 */
export function loadCommandSection(
  section: string,
  schema: SectionSchema,
  values: Record<string, unknown>,
  flagToSetting: Record<string, string>,
  overrides: SectionOverrides = {},
): SectionValues {
  const patched: SectionSchema = { ...schema };
  for (const [key, value] of Object.entries(overrides.defaults ?? {})) patched[key] = { ...schema[key]!, default: value as SectionSchema[string]['default'] };
  const flags = { ...settingsFromFlags(values, flagToSetting), ...overrides.fixed };
  const file = values.config as string | undefined;
  if (file !== undefined) checkSections(file);
  return loadSection(section, patched, { file, flags });
}
