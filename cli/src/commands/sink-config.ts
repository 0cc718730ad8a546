import { sinkConfigFrom, sinkSchema, type SinkConfig } from '@tributary/hdfs-sink';
import { loadCommandSection, type SectionOverrides } from './section.ts';

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
  'metrics-port': 'metrics.port',
};

/** Resolves the sink section: flag > TRIBUTARY_SINK_* > config file > default. */
export function loadSinkConfig(values: Record<string, unknown>, flagNames: string[], overrides: SectionOverrides = {}): SinkConfig {
  const flagToSetting = Object.fromEntries(flagNames.map((flag) => [flag, SINK_FLAGS[flag]!]));
  return sinkConfigFrom(loadCommandSection('sink', sinkSchema, values, flagToSetting, overrides));
}
