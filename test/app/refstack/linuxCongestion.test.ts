import { describe, expect, it } from 'vitest';
import { congestionAvoidAdditive, linuxCubic, linuxReno, slowStart, type CongestionHost } from '../../../app/refstack/linuxCongestion';

/* The congestion-control hooks alone, driven through a stub socket. */

function host(cwnd: number, ssthresh = 0x7fffffff): CongestionHost {
  return { cwnd, ssthresh, cwndCount: 0, priorCwnd: 0, sndUna: 0, sndNxt: 0, now: 1000, isCwndLimited: () => true };
}

describe('Reno (tcp_cong.c)', () => {
  it('slow start grows by the packets ACKed and stops at ssthresh, returning the rest', () => {
    const tp = host(10, 14);
    expect(slowStart(tp, 3)).toBe(0);
    expect(tp.cwnd).toBe(13);
    expect(slowStart(tp, 3)).toBe(2);
    expect(tp.cwnd).toBe(14);
  });

  it('congestion avoidance adds one packet per cwnd packets ACKed, stretch ACKs included', () => {
    const tp = host(10, 10);
    const reno = linuxReno();
    for (let i = 0; i < 9; i++) reno.congestionAvoid(tp, 1);
    expect(tp.cwnd).toBe(10);
    reno.congestionAvoid(tp, 1);
    expect(tp.cwnd).toBe(11);
    // A stretch ACK of 25 packets at w = 11: two increments, the remainder kept.
    congestionAvoidAdditive(tp, 11, 25);
    expect(tp.cwnd).toBe(13);
    expect(tp.cwndCount).toBe(3);
  });

  it('does not grow when not cwnd-limited', () => {
    const tp = { ...host(10), isCwndLimited: () => false };
    linuxReno().congestionAvoid(tp, 5);
    expect(tp.cwnd).toBe(10);
  });

  it('halves on loss (at least 2) and undoes to the prior window', () => {
    const reno = linuxReno();
    expect(reno.ssthreshOnLoss(host(21))).toBe(10);
    expect(reno.ssthreshOnLoss(host(3))).toBe(2);
    expect(reno.undoCwnd({ ...host(8), priorCwnd: 20 })).toBe(20);
  });
});

describe('CUBIC (tcp_cubic.c, RFC 9438)', () => {
  const options = { hystart: false } as const;

  it('reduces to 717/1024 of cwnd and remembers W_max (with fast convergence below the last one)', () => {
    const cubic = linuxCubic(options);
    expect(cubic.ssthreshOnLoss(host(100))).toBe(70);
    expect(cubic.describe().lastMaxCwnd).toBe(100);
    // A second loss below W_max: W_max = cwnd * (1 + beta) / 2.
    expect(cubic.ssthreshOnLoss(host(80))).toBe(56);
    expect(cubic.describe().lastMaxCwnd).toBe(68);
  });

  it('grows along the cubic curve: concave up to W_max at about K seconds, convex beyond', () => {
    const cubic = linuxCubic(options);
    const tp = host(100);
    tp.ssthresh = cubic.ssthreshOnLoss(tp);
    tp.cwnd = tp.ssthresh;
    // K = cbrt(W_max * (1 - beta) / C) = cbrt(30 / 0.4) = 4.2 s. 100 ACKs per second keeps the
    // Reno-friendly estimate below the curve.
    const at: Record<number, number> = {};
    const start = tp.now;
    for (let i = 1; i <= 800; i++) {
      tp.now = start + i / 100;
      cubic.congestionAvoid(tp, 1);
      if (i % 100 === 0) at[i / 100] = tp.cwnd;
    }
    expect(at[4]).toBeGreaterThanOrEqual(97);
    expect(at[4]).toBeLessThanOrEqual(101);
    // Concave before K: more growth in the first two seconds than in the next two.
    expect(at[2] - 70).toBeGreaterThan(at[4] - at[2]);
    // Convex after K: growth speeds up again.
    expect(at[8] - at[6]).toBeGreaterThan(at[6] - at[4]);
    expect(at[8]).toBeGreaterThan(110);
  });

  it('HyStart ACK train: ACKs closely spaced for longer than half the minimum delay end slow start', () => {
    const cubic = linuxCubic({ ...options, hystart: true });
    const tp = host(20);
    tp.sndNxt = 100;
    cubic.packetsAcked(tp, null); // tcp_init_congestion_control
    // A new round: snd_una passes the round's end; ACKs 0.3 ms apart with a 1 ms minimum RTT.
    tp.sndUna = 101;
    tp.sndNxt = 200;
    for (let i = 0; i < 3; i++) {
      tp.now += 0.0003;
      cubic.packetsAcked(tp, 0.001);
    }
    expect(cubic.describe().hystartFound).toBe(true);
    expect(tp.ssthresh).toBe(20);
  });

  it('HyStart does not start below the low window of 16 packets', () => {
    const cubic = linuxCubic({ ...options, hystart: true });
    const tp = host(12);
    cubic.packetsAcked(tp, null);
    tp.sndUna = 1;
    for (let i = 0; i < 10; i++) {
      tp.now += 0.0003;
      cubic.packetsAcked(tp, 0.001);
    }
    expect(cubic.describe().hystartFound).toBe(false);
    expect(tp.ssthresh).toBe(0x7fffffff);
  });

  it('an RTO resets the curve and HyStart', () => {
    const cubic = linuxCubic(options);
    cubic.ssthreshOnLoss(host(100));
    cubic.enterLoss(host(1));
    expect(cubic.describe()).toMatchObject({ lastMaxCwnd: 0, epochStart: 0, hystartFound: false });
  });
});
