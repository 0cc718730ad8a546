export * from './assignor.ts';
export * from './consumer-protocol.ts';
export * from './sticky-user-data.ts';
export { rangeAssignor } from './range.ts';
export { roundRobinAssignor } from './round-robin.ts';
export { stickyAssignor, cooperativeStickyAssignor } from './sticky.ts';
export { PARTITION_ASSIGNORS, partitionAssignor, assignorMember } from './partition-assignors.ts';
export { ProtocolReader, ProtocolWriter } from './protocol-io.ts';
