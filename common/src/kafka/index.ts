export * from './client.ts';
export * from './security.ts';
export { isBrokerUnreachable, withBrokerHint } from './errors.ts';
export { platformaticAssigner } from './assigner.ts';
// Protocol constants callers need for admin requests, so they need not import the client library.
export { ConfigResourceTypes, ConfigSources, IncrementalAlterConfigOperationTypes, ListOffsetTimestamps } from '@platformatic/kafka';
export { AclOperations, AclPermissionTypes, ResourcePatternTypes, ResourceTypes, alterUserScramCredentialsV0, describeUserScramCredentialsV0 } from '@platformatic/kafka';
export { withBrokerConnection } from './raw-connection.ts';
export { describeClusterMetadata, type ClusterMetadata, type PartitionMetadata } from './cluster-metadata.ts';
