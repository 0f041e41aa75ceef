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
  /** One sentence for the user. */
  verdict: string;
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
  if (best.stats.sentPackets === 0) return { results, selected: null, alternatives: [], verdict: 'no data sent in this direction' };
  const rate = best.stats.violations / sent;
  if (rate > MAX_FIT_VIOLATION_RATE) {
    return {
      results,
      selected: null,
      alternatives: [],
      verdict: `no cwnd model fits: the best (${best.name}) is exceeded on ${(100 * rate).toFixed(1)}% of packets (a paced or rate-based sender such as BBR)`,
    };
  }
  const alternatives = results.slice(1).filter((r) => r.contradictions === best.contradictions).map((r) => r.name);
  const counts = `${best.stats.violations} violations and ${best.stats.underuse} underuse in ${best.stats.sentPackets} packets`;
  return {
    results,
    selected: best.name,
    alternatives,
    verdict:
      alternatives.length > 0
        ? `${best.name} (${alternatives.join(', ')} fit${alternatives.length > 1 ? '' : 's'} equally: the capture cannot tell them apart; ${best.name} has the tightest window): ${counts}`
        : `${best.name}: ${counts}`,
  };
}
