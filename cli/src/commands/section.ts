import { loadSection, type SectionSchema, type SectionValues } from '@tributary/common';
import { settingsFromFlags } from './flag-values.ts';

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
  return loadSection(section, patched, { file: values.config as string | undefined, flags });
}
