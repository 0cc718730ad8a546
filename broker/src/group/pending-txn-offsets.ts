import type { OffsetEntry } from './group-metadata.ts';

/**
 * Offsets committed inside transactions (TxnOffsetCommit) that no marker has settled yet, per
 * producer and group. A commit marker makes them the group's committed offsets; an abort drops them.
 */
export class PendingTxnOffsets {
  private readonly byProducer = new Map<number, Map<string, Map<string, OffsetEntry>>>();

  add(producerId: number, groupId: string, key: string, entry: OffsetEntry): void {
    const groups = this.byProducer.get(producerId) ?? new Map<string, Map<string, OffsetEntry>>();
    this.byProducer.set(producerId, groups);
    const offsets = groups.get(groupId) ?? new Map<string, OffsetEntry>();
    groups.set(groupId, offsets);
    offsets.set(key, entry);
  }

  /** Removes and returns the producer's pending offsets of the groups the filter accepts. */
  take(producerId: number, accepts: (groupId: string) => boolean): Map<string, Map<string, OffsetEntry>> {
    const taken = new Map<string, Map<string, OffsetEntry>>();
    const groups = this.byProducer.get(producerId);
    if (!groups) return taken;
    for (const [groupId, offsets] of groups) {
      if (!accepts(groupId)) continue;
      taken.set(groupId, offsets);
      groups.delete(groupId);
    }
    if (groups.size === 0) this.byProducer.delete(producerId);
    return taken;
  }

  /** Whether some transaction still holds offsets for the group (Kafka refuses to delete such groups). */
  hasPendingFor(groupId: string): boolean {
    for (const groups of this.byProducer.values()) if (groups.has(groupId)) return true;
    return false;
  }

  dropGroups(accepts: (groupId: string) => boolean): void {
    for (const [producerId, groups] of this.byProducer) {
      for (const groupId of groups.keys()) if (accepts(groupId)) groups.delete(groupId);
      if (groups.size === 0) this.byProducer.delete(producerId);
    }
  }
}
