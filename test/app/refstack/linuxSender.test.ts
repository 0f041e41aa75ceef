import { describe, expect, it } from 'vitest';
import { LinuxSender, type LinuxSenderOptions } from '../../../app/refstack/linuxSender';
import { Synthetic } from './synthetic';

/* The Linux sender model on hand-made connections: MSS 1000, SACK on, handshake RTT 10 ms. */

function replay(s: Synthetic, options: Partial<LinuxSenderOptions> = {}): LinuxSender {
  const model = new LinuxSender({ congestion: 'reno', ...options });
  for (const e of s.events) model.step(e);
  model.finish();
  return model;
}

const cwndPackets = (m: LinuxSender) => m.snapshot().cwnd / 1000;
const ssthreshPackets = (m: LinuxSender) => {
  const ss = m.snapshot().ssthresh;
  return ss === null ? null : ss / 1000;
};

/** A connection grown by slow start to 20 packets, then sending a full window of 20 (packets 10..29). */
function grownTo20(): Synthetic {
  const s = new Synthetic().handshake(0, 0.01);
  s.send(0.02, 10);
  s.ackEach(0.03, 0, 10, 0.0005);
  s.send(0.04, 20);
  return s;
}

describe('Linux sender: slow start and the cwnd-limited rule', () => {
  it('starts with the initial window of 10 and an infinite ssthresh', () => {
    const s = new Synthetic().handshake(0, 0.01);
    const m = replay(s);
    expect(m.snapshot().established).toBe(true);
    expect(cwndPackets(m)).toBe(10);
    expect(ssthreshPackets(m)).toBeNull();
    expect(m.snapshot().srtt).toBeCloseTo(0.01, 6);
  });

  it('grows one packet per packet ACKed while cwnd-limited', () => {
    const s = new Synthetic().handshake(0, 0.01).send(0.02, 10).ackEach(0.03, 0, 10, 0.0005);
    const m = replay(s);
    expect(cwndPackets(m)).toBe(20);
    expect(m.stats().violations).toBe(0);
  });

  it('application-limited: grows only while cwnd is below twice the packets that were out', () => {
    // 3 packets out: 10 < 2 * 3 is false, so the ACKs do not grow cwnd (tcp_is_cwnd_limited).
    const few = new Synthetic().handshake(0, 0.01).send(0.02, 3).ackEach(0.03, 0, 3, 0.0005);
    expect(cwndPackets(replay(few))).toBe(10);
    // 7 packets out: growth stops once cwnd reaches 2 * 7.
    const more = new Synthetic().handshake(0, 0.01).send(0.02, 7).ackEach(0.03, 0, 7, 0.0005);
    expect(cwndPackets(replay(more))).toBe(14);
  });

  it('counts a transmission beyond cwnd as a violation and adopts the window the sender showed', () => {
    const s = new Synthetic().handshake(0, 0.01).send(0.02, 12);
    const m = replay(s);
    expect(m.stats().violations).toBe(2);
    expect(m.violations[0]).toMatchObject({ kind: 'cwnd', cwnd: 10, inFlight: 10 });
    expect(cwndPackets(m)).toBe(12);
  });

  it('counts underuse: idle with room, then sending right after an ACK', () => {
    const s = new Synthetic().handshake(0, 0.01).send(0.02, 2);
    s.ack(0.03, 1).send(0.03001, 1);
    const m = replay(s);
    expect(m.stats().underuse).toBe(1);
    expect(m.stats().violations).toBe(0);
  });

  it('restarts the window after an idle period longer than the RTO (tcp_cwnd_restart)', () => {
    const s = new Synthetic().handshake(0, 0.01).send(0.02, 10).ackEach(0.03, 0, 10, 0.0005);
    s.send(0.035, 20).ackEach(0.045, 10, 30, 0.0005);
    expect(cwndPackets(replay(s))).toBe(40);
    // RTO is about 0.21 s here; one second idle halves 40 -> 20 -> 10 (never below the initial window).
    s.send(1.1, 1);
    expect(cwndPackets(replay(s))).toBe(10);
  });
});

describe('Linux sender: loss recovery', () => {
  /** Packet 10 (the first of the 20) lost; SACKs for 11.. arrive one by one; sender retransmits on the third. */
  function lossOfTen(sacksBeforeRetransmit = 3): Synthetic {
    const s = grownTo20();
    for (let k = 1; k <= sacksBeforeRetransmit; k++) s.ack(0.05 + k * 0.0005, 10, [[11, 11 + k]]);
    s.resend(0.05 + sacksBeforeRetransmit * 0.0005 + 0.00001, 10);
    return s;
  }

  it('fast retransmit: RACK marks the hole lost after 3 SACKed packets and recovery halves ssthresh (Reno)', () => {
    const m = replay(lossOfTen());
    expect(m.snapshot().state).toBe('recovery');
    expect(ssthreshPackets(m)).toBe(10);
    expect(m.stats().violations).toBe(0);
    expect(m.debugState()).toMatchObject({ lost: 1, retrans: 1, sacked: 3 });
  });

  it('CUBIC reduces to 0.7 of cwnd', () => {
    const m = replay(lossOfTen(), { congestion: 'cubic', hystart: false });
    expect(ssthreshPackets(m)).toBe(14);
  });

  it('PRR (RFC 6937): one packet per two delivered while the pipe exceeds ssthresh, then one per delivered', () => {
    // After the retransmission, SACKs for 14..29 arrive one by one. The pipe starts at 17 packets:
    // proportional phase, ceil(ssthresh * delivered / prior_cwnd) - sent = ceil(10 * (k - 2) / 20) - sent,
    // allows a packet at every odd k up to 13; at k = 15 the pipe equals ssthresh (10), which Linux's
    // reduction bound does not exceed; from k = 16 each delivery allows one (packet conservation).
    const paced = (s: Synthetic, sendsAt: (k: number) => boolean) => {
      let t = 0.06;
      for (let k = 4; k <= 19; k++) {
        t += 0.0005;
        s.ack(t, 10, [[11, 11 + k]]);
        if (sendsAt(k)) s.send(t + 0.00001, 1);
      }
      return s;
    };
    const prr = replay(paced(lossOfTen(), (k) => (k < 14 ? k % 2 === 1 : k >= 16)));
    expect(prr.stats().violations).toBe(0);
    expect(cwndPackets(prr)).toBe(10);
    // Sending one per SACK from the start exceeds what PRR allows.
    const greedy = replay(paced(lossOfTen(), () => true), { adoptObservedWindow: false });
    expect(greedy.stats().violations).toBeGreaterThan(3);
  });

  it('ends recovery at ssthresh once everything sent before it is ACKed, then grows in congestion avoidance', () => {
    const s = lossOfTen();
    s.ack(0.06, 10, [[11, 30]]);
    // The retransmission fills the hole: one packet newly delivered, no growth beyond ssthresh.
    s.ack(0.07, 30);
    const m = replay(s);
    expect(m.snapshot().state).toBe('open');
    expect(cwndPackets(m)).toBe(10);
    // Congestion avoidance: one packet of growth per window of packets ACKed.
    s.send(0.071, 10).ackEach(0.08, 30, 40, 0.0005);
    expect(cwndPackets(replay(s))).toBe(11);
  });

  it('undoes the reduction when a DSACK shows the only retransmission was spurious', () => {
    const s = lossOfTen();
    s.ack(0.06, 10, [[11, 30]]);
    s.ack(0.07, 30);
    // The receiver reports packet 10 twice: a DSACK below the cumulative ACK.
    s.ack(0.071, 30, [[10, 11]]);
    const m = replay(s);
    expect(cwndPackets(m)).toBe(20);
    expect(ssthreshPackets(m)).toBeNull();
  });

  it('undoes by timestamps: the ACK echoes a TSval older than the retransmission (Eifel)', () => {
    const s = new Synthetic({ timestamps: true }).handshake(0, 0.01);
    s.send(0.02, 10, 20).ackEach(0.03, 0, 10, 0.0005);
    s.send(0.04, 20, 40);
    for (let k = 1; k <= 3; k++) s.ack(0.05 + k * 0.0005, 10, [[11, 11 + k]], { tsEcr: 40 });
    s.resend(0.0516, 10, 51);
    // The original packet 10 was only delayed: the ACK covering it echoes its TSval (40), not 51.
    s.ack(0.06, 30, [], { tsEcr: 40 });
    const m = replay(s);
    expect(m.snapshot().state).toBe('open');
    expect(ssthreshPackets(m)).toBeNull();
    // cwnd is back to 20 and, still in slow start, grows by the 17 packets this ACK delivered.
    expect(cwndPackets(m)).toBe(37);
  });

  it('a retransmission timeout collapses cwnd to 1 and slow-starts from there', () => {
    const s = new Synthetic().handshake(0, 0.01).send(0.02, 10);
    // Nothing is ACKed; the head is sent again half a second later: the RTO fired.
    s.resend(0.52, 0);
    const m = replay(s);
    expect(m.snapshot().state).toBe('loss');
    expect(cwndPackets(m)).toBe(1);
    expect(ssthreshPackets(m)).toBe(5);
    s.ack(0.53, 1);
    expect(cwndPackets(replay(s))).toBe(2);
  });
});
