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
