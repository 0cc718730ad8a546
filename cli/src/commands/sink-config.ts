import { loadSection } from '@tributary/common';
import { sinkConfigFrom, sinkSchema, type SinkConfig } from '@tributary/hdfs-sink';

/** Flags every sink command shares, with the settings they stand for. */
export const SINK_FLAGS: Record<string, string> = {
  topics: 'topics',
  root: 'root',
  'bootstrap-server': 'bootstrap.servers',
  group: 'group.id',
  'instance-id': 'group.instance.id',
  'flush-size': 'flush.size',
  'rotate-interval-ms': 'rotate.interval.ms',
  'timestamp-field': 'timestamp.field',
  timezone: 'timezone',
  compression: 'compression',
  'schemas-file': 'schemas.file',
};

/** Resolves the sink section: flag > TRIBUTARY_SINK_* > config file > default. */
export function loadSinkConfig(values: Record<string, unknown>, flagNames: string[]): SinkConfig {
  const flags: Record<string, unknown> = {};
  for (const flag of flagNames) {
    const value = values[flag];
    if (typeof value === 'string') flags[SINK_FLAGS[flag]!] = value;
  }
  return sinkConfigFrom(loadSection('sink', sinkSchema, { file: values.config as string | undefined, flags }));
}

export const stringOptions = (names: string[]) => Object.fromEntries(names.map((name) => [name, { type: 'string' as const }]));
