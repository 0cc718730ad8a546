/** Kafka's classic group states, with Kafka's names (DescribeGroups reports them verbatim). */
export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export interface JoinResult {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  memberId: string;
  skipAssignment: boolean;
  members: Array<{ memberId: string; groupInstanceId: string | null; metadata: Buffer }>;
}

export interface SyncResult {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

export interface MemberMetadata {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: Array<{ name: string; metadata: Buffer }>;
  assignment: Buffer;
  awaitingJoin: ((result: JoinResult) => void) | null;
  awaitingSync: ((result: SyncResult) => void) | null;
  sessionTimer: (() => void) | null;
}

export interface OffsetEntry {
  offset: number;
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
}

/** One consumer group's state: members, generation, chosen protocol and committed offsets. */
export class GroupMetadata {
  state: GroupState = 'Empty';
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  readonly members = new Map<string, MemberMetadata>();
  /** Member ids handed out with MEMBER_ID_REQUIRED that have not joined yet, with expiry cancels. */
  readonly pendingMembers = new Map<string, () => void>();
  readonly staticMembers = new Map<string, string>();
  readonly offsets = new Map<string, OffsetEntry>();
  rebalanceTimer: (() => void) | null = null;
  /** True while the first rebalance of an empty group waits group.initial.rebalance.delay.ms. */
  initialDelayPending = false;
  currentStateTimestamp = Date.now();

  constructor(readonly groupId: string) {}

  static offsetKey(topic: string, partition: number): string {
    return `${topic}\u0000${partition}`;
  }

  transition(state: GroupState): void {
    this.state = state;
    this.currentStateTimestamp = Date.now();
  }

  /** The protocol every member supports, chosen by the members' preference votes (Kafka's rule). */
  selectProtocol(): string | null {
    const members = [...this.members.values()];
    if (members.length === 0) return null;
    const candidates = members[0]!.protocols.map((p) => p.name).filter((name) => members.every((m) => m.protocols.some((p) => p.name === name)));
    if (candidates.length === 0) return null;
    const votes = new Map<string, number>();
    for (const member of members) {
      const preferred = member.protocols.find((p) => candidates.includes(p.name))!.name;
      votes.set(preferred, (votes.get(preferred) ?? 0) + 1);
    }
    return candidates.reduce((best, name) => ((votes.get(name) ?? 0) > (votes.get(best) ?? 0) ? name : best), candidates[0]!);
  }

  /** Whether a joining member's protocols can coexist with the group's. */
  supportsProtocols(protocolType: string, protocols: Array<{ name: string }>): boolean {
    if (this.members.size === 0) return protocols.length > 0;
    if (this.protocolType !== null && this.protocolType !== protocolType) return false;
    const names = new Set(protocols.map((p) => p.name));
    return [...this.members.values()].every((member) => member.protocols.some((p) => names.has(p.name)));
  }

  metadataFor(member: MemberMetadata): Buffer {
    return member.protocols.find((p) => p.name === this.protocolName)?.metadata ?? Buffer.alloc(0);
  }

  allMembersJoined(): boolean {
    return this.pendingMembers.size === 0 && [...this.members.values()].every((member) => member.awaitingJoin !== null);
  }

  maxRebalanceTimeoutMs(): number {
    let max = 0;
    for (const member of this.members.values()) max = Math.max(max, member.rebalanceTimeoutMs);
    return max;
  }
}
