import { describe, expect, it } from 'vitest';
import type { ModelStats, SenderModel } from '../../../app/refstack/model';
import { CANDIDATES, selectModel, tieEvidence, type Candidate } from '../../../app/refstack/select';
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

/**
 * A candidate without contradictions whose window and bytes in flight after the k-th event are given per
 * event (cwnd[k], inFlight[k]), so two of them tie and part where their scripts differ.
 */
function scripted(name: string, cwnd: readonly number[], inFlight: readonly number[]): Candidate {
  return {
    name,
    create: () => {
      let steps = 0;
      return {
        name,
        violations: [],
        step() {
          steps++;
        },
        finish() {},
        stats: () => ({ sentPackets: cwnd.length, violations: 0, underuse: 0, rwndViolations: 0, meanSpareWindow: cwnd[cwnd.length - 1] }),
        snapshot: () => ({
          time: 0,
          sndUna: 0,
          sndNxt: 0,
          inFlight: inFlight[steps - 1],
          sacked: 0,
          rwnd: 0,
          cwnd: cwnd[steps - 1],
          ssthresh: null,
          srtt: 0,
          state: 'open',
          established: true,
        }),
      };
    },
  };
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

  it('says equally fitting models are indistinguishable when no transmission after their windows part fills the smaller one and nothing is resent', () => {
    // Packets 0..3 at t = 0..3 ms, then the ACK of all at 4 ms, packets 4 and 5 at 5 and 6 ms: the windows part at
    // the ACK (20 vs 26 packets of 1000 bytes), and the sender never has more than 6 packets out.
    const s = new Synthetic().send(0, 4);
    s.events.forEach((e, i) => (e.time = 100 + i * 0.001));
    s.ack(0.004, 4).send(0.005, 1).send(0.006, 1);
    const inFlight = [1000, 2000, 3000, 4000, 0, 1000, 2000];
    const tightCwnd = [10_000, 10_000, 10_000, 10_000, 20_000, 20_000, 20_000];
    const looseCwnd = [10_000, 10_000, 10_000, 10_000, 26_000, 26_000, 26_000];
    const sel = selectModel(s.events, [scripted('loose', looseCwnd, inFlight), scripted('tight', tightCwnd, inFlight)]);
    expect(sel.selected).toBe('tight');
    expect(sel.alternatives).toEqual(['loose']);
    expect(sel.tie).toEqual({ partedAfter: expect.closeTo(0.004, 9), maxInFlight: 2000, minCwnd: 20_000, fullWindowSends: 0, retransmissions: 0 });
    expect(sel.verdict).toMatch(
      /^tight or loose: indistinguishable \(their windows part 0\.004 s in, but after that the sender never had more than 2000 bytes in flight, below the smaller window of 20000 bytes, and retransmitted nothing/,
    );

    // The same with packet 2 sent again at 7 ms, filling the smaller window: evidence the verdict counts.
    s.resend(0.007, 2);
    const sel2 = selectModel(s.events, [
      scripted('loose', [...looseCwnd, 26_000], [...inFlight, 20_000]),
      scripted('tight', [...tightCwnd, 20_000], [...inFlight, 20_000]),
    ]);
    expect(sel2.tie).toMatchObject({ fullWindowSends: 1, retransmissions: 1 });
    expect(sel2.verdict).toMatch(/^tight \(loose fits equally: the capture cannot tell them apart; .* 1 transmissions filled the smaller one; 1 retransmissions\)/);
  });

  it('measures nothing after the parting when the tied windows never differ', () => {
    const s = new Synthetic().send(0, 3);
    const same = [10_000, 10_000, 10_000];
    const ev = tieEvidence([scripted('a', same, [1000, 2000, 3000]), scripted('b', same, [1000, 2000, 3000])], s.events);
    expect(ev).toEqual({ partedAfter: null, maxInFlight: 0, minCwnd: 0, fullWindowSends: 0, retransmissions: 0 });
  });
});
