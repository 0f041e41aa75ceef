import { describe, expect, it } from 'vitest';
import type { ModelStats, SenderModel } from '../../../app/refstack/model';
import { CANDIDATES, selectModel, type Candidate } from '../../../app/refstack/select';
import { Synthetic } from './synthetic';

/** A candidate whose replay ends with fixed statistics. */
function fixed(name: string, stats: Partial<ModelStats>): Candidate {
  const full: ModelStats = { sentPackets: 1000, violations: 0, underuse: 0, rwndViolations: 0, meanSpareWindow: 0, ...stats };
  const model: SenderModel = {
    name,
    violations: [],
    step() {},
    finish() {},
    stats: () => full,
    snapshot: () => ({ time: 0, sndUna: 0, sndNxt: 0, inFlight: 0, sacked: 0, rwnd: 0, cwnd: 0, ssthresh: null, srtt: 0, state: 'open', established: true }),
  };
  return { name, create: () => model };
}

describe('model selection', () => {
  it('keeps the model with the fewest violations plus underuse', () => {
    const sel = selectModel([], [fixed('a', { violations: 5, underuse: 5 }), fixed('b', { violations: 8 }), fixed('c', { violations: 0, underuse: 30 })]);
    expect(sel.selected).toBe('b');
    expect(sel.results.map((r) => r.name)).toEqual(['b', 'a', 'c']);
  });

  it('breaks ties by the tighter window, then by list order, and names the equally fitting models', () => {
    const tie = selectModel([], [fixed('loose', { meanSpareWindow: 9 }), fixed('tight', { meanSpareWindow: 2 }), fixed('worse', { underuse: 1 })]);
    expect(tie.selected).toBe('tight');
    expect(tie.alternatives).toEqual(['loose']);
    expect(tie.verdict).toMatch(/^tight \(loose fits equally/);
    expect(selectModel([], [fixed('first', {}), fixed('second', {})]).selected).toBe('first');
    expect(selectModel([], [fixed('a', { violations: 1 }), fixed('b', { violations: 2 })]).alternatives).toEqual([]);
  });

  it('says no cwnd model fits when even the best is exceeded on more than 3% of packets', () => {
    const sel = selectModel([], [fixed('a', { violations: 40 }), fixed('b', { violations: 60 })]);
    expect(sel.selected).toBeNull();
    expect(sel.verdict).toMatch(/^no cwnd model fits: the best \(a\) is exceeded on 4\.0% of packets/);
  });

  it('runs every built-in candidate on a connection', () => {
    const s = new Synthetic().handshake(0, 0.01).send(0.02, 10).ackEach(0.03, 0, 10, 0.0005);
    const sel = selectModel(s.events);
    expect(sel.results.map((r) => r.name).sort()).toEqual(CANDIDATES.map((c) => c.name).sort());
    expect(sel.selected).not.toBeNull();
  });
});
