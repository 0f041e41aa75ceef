import { seqAdd, seqDiff, seqGe, seqGt, seqLe, seqLt } from './seq';
import { DOUBLE_ZERO } from '../decode/bytes';

/*
 * Wireshark's TCP sequence analysis (tcp_analyze_sequence_number and its callers in
 * epan/dissectors/packet-tcp.c, Wireshark 4.0), re-implemented from its documented behaviour so that
 * tcp.analysis.* agrees with tshark frame for frame. Its rules are heuristics, not RFC semantics: the
 * comments say where they deviate from RFC 9293 and why we keep them (agreement). Our own RFC-based
 * views live elsewhere: state.ts (RFC 9293 state machine), rtt.ts (RFC 6298), reassembly.ts.
 *
 * Everything is in 32-bit sequence space; Wireshark uses 0 as "not seen yet" for nextseq, lastack and
 * maxseqtobeacked, and so do we, including its blind spot when a real value is 0 mod 2^32.
 */

/** Wireshark's TCP_A_* analysis flags. */
export const TcpAnalysisFlag = {
  retransmission: 0x0001,
  lostSegment: 0x0002,
  ackLostSegment: 0x0004,
  keepAlive: 0x0008,
  duplicateAck: 0x0010,
  zeroWindow: 0x0020,
  zeroWindowProbe: 0x0040,
  zeroWindowProbeAck: 0x0080,
  keepAliveAck: 0x0100,
  outOfOrder: 0x0200,
  fastRetransmission: 0x0400,
  windowUpdate: 0x0800,
  windowFull: 0x1000,
  reusedPorts: 0x2000,
  spuriousRetransmission: 0x4000,
} as const;

export const TcpFlag = {
  fin: 0x001,
  syn: 0x002,
  rst: 0x004,
  psh: 0x008,
  ack: 0x010,
  urg: 0x020,
  ece: 0x040,
  cwr: 0x080,
} as const;

const { fin: FIN, syn: SYN, rst: RST, psh: PSH, ack: ACK } = TcpFlag;
const A = TcpAnalysisFlag;

/** Wireshark keeps at most this many unacknowledged segments per direction (TCP_MAX_UNACKED_SEGMENTS). */
export const MAX_UNACKED_SEGMENTS = 10_000;
/** SACK blocks remembered for bytes in flight: Wireshark stores blocks 1..3 of MAX_TCP_SACK_RANGES = 4. */
const MAX_STORED_SACK_BLOCKS = 3;
/**
 * Wireshark's (guint32)-1 marker in the duplicate ACK counter, kept as -1: 0xffffffff is no small integer,
 * and storing it would turn the counter of every flow into a double and throw away the optimised analysis.
 * Where Wireshark compares the unsigned marker with a count (the fast retransmission test), it is more than any.
 */
const DUP_ACK_NEUTRALIZED = -1;
/** RFC 9293 section 3.1: the data offset is at least 5 words. */
const MIN_HEADER_LENGTH = 20;
const FAST_RETRANSMISSION_WINDOW_NS = 20_000_000;
const DEFAULT_OUT_OF_ORDER_WINDOW_NS = 3_000_000;
/** Window scale: -1 = not known (no SYN seen), -2 = the handshake showed scaling is not used. */
export const WINDOW_SCALE_UNKNOWN = -1;
export const WINDOW_SCALE_NONE = -2;
/** RFC 7323 section 2.3: a shift over 14 is logged and treated as 14. */
export const MAX_WINDOW_SHIFT = 14;

/** One observed TCP segment, as the analysis needs it (header values are raw, 32-bit). */
export interface TcpSegment {
  frame: number;
  /** Capture time: whole seconds and nanoseconds. */
  tsSeconds: number;
  tsNanos: number;
  seq: number;
  ack: number;
  /** The 12 flag bits. */
  flags: number;
  /** The unscaled window field. */
  window: number;
  /** tcp.len: payload bytes announced by the IP length, or null when unknown (IP fragment, header cut short). */
  payloadLength: number | null;
  /** Window scale option shift (as sent, before capping), or null when absent. */
  windowScale: number | null;
  /** SACK blocks as raw sequence numbers [left0, right0, ...]; null when the segment has no SACK option. */
  sack: readonly number[] | null;
  /** Data offset in bytes. */
  headerLength: number;
  /** The options run past the captured bytes: Wireshark's option dissection throws and prints no analysis. */
  optionsUnreadable: boolean;
}

/** The per-frame result Wireshark keeps in its tcp_acked struct ("ta"); absent when it created none. */
export interface TcpAckedInfo {
  flags: number;
  dupAckNum: number;
  dupAckFrame: number;
  /** Frame whose data this segment acknowledges exactly (0 if none). */
  frameAcked: number;
  /** Time since that frame (null, or zero: Wireshark shows no RTT). */
  ackRtt: Duration | null;
  bytesInFlight: number;
  pushBytesSent: number;
  /** For retransmissions: time since the oldest unacknowledged segment (or the last new data). */
  rto: Duration | null;
  rtoFrame: number;
}

export interface TcpFrameAnalysis {
  stream: number;
  /** tcp.completeness as Wireshark shows it: the value before this frame. */
  completeness: number;
  /** Relative sequence number, next sequence number and acknowledgment (raw ack when ACK is clear). */
  seq: number;
  /** null when the segment length is unknown. */
  nxtseq: number | null;
  ack: number;
  /** tcp.window_size: the window scaled by the sender's shift (unscaled when the segment length is unknown). */
  windowSize: number;
  /** tcp.window_size_scalefactor: -1 unknown, -2 not used, else the multiplier; null on SYNs. */
  windowScaleFactor: number | null;
  /** When the conversation's first frame and its previous frame were seen (tcp.time_relative and tcp.time_delta measure from them). */
  firstSeconds: number;
  firstNanos: number;
  previousSeconds: number;
  previousNanos: number;
  /** iRTT: SYN to the first pure ACK (null = not known). Shown only with the analysis subtree. */
  initialRtt: Duration | null;
  /** The data offset is below 20 bytes: Wireshark shows only tcp.stream and tcp.seq. */
  headerTooShort: boolean;
  /** False when Wireshark stops before printing the analysis (the options could not be read). */
  analysisShown: boolean;
  acked: TcpAckedInfo | null;
  /** Direction within the conversation: 0 = from endpoint A (the first packet's source), 1 = from B. */
  direction: 0 | 1;
  /** What SACK edges of this segment are shown relative to: the peer's base (0 while unknown: raw edges). */
  sackBase: number;
}

interface UnackedSegment {
  frame: number;
  seq: number;
  nextseq: number;
  tsSeconds: number;
  tsNanos: number;
}

/** A duration as Wireshark's nstime_t: seconds and nanoseconds carry the same sign. */
export interface Duration {
  seconds: number;
  nanos: number;
}

function deltaNs(seconds: number, nanos: number, sinceSeconds: number, sinceNanos: number): number {
  return (seconds - sinceSeconds) * 1e9 + (nanos - sinceNanos);
}

/** Exact difference of two capture times (Wireshark's nstime_delta, including its sign convention). */
export function durationBetween(seconds: number, nanos: number, sinceSeconds: number, sinceNanos: number): Duration {
  let s = seconds - sinceSeconds;
  let n = nanos - sinceNanos;
  if (s > 0 && n < 0) {
    n += 1e9;
    s--;
  } else if (s < 0 && n > 0) {
    n -= 1e9;
    s++;
  }
  return { seconds: s, nanos: n };
}

function isZero(d: Duration | null): boolean {
  return d === null || (d.seconds === 0 && d.nanos === 0);
}

function durationNs(d: Duration): number {
  return d.seconds * 1e9 + d.nanos;
}

/** One direction of a conversation: what Wireshark's tcp_flow_t and tcp_analyze_seq_flow_info_t hold. */
export class TcpFlowAnalysis {
  /** Sequence number that relative numbers count from (the ISN, or first seq - 1 without a SYN). */
  baseSeq = 0;
  baseSeqSet = false;
  /** Window shift this side announced (WINDOW_SCALE_UNKNOWN / _NONE, or 0..14). */
  windowScale = WINDOW_SCALE_UNKNOWN;
  /** Last raw window field sent by this side (0xffffffff before any). */
  window = 0xffffffff;
  /** Cleared by this side's first pure ACK after a SYN; until then its window is not scaled for "window full". */
  isFirstAck = false;
  /** Bytes in flight are shown only while no segment was lost in this direction since the peer's last ACK. */
  validBytesInFlight = true;
  /** Highest sequence number after data seen so far (0 = none yet). */
  nextseq = 0;
  nextseqFrame = 0;
  nextseqSeconds = 0;
  nextseqNanos = 0;
  /** Last acknowledgment number this side sent (0 = none yet), and when. */
  lastAck = 0;
  lastAckSeconds = 0;
  lastAckNanos = 0;
  /** Frame of this side's last ACK that changed the acknowledgment number. */
  lastNonDupAck = 0;
  /**
   * Duplicate ACKs since then. Wireshark sets it to -1 after an "ACKed unseen segment" in the other
   * direction, in an unsigned field: it then reads as 4294967295, which also passes the ">= 2 duplicate
   * ACKs" test of fast retransmission. We keep the unsigned value to reproduce that.
   */
  dupAckNum = 0;
  /** Highest contiguous sequence number seen, what an ACK may legitimately cover (0 = none). */
  maxSeqToBeAcked = 0;
  /** Analysis flags of this side's previous segment (keep-alive and zero-window probe ACK detection). */
  lastSegmentFlags = 0;
  /** Segments sent and not yet acknowledged, oldest first. */
  unacked: UnackedSegment[] = [];
  /**
   * Whether unacked is in order: every segment starts and ends at or after the one before it, in sequence
   * space and relative to baseSeq alike, within a span short enough (IN_ORDER_SPAN) for 32-bit comparisons
   * to be linear. Then the segments an ACK covers are a prefix, and the span in flight runs from the first
   * to the last, so a fast transfer with a thousand segments outstanding is not walked on every packet.
   * Holds from when the list was last empty until a retransmission or a reordering; then the full walks
   * (which Wireshark does) take over.
   */
  unackedInOrder = true;
  /** SACK blocks of this side's last segment, relative to the peer's base (Wireshark keeps at most 3). */
  sackBlockCount = 0;
  readonly sackLeft: number[] = [DOUBLE_ZERO, DOUBLE_ZERO, DOUBLE_ZERO];
  readonly sackRight: number[] = [DOUBLE_ZERO, DOUBLE_ZERO, DOUBLE_ZERO];
  pushBytesSent = 0;
  pushSetLast = false;
}

/**
 * The analysis state of one TCP conversation (one tcp.stream). Direction 0 is endpoint A, the source of
 * the conversation's first packet.
 */
export class TcpConversationAnalysis {
  readonly flows: [TcpFlowAnalysis, TcpFlowAnalysis] = [new TcpFlowAnalysis(), new TcpFlowAnalysis()];
  /** tcp.completeness bits: 1 SYN, 2 SYN-ACK, 4 ACK, 8 data, 16 FIN, 32 RST. */
  completeness = 0;
  private firstSeconds: number;
  private firstNanos: number;
  private prevSeconds: number;
  private prevNanos: number;
  /** Time of the most recent pure SYN (0/0 = none). */
  private lastSynSeconds = 0;
  private lastSynNanos = 0;
  /** SYN to the first pure ACK (null = not known). */
  initialRtt: Duration | null = null;
  /** What analyze returns, refilled for every segment (not a new object per frame): read it before the next. */
  private readonly result: TcpFrameAnalysis;
  /** The result's acked part, when a segment has one: refilled like the result. */
  private readonly acked: TcpAckedInfo = { flags: 0, dupAckNum: 0, dupAckFrame: 0, frameAcked: 0, ackRtt: null, bytesInFlight: 0, pushBytesSent: 0, rto: null, rtoFrame: 0 };

  constructor(
    readonly stream: number,
    firstSeconds: number,
    firstNanos: number,
  ) {
    this.firstSeconds = this.prevSeconds = firstSeconds;
    this.firstNanos = this.prevNanos = firstNanos;
    this.result = {
      stream,
      completeness: 0,
      seq: DOUBLE_ZERO,
      nxtseq: null,
      ack: DOUBLE_ZERO,
      windowSize: DOUBLE_ZERO,
      windowScaleFactor: null,
      firstSeconds: DOUBLE_ZERO,
      firstNanos: 0,
      previousSeconds: DOUBLE_ZERO,
      previousNanos: 0,
      initialRtt: null,
      headerTooShort: false,
      analysisShown: true,
      acked: null,
      direction: 0,
      sackBase: DOUBLE_ZERO,
    };
  }

  /**
   * Whether a pure SYN starts a new conversation on this tuple (Wireshark: a SYN whose sequence number
   * differs from the base of its direction; RFC 9293 section 3.10.7.4 would rather look at the state).
   */
  synStartsNewConversation(direction: 0 | 1, seq: number): boolean {
    const fwd = this.flows[direction];
    return fwd.baseSeqSet && fwd.baseSeq !== seq >>> 0;
  }

  /** Analyses one segment of this conversation; `reusedPorts` marks the SYN that started it on an old tuple. The result is one object refilled for every segment of the conversation. */
  analyze(seg: TcpSegment, direction: 0 | 1, conversationIsNew: boolean, reusedPorts: boolean): TcpFrameAnalysis {
    const fwd = this.flows[direction];
    const rev = this.flows[direction === 0 ? 1 : 0];
    const flags = seg.flags;
    const seq = seg.seq >>> 0;
    const ack = seg.ack >>> 0;
    let acked: TcpAckedInfo | null = null;

    if (reusedPorts) (acked ??= this.newAcked()).flags |= A.reusedPorts;
    const pureSyn = (flags & (SYN | ACK)) === SYN;
    if (pureSyn && fwd.baseSeqSet && fwd.baseSeq === seq) {
      // A retransmitted SYN: undo what a RST sent with seq = the peer's ack may have done (Wireshark issue 17616).
      fwd.nextseq = fwd.maxSeqToBeAcked;
      acked ??= this.newAcked();
    }
    if ((flags & (SYN | ACK)) === (SYN | ACK) && fwd.baseSeqSet && seq !== fwd.baseSeq) {
      fwd.baseSeq = seq;
      fwd.unackedInOrder = false;
      (acked ??= this.newAcked()).flags |= A.reusedPorts;
    }

    const completenessShown = this.completeness;
    const previousSeconds = this.prevSeconds;
    const previousNanos = this.prevNanos;
    this.prevSeconds = seg.tsSeconds;
    this.prevNanos = seg.tsNanos;
    // Wireshark resets this side's SACK memory for every segment; the options of this one refill it below.
    fwd.sackBlockCount = 0;

    const seglen = seg.payloadLength;
    let relSeq = seq;
    let relAck = ack;
    let nxtseq: number | null = null;
    let windowSize = seg.window;
    if (seglen !== null) {
      if (!fwd.baseSeqSet) {
        fwd.baseSeq = flags & SYN ? seq : (seq - 1) >>> 0;
        fwd.baseSeqSet = true;
      }
      // The ISN of the other side is taken from the first ACK field seen (usually the SYN-ACK's).
      if (!rev.baseSeqSet && flags & ACK) {
        rev.baseSeq = (ack - 1) >>> 0;
        rev.baseSeqSet = true;
      }
      acked = this.analyzeSequence(seg, seq, ack, seglen, fwd, rev, acked);
      relSeq = (seq - fwd.baseSeq) >>> 0;
      if (flags & ACK) relAck = (ack - rev.baseSeq) >>> 0;
      // SYNs are never scaled (RFC 7323 section 2.2).
      if (!(flags & SYN) && fwd.windowScale >= 0) windowSize = (seg.window << fwd.windowScale) >>> 0;
      nxtseq = seqAdd(relSeq, seglen + (flags & (SYN | FIN) ? 1 : 0));
    }
    const windowScaleFactor = flags & SYN ? null : fwd.windowScale >= 0 ? 1 << fwd.windowScale : fwd.windowScale;

    this.updateCompleteness(flags, seglen ?? 0, conversationIsNew);
    if (flags & SYN) {
      if (!(flags & ACK)) {
        this.lastSynSeconds = seg.tsSeconds;
        this.lastSynNanos = seg.tsNanos;
      }
      fwd.isFirstAck = true;
    }
    if ((flags & (SYN | ACK)) === ACK) {
      if ((this.lastSynSeconds !== 0 || this.lastSynNanos !== 0) && isZero(this.initialRtt)) {
        this.initialRtt = durationBetween(seg.tsSeconds, seg.tsNanos, this.lastSynSeconds, this.lastSynNanos);
      }
      fwd.isFirstAck = false;
    }

    // Options come after the analysis in Wireshark: they take effect from the next segment on.
    if (seg.windowScale !== null) fwd.windowScale = Math.min(seg.windowScale, MAX_WINDOW_SHIFT);
    if (seg.sack !== null && rev.baseSeqSet !== undefined) this.storeSack(fwd, rev, seg.sack);
    if (flags & SYN) this.verifyWindowScaling((flags & ACK) !== 0, fwd, rev);

    const r = this.result;
    r.completeness = completenessShown;
    r.seq = relSeq;
    r.nxtseq = nxtseq;
    r.ack = relAck;
    r.windowSize = windowSize;
    r.windowScaleFactor = windowScaleFactor;
    r.firstSeconds = this.firstSeconds;
    r.firstNanos = this.firstNanos;
    r.previousSeconds = previousSeconds;
    r.previousNanos = previousNanos;
    r.initialRtt = isZero(this.initialRtt) ? null : this.initialRtt;
    r.headerTooShort = seg.headerLength < MIN_HEADER_LENGTH;
    r.analysisShown = seg.headerLength >= MIN_HEADER_LENGTH && !seg.optionsUnreadable;
    r.acked = acked;
    r.direction = direction;
    r.sackBase = rev.baseSeq;
    return r;
  }

  /** The acked part of this segment's result, cleared. */
  private newAcked(): TcpAckedInfo {
    const a = this.acked;
    a.flags = 0;
    a.dupAckNum = 0;
    a.dupAckFrame = 0;
    a.frameAcked = 0;
    a.ackRtt = null;
    a.bytesInFlight = 0;
    a.pushBytesSent = 0;
    a.rto = null;
    a.rtoFrame = 0;
    return a;
  }

  private updateCompleteness(flags: number, seglen: number, conversationIsNew: boolean): void {
    let value = this.completeness;
    if (conversationIsNew) {
      if ((flags & (SYN | ACK)) === SYN) {
        value |= 1;
        if (seglen > 0) value |= 8; // TCP Fast Open data on the SYN
      }
    } else {
      if ((flags & (SYN | ACK)) === (SYN | ACK)) value |= 2;
      if ((flags & (SYN | ACK)) === ACK) value |= seglen > 0 ? 8 : 4;
      if ((flags & (FIN | ACK)) === (FIN | ACK)) value |= 16;
      if (flags & RST) value |= 32;
    }
    this.completeness = value;
  }

  /** Wireshark's verify_tcp_window_scaling: scaling is in use only if both SYNs carried the option. */
  private verifyWindowScaling(isSynAck: boolean, fwd: TcpFlowAnalysis, rev: TcpFlowAnalysis): void {
    if (fwd.windowScale === WINDOW_SCALE_UNKNOWN) {
      fwd.windowScale = WINDOW_SCALE_NONE;
      rev.windowScale = WINDOW_SCALE_NONE;
    } else if (isSynAck && rev.windowScale === WINDOW_SCALE_NONE) {
      fwd.windowScale = WINDOW_SCALE_NONE;
    }
  }

  private storeSack(fwd: TcpFlowAnalysis, rev: TcpFlowAnalysis, sack: readonly number[]): void {
    const base = rev.baseSeq;
    let count = 0;
    for (let i = 0; i + 1 < sack.length && count < MAX_STORED_SACK_BLOCKS; i += 2) {
      fwd.sackLeft[count] = (sack[i] - base) >>> 0;
      fwd.sackRight[count] = (sack[i + 1] - base) >>> 0;
      count++;
    }
    fwd.sackBlockCount = count;
  }

  /** tcp_analyze_sequence_number: flags for this segment, acknowledged segments, bytes in flight. */
  private analyzeSequence(
    seg: TcpSegment,
    seq: number,
    ack: number,
    seglen: number,
    fwd: TcpFlowAnalysis,
    rev: TcpFlowAnalysis,
    existing: TcpAckedInfo | null,
  ): TcpAckedInfo | null {
    let acked = existing;
    const flags = seg.flags;
    const window = seg.window;
    const nowS = seg.tsSeconds;
    const nowN = seg.tsNanos;

    if (flags & ACK) rev.validBytesInFlight = true;

    // The checks before finishedForward mirror Wireshark's order; some end the forward checks early.
    checks: {
      // Zero window probe: one byte at the next expected sequence number into a zero window.
      if (seglen === 1 && seq === fwd.nextseq && rev.window === 0) {
        (acked ??= this.newAcked()).flags |= A.zeroWindowProbe;
        break checks;
      }
      if (window === 0 && (flags & (RST | FIN | SYN)) === 0) (acked ??= this.newAcked()).flags |= A.zeroWindow;
      // Lost segment: data starts beyond the highest sequence number seen (not checked for RSTs).
      if (fwd.nextseq !== 0 && seqGt(seq, fwd.nextseq) && (flags & RST) === 0) {
        (acked ??= this.newAcked()).flags |= A.lostSegment;
        fwd.validBytesInFlight = false;
      }
      // Keep-alive: 0 or 1 byte starting one before the next expected sequence number.
      if ((seglen === 0 || seglen === 1) && seq === ((fwd.nextseq - 1) >>> 0) && (flags & (SYN | FIN | RST)) === 0) {
        (acked ??= this.newAcked()).flags |= A.keepAlive;
      }
      const sameSeqAndAck = seq === fwd.nextseq && ack === fwd.lastAck && (flags & (SYN | FIN | RST)) === 0;
      if (seglen === 0 && window !== 0 && window !== fwd.window && sameSeqAndAck) (acked ??= this.newAcked()).flags |= A.windowUpdate;
      if (
        seglen > 0 &&
        rev.windowScale !== WINDOW_SCALE_UNKNOWN &&
        ((seq + seglen) >>> 0) === ((rev.lastAck + (rev.window << peerShift(rev))) >>> 0) &&
        (flags & (SYN | FIN | RST)) === 0
      ) {
        (acked ??= this.newAcked()).flags |= A.windowFull;
      }
      if (seglen === 0 && window !== 0 && window === fwd.window && sameSeqAndAck && rev.lastSegmentFlags & A.keepAlive) {
        (acked ??= this.newAcked()).flags |= A.keepAliveAck;
        break checks;
      }
      if (seglen === 0 && window === 0 && window === fwd.window && sameSeqAndAck && rev.lastSegmentFlags & A.zeroWindowProbe) {
        (acked ??= this.newAcked()).flags |= A.zeroWindowProbeAck;
        break checks;
      }
      if (seglen === 0 && window !== 0 && window === fwd.window && sameSeqAndAck) {
        fwd.dupAckNum = fwd.dupAckNum === DUP_ACK_NEUTRALIZED ? 1 : fwd.dupAckNum + 1;
        const info = (acked ??= this.newAcked());
        info.flags |= A.duplicateAck;
        info.dupAckNum = fwd.dupAckNum;
        info.dupAckFrame = fwd.lastNonDupAck;
      }
    }

    if (ack !== fwd.lastAck) {
      fwd.lastNonDupAck = seg.frame;
      fwd.dupAckNum = 0;
    }

    // ACKed unseen segment: this ACK covers data of the other direction that was never captured.
    if (rev.maxSeqToBeAcked !== 0 && seqGt(ack, rev.maxSeqToBeAcked) && flags & ACK) {
      const info = (acked ??= this.newAcked());
      if (seqLt(rev.maxSeqToBeAcked, rev.nextseq)) {
        rev.maxSeqToBeAcked = rev.nextseq;
        info.flags |= A.ackLostSegment;
      } else {
        // Report a stalled direction once, not on every pure ACK that repeats the same gap.
        if (rev.dupAckNum === 0) info.flags |= A.ackLostSegment;
        rev.dupAckNum = DUP_ACK_NEUTRALIZED;
      }
    }

    if (seglen > 0 || flags & (SYN | FIN)) acked = this.classifyRepeatedData(seg, seq, seglen, fwd, rev, acked);

    let nextseq = (seq + seglen) >>> 0;
    if ((seglen > 0 || flags & (SYN | FIN)) && fwd.unacked.length < MAX_UNACKED_SEGMENTS) {
      if (flags & (SYN | FIN)) nextseq = (nextseq + 1) >>> 0;
      appendUnacked(fwd, { frame: seg.frame, seq, nextseq, tsSeconds: nowS, tsNanos: nowN });
    }
    const isZeroWindowProbe = acked !== null && acked.flags & A.zeroWindowProbe;
    // Zero window probes do not advance nextseq (the byte is usually refused).
    if ((seqGt(nextseq, fwd.nextseq) || fwd.nextseq === 0) && !isZeroWindowProbe) {
      fwd.nextseq = nextseq;
      fwd.nextseqFrame = seg.frame;
      fwd.nextseqSeconds = nowS;
      fwd.nextseqNanos = nowN;
    }
    if ((seq === fwd.maxSeqToBeAcked || fwd.maxSeqToBeAcked === 0) && !isZeroWindowProbe) {
      fwd.maxSeqToBeAcked = fwd.nextseq;
    }

    fwd.window = window;
    fwd.lastAck = ack;
    fwd.lastAckSeconds = nowS;
    fwd.lastAckNanos = nowN;
    fwd.lastSegmentFlags = acked !== null ? acked.flags : 0;

    acked = this.removeAcknowledged(seg, ack, rev, acked);

    // Bytes in flight: the span of this direction's unacknowledged segments, less the peer's SACKed bytes.
    if (seglen !== 0 && fwd.unacked.length > 0 && fwd.validBytesInFlight) {
      const base = fwd.baseSeq;
      const unacked = fwd.unacked;
      let first = (unacked[unacked.length - 1].seq - base) >>> 0;
      let last = (unacked[unacked.length - 1].nextseq - base) >>> 0;
      if (fwd.unackedInOrder) {
        first = (unacked[0].seq - base) >>> 0;
      } else {
        for (const u of unacked) {
          const relNext = (u.nextseq - base) >>> 0;
          const relStart = (u.seq - base) >>> 0;
          if (relNext > last) last = relNext;
          if (relStart < first) first = relStart;
        }
      }
      let inFlight = seqDiff(first, last) >>> 0;
      let delivered = 0;
      for (let i = 0; i < rev.sackBlockCount; i++) delivered = (delivered + rev.sackRight[i] - rev.sackLeft[i]) >>> 0;
      inFlight = (inFlight - delivered) >>> 0;
      const info = (acked ??= this.newAcked());
      if (inFlight > 0 && inFlight < 2_000_000_000) {
        info.bytesInFlight = inFlight;
        // The SYN/FIN sequence number is not a byte.
        if (flags & (SYN | FIN)) info.bytesInFlight = (info.bytesInFlight - 1) >>> 0;
      }
      if (flags & PSH) {
        fwd.pushBytesSent = fwd.pushSetLast ? seglen : fwd.pushBytesSent + seglen;
        fwd.pushSetLast = true;
      } else if (fwd.pushSetLast) {
        fwd.pushBytesSent = seglen;
        fwd.pushSetLast = false;
      } else {
        fwd.pushBytesSent += seglen;
      }
      info.pushBytesSent = fwd.pushBytesSent;
    }
    return acked;
  }

  /** Retransmission, fast retransmission, spurious retransmission or out-of-order, in Wireshark's precedence. */
  private classifyRepeatedData(
    seg: TcpSegment,
    seq: number,
    seglen: number,
    fwd: TcpFlowAnalysis,
    rev: TcpFlowAnalysis,
    existing: TcpAckedInfo | null,
  ): TcpAckedInfo | null {
    let acked = existing;
    const flags = seg.flags;
    if (acked !== null && acked.flags & A.keepAlive) return acked;
    let seqNotAdvanced = fwd.nextseq !== 0 && seqLt(seq, fwd.nextseq);
    // One byte before nextseq with more than one byte of data: new data after a zero window probe.
    if (seglen > 1 && ((fwd.nextseq - 1) >>> 0) === seq) seqNotAdvanced = false;

    // Data entirely below what the receiver already acknowledged.
    if (seglen > 0 && rev.lastAck !== 0 && seqLe((seq + seglen) >>> 0, rev.lastAck)) {
      (acked ??= this.newAcked()).flags |= A.spuriousRetransmission;
      return acked;
    }
    // Fast retransmission: at >= 2 duplicate ACKs for exactly this sequence number, within 20 ms of the last.
    const sinceLastAck = deltaNs(seg.tsSeconds, seg.tsNanos, rev.lastAckSeconds, rev.lastAckNanos);
    if (seqNotAdvanced && (rev.dupAckNum >= 2 || rev.dupAckNum === DUP_ACK_NEUTRALIZED) && rev.lastAck === seq && sinceLastAck >= 0 && sinceLastAck < FAST_RETRANSMISSION_WINDOW_NS) {
      (acked ??= this.newAcked()).flags |= A.fastRetransmission;
      return acked;
    }
    // Out of order: shortly (within the initial RTT, else 3 ms) after the highest segment, not an exact repeat.
    const sinceNextseq = deltaNs(seg.tsSeconds, seg.tsNanos, fwd.nextseqSeconds, fwd.nextseqNanos);
    const outOfOrderWindow = isZero(this.initialRtt) ? DEFAULT_OUT_OF_ORDER_WINDOW_NS : durationNs(this.initialRtt!);
    const segmentEnd = (seq + seglen + (flags & (SYN | FIN) ? 1 : 0)) >>> 0;
    if (seqNotAdvanced && sinceNextseq >= 0 && sinceNextseq < outOfOrderWindow && fwd.nextseq !== segmentEnd) {
      (acked ??= this.newAcked()).flags |= A.outOfOrder;
      return acked;
    }
    if (seqNotAdvanced) {
      const info = (acked ??= this.newAcked());
      info.flags |= A.retransmission;
      // The RTO is measured from the oldest unacknowledged segment (or else from the last new data).
      const oldest = fwd.unacked[0];
      if (oldest) {
        info.rto = durationBetween(seg.tsSeconds, seg.tsNanos, oldest.tsSeconds, oldest.tsNanos);
        info.rtoFrame = oldest.frame;
      } else {
        info.rto = durationBetween(seg.tsSeconds, seg.tsNanos, fwd.nextseqSeconds, fwd.nextseqNanos);
        info.rtoFrame = fwd.nextseqFrame;
      }
    }
    return acked;
  }

  /**
   * Drops the peer's segments this acknowledgment covers; an exact match gives tcp.analysis.acks_frame and
   * ack_rtt. Like Wireshark, every segment ending at the ack matches, so the oldest (the original, not a
   * retransmission) wins: Karn's rule is not applied here (rtt.ts applies it).
   */
  private removeAcknowledged(seg: TcpSegment, ack: number, rev: TcpFlowAnalysis, existing: TcpAckedInfo | null): TcpAckedInfo | null {
    const unacked = rev.unacked;
    if (unacked.length === 0) return existing;
    if (rev.unackedInOrder && withinInOrderSpan(unacked[0].seq, ack)) return this.removeAcknowledgedPrefix(seg, ack, rev, existing);
    let acked = existing;
    const kept: UnackedSegment[] = [];
    // Wireshark walks newest first; the last exact match it records is therefore the oldest.
    for (let i = rev.unacked.length - 1; i >= 0; i--) {
      const u = rev.unacked[i];
      if (ack === u.nextseq) {
        acked ??= this.newAcked();
        acked.frameAcked = u.frame;
        acked.ackRtt = durationBetween(seg.tsSeconds, seg.tsNanos, u.tsSeconds, u.tsNanos);
        continue;
      }
      if (seqGt(ack, u.seq) && seqLe(ack, u.nextseq)) {
        // Partly acknowledged: keep the rest (Wireshark then sees ack == seq and keeps it).
        u.seq = ack;
        kept.push(u);
        continue;
      }
      if (seqGt(u.nextseq, ack)) {
        kept.push(u);
        continue;
      }
      // Old or exactly acknowledged: dropped.
    }
    if (kept.length !== rev.unacked.length) rev.unacked = kept.reverse();
    // Once the retransmitted or reordered segments are acknowledged, the list is usually in order again.
    rev.unackedInOrder = isInOrder(rev);
    return acked;
  }

  /**
   * removeAcknowledged for a list in order, with the ACK near it: the same outcome, found from the front.
   * The segments ending at or before the ACK come first (the oldest exact match is the one recorded), then
   * those the ACK cuts into, which keep their rest.
   */
  private removeAcknowledgedPrefix(seg: TcpSegment, ack: number, rev: TcpFlowAnalysis, existing: TcpAckedInfo | null): TcpAckedInfo | null {
    let acked = existing;
    const unacked = rev.unacked;
    let covered = 0;
    let matched = false;
    for (; covered < unacked.length && !seqGt(unacked[covered].nextseq, ack); covered++) {
      const u = unacked[covered];
      if (ack === u.nextseq && !matched) {
        matched = true;
        acked ??= this.newAcked();
        acked.frameAcked = u.frame;
        acked.ackRtt = durationBetween(seg.tsSeconds, seg.tsNanos, u.tsSeconds, u.tsNanos);
      }
    }
    if (covered > 0) unacked.splice(0, covered);
    let cut = 0;
    for (; cut < unacked.length && seqGt(ack, unacked[cut].seq); cut++) unacked[cut].seq = ack;
    // The cut segments now start at the ACK: still in order relative to the base only if it sits before the rest.
    if (cut > 0 && cut < unacked.length) {
      const base = rev.baseSeq;
      if (((ack - base) >>> 0) > ((unacked[cut].seq - base) >>> 0)) rev.unackedInOrder = false;
    }
    return acked;
  }
}

/** Sequence distance within which a list in order and an ACK near it compare linearly (well below 2^31). */
const IN_ORDER_SPAN = 1 << 30;

function withinInOrderSpan(a: number, b: number): boolean {
  return seqDiff(a, b) >>> 0 < IN_ORDER_SPAN || seqDiff(b, a) >>> 0 < IN_ORDER_SPAN;
}

/** Adds a segment sent to the flow's unacknowledged list, keeping track of whether the list is in order. */
function appendUnacked(flow: TcpFlowAnalysis, segment: UnackedSegment): void {
  const list = flow.unacked;
  if (list.length === 0) flow.unackedInOrder = true;
  else if (flow.unackedInOrder) flow.unackedInOrder = follows(flow, list[0], list[list.length - 1], segment);
  list.push(segment);
}

/** Whether a segment may follow `previous` in a list in order that starts with `first` (see unackedInOrder). */
function follows(flow: TcpFlowAnalysis, first: UnackedSegment, previous: UnackedSegment, segment: UnackedSegment): boolean {
  const base = flow.baseSeq;
  return (
    seqGe(segment.seq, previous.seq) &&
    seqGe(segment.nextseq, previous.nextseq) &&
    ((segment.seq - base) >>> 0) >= ((previous.seq - base) >>> 0) &&
    ((segment.nextseq - base) >>> 0) >= ((previous.nextseq - base) >>> 0) &&
    ((segment.nextseq - first.seq) >>> 0) < IN_ORDER_SPAN
  );
}

function isInOrder(flow: TcpFlowAnalysis): boolean {
  const list = flow.unacked;
  for (let i = 1; i < list.length; i++) if (!follows(flow, list[0], list[i - 1], list[i])) return false;
  return true;
}

/** The shift Wireshark applies to the peer's window for "window full": none until its first pure ACK. */
function peerShift(rev: TcpFlowAnalysis): number {
  if (rev.isFirstAck || rev.windowScale === WINDOW_SCALE_NONE) return 0;
  return rev.windowScale;
}

export { seqGe, seqAdd };
