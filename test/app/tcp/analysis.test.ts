import { describe, expect, it } from 'vitest';
import { durationBetween, TcpAnalysisFlag as A, TcpConversationAnalysis, TcpFlag, type TcpFrameAnalysis, type TcpSegment } from '../../../app/tcp/analysis';

/*
 * Wireshark's sequence analysis on hand-built conversations. Direction 0 is the client (10.0.0.1), 1 the
 * server. Expected values were checked against tshark 4.0 behaviour (packet-tcp.c tcp_analyze_sequence_number).
 */

const { syn, ack, fin, rst, psh } = TcpFlag;
const CLIENT_ISN = 1000;
const SERVER_ISN = 50_000;

interface SegSpec {
  dir: 0 | 1;
  /** Capture time in ms since the start. */
  ms: number;
  flags: number;
  /** Relative sequence and acknowledgment numbers (turned raw here). */
  seq: number;
  ack?: number;
  len?: number;
  window?: number;
  ws?: number;
  sack?: [number, number][];
}

class Conversation {
  readonly analysis = new TcpConversationAnalysis(0, 1_700_000_000, 0);
  private frame = 0;
  private first = true;

  send(s: SegSpec): TcpFrameAnalysis {
    const isn = s.dir === 0 ? CLIENT_ISN : SERVER_ISN;
    const peerIsn = s.dir === 0 ? SERVER_ISN : CLIENT_ISN;
    const ns = Math.round(s.ms * 1e6);
    const seg: TcpSegment = {
      frame: ++this.frame,
      tsSeconds: 1_700_000_000 + Math.floor(ns / 1e9),
      tsNanos: ns % 1e9,
      seq: (isn + s.seq) >>> 0,
      ack: s.ack === undefined ? 0 : (peerIsn + s.ack) >>> 0,
      flags: s.flags,
      window: s.window ?? 1000,
      payloadLength: s.len ?? 0,
      windowScale: s.ws ?? null,
      sack: s.sack ? s.sack.flatMap(([l, r]) => [(peerIsn + l) >>> 0, (peerIsn + r) >>> 0]) : null,
      headerLength: 20,
      optionsUnreadable: false,
    };
    // A copy: analyze refills one result (and its acked part) for every segment.
    const analysed = this.analysis.analyze(seg, s.dir, this.first, false);
    const result = { ...analysed, acked: analysed.acked && { ...analysed.acked } };
    this.first = false;
    return result;
  }

  handshake(ws?: [number, number]): void {
    this.send({ dir: 0, ms: 0, flags: syn, seq: 0, ws: ws?.[0] });
    this.send({ dir: 1, ms: 10, flags: syn | ack, seq: 0, ack: 1, ws: ws?.[1] });
    this.send({ dir: 0, ms: 20, flags: ack, seq: 1, ack: 1 });
  }
}

const flagsOf = (r: TcpFrameAnalysis) => r.acked?.flags ?? 0;

describe('relative numbers, window scaling and iRTT', () => {
  it('handshake gives relative numbers starting at 0 and the initial RTT', () => {
    const c = new Conversation();
    const synResult = c.send({ dir: 0, ms: 0, flags: syn, seq: 0, ws: 7 });
    expect([synResult.seq, synResult.nxtseq, synResult.ack]).toEqual([0, 1, 0]);
    const synAck = c.send({ dir: 1, ms: 10, flags: syn | ack, seq: 0, ack: 1, ws: 8 });
    expect([synAck.seq, synAck.ack, synAck.windowSize, synAck.windowScaleFactor]).toEqual([0, 1, 1000, null]);
    const third = c.send({ dir: 0, ms: 25, flags: ack, seq: 1, ack: 1 });
    expect(third.initialRtt).toEqual({ seconds: 0, nanos: 25_000_000 });
    expect([third.windowSize, third.windowScaleFactor]).toEqual([1000 << 7, 128]);
    const data = c.send({ dir: 1, ms: 30, flags: ack | psh, seq: 1, ack: 1, len: 100 });
    expect([data.seq, data.nxtseq, data.windowSize, data.windowScaleFactor]).toEqual([1, 101, 1000 << 8, 256]);
  });

  it('scaling is off for both sides when the SYN-ACK lacks the option', () => {
    const c = new Conversation();
    c.handshake([7, undefined as unknown as number]);
    const r = c.send({ dir: 0, ms: 30, flags: ack, seq: 1, ack: 1, window: 500 });
    expect([r.windowSize, r.windowScaleFactor]).toEqual([500, -2]);
  });

  it('without the handshake the scale is unknown and numbers start at 1', () => {
    const c = new Conversation();
    const r = c.send({ dir: 0, ms: 0, flags: ack | psh, seq: 77, ack: 9, len: 10, window: 300 });
    expect([r.seq, r.ack, r.nxtseq, r.windowSize, r.windowScaleFactor]).toEqual([1, 1, 11, 300, -1]);
  });
});

describe('analysis flags', () => {
  it('acknowledgment of a segment: acks_frame and ack_rtt', () => {
    const c = new Conversation();
    c.handshake();
    c.send({ dir: 0, ms: 30, flags: ack | psh, seq: 1, ack: 1, len: 100 });
    const r = c.send({ dir: 1, ms: 42, flags: ack, seq: 1, ack: 101 });
    expect(r.acked?.frameAcked).toBe(4);
    expect(r.acked?.ackRtt).toEqual({ seconds: 0, nanos: 12_000_000 });
  });

  it('duplicate ACKs, then a fast retransmission within 20 ms', () => {
    const c = new Conversation();
    c.handshake();
    c.send({ dir: 0, ms: 30, flags: ack, seq: 1, ack: 1, len: 100 });
    c.send({ dir: 0, ms: 30, flags: ack, seq: 101, ack: 1, len: 100 });
    c.send({ dir: 0, ms: 30, flags: ack, seq: 201, ack: 1, len: 100 });
    c.send({ dir: 1, ms: 40, flags: ack, seq: 1, ack: 101 });
    const dup1 = c.send({ dir: 1, ms: 41, flags: ack, seq: 1, ack: 101 });
    const dup2 = c.send({ dir: 1, ms: 42, flags: ack, seq: 1, ack: 101 });
    expect(flagsOf(dup1) & A.duplicateAck).toBeTruthy();
    expect([dup2.acked?.dupAckNum, dup2.acked?.dupAckFrame]).toEqual([2, 7]);
    const fast = c.send({ dir: 0, ms: 45, flags: ack, seq: 101, ack: 1, len: 100 });
    expect(flagsOf(fast)).toBe(A.fastRetransmission);
  });

  it('a late repeat is a retransmission, with the RTO measured from the oldest unacknowledged segment', () => {
    const c = new Conversation();
    c.handshake();
    c.send({ dir: 0, ms: 30, flags: ack, seq: 1, ack: 1, len: 100 });
    c.send({ dir: 0, ms: 31, flags: ack, seq: 101, ack: 1, len: 100 });
    const r = c.send({ dir: 0, ms: 300, flags: ack, seq: 1, ack: 1, len: 100 });
    expect(flagsOf(r)).toBe(A.retransmission);
    expect([r.acked?.rtoFrame, r.acked?.rto]).toEqual([4, { seconds: 0, nanos: 270_000_000 }]);
  });

  it('an earlier segment within the out-of-order window (3 ms without iRTT) is out of order', () => {
    const c = new Conversation();
    c.send({ dir: 0, ms: 0, flags: ack, seq: 1, ack: 1, len: 100 });
    const ahead = c.send({ dir: 0, ms: 1, flags: ack, seq: 201, ack: 1, len: 100 });
    expect(flagsOf(ahead)).toBe(A.lostSegment);
    const late = c.send({ dir: 0, ms: 2, flags: ack, seq: 101, ack: 1, len: 100 });
    expect(flagsOf(late)).toBe(A.outOfOrder);
  });

  it('data below what the peer acknowledged is a spurious retransmission', () => {
    const c = new Conversation();
    c.handshake();
    c.send({ dir: 0, ms: 30, flags: ack, seq: 1, ack: 1, len: 100 });
    c.send({ dir: 1, ms: 40, flags: ack, seq: 1, ack: 101 });
    expect(flagsOf(c.send({ dir: 0, ms: 300, flags: ack, seq: 1, ack: 1, len: 100 }))).toBe(A.spuriousRetransmission);
  });

  it('an ACK for data never seen is an "ACKed unseen segment"', () => {
    const c = new Conversation();
    c.handshake();
    c.send({ dir: 0, ms: 30, flags: ack, seq: 1, ack: 1, len: 100 });
    expect(flagsOf(c.send({ dir: 1, ms: 40, flags: ack, seq: 1, ack: 301 }))).toBe(A.ackLostSegment);
  });

  it("reproduces Wireshark's unsigned -1: after an unseen-segment ACK a quick repeat reads as a fast retransmission", () => {
    // dupacknum is a guint32 set to -1; "dupacknum >= 2" is then true (packet-tcp.c, 4.0).
    const c = new Conversation();
    c.handshake();
    c.send({ dir: 1, ms: 30, flags: fin | ack, seq: 1, ack: 1 });
    c.send({ dir: 0, ms: 40, flags: ack, seq: 1, ack: 1, len: 100 });
    const r = c.send({ dir: 1, ms: 41, flags: fin | ack, seq: 1, ack: 301 });
    expect(flagsOf(r)).toBe(A.fastRetransmission | A.ackLostSegment);
  });

  it('window update, zero window, zero window probe and its ACK', () => {
    const c = new Conversation();
    c.handshake();
    expect(flagsOf(c.send({ dir: 1, ms: 30, flags: ack, seq: 1, ack: 1, window: 0 }))).toBe(A.zeroWindow);
    expect(flagsOf(c.send({ dir: 0, ms: 40, flags: ack, seq: 1, ack: 1, len: 1 }))).toBe(A.zeroWindowProbe);
    expect(flagsOf(c.send({ dir: 1, ms: 50, flags: ack, seq: 1, ack: 1, window: 0 }))).toBe(A.zeroWindow | A.zeroWindowProbeAck);
    expect(flagsOf(c.send({ dir: 1, ms: 60, flags: ack, seq: 1, ack: 1, window: 800 }))).toBe(A.windowUpdate);
  });

  it('keep-alive one byte before the next sequence number, and its ACK', () => {
    const c = new Conversation();
    c.handshake();
    c.send({ dir: 0, ms: 30, flags: ack, seq: 1, ack: 1, len: 10 });
    c.send({ dir: 1, ms: 40, flags: ack, seq: 1, ack: 11 });
    expect(flagsOf(c.send({ dir: 0, ms: 5000, flags: ack, seq: 10, ack: 1, len: 1 }))).toBe(A.keepAlive);
    expect(flagsOf(c.send({ dir: 1, ms: 5010, flags: ack, seq: 1, ack: 11 }))).toBe(A.keepAliveAck);
  });

  it('data filling the advertised window is "window full"', () => {
    const c = new Conversation();
    c.handshake();
    c.send({ dir: 1, ms: 30, flags: ack, seq: 1, ack: 1, window: 200 });
    expect(flagsOf(c.send({ dir: 0, ms: 40, flags: ack, seq: 1, ack: 1, len: 200 }))).toBe(A.windowFull);
  });

  it("bytes in flight: the sender's unacknowledged span less the peer's SACKed bytes", () => {
    const c = new Conversation();
    c.handshake();
    expect(c.send({ dir: 0, ms: 30, flags: ack, seq: 1, ack: 1, len: 100 }).acked?.bytesInFlight).toBe(100);
    expect(c.send({ dir: 0, ms: 31, flags: ack, seq: 101, ack: 1, len: 100 }).acked?.bytesInFlight).toBe(200);
    c.send({ dir: 0, ms: 32, flags: ack, seq: 201, ack: 1, len: 100 });
    c.send({ dir: 1, ms: 40, flags: ack, seq: 1, ack: 101, sack: [[201, 301]] });
    expect(c.send({ dir: 0, ms: 41, flags: ack, seq: 301, ack: 1, len: 100 }).acked?.bytesInFlight).toBe(200);
  });

  it('a pure ACK has no bytes in flight (Wireshark never shows 0)', () => {
    const c = new Conversation();
    c.handshake();
    c.send({ dir: 0, ms: 30, flags: ack, seq: 1, ack: 1, len: 100 });
    expect(c.send({ dir: 1, ms: 40, flags: ack, seq: 1, ack: 101 }).acked?.bytesInFlight).toBe(0);
  });

  it('a repeated SYN is analysed as a retransmission', () => {
    const c = new Conversation();
    c.send({ dir: 0, ms: 0, flags: syn, seq: 0 });
    expect(c.analysis.synStartsNewConversation(0, CLIENT_ISN)).toBe(false);
    expect(c.analysis.synStartsNewConversation(0, CLIENT_ISN + 5)).toBe(true);
    expect(flagsOf(c.send({ dir: 0, ms: 1000, flags: syn, seq: 0 }))).toBe(A.retransmission);
  });

  it('a RST is never a lost segment', () => {
    const c = new Conversation();
    c.handshake();
    expect(flagsOf(c.send({ dir: 0, ms: 30, flags: rst | ack, seq: 500, ack: 1 }))).toBe(0);
  });

  it('time since the first and the previous frame, with negative steps kept signed', () => {
    const c = new Conversation();
    c.send({ dir: 0, ms: 10, flags: ack, seq: 1, ack: 1 });
    const back = c.send({ dir: 1, ms: 9.5, flags: ack, seq: 1, ack: 1 });
    expect([back.firstSeconds, back.firstNanos, back.previousSeconds, back.previousNanos]).toEqual([1_700_000_000, 0, 1_700_000_000, 10_000_000]);
    expect(durationBetween(1_700_000_000, 9_500_000, back.previousSeconds, back.previousNanos)).toEqual({ seconds: 0, nanos: -500_000 });
  });
});
