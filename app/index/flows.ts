import type { FlowRow } from '../api/types';
import type { Dissection } from '../decode/dissection';
import type { TcpRowFacts } from './rowText';

/*
 * Transport conversations as the packet list and the flows view need them: stream numbers in order of
 * first appearance (tcp.stream / udp.stream), per-direction counters, and for TCP the relative-number
 * bases and window multipliers of each direction. TCP analysis flags (retransmissions, ...) are not
 * computed here.
 */

interface Direction {
  frames: number;
  bytes: number;
  /** Raw sequence number that reads as 0 (tshark's relative numbers); null until the direction is seen. */
  seqBase: number | null;
  /** Window scale shift from this direction's SYN; null without a SYN, -1 for a SYN without the option. */
  windowShift: number | null;
  fin: boolean;
}

interface Stream {
  row: FlowRow;
  /** addressA:portA, to tell a frame's direction. */
  sideA: string;
  a: Direction;
  b: Direction;
  firstSeconds: number;
  firstNanos: number;
  reset: boolean;
}

const SYN = 0x002;
const RST = 0x004;
const ACK = 0x010;
const FIN = 0x001;

export class FlowTracker {
  private readonly tcpStreams: Stream[] = [];
  private readonly udpStreams: Stream[] = [];
  /** Streams by their address/port pair (both directions), oldest first: ports are reused. */
  private readonly byTuple = new Map<string, Stream[]>();
  private startSeconds: number | null = null;
  private startNanos = 0;

  add(d: Dissection): void {
    if (this.startSeconds === null) {
      this.startSeconds = d.frame.tsSeconds;
      this.startNanos = d.frame.tsNanos;
    }
    const ip = d.ip;
    const transport = d.tcp ?? d.udp;
    if (!ip || !transport) return;
    const protocol = d.tcp ? 'tcp' : 'udp';
    const src = `${ip.src}:${transport.srcPort}`;
    const dst = `${ip.dst}:${transport.dstPort}`;
    const key = tupleKey(protocol, src, dst);
    const history = this.byTuple.get(key);
    let stream = history?.[history.length - 1];
    if (!stream || (d.tcp && startsNewStream(stream, d.tcp.flags))) {
      stream = this.newStream(d, protocol, src);
      if (history) history.push(stream);
      else this.byTuple.set(key, [stream]);
    }
    const forward = src === stream.sideA;
    const direction = forward ? stream.a : stream.b;
    direction.frames++;
    direction.bytes += d.frame.originalLength;
    if (forward) {
      stream.row.framesAToB++;
      stream.row.bytesAToB += d.frame.originalLength;
    } else {
      stream.row.framesBToA++;
      stream.row.bytesBToA += d.frame.originalLength;
    }
    stream.row.duration = elapsed(d.frame.tsSeconds, d.frame.tsNanos, stream.firstSeconds, stream.firstNanos);
    if (d.tcp) this.addTcp(stream, forward, d.tcp.flags, d.tcp.seq, d.tcp.ack, d.tcp.options.windowScale);
  }

  flows(): FlowRow[] {
    return [...this.tcpStreams, ...this.udpStreams].map((stream) => stream.row);
  }

  /** The Info-column facts of a TCP frame, from the state the whole capture (indexed so far) left. */
  tcpFacts(d: Dissection): TcpRowFacts | null {
    const ip = d.ip;
    const tcp = d.tcp;
    if (!ip || !tcp) return null;
    const src = `${ip.src}:${tcp.srcPort}`;
    const history = this.byTuple.get(tupleKey('tcp', src, `${ip.dst}:${tcp.dstPort}`));
    if (!history) return null;
    // The stream this frame belongs to: the last one that started at or before it.
    let stream = history[0];
    for (const candidate of history) if (candidate.row.firstFrame <= d.frame.number) stream = candidate;
    const forward = src === stream.sideA;
    const mine = forward ? stream.a : stream.b;
    const theirs = forward ? stream.b : stream.a;
    // RFC 7323 section 2.2: scaling applies only when both SYNs carried the option.
    const scaled = mine.windowShift !== null && mine.windowShift >= 0 && theirs.windowShift !== null && theirs.windowShift >= 0;
    const noScaling = mine.windowShift === -1 || theirs.windowShift === -1;
    return {
      seqBase: mine.seqBase ?? 0,
      ackBase: theirs.seqBase ?? 0,
      windowMultiplier: scaled ? 2 ** Math.min(mine.windowShift ?? 0, 14) : noScaling ? 1 : -1,
      notes: [],
      problem: false,
    };
  }

  private newStream(d: Dissection, protocol: 'tcp' | 'udp', sideA: string): Stream {
    const list = protocol === 'tcp' ? this.tcpStreams : this.udpStreams;
    const ip = d.ip;
    const ports = d.tcp ?? d.udp;
    const stream: Stream = {
      row: {
        protocol,
        stream: list.length,
        addressA: ip?.src ?? '',
        portA: ports?.srcPort ?? 0,
        addressB: ip?.dst ?? '',
        portB: ports?.dstPort ?? 0,
        framesAToB: 0,
        bytesAToB: 0,
        framesBToA: 0,
        bytesBToA: 0,
        relativeStart: elapsed(d.frame.tsSeconds, d.frame.tsNanos, this.startSeconds ?? 0, this.startNanos),
        duration: 0,
        firstFrame: d.frame.number,
      },
      sideA,
      a: newDirection(),
      b: newDirection(),
      firstSeconds: d.frame.tsSeconds,
      firstNanos: d.frame.tsNanos,
      reset: false,
    };
    list.push(stream);
    return stream;
  }

  private addTcp(stream: Stream, forward: boolean, flags: number, seq: number, ack: number, windowScale: number | null): void {
    const mine = forward ? stream.a : stream.b;
    const theirs = forward ? stream.b : stream.a;
    // tshark's relative numbers: a SYN's sequence number reads 0; a direction first seen without a SYN
    // reads 1 at its first segment, and so does the first acknowledgment of a direction not yet seen.
    if (mine.seqBase === null) mine.seqBase = flags & SYN ? seq : (seq - 1) >>> 0;
    if (theirs.seqBase === null && flags & ACK) theirs.seqBase = (ack - 1) >>> 0;
    if (flags & SYN && mine.windowShift === null) mine.windowShift = windowScale ?? -1;
    if (flags & FIN) mine.fin = true;
    if (flags & RST) stream.reset = true;
  }
}

/** A SYN without ACK on a conversation that has ended (FIN both ways, or RST) starts a new stream. */
function startsNewStream(stream: Stream, flags: number): boolean {
  const closed = stream.reset || (stream.a.fin && stream.b.fin);
  return closed && (flags & (SYN | ACK)) === SYN;
}

function newDirection(): Direction {
  return { frames: 0, bytes: 0, seqBase: null, windowShift: null, fin: false };
}

function tupleKey(protocol: string, src: string, dst: string): string {
  return src < dst ? `${protocol} ${src} ${dst}` : `${protocol} ${dst} ${src}`;
}

function elapsed(seconds: number, nanos: number, fromSeconds: number, fromNanos: number): number {
  return seconds - fromSeconds + (nanos - fromNanos) / 1e9;
}
