import { KafkaError } from '../protocol/errors.ts';

export interface PlacementBroker {
  brokerId: number;
  rack: string | null;
}

/**
 * Orders brokers so that consecutive ones sit on different racks (Kafka's rack-alternated list):
 * rack A's first broker, rack B's first, rack C's first, rack A's second...
 */
function rackAlternated(brokers: PlacementBroker[]): PlacementBroker[] {
  const byRack = new Map<string, PlacementBroker[]>();
  for (const broker of [...brokers].sort((a, b) => a.brokerId - b.brokerId)) {
    const rack = broker.rack ?? '';
    byRack.set(rack, [...(byRack.get(rack) ?? []), broker]);
  }
  const racks = [...byRack.keys()].sort();
  const result: PlacementBroker[] = [];
  for (let round = 0; result.length < brokers.length; round++) {
    for (const rack of racks) {
      const broker = byRack.get(rack)![round];
      if (broker) result.push(broker);
    }
  }
  return result;
}

/**
 * Kafka's replica assignment: preferred leaders round-robin over the brokers from a start index,
 * followers at a shift that grows every full round, so leaders and replicas both spread evenly.
 * With racks on every broker, no two replicas of a partition share a rack while racks remain.
 */
export function assignReplicas(
  brokers: PlacementBroker[],
  numPartitions: number,
  replicationFactor: number,
  options: { startIndex?: number; shift?: number; firstPartition?: number } = {},
): number[][] {
  if (replicationFactor > brokers.length) {
    throw new KafkaError('INVALID_REPLICATION_FACTOR', `replication factor ${replicationFactor} is larger than the ${brokers.length} available brokers`);
  }
  const rackAware = brokers.length > 0 && brokers.every((broker) => broker.rack !== null);
  const ordered = rackAware ? rackAlternated(brokers) : [...brokers].sort((a, b) => a.brokerId - b.brokerId);
  const n = ordered.length;
  const racks = new Set(ordered.map((broker) => broker.rack)).size;
  const startIndex = options.startIndex ?? Math.floor(Math.random() * n);
  let shift = options.shift ?? Math.floor(Math.random() * n);
  const firstPartition = options.firstPartition ?? 0;
  const result: number[][] = [];
  for (let i = 0; i < numPartitions; i++) {
    const partition = firstPartition + i;
    if (partition > 0 && partition % n === 0) shift++;
    const first = (partition + startIndex) % n;
    const replicas = [ordered[first]!];
    const usedRacks = new Set([ordered[first]!.rack]);
    for (let j = 0; replicas.length < replicationFactor && j < n * 2; j++) {
      const index = (first + 1 + ((shift + j) % (n - 1))) % n;
      const candidate = ordered[index]!;
      if (replicas.includes(candidate)) continue;
      // A rack gets a second replica only once every rack has one.
      if (rackAware && usedRacks.has(candidate.rack) && usedRacks.size < racks) continue;
      replicas.push(candidate);
      usedRacks.add(candidate.rack);
    }
    for (const candidate of ordered) if (replicas.length < replicationFactor && !replicas.includes(candidate)) replicas.push(candidate);
    result.push(replicas.map((broker) => broker.brokerId));
  }
  return result;
}
