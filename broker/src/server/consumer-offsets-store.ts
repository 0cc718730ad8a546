import type { MetadataStore } from '../metadata/types.ts';
import type { ReplicaManager } from '../replication/replica-manager.ts';
import type { GroupStore } from '../group/group-store.ts';
import { InternalTopicStore } from './internal-topic-store.ts';

export const CONSUMER_OFFSETS_TOPIC = '__consumer_offsets';

/** The group coordinator's storage: __consumer_offsets. */
export class ConsumerOffsetsStore extends InternalTopicStore implements GroupStore {
  constructor(replicaManager: ReplicaManager, metadata: MetadataStore) {
    super(replicaManager, metadata, CONSUMER_OFFSETS_TOPIC);
  }
}
