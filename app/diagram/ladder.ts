import { TcpAnalysisFlag, TcpFlag } from '../tcp/analysis';
import { seqLt } from '../tcp/seq';
import type { DiagramSegment, DiagramStream } from './segment';

/*
 * The connection ladder of one TCP stream: the client on the left, the server on the right, time flowing
 * down. What is drawn:
 * - the opening, segment by segment: every SYN and SYN-ACK (retransmissions included) and the ACK that
 *   completes the three-way handshake (RFC 9293 section 3.5), with their options;
 * - the first data exchange, as flights: consecutive segments of one side form one arrow;
 * - the rest of the transfer as one summary box (counts per side);
 * - the teardown from the first FIN or RST on, segment by segment (data still flowing after a FIN as
 *   flights); when it is long, its first and last arrows with a summary between.
 * Every part is bounded, so a stream of a million segments gives a diagram of a few dozen elements and
 * the builder keeps a few hundred segments at most.
 *
 * Times are capture times at one vantage point: the capture cannot tell when a segment left one end or
 * reached the other, so arrows are horizontal at the time the capture saw them. The vertical axis is to
 * scale (pxPerSecond) where that leaves room for the labels; an idle period longer than
 * LAYOUT.maxToScalePx would take is drawn as a compressed-gap marker giving its real length.
 */

export type Side = 'client' | 'server';

/** A sequence or acknowledgment number: relative to the sender's initial sequence number, and as sent. */
export interface SequenceNumber {
  relative: number;
  raw: number;
}

export type ArrowRole = 'syn' | 'syn-ack' | 'handshake-ack' | 'data' | 'ack' | 'fin' | 'rst';

/** One segment, or a flight of consecutive segments of one side. */
export interface LadderArrow {
  kind: 'arrow';
  from: Side;
  role: ArrowRole;
  firstFrame: number;
  lastFrame: number;
  segments: number;
  /** Capture times of the first and last segment since the stream's first packet, ns. */
  timeNs: number;
  endTimeNs: number;
  /** The flag bits of a single segment; the union over a flight. */
  flags: number;
  /** First sequence number and the one after the last (SYN and FIN count one). */
  seq: SequenceNumber;
  end: SequenceNumber;
  /** The (last) acknowledgment number, null when no segment had the ACK flag. */
  ack: SequenceNumber | null;
  /** Payload bytes (tcp.len), summed over a flight. */
  len: number;
  /** SACK blocks of a single segment, in the peer's sequence space. */
  sack: { left: SequenceNumber; right: SequenceNumber }[];
  /** Window as sent and as scaled (a single segment; the last one of a flight). */
  windowRaw: number;
  window: number;
  /** SYN options as text ('MSS 1460', 'WS 7 (x128)', 'SACK_PERM', 'TS val 1 ecr 0', 'ECN setup'). */
  options: string[];
  /** Segments Wireshark flags as retransmissions (any kind). */
  retransmissions: number;
  /** What the segment means here ('retransmitted SYN #1 (+1.000 s)', 'connection refused', ...). */
  notes: string[];
  /** Vertical position of the arrow line. */
  y: number;
}

/** Per-side totals of a stretch of segments not drawn one by one. */
export interface SideTotals {
  segments: number;
  payloadBytes: number;
  retransmissions: number;
}

export interface LadderSummary {
  kind: 'summary';
  firstFrame: number;
  lastFrame: number;
  timeNs: number;
  endTimeNs: number;
  client: SideTotals;
  server: SideTotals;
  /** Top of the box and its height. */
  y: number;
  height: number;
}

/** An idle period drawn shorter than to scale. */
export interface LadderGap {
  kind: 'gap';
  timeNs: number;
  endTimeNs: number;
  y: number;
  height: number;
}

export type LadderElement = LadderArrow | LadderSummary | LadderGap;

export type OpeningKind =
  /** SYN, SYN-ACK, ACK. */
  | 'three-way'
  /** Both sides sent a SYN (RFC 9293 section 3.5, figure 7). */
  | 'simultaneous'
  /** A SYN answered by a RST. */
  | 'refused'
  /** SYNs (and maybe a SYN-ACK) but no completing ACK, or a SYN-ACK whose SYN was not captured. */
  | 'incomplete'
  /** No SYN at all: the capture started after the connection was opened. */
  | 'not-captured';

export type ClosingKind =
  /** One side's FIN, then the other's, each acknowledged (RFC 9293 section 3.6, case 1). */
  | 'fin'
  /** Both FINs sent before either was received (RFC 9293 section 3.6, case 3). */
  | 'simultaneous'
  /** Only one side sent a FIN. */
  | 'half'
  | 'rst'
  /** Neither FIN nor RST: the capture ends with the connection open. */
  | 'none';

/** The measured handshake round trip: SYN to the ACK of the SYN-ACK, split at the SYN-ACK. */
export interface HandshakeRtt {
  totalNs: number;
  /** SYN to SYN-ACK: the round trip between the capture point and the server. */
  synToSynAckNs: number;
  /** SYN-ACK to ACK: the round trip between the capture point and the client. */
  synAckToAckNs: number;
  synFrame: number;
  synAckFrame: number;
  ackFrame: number;
  /** Vertical positions of the SYN, SYN-ACK and ACK arrows. */
  synY: number;
  synAckY: number;
  ackY: number;
}

export interface Ladder {
  stream: number;
  /** Endpoint texts: the client sent the first SYN (else it received the first SYN-ACK, else it is endpoint A). */
  client: string;
  server: string;
  /** True when the client is endpoint A, the first packet's source. */
  clientIsA: boolean;
  startSeconds: number;
  startNanos: number;
  opening: OpeningKind;
  closing: ClosingKind;
  /** Who sent the first FIN (or the RST). */
  closedBy: Side | null;
  rtt: HandshakeRtt | null;
  /** Sentences about the whole stream (what is missing, what is unusual). */
  notes: string[];
  elements: LadderElement[];
  /** Totals of the whole stream. */
  totals: { client: SideTotals; server: SideTotals; durationNs: number };
  layout: LadderLayout;
}

/** Sizes of the drawing, px; the renderers take every position from here. */
export interface LadderLayout {
  width: number;
  height: number;
  clientX: number;
  serverX: number;
  /** Right of the server column: annotations (the RTT bracket). */
  annotationX: number;
  /** Bottom of the endpoint boxes, where the lifelines start. */
  headerBottom: number;
  /** First line of the stream notes, and where the elements start. */
  notesTop: number;
  elementsTop: number;
  /** Where the lifelines end and the footer starts. */
  footerTop: number;
  lineHeight: number;
  /** Vertical scale where it is to scale; 0 when every interval was drawn at the minimum spacing. */
  pxPerSecond: number;
}

/** Bounds of what is drawn one by one. */
const MAX_HANDSHAKE_ARROWS = 12;
const MAX_EXCHANGE_FLIGHTS = 4;
/** The teardown keeps its first and last arrows; those between are summarised. */
const TEARDOWN_HEAD = 10;
const TEARDOWN_TAIL = 8;

export const LAYOUT = {
  width: 1000,
  clientX: 240,
  serverX: 760,
  annotationX: 785,
  headerBottom: 84,
  lineHeight: 14,
  /** Above an arrow's label block, and around summary boxes. */
  padding: 8,
  /**
   * The distance the reference interval gets: the 75th percentile of the intervals between elements, a
   * typical wait for the peer (bursts are closer, idle periods longer).
   */
  referenceSpacing: 100,
  /** An interval that would take more than this to scale becomes a gap marker. */
  maxToScalePx: 260,
  gapHeight: 34,
  footerLines: 3,
} as const;

const RETRANSMISSION = TcpAnalysisFlag.retransmission | TcpAnalysisFlag.fastRetransmission | TcpAnalysisFlag.spuriousRetransmission;
const { syn: SYN, ack: ACK, fin: FIN, rst: RST, ece: ECE, cwr: CWR } = TcpFlag;
/** RFC 9768 (Accurate ECN) flag, tcp.flags.ae. */
const AE = 0x100;

/** A group of consecutive segments of one direction, or one segment. */
interface Item {
  kind: 'segments';
  direction: 0 | 1;
  segments: DiagramSegment[];
  /** Segments in the item (only the first and the latest are kept). */
  count: number;
  /** The TCP flags of every segment in the item together (the label shows them all). */
  flags: number;
  /** The highest sequence number after a segment (SYN and FIN count one), relative and raw. */
  end: number;
  endRaw: number;
  payloadBytes: number;
  retransmissions: number;
  /** More segments may join (a data flight). */
  open: boolean;
}

interface Totals {
  segments: [number, number];
  payloadBytes: [number, number];
  retransmissions: [number, number];
  firstFrame: number;
  lastFrame: number;
  timeNs: number;
  endTimeNs: number;
}

type Phase = 'opening' | 'exchange' | 'transfer' | 'teardown';

function newTotals(s: DiagramSegment): Totals {
  return { segments: [0, 0], payloadBytes: [0, 0], retransmissions: [0, 0], firstFrame: s.frame, lastFrame: s.frame, timeNs: s.timeNs, endTimeNs: s.timeNs };
}

function count(t: Totals, s: DiagramSegment): void {
  t.segments[s.direction]++;
  t.payloadBytes[s.direction] += s.len;
  if (s.analysisFlags & RETRANSMISSION) t.retransmissions[s.direction]++;
  t.lastFrame = s.frame;
  t.endTimeNs = s.timeNs;
}

const isPureSyn = (s: DiagramSegment) => (s.flags & (SYN | ACK)) === SYN;
const isSynAck = (s: DiagramSegment) => (s.flags & (SYN | ACK)) === (SYN | ACK);

/**
 * Builds the ladder of one stream from its segments in capture order (add them one by one, then call
 * finish once). Memory stays bounded whatever the stream's length.
 */
export class LadderBuilder {
  private phase: Phase = 'opening';
  /** Elements in capture order: drawn segments and flights, and summaries of what is not drawn. */
  private readonly head: (Item | Totals)[] = [];
  /** Teardown items after the first TEARDOWN_HEAD: the last TEARDOWN_TAIL are kept, the rest summarised. */
  private teardownTail: Item[] = [];
  private teardownSkipped: Totals | null = null;
  private teardownItems = 0;
  private transfer: Totals | null = null;
  private handshakeSkipped: Totals | null = null;
  private exchangeFlights = 0;
  private all: Totals | null = null;
  /** Facts for the classification. */
  private firstSyn: DiagramSegment | null = null;
  private firstSynAck: DiagramSegment | null = null;
  private readonly synDirections = new Set<0 | 1>();
  private handshakeAck: DiagramSegment | null = null;
  private lastSynBeforeAck: DiagramSegment | null = null;
  private lastSynAckBeforeAck: DiagramSegment | null = null;
  private firstFin: [DiagramSegment | null, DiagramSegment | null] = [null, null];
  private firstRst: DiagramSegment | null = null;
  private readonly synCount: [number, number] = [0, 0];
  private readonly synAckCount: [number, number] = [0, 0];

  constructor(private readonly stream: DiagramStream) {}

  add(s: DiagramSegment): void {
    if (!this.all) this.all = newTotals(s);
    count(this.all, s);
    this.observe(s);
    const closing = (s.flags & (FIN | RST)) !== 0;
    if (this.phase === 'opening') {
      if (s.flags & SYN) {
        if (this.head.length < MAX_HANDSHAKE_ARROWS) this.head.push(single(s));
        else count((this.handshakeSkipped ??= newTotals(s)), s);
        return;
      }
      if (!closing && this.completesHandshake(s)) {
        this.handshakeAck = s;
        this.head.push(single(s));
        this.phase = 'exchange';
        return;
      }
      this.phase = 'exchange';
    }
    if (closing && this.phase !== 'teardown') this.phase = 'teardown';
    if (this.phase === 'exchange') {
      const last = this.head[this.head.length - 1];
      // A late SYN (or a FIN/RST) never joins a data flight: it gets an arrow of its own.
      if (isItem(last) && last.open && last.direction === s.direction && isFlightSegment(s)) {
        extend(last, s);
        return;
      }
      if (isItem(last)) last.open = false;
      if (this.exchangeFlights < MAX_EXCHANGE_FLIGHTS) {
        this.exchangeFlights++;
        this.head.push(flight(s));
        return;
      }
      this.phase = 'transfer';
    }
    if (this.phase === 'transfer') {
      if (!this.transfer) {
        this.transfer = newTotals(s);
        this.head.push(this.transfer);
      }
      count(this.transfer, s);
      return;
    }
    this.addTeardown(s);
  }

  finish(): Ladder {
    for (const item of this.head) if (isItem(item)) item.open = false;
    const clientDirection = this.clientDirection();
    const sideOf = (direction: 0 | 1): Side => (direction === clientDirection ? 'client' : 'server');
    const items: (Item | Totals)[] = [...this.head];
    if (this.teardownSkipped) items.push(this.teardownSkipped);
    items.push(...this.teardownTail);
    const opening = this.opening(clientDirection);
    const closing = this.closing();
    const elements: LadderElement[] = [];
    const arrowOf = new Map<number, LadderArrow>();
    const synRetransmissions = new Map<number, number>();
    for (const item of items) {
      if (!isItem(item)) {
        elements.push(summaryOf(item, clientDirection));
        continue;
      }
      const arrow = this.arrowOf(item, sideOf, synRetransmissions);
      for (const s of item.segments) arrowOf.set(s.frame, arrow);
      elements.push(arrow);
    }
    if (this.handshakeSkipped) {
      // Bounded SYN storms: what did not fit goes into a summary after the drawn SYNs.
      const at = elements.findIndex((e) => e.kind === 'arrow' && e.role !== 'syn' && e.role !== 'syn-ack');
      elements.splice(at < 0 ? elements.length : at, 0, summaryOf(this.handshakeSkipped, clientDirection));
    }
    const notes = this.notes(opening, closing, clientDirection);
    const layout = layOut(elements, notes.length);
    const rtt = this.handshakeRtt(arrowOf);
    const all = this.all;
    const totalsOf = (direction: 0 | 1): SideTotals =>
      all ? { segments: all.segments[direction], payloadBytes: all.payloadBytes[direction], retransmissions: all.retransmissions[direction] } : { segments: 0, payloadBytes: 0, retransmissions: 0 };
    const closer = this.closer();
    return {
      stream: this.stream.stream,
      client: clientDirection === 0 ? this.stream.a : this.stream.b,
      server: clientDirection === 0 ? this.stream.b : this.stream.a,
      clientIsA: clientDirection === 0,
      startSeconds: this.stream.startSeconds,
      startNanos: this.stream.startNanos,
      opening,
      closing,
      closedBy: closer ? sideOf(closer.direction) : null,
      rtt,
      notes,
      elements,
      totals: { client: totalsOf(clientDirection), server: totalsOf(clientDirection === 0 ? 1 : 0), durationNs: all ? all.endTimeNs - all.timeNs : 0 },
      layout,
    };
  }

  private observe(s: DiagramSegment): void {
    if (isPureSyn(s)) {
      this.firstSyn ??= s;
      this.synDirections.add(s.direction);
      this.synCount[s.direction]++;
    } else if (isSynAck(s)) {
      this.firstSynAck ??= s;
      this.synAckCount[s.direction]++;
    }
    if (!this.handshakeAck) {
      if (isPureSyn(s)) this.lastSynBeforeAck = s;
      if (isSynAck(s)) this.lastSynAckBeforeAck = s;
    }
    if (s.flags & FIN && !this.firstFin[s.direction]) this.firstFin[s.direction] = s;
    if (s.flags & RST) this.firstRst ??= s;
  }

  /**
   * The ACK of a SYN-ACK: from the side the SYN-ACK went to, without SYN, FIN or RST. A simultaneous open
   * has none: each side's SYN-ACK acknowledges the other's SYN.
   */
  private completesHandshake(s: DiagramSegment): boolean {
    const synAck = this.lastSynAckBeforeAck;
    return synAck !== null && this.synDirections.size < 2 && s.direction !== synAck.direction && (s.flags & ACK) !== 0;
  }

  private addTeardown(s: DiagramSegment): void {
    const last = this.teardownTail[this.teardownTail.length - 1] ?? (this.teardownItems <= TEARDOWN_HEAD ? lastItem(this.head) : undefined);
    const groupable = s.len > 0 && isFlightSegment(s);
    if (last && last.open && last.direction === s.direction && groupable) {
      extend(last, s);
      return;
    }
    if (last) last.open = false;
    const item = groupable ? flight(s) : single(s);
    this.teardownItems++;
    if (this.teardownItems <= TEARDOWN_HEAD) {
      this.head.push(item);
      return;
    }
    this.teardownTail.push(item);
    if (this.teardownTail.length > TEARDOWN_TAIL) {
      const dropped = this.teardownTail.shift()!;
      const skipped = (this.teardownSkipped ??= newTotals(dropped.segments[0]));
      countItem(skipped, dropped);
    }
  }

  private clientDirection(): 0 | 1 {
    if (this.firstSyn) return this.firstSyn.direction;
    if (this.firstSynAck) return this.firstSynAck.direction === 0 ? 1 : 0;
    return 0;
  }

  private opening(clientDirection: 0 | 1): OpeningKind {
    if (!this.firstSyn && !this.firstSynAck) return 'not-captured';
    if (this.synDirections.size === 2) return 'simultaneous';
    if (this.firstSyn && this.handshakeAck && this.firstSynAck) return 'three-way';
    const rst = this.firstRst;
    if (this.firstSyn && !this.firstSynAck && rst && rst.direction !== clientDirection) return 'refused';
    return 'incomplete';
  }

  private closing(): ClosingKind {
    const [finA, finB] = this.firstFin;
    if (this.firstRst && !(finA && finB)) return 'rst';
    if (finA && finB) {
      const [first, second] = finA.frame < finB.frame ? [finA, finB] : [finB, finA];
      const firstFinEnd = (first.seq + first.len + 1) >>> 0;
      // The second FIN does not acknowledge the first: it was sent before the first arrived.
      const crossed = second.ack === null || seqLt(second.ack, firstFinEnd);
      return crossed ? 'simultaneous' : 'fin';
    }
    if (finA || finB) return 'half';
    return 'none';
  }

  /** The first FIN or RST: who started the close. */
  private closer(): DiagramSegment | null {
    let first: DiagramSegment | null = null;
    for (const s of [...this.firstFin, this.firstRst]) if (s && (!first || s.frame < first.frame)) first = s;
    return first;
  }

  private handshakeRtt(arrowOf: Map<number, LadderArrow>): HandshakeRtt | null {
    const ack = this.handshakeAck;
    const synAck = this.lastSynAckBeforeAck;
    const syn = this.lastSynBeforeAck;
    if (!ack || !synAck || !syn || this.synDirections.size !== 1) return null;
    const synArrow = arrowOf.get(syn.frame);
    const synAckArrow = arrowOf.get(synAck.frame);
    const ackArrow = arrowOf.get(ack.frame);
    if (!synArrow || !synAckArrow || !ackArrow) return null;
    return {
      // Wireshark's tcp.analysis.initial_rtt: the most recent SYN to the first ACK.
      totalNs: ack.timeNs - syn.timeNs,
      synToSynAckNs: synAck.timeNs - syn.timeNs,
      synAckToAckNs: ack.timeNs - synAck.timeNs,
      synFrame: syn.frame,
      synAckFrame: synAck.frame,
      ackFrame: ack.frame,
      synY: synArrow.y,
      synAckY: synAckArrow.y,
      ackY: ackArrow.y,
    };
  }

  private arrowOf(item: Item, sideOf: (d: 0 | 1) => Side, synRetransmissions: Map<number, number>): LadderArrow {
    const first = item.segments[0];
    const last = item.segments[item.segments.length - 1];
    const flags = item.flags;
    const isSingle = item.count === 1;
    const role = roleOf(first, flags, first === this.handshakeAck);
    const lastAcking = [...item.segments].reverse().find((s) => s.ack !== null);
    const notes: string[] = [];
    if (isSingle && first.flags & SYN) {
      // Retransmitted SYNs repeat the ISN (a SYN with another ISN would start a new stream).
      const key = first.direction * 2 + (first.flags & ACK ? 1 : 0);
      const seen = synRetransmissions.get(key) ?? 0;
      synRetransmissions.set(key, seen + 1);
      if (seen > 0) {
        const original = key % 2 === 1 ? this.firstSynAckOf(first.direction) : this.firstSynOf(first.direction);
        notes.push(`retransmitted ${first.flags & ACK ? 'SYN-ACK' : 'SYN'} #${seen}${original ? ` (+${formatDuration(first.timeNs - original.timeNs)})` : ''}`);
      }
    } else if (item.retransmissions > 0) {
      notes.push(isSingle ? retransmissionName(first.analysisFlags) : `${item.retransmissions} retransmitted`);
    }
    if (isSingle) notes.push(...analysisNotes(first.analysisFlags));
    if (first === this.firstRst && this.opening(this.clientDirection()) === 'refused') notes.push('connection refused');
    return {
      kind: 'arrow',
      from: sideOf(first.direction),
      role,
      firstFrame: first.frame,
      lastFrame: last.frame,
      segments: item.count,
      timeNs: first.timeNs,
      endTimeNs: last.timeNs,
      flags,
      seq: { relative: first.seq, raw: first.seqRaw },
      end: { relative: item.end, raw: item.endRaw },
      ack: lastAcking && lastAcking.ack !== null ? { relative: lastAcking.ack, raw: lastAcking.ackRaw } : null,
      len: item.payloadBytes,
      sack: isSingle ? sackBlocks(first) : [],
      windowRaw: last.windowRaw,
      window: last.window,
      options: isSingle && first.flags & SYN ? synOptions(first) : [],
      retransmissions: item.retransmissions,
      notes,
      y: 0,
    };
  }

  private firstSynOf(direction: 0 | 1): DiagramSegment | null {
    return this.firstSyn && this.firstSyn.direction === direction ? this.firstSyn : null;
  }

  private firstSynAckOf(direction: 0 | 1): DiagramSegment | null {
    return this.firstSynAck && this.firstSynAck.direction === direction ? this.firstSynAck : null;
  }

  private notes(opening: OpeningKind, closing: ClosingKind, clientDirection: 0 | 1): string[] {
    const notes: string[] = [];
    const server: 0 | 1 = clientDirection === 0 ? 1 : 0;
    switch (opening) {
      case 'not-captured':
        notes.push('The capture starts mid-stream: no SYN was seen, so the options and initial sequence numbers are unknown.');
        notes.push('Relative numbers count from the first segment seen of each side.');
        break;
      case 'simultaneous':
        notes.push('Simultaneous open: both sides sent a SYN (RFC 9293 section 3.5, figure 7).');
        break;
      case 'refused':
        notes.push('The server answered the SYN with a RST: connection refused.');
        break;
      case 'incomplete':
        if (!this.firstSyn) notes.push('The SYN was not captured: the stream starts with the SYN-ACK.');
        else if (!this.firstSynAck) notes.push('No SYN-ACK was seen: the handshake did not complete in this capture.');
        else notes.push('No ACK of the SYN-ACK was seen: the handshake did not complete in this capture.');
        break;
      case 'three-way':
        break;
    }
    if (this.synCount[clientDirection] > 1) notes.push(`The SYN was sent ${this.synCount[clientDirection]} times.`);
    if (this.synAckCount[server] > 1) notes.push(`The SYN-ACK was sent ${this.synAckCount[server]} times.`);
    switch (closing) {
      case 'simultaneous':
        notes.push('Simultaneous close: both FINs were sent before either arrived (RFC 9293 section 3.6, case 3).');
        break;
      case 'half':
        notes.push('Only one side sent a FIN: the other half of the connection stays open in this capture.');
        break;
      case 'none':
        notes.push('Neither FIN nor RST: the capture ends with the connection open.');
        break;
      case 'fin':
      case 'rst':
        break;
    }
    return notes;
  }
}

function isItem(x: Item | Totals | undefined): x is Item {
  return x !== undefined && 'kind' in x;
}

function lastItem(list: (Item | Totals)[]): Item | undefined {
  const last = list[list.length - 1];
  return isItem(last) ? last : undefined;
}

function single(s: DiagramSegment): Item {
  const length = segmentLength(s);
  return {
    kind: 'segments',
    direction: s.direction,
    segments: [s],
    count: 1,
    flags: s.flags,
    end: (s.seq + length) >>> 0,
    endRaw: (s.seqRaw + length) >>> 0,
    payloadBytes: s.len,
    retransmissions: s.analysisFlags & RETRANSMISSION ? 1 : 0,
    open: false,
  };
}

/** Sequence space a segment takes: its payload, plus one for SYN and for FIN. */
function segmentLength(s: DiagramSegment): number {
  return s.len + (s.flags & SYN ? 1 : 0) + (s.flags & FIN ? 1 : 0);
}

/** Pure ACKs and data: what a flight is made of (never SYN, FIN or RST). */
function isFlightSegment(s: DiagramSegment): boolean {
  return (s.flags & (SYN | FIN | RST)) === 0;
}

/** A flight: pure ACKs and data of one side, open to more of the same side. */
function flight(s: DiagramSegment): Item {
  const item = single(s);
  item.open = isFlightSegment(s);
  return item;
}

function extend(item: Item, s: DiagramSegment): void {
  // Keep the first and the latest segment: the arrow needs where the flight starts and how it ends.
  if (item.segments.length < 2) item.segments.push(s);
  else item.segments[1] = s;
  item.count++;
  item.flags |= s.flags;
  const end = (s.seq + segmentLength(s)) >>> 0;
  if (seqLt(item.end, end)) {
    item.end = end;
    item.endRaw = (s.seqRaw + segmentLength(s)) >>> 0;
  }
  item.payloadBytes += s.len;
  if (s.analysisFlags & RETRANSMISSION) item.retransmissions++;
}

function countItem(t: Totals, item: Item): void {
  const direction = item.direction;
  t.segments[direction] += item.count;
  t.payloadBytes[direction] += item.payloadBytes;
  t.retransmissions[direction] += item.retransmissions;
  const last = item.segments[item.segments.length - 1];
  t.lastFrame = last.frame;
  t.endTimeNs = last.timeNs;
}

function summaryOf(t: Totals, clientDirection: 0 | 1): LadderSummary {
  const server: 0 | 1 = clientDirection === 0 ? 1 : 0;
  const side = (d: 0 | 1): SideTotals => ({ segments: t.segments[d], payloadBytes: t.payloadBytes[d], retransmissions: t.retransmissions[d] });
  return { kind: 'summary', firstFrame: t.firstFrame, lastFrame: t.lastFrame, timeNs: t.timeNs, endTimeNs: t.endTimeNs, client: side(clientDirection), server: side(server), y: 0, height: 0 };
}

function roleOf(first: DiagramSegment, flags: number, isHandshakeAck: boolean): ArrowRole {
  if (flags & RST) return 'rst';
  if (flags & SYN) return flags & ACK ? 'syn-ack' : 'syn';
  if (flags & FIN) return 'fin';
  if (isHandshakeAck) return 'handshake-ack';
  return first.len > 0 || flags & 0x008 ? 'data' : 'ack';
}

/** Wireshark's expert notes for a segment, other than retransmissions, in its print order. */
const ANALYSIS_NOTES: [number, string][] = [
  [TcpAnalysisFlag.outOfOrder, 'out-of-order'],
  [TcpAnalysisFlag.lostSegment, 'previous segment not captured'],
  [TcpAnalysisFlag.ackLostSegment, 'ACKed unseen segment'],
  [TcpAnalysisFlag.windowUpdate, 'window update'],
  [TcpAnalysisFlag.windowFull, 'window full'],
  [TcpAnalysisFlag.keepAlive, 'keep-alive'],
  [TcpAnalysisFlag.keepAliveAck, 'keep-alive ACK'],
  [TcpAnalysisFlag.duplicateAck, 'duplicate ACK'],
  [TcpAnalysisFlag.zeroWindowProbe, 'zero window probe'],
  [TcpAnalysisFlag.zeroWindow, 'zero window'],
  [TcpAnalysisFlag.zeroWindowProbeAck, 'zero window probe ACK'],
];

function analysisNotes(analysisFlags: number): string[] {
  return ANALYSIS_NOTES.filter(([flag]) => analysisFlags & flag).map(([, note]) => note);
}

/** SACK edges relative to the peer's ISN and as sent: the raw base is what the ACK field shows of it. */
function sackBlocks(s: DiagramSegment): { left: SequenceNumber; right: SequenceNumber }[] {
  if (s.ack === null || s.sack.length < 2) return [];
  const base = (s.ackRaw - s.ack) >>> 0;
  const out: { left: SequenceNumber; right: SequenceNumber }[] = [];
  for (let i = 0; i + 1 < s.sack.length; i += 2) {
    out.push({ left: { relative: s.sack[i], raw: (s.sack[i] + base) >>> 0 }, right: { relative: s.sack[i + 1], raw: (s.sack[i + 1] + base) >>> 0 } });
  }
  return out;
}

function retransmissionName(analysisFlags: number): string {
  if (analysisFlags & TcpAnalysisFlag.spuriousRetransmission) return 'spurious retransmission';
  if (analysisFlags & TcpAnalysisFlag.fastRetransmission) return 'fast retransmission';
  return 'retransmission';
}

/** The options a SYN or SYN-ACK announces, and its ECN negotiation (RFC 3168 section 6.1.1, RFC 9768). */
export function synOptions(s: DiagramSegment): string[] {
  const out: string[] = [];
  if (s.mss !== null) out.push(`MSS ${s.mss}`);
  if (s.windowScale !== null) out.push(`WS ${s.windowScale} (x${2 ** Math.min(s.windowScale, 14)})`);
  if (s.sackPermitted) out.push('SACK_PERM');
  if (s.tsVal !== null) out.push(`TS val ${s.tsVal} ecr ${s.tsEcr ?? 0}`);
  const ecnFlags = s.flags & (ECE | CWR | AE);
  if (s.flags & ACK) {
    if (ecnFlags === ECE) out.push('ECN accepted');
    else if (ecnFlags !== 0) out.push('AccECN accepted');
  } else if (ecnFlags === (ECE | CWR | AE)) {
    out.push('AccECN setup');
  } else if (ecnFlags === (ECE | CWR)) {
    out.push('ECN setup');
  }
  return out;
}

/** A duration for labels: µs below 1 ms, ms below 1 s, else seconds. */
export function formatDuration(ns: number): string {
  const abs = Math.abs(ns);
  if (abs < 1e6) return `${(ns / 1e3).toFixed(1)} µs`;
  if (abs < 1e9) return `${(ns / 1e6).toFixed(3)} ms`;
  return `${(ns / 1e9).toFixed(3)} s`;
}

/** Lines of text an arrow's label takes (the same in relative and absolute numbering). */
export function arrowLineCount(arrow: LadderArrow): number {
  return 1 + (arrow.options.length > 0 ? 1 : 0) + (arrow.notes.length > 0 ? 1 : 0);
}

/** Lines of a summary box. */
export const SUMMARY_LINES = 3;

/** Gives every element its vertical position: to scale where the labels leave room, gaps compressed. */
function layOut(elements: LadderElement[], noteCount: number): LadderLayout {
  const L = LAYOUT;
  const notesTop = L.headerBottom + 12;
  const elementsTop = notesTop + noteCount * L.lineHeight + 12;
  const intervals: number[] = [];
  for (let i = 1; i < elements.length; i++) {
    const dt = elements[i].timeNs - elements[i - 1].endTimeNs;
    if (dt > 0) intervals.push(dt);
  }
  intervals.sort((a, b) => a - b);
  const reference = intervals.length > 0 ? intervals[Math.floor((intervals.length - 1) * 0.75)] : 0;
  const pxPerSecond = reference > 0 ? (L.referenceSpacing / reference) * 1e9 : 0;
  const out: LadderElement[] = [];
  let y = elementsTop;
  let previousEnd: number | null = null;
  for (const e of elements) {
    const height = e.kind === 'summary' ? SUMMARY_LINES * L.lineHeight + 2 * L.padding : arrowLineCount(e as LadderArrow) * L.lineHeight + L.padding;
    // A summary box keeps clear of the frame numbers written under the arrow before it.
    const needed = height + (e.kind === 'summary' ? 2 * L.padding : L.padding);
    if (previousEnd !== null) {
      const toScale = Math.max(0, ((e.timeNs - previousEnd) * pxPerSecond) / 1e9);
      if (toScale > L.maxToScalePx) {
        out.push({ kind: 'gap', timeNs: previousEnd, endTimeNs: e.timeNs, y: y + L.padding, height: L.gapHeight });
        y += L.padding + L.gapHeight + needed;
      } else {
        y += Math.round(Math.max(needed, toScale));
      }
    } else {
      y += height;
    }
    if (e.kind === 'summary') {
      e.y = y - height;
      e.height = height;
    } else if (e.kind === 'arrow') {
      e.y = y;
    }
    out.push(e);
    previousEnd = e.endTimeNs;
  }
  elements.splice(0, elements.length, ...out);
  const footerTop = y + 2 * L.padding + 10;
  return {
    width: L.width,
    height: footerTop + L.footerLines * L.lineHeight + 2 * L.padding,
    clientX: L.clientX,
    serverX: L.serverX,
    annotationX: L.annotationX,
    headerBottom: L.headerBottom,
    notesTop,
    elementsTop,
    footerTop,
    lineHeight: L.lineHeight,
    pxPerSecond,
  };
}

/** The ladder of a whole stream given at once. */
export function buildLadder(stream: DiagramStream, segments: Iterable<DiagramSegment>): Ladder {
  const builder = new LadderBuilder(stream);
  for (const s of segments) builder.add(s);
  return builder.finish();
}
