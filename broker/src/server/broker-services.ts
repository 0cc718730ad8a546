import type { Logger } from '@tributary/common';
import type { GroupCoordinator } from '../group/group-coordinator.ts';
import type { KafkaController } from '../controller/kafka-controller.ts';
import type { TransactionCoordinator } from '../coordinator/transaction/transaction-coordinator.ts';
import type { TxnMarkerChannel } from '../coordinator/transaction/txn-marker-channel.ts';
import type { MetadataStore } from '../metadata/types.ts';
import type { ReplicaManager } from '../replication/replica-manager.ts';
import type { AdminManager } from './admin-manager.ts';
import type { SecurityServices } from '../security/security-services.ts';
import type { BrokerConfig } from './broker-config.ts';
import type { BrokerMetrics } from './metrics.ts';
import type { DynamicBrokerConfig } from './dynamic-broker-config.ts';
import type { ProducerIdManager } from './producer-id-manager.ts';
import type { Purgatory } from './purgatory.ts';

/** What request handlers may use: the broker's components, never its sockets. */
export interface BrokerServices {
  config: BrokerConfig;
  metadata: MetadataStore;
  replicaManager: ReplicaManager;
  adminManager: AdminManager;
  producerIds: ProducerIdManager;
  producePurgatory: Purgatory;
  groupCoordinator: GroupCoordinator;
  /** The broker that coordinates a group (creating __consumer_offsets on first use). */
  groupCoordinatorFor(groupId: string): Promise<number>;
  transactionCoordinator: TransactionCoordinator;
  /** The broker that coordinates a transactional id (creating __transaction_state on first use). */
  transactionCoordinatorFor(transactionalId: string): Promise<number>;
  /** Writes transaction markers to partitions this broker leads (WriteTxnMarkers). */
  markerWriter: TxnMarkerChannel;
  metrics: BrokerMetrics;
  log: Logger;
  /** The broker's own settings as DescribeConfigs shows them. */
  brokerSettings: Map<string, { value: string; isDefault: boolean; doc: string; dynamic?: boolean }>;
  dynamicConfig: DynamicBrokerConfig;
  /** This broker's controller (cluster mode); active on one broker at a time. */
  controller: KafkaController | null;
  /** SCRAM credentials, the ACL authorizer and client quotas. */
  security: SecurityServices;
}
