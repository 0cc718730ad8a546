import { subscribedTopics } from './offsets-records.ts';

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
  /** Joined during the current rebalance and not yet part of a generation. */
  isNew: boolean;
  awaitingJoin: ((result: JoinResult) => void) | null;
  awaitingSync: ((result: SyncResult) => void) | null;
  sessionTimer: (() => void) | null;
}

export interface OffsetEntry {
  offset: number;
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
  expireTimestamp: number;
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
  /** groupInstanceId -> memberId of the static members. */
  readonly staticMembers = new Map<string, string>();
  /** Members of the current generation that have not sent SyncGroup yet. */
  readonly pendingSyncMembers = new Set<string>();
  readonly offsets = new Map<string, OffsetEntry>();
  /** The topics the members subscribe to, known for consumer groups once a generation forms. */
  subscribedTopics: Set<string> | null = null;
  rebalanceTimer: (() => void) | null = null;
  pendingSyncTimer: (() => void) | null = null;
  /** While the initial rebalance delay runs, the join phase does not end early. */
  initialDelayRunning = false;
  /** A member joined while the initial rebalance delay ran, so the delay is extended once more. */
  newMemberAdded = false;
  currentStateTimestamp: number;

  constructor(readonly groupId: string, now: number) {
    this.currentStateTimestamp = now;
  }

  static offsetKey(topic: string, partition: number): string {
    return `${topic}\u0000${partition}`;
  }

  static splitOffsetKey(key: string): { topic: string; partition: number } {
    const at = key.lastIndexOf('\u0000');
    return { topic: key.slice(0, at), partition: Number(key.slice(at + 1)) };
  }

  transition(state: GroupState, now: number): void {
    this.state = state;
    this.currentStateTimestamp = now;
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
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

  /**
   * Kafka's admission rule: an empty group takes any non-empty protocol list; otherwise the
   * protocol type must match and one of the joiner's protocols must be supported by every member.
   */
  supportsProtocols(protocolType: string, protocols: Array<{ name: string }>): boolean {
    if (this.state === 'Empty' || this.members.size === 0) return protocolType !== '' && protocols.length > 0;
    if (this.protocolType !== protocolType) return false;
    const members = [...this.members.values()];
    return protocols.some((candidate) => members.every((member) => member.protocols.some((p) => p.name === candidate.name)));
  }

  metadataFor(member: MemberMetadata): Buffer {
    return member.protocols.find((p) => p.name === this.protocolName)?.metadata ?? Buffer.alloc(0);
  }

  allMembersJoined(): boolean {
    return this.pendingMembers.size === 0 && [...this.members.values()].every((member) => member.awaitingJoin !== null);
  }

  rebalanceTimeoutMs(): number {
    let max = 0;
    for (const member of this.members.values()) max = Math.max(max, member.rebalanceTimeoutMs);
    return max;
  }

  /** Keeps the leader if it rejoined, else picks the first member that did; false when none did. */
  electJoinedLeader(): boolean {
    const leader = this.leaderId === null ? undefined : this.members.get(this.leaderId);
    if (leader?.awaitingJoin) return true;
    const joined = [...this.members.values()].find((member) => member.awaitingJoin !== null);
    this.leaderId = joined?.memberId ?? null;
    return joined !== undefined;
  }

  /** Consumer groups publish their topics in the chosen protocol's subscription (KIP-211 needs them). */
  computeSubscribedTopics(): Set<string> | null {
    if (this.protocolType !== 'consumer' || this.protocolName === null) return null;
    const topics = new Set<string>();
    for (const member of this.members.values()) {
      const names = subscribedTopics(this.metadataFor(member));
      if (names === null) return null;
      for (const name of names) topics.add(name);
    }
    return topics;
  }
}
