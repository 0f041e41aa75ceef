import { seqAdd, seqGt, seqLt } from '../tcp/seq';
import type { SenderEvent } from './events';
import { LinuxSender } from './linuxSender';
import type { ModelStats, SenderModel } from './model';
import { RfcSender } from './rfcSender';

/**
 * Model selection as Jaiswal et al. (INFOCOM 2004) did it: replay the connection through every
 * candidate sender and keep the one the sender contradicts least. A contradiction is a transmission
 * the model did not allow (a violation) or, the other way round, an ACK-clocked transmission the model
 * would have allowed well before the ACK that released it (underuse); counting only the first kind
 * would always favour the most generous model. Ties go to the tighter window, then to list order.
 *
 * A tie means the capture holds no evidence between the tied models, and the selection says how much it
 * lacked (TieEvidence): whether the sender ever filled the smaller of their windows after they parted,
 * and whether it lost anything (where Reno's reduction to 0.5 and CUBIC's to 0.7 would differ). A sender
 * held back by a small receive window that loses nothing fills neither window once slow start ends, so
 * Reno and CUBIC send exactly the same packets; only the window shown differs, and the verdict says so.
 *
 * When even the best model is violated on more than MAX_FIT_VIOLATION_RATE of the packets, no cwnd
 * model explains the sender (BBR, a pacing sender, a rate-based stack): that is reported as such rather
 * than forcing a cwnd on it.
 */

export interface Candidate {
  name: string;
  create(): SenderModel;
}

export const CANDIDATES: readonly Candidate[] = [
  { name: 'linux-cubic', create: () => new LinuxSender({ congestion: 'cubic' }) },
  { name: 'linux-reno', create: () => new LinuxSender({ congestion: 'reno' }) },
  { name: 'rfc6582-newreno', create: () => new RfcSender({ congestion: 'reno', recovery: 'newreno', initialWindow: 10 }) },
  { name: 'rfc6675-sack', create: () => new RfcSender({ congestion: 'reno', recovery: 'sack', initialWindow: 10 }) },
  { name: 'rfc6937-prr', create: () => new RfcSender({ congestion: 'reno', recovery: 'prr', initialWindow: 10 }) },
  { name: 'rfc9438-cubic-prr', create: () => new RfcSender({ congestion: 'cubic', recovery: 'prr', initialWindow: 10 }) },
];

/** Share of transmitted packets beyond the best model's window above which no cwnd model fits. */
export const MAX_FIT_VIOLATION_RATE = 0.03;

export interface CandidateResult {
  name: string;
  stats: ModelStats;
  /** Violations plus underuse. */
  contradictions: number;
}

export interface ModelSelection {
  /** Every candidate, best first. */
  results: CandidateResult[];
  /** The selected model's name, or null when none fits. */
  selected: string | null;
  /**
   * Other models the sender contradicts exactly as little: the capture cannot tell them apart (a sender
   * that never filled its window and never lost a packet looks the same under Reno and CUBIC).
   */
  alternatives: string[];
  /** What the capture showed of the difference between the selected model and its alternatives; null without alternatives. */
  tie: TieEvidence | null;
  /** One sentence for the user. */
  verdict: string;
}

/**
 * The selected model and its equally fitting alternatives replayed side by side: where their windows
 * part, and whether any packet after that could have told them apart.
 */
export interface TieEvidence {
  /** Seconds from the first event to the first event after which the tied models' windows differ; null when they never do. */
  partedAfter: number | null;
  /** Most bytes the selected model counted in flight after a transmission once the windows parted. */
  maxInFlight: number;
  /** Smallest window (bytes) any tied model held once the windows parted. */
  minCwnd: number;
  /** Transmissions after the parting that left the smallest of the tied windows full (the sender was cwnd-limited under it). */
  fullWindowSends: number;
  /** Segments sent again (whole capture): losses, after which the models' reductions differ. */
  retransmissions: number;
}

export function runCandidate(candidate: Candidate, events: readonly SenderEvent[]): { model: SenderModel; result: CandidateResult } {
  const model = candidate.create();
  for (const e of events) model.step(e);
  model.finish();
  const stats = model.stats();
  return { model, result: { name: candidate.name, stats, contradictions: stats.violations + stats.underuse } };
}

export function selectModel(events: readonly SenderEvent[], candidates: readonly Candidate[] = CANDIDATES): ModelSelection {
  const order = new Map(candidates.map((c, i) => [c.name, i]));
  const results = candidates
    .map((c) => runCandidate(c, events).result)
    .sort(
      (a, b) =>
        a.contradictions - b.contradictions ||
        a.stats.meanSpareWindow - b.stats.meanSpareWindow ||
        (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0),
    );
  const best = results[0];
  const sent = Math.max(1, best.stats.sentPackets);
  if (best.stats.sentPackets === 0) return { results, selected: null, alternatives: [], tie: null, verdict: 'no data sent in this direction' };
  const rate = best.stats.violations / sent;
  if (rate > MAX_FIT_VIOLATION_RATE) {
    return {
      results,
      selected: null,
      alternatives: [],
      tie: null,
      verdict: `no cwnd model fits: the best (${best.name}) is exceeded on ${(100 * rate).toFixed(1)}% of packets (a paced or rate-based sender such as BBR)`,
    };
  }
  const alternatives = results.slice(1).filter((r) => r.contradictions === best.contradictions).map((r) => r.name);
  const counts = `${best.stats.violations} violations and ${best.stats.underuse} underuse in ${best.stats.sentPackets} packets`;
  if (alternatives.length === 0) return { results, selected: best.name, alternatives, tie: null, verdict: `${best.name}: ${counts}` };
  const byName = new Map(candidates.map((c) => [c.name, c]));
  const tied = [best.name, ...alternatives].flatMap((name) => byName.get(name) ?? []);
  const tie = tieEvidence(tied, events);
  return { results, selected: best.name, alternatives, tie, verdict: `${tieVerdict(best.name, alternatives, tie)}: ${counts}` };
}

/** Replays the tied candidates (the selected one first) in lockstep; see TieEvidence. */
export function tieEvidence(tied: readonly Candidate[], events: readonly SenderEvent[]): TieEvidence {
  const models = tied.map((c) => c.create());
  const evidence: TieEvidence = { partedAfter: null, maxInFlight: 0, minCwnd: Infinity, fullWindowSends: 0, retransmissions: 0 };
  let highestSent: number | null = null;
  for (const e of events) {
    for (const m of models) m.step(e);
    const snapshots = models.map((m) => m.snapshot());
    const cwnds = snapshots.map((s) => s.cwnd);
    const smallest = Math.min(...cwnds);
    if (e.kind === 'data' && e.len > 0) {
      const end = seqAdd(e.seq, e.len);
      if (highestSent !== null && seqLt(e.seq, highestSent)) evidence.retransmissions++;
      if (highestSent === null || seqGt(end, highestSent)) highestSent = end;
    }
    if (evidence.partedAfter === null) {
      if (smallest === Math.max(...cwnds)) continue;
      evidence.partedAfter = e.time - events[0].time;
    }
    evidence.minCwnd = Math.min(evidence.minCwnd, smallest);
    if (e.kind !== 'data' || e.len === 0) continue;
    const inFlight = snapshots[0].inFlight;
    evidence.maxInFlight = Math.max(evidence.maxInFlight, inFlight);
    if (inFlight >= smallest) evidence.fullWindowSends++;
  }
  if (evidence.partedAfter === null) evidence.minCwnd = 0;
  return evidence;
}

function tieVerdict(selected: string, alternatives: readonly string[], tie: TieEvidence): string {
  const others = alternatives.join(', ');
  const fit = `${others} fit${alternatives.length > 1 ? '' : 's'} equally`;
  if (tie.partedAfter === null) return `${selected} (${fit}: their windows never differ in this capture)`;
  if (tie.fullWindowSends === 0 && tie.retransmissions === 0) {
    return (
      `${selected} or ${others}: indistinguishable (their windows part ${tie.partedAfter.toFixed(3)} s in, but after that the sender never had more ` +
      `than ${tie.maxInFlight} bytes in flight, below the smaller window of ${tie.minCwnd} bytes, and retransmitted nothing, so no packet ` +
      `depended on which; the cwnd shown is ${selected}'s, the tighter)`
    );
  }
  return (
    `${selected} (${fit}: the capture cannot tell them apart; ${selected} has the tightest window; after the windows part ` +
    `${tie.partedAfter.toFixed(3)} s in, ${tie.fullWindowSends} transmissions filled the smaller one; ${tie.retransmissions} retransmissions)`
  );
}
