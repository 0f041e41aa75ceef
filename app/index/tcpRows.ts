import type { Dissection } from '../decode/dissection';
import { TcpAnalysisFlag as A } from '../tcp/analysis';
import type { TcpFrameRecord } from '../tcp/analyzer';
import type { TcpRowFacts } from './rowText';

/*
 * What the packet list needs to write a TCP frame's Info column the way tshark does, kept compactly while
 * the capture is read: per frame only the stream, direction and analysis flags (in the FrameIndex); per
 * stream and direction the raw sequence number that reads as 0 and the window multiplier. A page
 * re-decodes its frames and turns raw numbers into relative ones with these.
 */

/** Analysis flags that are not a problem: Wireshark's "Bad TCP" colouring rule leaves these out. */
const HARMLESS = A.windowUpdate | A.keepAlive | A.keepAliveAck;

/** Info-column notes in Wireshark's order (tcp_print_sequence_number_analysis). */
const NOTES: readonly [number, string][] = [
  [A.reusedPorts, 'TCP Port numbers reused'],
  [A.retransmission, 'TCP Retransmission'],
  [A.fastRetransmission, 'TCP Fast Retransmission'],
  [A.spuriousRetransmission, 'TCP Spurious Retransmission'],
  [A.outOfOrder, 'TCP Out-Of-Order'],
  [A.lostSegment, 'TCP Previous segment not captured'],
  [A.ackLostSegment, 'TCP ACKed unseen segment'],
  [A.windowUpdate, 'TCP Window Update'],
  [A.windowFull, 'TCP Window Full'],
  [A.keepAlive, 'TCP Keep-Alive'],
  [A.keepAliveAck, 'TCP Keep-Alive ACK'],
  [A.duplicateAck, 'TCP Dup ACK'],
  [A.zeroWindowProbe, 'TCP ZeroWindowProbe'],
  [A.zeroWindow, 'TCP ZeroWindow'],
  [A.zeroWindowProbeAck, 'TCP ZeroWindowProbeAck'],
];

export function isTcpProblem(analysisFlags: number): boolean {
  return (analysisFlags & ~HARMLESS) !== 0;
}

const INITIAL_STREAMS = 256;
const UNKNOWN = -1;

export class TcpRowIndex {
  /** Per stream * 2 + direction: raw sequence number of relative 0 (UNKNOWN until seen). */
  private seqBase = new Float64Array(INITIAL_STREAMS * 2).fill(UNKNOWN);
  /** Per stream * 2 + direction: window multiplier (UNKNOWN until a scaled window was seen). */
  private multiplier = new Float64Array(INITIAL_STREAMS * 2).fill(UNKNOWN);
  /** Per stream * 2 + direction: the last ACK that was not a duplicate (the "6" of "Dup ACK 6#1"). */
  private lastAckFrame = new Float64Array(INITIAL_STREAMS * 2);
  /** Duplicate ACK frames: their number and the frame they duplicate. Sparse: only dup ACKs. */
  private readonly duplicates = new Map<number, { num: number; of: number }>();

  /** Records one analysed TCP frame; returns stream * 2 + direction for the frame index. */
  add(d: Dissection, record: TcpFrameRecord): number {
    const tcp = d.tcp;
    const slot = record.stream * 2 + record.direction;
    const peer = record.stream * 2 + (1 - record.direction);
    this.ensure(record.stream);
    if (!tcp) return slot;
    if (this.seqBase[slot] === UNKNOWN) this.seqBase[slot] = (tcp.seq - record.seq) >>> 0;
    if (this.seqBase[peer] === UNKNOWN && tcp.flags & 0x010) this.seqBase[peer] = (tcp.ack - record.ack) >>> 0;
    // RFC 7323 section 2.2: SYNs carry unscaled windows, so only later segments reveal the multiplier.
    if (!(tcp.flags & 0x002) && tcp.window > 0 && record.windowSize >= 0) this.multiplier[slot] = record.windowSize / tcp.window;
    if (record.analysisFlags & A.duplicateAck) this.duplicates.set(d.frame.number, { num: record.dupAckNum, of: this.lastAckFrame[slot] });
    else if (tcp.flags & 0x010) this.lastAckFrame[slot] = d.frame.number;
    return slot;
  }

  /** Facts for a frame re-decoded for a page, from what the index recorded for it. */
  facts(d: Dissection, streamDirection: number, analysisFlags: number): TcpRowFacts | null {
    if (!d.tcp || streamDirection < 0) return null;
    const peer = streamDirection ^ 1;
    const seqBase = this.seqBase[streamDirection];
    const ackBase = this.seqBase[peer];
    const notes: string[] = [];
    for (const [flag, text] of NOTES) {
      if (!(analysisFlags & flag)) continue;
      const duplicate = flag === A.duplicateAck ? this.duplicates.get(d.frame.number) : undefined;
      notes.push(duplicate ? `${text} ${duplicate.of}#${duplicate.num}` : text);
    }
    return {
      seqBase: seqBase === UNKNOWN ? 0 : seqBase,
      ackBase: ackBase === UNKNOWN ? 0 : ackBase,
      windowMultiplier: this.multiplier[streamDirection],
      notes,
      problem: isTcpProblem(analysisFlags),
    };
  }

  private ensure(stream: number): void {
    const needed = (stream + 1) * 2;
    if (needed <= this.seqBase.length) return;
    let size = this.seqBase.length;
    while (size < needed) size *= 2;
    const grow = (old: Float64Array, fill: number) => {
      const bigger = new Float64Array(size).fill(fill);
      bigger.set(old);
      return bigger;
    };
    this.seqBase = grow(this.seqBase, UNKNOWN);
    this.multiplier = grow(this.multiplier, UNKNOWN);
    this.lastAckFrame = grow(this.lastAckFrame, 0);
  }
}
