import { describe, expect, it } from 'vitest';
import { RttEstimator } from '../../../app/tcp/rtt';

const ms = (n: number) => n * 1e6;

describe('RTT estimation (RFC 6298, Karn, RFC 7323 timestamps)', () => {
  it('first sample: SRTT = R, RTTVAR = R/2, RTO = max(1 s, SRTT + 4 RTTVAR) (section 2.2)', () => {
    const rtt = new RttEstimator();
    rtt.onSend(0, 100, ms(0), null);
    expect(rtt.onAck(2, 100, ms(400), null)).toEqual([{ frame: 2, atNs: ms(400), rttNs: ms(400), source: 'ack' }]);
    expect(rtt.estimate()).toEqual({ srttNs: ms(400), rttvarNs: ms(200), rtoNs: ms(1200), minRttNs: ms(400), meanRttNs: ms(400), queueingDelayNs: 0, samples: 1 });
  });

  it('later samples: RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R|, SRTT = 7/8 SRTT + 1/8 R (section 2.3)', () => {
    const rtt = new RttEstimator(0);
    rtt.onSend(0, 100, 0, null);
    rtt.onAck(2, 100, ms(100), null);
    rtt.onSend(100, 200, ms(100), null);
    rtt.onAck(4, 200, ms(300), null);
    const e = rtt.estimate();
    expect(e.rttvarNs).toBeCloseTo(0.75 * ms(50) + 0.25 * ms(100));
    expect(e.srttNs).toBeCloseTo(0.875 * ms(100) + 0.125 * ms(200));
    expect(e.rtoNs).toBeCloseTo(e.srttNs! + 4 * e.rttvarNs!);
    expect(e.minRttNs).toBe(ms(100));
  });

  it("Karn's rule: a retransmitted segment gives no ACK sample (section 3)", () => {
    const rtt = new RttEstimator();
    rtt.onSend(0, 100, 0, null);
    rtt.onSend(0, 100, ms(1000), null);
    expect(rtt.onAck(3, 100, ms(1050), null)).toEqual([]);
    expect(rtt.estimate().srttNs).toBeNull();
  });

  it('a timestamp echo still measures a retransmitted segment: TSval is not reused', () => {
    const rtt = new RttEstimator();
    rtt.onSend(0, 100, 0, 1);
    rtt.onSend(0, 100, ms(1000), 2);
    expect(rtt.onAck(3, 100, ms(1050), 2)).toEqual([{ frame: 3, atNs: ms(1050), rttNs: ms(50), source: 'timestamp' }]);
  });

  it('an ACK that covers nothing new takes no sample', () => {
    const rtt = new RttEstimator();
    rtt.onSend(0, 100, 0, 7);
    rtt.onAck(2, 100, ms(10), 7);
    expect(rtt.onAck(3, 100, ms(20), 7)).toEqual([]);
  });

  it('sequence numbers wrap', () => {
    const rtt = new RttEstimator();
    rtt.onSend(0xffffff00, 0x10, 0, null);
    expect(rtt.onAck(2, 0x10, ms(5), null).map((s) => s.rttNs)).toEqual([ms(5)]);
  });
});

describe('RTT statistics beyond RFC 6298', () => {
  it('mean RTT and queueing delay (mean minus minimum)', () => {
    const rtt = new RttEstimator();
    rtt.onSend(0, 100, ms(0), null);
    rtt.onAck(2, 100, ms(10), null);
    rtt.onSend(100, 200, ms(20), null);
    rtt.onAck(4, 200, ms(50), null);
    expect(rtt.estimate()).toMatchObject({ minRttNs: ms(10), meanRttNs: ms(20), queueingDelayNs: ms(10), samples: 2 });
  });
});

describe('timestamp samples with a coarse TSval clock', () => {
  it('an echoed TSval stays timed from when it was first sent (RFC 7323 RTTM), not re-registered by later segments', () => {
    const rtt = new RttEstimator();
    rtt.onSend(0, 100, ms(0), 5);
    expect(rtt.onAck(2, 100, ms(0.5), 5).map((s) => [s.source, s.rttNs])).toEqual([['ack', ms(0.5)], ['timestamp', ms(0.5)]]);
    // Same 1 ms clock tick: the next segment carries TSval 5 again.
    rtt.onSend(100, 200, ms(0.6), 5);
    const samples = rtt.onAck(4, 200, ms(1.1), 5);
    expect(samples.find((s) => s.source === 'timestamp')?.rttNs).toBe(ms(1.1));
    expect(rtt.estimate().minRttNs).toBe(ms(0.5));
  });
});
