export * from './config.ts';
export { CdcConnector, type ConnectorStatus } from './connector.ts';
export { SourceConfigError } from './source-checks.ts';
export { comparePositions, type BinlogPosition } from './binlog-position.ts';
export { SchemaRegistry } from './schema-registry.ts';
export { convertValue } from './value-converter.ts';
export { startStatusServer, renderMetrics } from './status-server.ts';
