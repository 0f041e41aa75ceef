import { describe, expect, it } from 'vitest';
import { RfcSender, type RfcSenderOptions } from '../../../app/refstack/rfcSender';
import { Synthetic } from './synthetic';

/* The RFC models on hand-made connections (MSS 1000, handshake RTT 10 ms). */

function replay(s: Synthetic, options: Partial<RfcSenderOptions> = {}): RfcSender {
  const model = new RfcSender({ congestion: 'reno', recovery: 'sack', initialWindow: 10, ...options });
  for (const e of s.events) model.step(e);
  model.finish();
  return model;
}

const cwnd = (m: RfcSender) => m.snapshot().cwnd / 1000;

/** Slow start to 20 packets (RFC 5681: one SMSS per ACK), then a full window, packets 10..29. */
function grownTo20(sack = true): Synthetic {
  const s = new Synthetic({ sack }).handshake(0, 0.01);
  s.send(0.02, 10).ackEach(0.03, 0, 10, 0.0005);
  return s.send(0.04, 20);
}

describe('RFC sender: slow start, congestion avoidance, timeout', () => {
  it('slow start adds at most one SMSS per ACK (RFC 5681 3.1)', () => {
    const s = new Synthetic().handshake(0, 0.01).send(0.02, 10);
    // Delayed ACKs, two packets each: the window grows by one SMSS per ACK, not per packet.
    for (let i = 2; i <= 10; i += 2) s.ack(0.03 + i * 0.0005, i);
    expect(cwnd(replay(s))).toBe(15);
  });

  it('grows on every ACK, window used or not (no RFC 7661 validation)', () => {
    const s = new Synthetic().handshake(0, 0.01).send(0.02, 3).ackEach(0.03, 0, 3, 0.0005);
    expect(cwnd(replay(s))).toBe(13);
  });

  it('a retransmission after an RTO of silence is a timeout: ssthresh = FlightSize / 2, cwnd = 1 SMSS', () => {
    const s = new Synthetic().handshake(0, 0.01).send(0.02, 10).resend(1.6, 0);
    const m = replay(s);
    expect(m.snapshot().state).toBe('loss');
    expect(cwnd(m)).toBe(1);
    expect(m.snapshot().ssthresh).toBe(5000);
    expect(m.stats().violations).toBe(0);
  });
});

describe('RFC 6582 NewReno', () => {
  const newreno = { recovery: 'newreno' } as const;

  /** Packet 10 lost: `dupacks` duplicate ACKs, the fast retransmit after the third. */
  function dupacks(count: number): Synthetic {
    const s = grownTo20(false);
    for (let k = 1; k <= count; k++) {
      s.ack(0.05 + k * 0.0005, 10);
      if (k === 3) s.resend(0.05 + k * 0.0005 + 0.00001, 10);
    }
    return s;
  }

  it('three duplicate ACKs: ssthresh = FlightSize / 2, cwnd = ssthresh + 3 SMSS, fast retransmit', () => {
    const m = replay(dupacks(3), newreno);
    expect(m.snapshot().state).toBe('recovery');
    expect(m.snapshot().ssthresh).toBe(10_000);
    expect(cwnd(m)).toBe(13);
    expect(m.stats().violations).toBe(0);
  });

  it('each further duplicate ACK inflates cwnd; new data only once it exceeds FlightSize', () => {
    // FlightSize is 20 SMSS: the 8th further dupack brings cwnd to 21.
    const early = dupacks(7).send(0.0536, 1);
    expect(replay(early, { ...newreno }).stats().violations).toBe(1);
    const inTime = dupacks(11).send(0.0556, 1);
    expect(replay(inTime, newreno).stats().violations).toBe(0);
  });

  it('a partial ACK deflates cwnd by what it ACKed (plus one SMSS) and allows the next retransmission', () => {
    const s = dupacks(3);
    s.ack(0.06, 15).resend(0.06001, 15);
    const m = replay(s, newreno);
    expect(cwnd(m)).toBe(13 - 5 + 1);
    expect(m.stats().violations).toBe(0);
  });

  it('the full ACK ends recovery with cwnd = ssthresh', () => {
    const s = dupacks(3).ack(0.06, 30);
    const m = replay(s, newreno);
    expect(m.snapshot().state).toBe('open');
    expect(cwnd(m)).toBe(10);
  });
});

describe('RFC 6675 SACK recovery and RFC 6937 PRR', () => {
  /** Packet 10 lost; SACKs for 11..(10 + count) one by one; fast retransmit after the third. */
  function sacks(count: number, sendAfter: (k: number) => boolean = () => false): Synthetic {
    const s = grownTo20();
    for (let k = 1; k <= count; k++) {
      const t = 0.05 + k * 0.0005;
      s.ack(t, 10, [[11, 11 + k]]);
      if (k === 3) s.resend(t + 0.00001, 10);
      else if (k > 3 && sendAfter(k)) s.send(t + 0.00001, 1);
    }
    return s;
  }

  it('SACK: recovery on the third SACKed packet with cwnd = ssthresh = FlightSize / 2', () => {
    const m = replay(sacks(3));
    expect(m.snapshot().state).toBe('recovery');
    expect(cwnd(m)).toBe(10);
    expect(m.stats().violations).toBe(0);
    // pipe: 16 packets not SACKed above the lost one, plus its retransmission.
    expect(m.snapshot().inFlight).toBe(17_000);
  });

  it('SACK: new data only once cwnd - pipe >= 1 SMSS', () => {
    // The pipe falls by one per SACK from 17: below 10 after the 11th SACK.
    expect(replay(sacks(12, (k) => k === 12)).stats().violations).toBe(0);
    expect(replay(sacks(12, (k) => k === 6)).stats().violations).toBe(1);
  });

  it('PRR: new data in proportion to what was delivered, about one per two SACKs', () => {
    // sndcnt = ceil(prr_delivered * ssthresh / RecoverFS) - prr_out in bytes: (k - 2) * 500 - 1000 after the
    // k-th SACK (the fast retransmit counted in prr_out), so a full segment fits at k = 6, 8, 10, 12.
    const prr = { recovery: 'prr' } as const;
    expect(replay(sacks(12, (k) => k >= 6 && k % 2 === 0), prr).stats().violations).toBe(0);
    expect(replay(sacks(12, () => true), prr).stats().violations).toBeGreaterThan(2);
  });

  it('CUBIC reduces to 0.7 of the flight', () => {
    const m = replay(sacks(3), { congestion: 'cubic', recovery: 'prr' });
    expect(m.snapshot().ssthresh).toBe(14_000);
  });
});
