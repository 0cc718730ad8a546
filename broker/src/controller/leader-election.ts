/** What the controller decides for one partition: a new leader and ISR, or nothing to do. */
export interface ElectionInput {
  replicas: number[];
  leader: number;
  isr: number[];
}

export interface ElectionResult {
  leader: number;
  isr: number[];
}

/**
 * Leader for a partition whose leader is gone or must move: the first replica in assignment order
 * that is alive and in the ISR (so the preferred leader wins when it can). With no such replica,
 * unclean election takes any live replica and accepts losing what only the ISR had; without it
 * the partition goes offline (leader -1) and keeps its last ISR, so the last leader can come back
 * and lead again without loss.
 */
export function electLeader(input: ElectionInput, live: Set<number>, options: { unclean: boolean; exclude?: number }): ElectionResult {
  const candidates = input.replicas.filter((id) => live.has(id) && id !== options.exclude);
  const liveIsr = input.isr.filter((id) => live.has(id) && id !== options.exclude);
  const clean = candidates.find((id) => liveIsr.includes(id));
  if (clean !== undefined) return { leader: clean, isr: liveIsr };
  if (options.unclean && candidates.length > 0) return { leader: candidates[0]!, isr: [candidates[0]!] };
  return { leader: -1, isr: input.isr };
}

/** The preferred leader (first replica) if it should take over now: alive, in the ISR, not leading. */
export function preferredLeaderMove(input: ElectionInput, live: Set<number>): ElectionResult | null {
  const preferred = input.replicas[0];
  if (preferred === undefined || preferred === input.leader || !live.has(preferred) || !input.isr.includes(preferred)) return null;
  return { leader: preferred, isr: input.isr };
}

export type ElectionType = 'preferred' | 'unclean';

export type ElectionDecision = { move: ElectionResult } | { refused: 'ELECTION_NOT_NEEDED' | 'PREFERRED_LEADER_NOT_AVAILABLE' | 'ELIGIBLE_LEADERS_NOT_AVAILABLE'; reason: string };

/**
 * What an ElectLeaders request (KIP-460) asks of one partition. Preferred moves leadership to the
 * first replica when it is alive and in sync. Unclean only acts on a partition without a live
 * leader, preferring an ISR replica and otherwise taking any live one, whatever
 * unclean.leader.election.enable says: the operator asked for it by name.
 */
export function decideElection(type: ElectionType, input: ElectionInput, live: Set<number>): ElectionDecision {
  if (type === 'preferred') {
    const preferred = input.replicas[0];
    if (preferred === input.leader) return { refused: 'ELECTION_NOT_NEEDED', reason: `the preferred replica ${preferred} already leads` };
    const move = preferredLeaderMove(input, live);
    if (move) return { move };
    return { refused: 'PREFERRED_LEADER_NOT_AVAILABLE', reason: `the preferred replica ${preferred} is ${live.has(preferred!) ? 'not in the ISR' : 'not alive'}` };
  }
  if (input.leader >= 0 && live.has(input.leader)) return { refused: 'ELECTION_NOT_NEEDED', reason: `broker ${input.leader} leads and is alive` };
  const result = electLeader(input, live, { unclean: true });
  if (result.leader === -1) return { refused: 'ELIGIBLE_LEADERS_NOT_AVAILABLE', reason: `no replica of ${input.replicas.join(',')} is alive` };
  return { move: result };
}
