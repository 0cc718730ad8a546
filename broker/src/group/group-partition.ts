/** Java's String.hashCode over UTF-16 code units, in 32-bit two's complement. */
export function javaStringHashCode(value: string): number {
  let hash = 0;
  for (let i = 0; i < value.length; i++) hash = (Math.imul(31, hash) + value.charCodeAt(i)) | 0;
  return hash;
}

/**
 * The __consumer_offsets partition that owns a group, exactly as Kafka computes it
 * (Utils.abs(groupId.hashCode) % partitions, where Utils.abs maps Integer.MIN_VALUE to 0), so a
 * group lands on the same partition here as on Apache Kafka.
 */
export function partitionForGroup(groupId: string, numPartitions = 50): number {
  const hash = javaStringHashCode(groupId);
  const abs = hash === -2147483648 ? 0 : Math.abs(hash);
  return abs % numPartitions;
}
