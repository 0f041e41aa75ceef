import type { Dissection, NextLayer, TransportObserver } from '../decode/dissection';
import { decodeLayer } from '../decode/frame';
import type { FieldDef } from '../fields/registry';
import type { FieldNode, FieldValue } from '../fields/tree';
import { durationBetween, TcpAnalysisFlag, TcpConversationAnalysis, TcpFlag, type TcpAckedInfo, type TcpFrameAnalysis, type TcpSegment } from './analysis';
import { countPacket, endpointKey, endpointsOfKey, newSummary, type ConversationSummary, type Endpoint, TupleKeyCache } from './conversation';
import { DNS_TCP_PORT, DnsTcpFramer } from './dnsOverTcp';
import { ConversationStreams, type FollowChunk } from './follow';
import type { ReassemblyLimits } from './reassembly';
import { TCP_ANALYSIS_FIELDS as F, UDP_CONVERSATION_FIELDS } from './fields';
import { FlightTracker, type FlightSummary } from './flight';
import { RttEstimator, type RttEstimate, type RttSample } from './rtt';
import { DOUBLE_ZERO } from '../decode/bytes';
import { TCP_STATE_NAMES, TcpConnectionStates } from './state';
import { LruMap } from './lru';
import { TombstoneStore, type Tombstone } from './tombstones';
import { UdpConversations } from './udp';

/*
 * The per-capture TCP (and UDP) conversation analysis. observe() is called once per frame, in capture
 * order, after decoding: it numbers streams exactly as tshark's tcp.stream / udp.stream, runs Wireshark's
 * sequence analysis (analysis.ts), appends the generated fields to the frame's tree, keeps the RFC 9293
 * state of both ends and the RTT estimates, and returns a compact per-frame record for the index.
 *
 * Memory is bounded: at most maxLiveConversations keep their analysis state (least recently active are
 * finished and evicted first); an evicted conversation leaves a tombstone of a few numbers so that stream
 * numbering and relative sequence numbers stay exact if its tuple shows up again.
 */

/** The SACK blocks of segment events without any. */
const NO_SACK: readonly number[] = Object.freeze([]);

export interface TcpAnalyzerOptions {
  /** Conversations holding full analysis state at once (default 50 000; followed ones are never evicted). */
  maxLiveConversations?: number;
  /** Called once per conversation when it is evicted or at finish() (and again, continued, if revived). */
  onConversationEnd?(summary: ConversationSummary): void;
  /** Called for every analysed TCP segment (the reference stack's input). */
  onSegment?(event: TcpSegmentEvent): void;
  /**
   * Asked once per conversation (when it starts, or is revived): return a sink to receive its byte streams
   * (follow), or null. Only conversations given a sink, and DNS over TCP, are reassembled.
   */
  reassemble?(summary: ConversationSummary): ((chunk: FollowChunk) => void) | null;
  /** Bounds of each reassembled direction. */
  reassemblyLimits?: ReassemblyLimits;
}

/** The compact per-frame result the index keeps in typed arrays. */
export interface TcpFrameRecord {
  stream: number;
  direction: 0 | 1;
  /** Relative sequence / acknowledgment numbers (tcp.seq, tcp.ack) and tcp.nxtseq (-1 when unknown). */
  seq: number;
  ack: number;
  nxtseq: number;
  /** tcp.window_size. */
  windowSize: number;
  /** TcpAnalysisFlag bits. */
  analysisFlags: number;
  bytesInFlight: number;
  /** tcp.analysis.acks_frame (0 = none) and tcp.analysis.ack_rtt in ns (0 = none; ns may round a huge value). */
  ackedFrame: number;
  ackRttNs: number;
  dupAckNum: number;
  /** RFC 9293 states of end A (low 4 bits) and end B (next 4 bits) after this segment. */
  states: number;
}

/** One analysed segment, in the conversation's relative sequence space (the reference stack's event). */
export interface TcpSegmentEvent {
  stream: number;
  frame: number;
  direction: 0 | 1;
  tsSeconds: number;
  tsNanos: number;
  /** Capture time since the conversation's first packet, ns. */
  timeNs: number;
  flags: number;
  /** First sequence number (relative) and the one after the segment, SYN and FIN included. */
  seq: number;
  end: number;
  payloadLength: number;
  /** Relative acknowledgment number, or null without ACK. */
  ack: number | null;
  /** Scaled window (null when unknown). */
  window: number | null;
  /** SACK blocks relative to the peer's base: [left0, right0, ...]. */
  sack: readonly number[];
  mss: number | null;
  tsVal: number | null;
  tsEcr: number | null;
  analysisFlags: number;
  bytesInFlight: number;
  /** RTT samples this segment's acknowledgment produced for the peer's data. */
  rttSamples: readonly RttSample[];
}

const DEFAULT_MAX_LIVE = 50_000;
/** RTT estimates before any sample (a live summary holds these; snapshot() reads the real ones). */
const NO_RTT: RttEstimate = Object.freeze(new RttEstimator().estimate());
const NO_FLIGHT: FlightSummary = Object.freeze(new FlightTracker().summary(null));
const RETRANSMISSION_FLAGS = TcpAnalysisFlag.retransmission | TcpAnalysisFlag.fastRetransmission | TcpAnalysisFlag.spuriousRetransmission;

/** Full state of a conversation that is live (not evicted). */
class LiveTcpConversation {
  readonly analysis: TcpConversationAnalysis;
  readonly states = new TcpConnectionStates();
  /** RTT of the data each direction sends. */
  readonly rtt: [RttEstimator, RttEstimator] = [new RttEstimator(), new RttEstimator()];
  /** Bytes in flight of the data each direction sends (Little's law). */
  readonly flight: [FlightTracker, FlightTracker] = [new FlightTracker(), new FlightTracker()];
  readonly summary: ConversationSummary;
  /** Byte streams, when someone wants them (follow, DNS over TCP). */
  streams: ConversationStreams | null = null;
  /** DNS-over-TCP message framing of each direction. */
  dns: [DnsTcpFramer, DnsTcpFramer] | null = null;
  /** Someone receives its byte streams (reassemble option): never evicted. */
  followed = false;
  lastFrame = 0;

  constructor(
    stream: number,
    readonly aKey: string,
    a: Endpoint,
    b: Endpoint,
    seconds: number,
    nanos: number,
  ) {
    this.analysis = new TcpConversationAnalysis(stream, seconds, nanos);
    this.summary = newSummary('tcp', stream, a, b, seconds, nanos);
    this.summary.tcp = {
      synSeen: false,
      synAckSeen: false,
      handshakeCompleted: false,
      finFromA: false,
      finFromB: false,
      rstFromA: false,
      rstFromB: false,
      closedBy: null,
      stateA: TCP_STATE_NAMES[0],
      stateB: TCP_STATE_NAMES[0],
      completeness: 0,
      retransmissionsAtoB: 0,
      retransmissionsBtoA: 0,
      rttAtoB: NO_RTT,
      rttBtoA: NO_RTT,
      flightAtoB: NO_FLIGHT,
      flightBtoA: NO_FLIGHT,
    };
  }

  get stream(): number {
    return this.analysis.stream;
  }
}

export class TcpAnalyzer implements TransportObserver {
  private readonly live = new LruMap<LiveTcpConversation>();
  private readonly tupleKey = new TupleKeyCache();
  private readonly tombstones = new TombstoneStore();
  private nextStream = 0;
  private readonly maxLive: number;
  /** The frame being observed: DNS messages completed by its segment are decoded into it. */
  private current: Dissection | null = null;
  /**
   * Whether the current frame's payload was left to us (observeTcpLayer): then every DNS message is
   * decoded from the byte stream; after decoding (observe) only those spanning segments are.
   */
  private payloadLeftToUs = false;
  /** The segment being analysed: one object for every frame (the analysis reads it, never keeps it). */
  private readonly segment: TcpSegment = {
    frame: 0,
    tsSeconds: 0,
    tsNanos: 0,
    seq: 0,
    ack: 0,
    flags: 0,
    window: 0,
    payloadLength: null,
    windowScale: null,
    sack: null,
    headerLength: 0,
    optionsUnreadable: false,
  };
  /** The record of the last TCP frame analysed (what observeLayer's caller reads). */
  lastRecord: TcpFrameRecord | null = null;
  /** The one record every TCP frame's analysis fills (see observe): no object per frame. */
  private readonly record: TcpFrameRecord = {
    stream: 0,
    direction: 0,
    seq: DOUBLE_ZERO,
    ack: DOUBLE_ZERO,
    nxtseq: DOUBLE_ZERO,
    windowSize: DOUBLE_ZERO,
    analysisFlags: 0,
    bytesInFlight: DOUBLE_ZERO,
    ackedFrame: 0,
    ackRttNs: DOUBLE_ZERO,
    dupAckNum: 0,
    states: 0,
  };
  readonly udp: UdpConversations;

  constructor(private readonly options: TcpAnalyzerOptions = {}) {
    this.maxLive = Math.max(1, options.maxLiveConversations ?? DEFAULT_MAX_LIVE);
    this.udp = new UdpConversations(this.maxLive, options.onConversationEnd);
  }

  /** Number of TCP streams seen so far (the next tcp.stream). */
  get tcpStreamCount(): number {
    return this.nextStream;
  }

  /** Conversations currently holding full state (for tests of the memory bound). */
  get liveConversationCount(): number {
    return this.live.size + this.udp.liveCount;
  }

  /**
   * Analyses one decoded frame (TCP or UDP), called after all its layers were decoded; returns the TCP
   * record, or null for other frames. The record is one object refilled for every TCP frame: copy what you
   * keep before the next. DNS messages spanning segments are decoded into the frame that completes them
   * (the TCP decoder handed whole ones to the DNS decoder already).
   */
  observe(d: Dissection): TcpFrameRecord | null {
    this.payloadLeftToUs = false;
    return this.analyzeFrame(d);
  }

  /**
   * The frame pipeline's transport step, called right after the (outermost) TCP or UDP layer is decoded
   * and before its payload (`next`, what the decoder asked for). UDP: numbers the stream. TCP: analyses
   * the segment (its record is then lastRecord) and returns the payload layer to decode, as Wireshark
   * chooses it:
   * - none for a retransmission or an out-of-order segment (packet-tcp.c decode_tcp_ports with
   *   tcp_no_subdissector_on_error, on by default: in-order protocols must not see data twice);
   * - for DNS over TCP, none: every message is decoded from the byte stream, in the frame that completes it.
   */
  observeLayer(d: Dissection, next: NextLayer | null): NextLayer | null {
    this.payloadLeftToUs = true;
    const record = this.analyzeFrame(d);
    this.payloadLeftToUs = false;
    if (!record || !next) return next;
    if (record.analysisFlags & (TcpAnalysisFlag.retransmission | TcpAnalysisFlag.outOfOrder)) return null;
    if (next.decoder === 'dns-tcp' && this.isDnsConversation(d)) return null;
    return next;
  }

  private isDnsConversation(d: Dissection): boolean {
    return d.tcp !== null && (d.tcp.srcPort === DNS_TCP_PORT || d.tcp.dstPort === DNS_TCP_PORT);
  }

  private analyzeFrame(d: Dissection): TcpFrameRecord | null {
    this.lastRecord = null;
    if (d.udp && d.ip) {
      const stream = this.udp.observe(d.ip.src, d.udp.srcPort, d.ip.dst, d.udp.dstPort, d.frame, d.udp.capturedPayloadLength);
      if (d.tree.enabled) addUdpStreamField(d, stream);
      return null;
    }
    if (!d.tcp || !d.ip) return null;
    const ip = d.ip;
    const tcp = d.tcp;
    const seg = this.segment;
    seg.frame = d.frame.number;
    seg.tsSeconds = d.frame.tsSeconds;
    seg.tsNanos = d.frame.tsNanos;
    seg.seq = tcp.seq;
    seg.ack = tcp.ack;
    seg.flags = tcp.flags;
    seg.window = tcp.window;
    // Wireshark knows no segment length when the header claims more than the IP payload holds.
    seg.payloadLength = tcp.payloadLength === 0 && tcp.headerLength > ip.payloadLength ? null : tcp.payloadLength;
    seg.windowScale = tcp.options.windowScale;
    seg.sack = tcp.options.sack.length > 0 ? tcp.options.sack : null;
    seg.headerLength = tcp.headerLength;
    seg.optionsUnreadable = optionsUnreadable(d);
    const key = this.tupleKey.of(ip.src, tcp.srcPort, ip.dst, tcp.dstPort);
    const touched = this.live.touch(key);
    let conv = touched;
    let conversationIsNew = false;
    if (!conv) {
      const tomb = this.tombstones.take(key);
      if (tomb) {
        conv = this.revive(key, tomb, seg);
      } else {
        conv = this.create(ip.src, tcp.srcPort, ip.dst, tcp.dstPort, seg);
        conversationIsNew = true;
      }
    }
    const a = conv.summary.a;
    let direction: 0 | 1 = ip.src === a.address && tcp.srcPort === a.port ? 0 : 1;
    let reusedPorts = false;
    if ((seg.flags & (TcpFlag.syn | TcpFlag.ack)) === TcpFlag.syn && conv.analysis.synStartsNewConversation(direction, seg.seq)) {
      // A new SYN on a known tuple with a different ISN: Wireshark starts a new stream ("reused ports").
      this.report(conv);
      conv = this.create(ip.src, tcp.srcPort, ip.dst, tcp.dstPort, seg);
      conv.analysis.completeness = 1;
      direction = 0;
      reusedPorts = true;
    }
    if (conv !== touched) this.live.set(key, conv);

    const result = conv.analysis.analyze(seg, direction, conversationIsNew, reusedPorts);
    const record = this.account(conv, d, seg, result);
    if (d.tree.enabled) addTcpAnalysisFields(d, result);
    conv.lastFrame = seg.frame;
    if (conv.streams && seg.payloadLength !== null) {
      const payload = d.sources[tcp.payloadSource]?.subarray(tcp.payloadOffset, tcp.payloadOffset + tcp.capturedPayloadLength) ?? new Uint8Array(0);
      this.current = d;
      conv.streams.observe(seg.frame, direction, seg.flags, seg.seq, seg.ack, seg.payloadLength, payload);
      this.current = null;
    }
    this.evictBeyondLimit();
    this.lastRecord = record;
    return record;
  }

  /**
   * The conversations still under way (TCP, then UDP), summarized as onConversationEnd would report them
   * if they ended now: what a capture still being read shows. Nothing is ended, flushed or made more
   * recently active, so the analysis goes on exactly as if it had not been asked.
   */
  liveSummaries(): ConversationSummary[] {
    const summaries: ConversationSummary[] = [];
    for (const c of this.live.values()) summaries.push(this.snapshot(c));
    for (const summary of this.udp.liveSummaries()) summaries.push(summary);
    return summaries;
  }

  /** Finishes every live conversation (end of capture): each is reported once through onConversationEnd. */
  finish(): void {
    for (const c of this.live.values()) this.report(c);
    this.live.clear();
    this.udp.finish();
  }

  /** The conversation is done with (evicted, replaced or at the end): flush its streams, report it. */
  private report(conv: LiveTcpConversation): void {
    conv.streams?.finish(conv.lastFrame);
    // A tuple revived only to be replaced by a new SYN has nothing to report.
    if (conv.summary.packetsAtoB + conv.summary.packetsBtoA === 0) return;
    this.options.onConversationEnd?.(this.snapshot(conv));
  }

  /** Gives a new or revived conversation its byte streams if someone wants them. */
  private attachStreams(conv: LiveTcpConversation): void {
    const sink = this.options.reassemble?.(conv.summary) ?? null;
    const isDns = conv.summary.a.port === DNS_TCP_PORT || conv.summary.b.port === DNS_TCP_PORT;
    if (!sink && !isDns) return;
    conv.followed = sink !== null;
    if (isDns) conv.dns = [new DnsTcpFramer(), new DnsTcpFramer()];
    conv.streams = new ConversationStreams((chunk) => {
      sink?.(chunk);
      if (!conv.dns) return;
      // After decoding, messages a segment held whole from its first byte were decoded with the segment
      // (app/decode/tcp.ts); those spanning segments only the byte stream can put together.
      for (const message of conv.dns[chunk.direction].push(chunk)) {
        if (this.payloadLeftToUs || !message.wholeInAlignedChunk) this.decodeDnsMessage(message.bytes);
      }
    }, this.options.reassemblyLimits);
  }

  /**
   * A DNS message completed by the current frame's segment is decoded into that frame, after its TCP
   * layer, as Wireshark shows a message reassembled from several segments in the last one.
   */
  private decodeDnsMessage(message: Uint8Array): void {
    const d = this.current;
    if (!d) return;
    d.sources.push(message);
    decodeLayer(d, { decoder: 'dns-tcp', source: d.sources.length - 1, offset: 0, end: message.length, embedded: false });
  }

  private create(src: string, srcPort: number, dst: string, dstPort: number, seg: TcpSegment): LiveTcpConversation {
    const conv = new LiveTcpConversation(this.nextStream++, endpointKey(src, srcPort), { address: src, port: srcPort }, { address: dst, port: dstPort }, seg.tsSeconds, seg.tsNanos);
    this.attachStreams(conv);
    return conv;
  }

  private revive(key: string, tomb: Tombstone, seg: TcpSegment): LiveTcpConversation {
    const [first, second] = endpointsOfKey(key);
    const [a, b] = tomb.aFirstInKey ? [first, second] : [second, first];
    const conv = new LiveTcpConversation(tomb.stream, endpointKey(a.address, a.port), a, b, seg.tsSeconds, seg.tsNanos);
    conv.summary.continued = true;
    conv.summary.clientIsA = tomb.clientIsA;
    for (const i of [0, 1] as const) {
      conv.analysis.flows[i].baseSeq = tomb.baseSeq[i];
      conv.analysis.flows[i].baseSeqSet = tomb.baseSeqSet[i];
    }
    this.attachStreams(conv);
    return conv;
  }

  private evictBeyondLimit(): void {
    // Conversations someone follows are passed over (their byte streams must not restart); at most one round.
    for (let passes = this.live.size; this.live.size > this.maxLive && passes > 0; passes--) {
      const [key, oldest] = this.live.shift()!;
      if (oldest.followed) {
        this.live.set(key, oldest);
        continue;
      }
      this.report(oldest);
      const flows = oldest.analysis.flows;
      this.tombstones.set(key, {
        stream: oldest.stream,
        aFirstInKey: key.startsWith(`${oldest.aKey} `),
        clientIsA: oldest.summary.clientIsA,
        baseSeq: [flows[0].baseSeq, flows[1].baseSeq],
        baseSeqSet: [flows[0].baseSeqSet, flows[1].baseSeqSet],
      });
    }
  }

  /** Counts, states, RTT and the segment event of one analysed frame. */
  private account(conv: LiveTcpConversation, d: Dissection, seg: TcpSegment, result: TcpFrameAnalysis): TcpFrameRecord {
    const direction = result.direction;
    const summary = conv.summary;
    const tcp = summary.tcp!;
    const flags = seg.flags;
    const seglen = seg.payloadLength ?? 0;
    countPacket(summary, direction, seg.tsSeconds, seg.tsNanos, d.frame.originalLength, seglen);
    const fromA = direction === 0;
    if ((flags & (TcpFlag.syn | TcpFlag.ack)) === TcpFlag.syn) {
      if (!tcp.synSeen && !tcp.synAckSeen) summary.clientIsA = fromA;
      tcp.synSeen = true;
    } else if (flags & TcpFlag.syn) {
      if (!tcp.synSeen && !tcp.synAckSeen) summary.clientIsA = !fromA;
      tcp.synAckSeen = true;
    } else if (flags & TcpFlag.ack && tcp.synSeen && tcp.synAckSeen && fromA === summary.clientIsA) {
      tcp.handshakeCompleted = true;
    }
    if (flags & TcpFlag.fin) {
      if (fromA) tcp.finFromA = true;
      else tcp.finFromB = true;
    }
    if (flags & TcpFlag.rst) {
      if (fromA) tcp.rstFromA = true;
      else tcp.rstFromB = true;
    }
    if (flags & (TcpFlag.fin | TcpFlag.rst) && tcp.closedBy === null) tcp.closedBy = fromA ? 'a' : 'b';

    const acked = result.acked;
    const analysisFlags = acked?.flags ?? 0;
    if (analysisFlags & RETRANSMISSION_FLAGS) {
      if (fromA) tcp.retransmissionsAtoB++;
      else tcp.retransmissionsBtoA++;
    }
    conv.states.observe(direction, flags, seg.seq, seg.ack, seglen);

    const rev = conv.analysis.flows[direction === 0 ? 1 : 0];
    const timeNs = (seg.tsSeconds - summary.firstSeconds) * 1e9 + (seg.tsNanos - summary.firstNanos);
    const options = d.tcp!.options;
    const relSeq = result.seq;
    const end = (relSeq + seglen + (flags & (TcpFlag.syn | TcpFlag.fin) ? 1 : 0)) >>> 0;
    conv.rtt[direction].onSend(relSeq, end, timeNs, options.tsVal);
    conv.flight[direction].onSend(end, timeNs);
    if (flags & TcpFlag.ack) conv.flight[direction === 0 ? 1 : 0].onAck(result.ack, timeNs);
    const rttSamples = flags & TcpFlag.ack ? conv.rtt[direction === 0 ? 1 : 0].onAck(seg.frame, result.ack, timeNs, options.tsEcr) : [];

    if (this.options.onSegment) {
      // SACK blocks name the peer's bytes: relative to the peer's base. Segments without any share one empty list.
      const sack = options.sack.length === 0 ? NO_SACK : options.sack.map((edge) => (edge - rev.baseSeq) >>> 0);
      this.options.onSegment({
        stream: conv.stream,
        frame: seg.frame,
        direction,
        tsSeconds: seg.tsSeconds,
        tsNanos: seg.tsNanos,
        timeNs,
        flags,
        seq: relSeq,
        end,
        payloadLength: seglen,
        ack: flags & TcpFlag.ack ? result.ack : null,
        window: result.windowSize,
        sack,
        mss: options.mss,
        tsVal: options.tsVal,
        tsEcr: options.tsEcr,
        analysisFlags,
        bytesInFlight: acked?.bytesInFlight ?? 0,
        rttSamples,
      });
    }

    const record = this.record;
    record.stream = conv.stream;
    record.direction = direction;
    record.seq = result.seq;
    record.ack = result.ack;
    record.nxtseq = result.nxtseq ?? -1;
    record.windowSize = result.windowSize;
    record.analysisFlags = analysisFlags;
    record.bytesInFlight = acked?.bytesInFlight ?? 0;
    record.ackedFrame = acked?.frameAcked ?? 0;
    record.ackRttNs = acked?.ackRtt ? acked.ackRtt.seconds * 1e9 + acked.ackRtt.nanos : 0;
    record.dupAckNum = acked?.dupAckNum ?? 0;
    record.states = conv.states.states[0] | (conv.states.states[1] << 4);
    return record;
  }

  /**
   * A copy of the conversation's summary with the values read from its analysis only when given out (not
   * kept up to date for every segment): states, completeness, RTT and bytes in flight. Reads, never writes.
   */
  private snapshot(conv: LiveTcpConversation): ConversationSummary {
    const rttAtoB = conv.rtt[0].estimate();
    const rttBtoA = conv.rtt[1].estimate();
    return {
      ...conv.summary,
      tcp: {
        ...conv.summary.tcp!,
        stateA: TCP_STATE_NAMES[conv.states.states[0]],
        stateB: TCP_STATE_NAMES[conv.states.states[1]],
        completeness: conv.analysis.completeness,
        rttAtoB,
        rttBtoA,
        flightAtoB: conv.flight[0].summary(rttAtoB.meanRttNs),
        flightBtoA: conv.flight[1].summary(rttBtoA.meanRttNs),
      },
    };
  }
}

function node(field: FieldDef, value: FieldValue, source: number, offset = 0, length = 0, generated = true): FieldNode {
  return { field, source, offset, length, value, generated, children: null };
}

function findProtocolNode(nodes: readonly FieldNode[], name: string): FieldNode | null {
  for (const n of nodes) {
    if (n.field.name === name) return n;
    if (n.children) {
      const inner = findProtocolNode(n.children, name);
      if (inner) return inner;
    }
  }
  return null;
}

/** Inserts nodes after the last child named `after` (or before `before`, or at the end), keeping Wireshark's order. */
function insertChildren(parent: FieldNode, nodes: FieldNode[], after: readonly string[], before: readonly string[] = []): void {
  const children = (parent.children ??= []);
  for (const name of after) {
    let at = -1;
    for (let i = 0; i < children.length; i++) if (children[i].field.name === name) at = i;
    if (at >= 0) {
      children.splice(at + 1, 0, ...nodes);
      return;
    }
  }
  for (const name of before) {
    const at = children.findIndex((c) => c.field.name === name);
    if (at >= 0) {
      children.splice(at, 0, ...nodes);
      return;
    }
  }
  children.push(...nodes);
}

/** Appends the analysis fields to the frame's 'tcp' node in Wireshark's order (or at the end of the tree). */
function addTcpAnalysisFields(d: Dissection, r: TcpFrameAnalysis): void {
  const tcpNode = findProtocolNode(d.tree.roots, 'tcp');
  const parent: FieldNode = tcpNode ?? { field: F.analysis, source: 0, offset: 0, length: 0, value: null, generated: true, children: d.tree.roots };
  const source = tcpNode?.source ?? 0;
  const seqRaw = tcpNode?.children?.find((c) => c.field.name === 'tcp.seq_raw');
  const ackRaw = tcpNode?.children?.find((c) => c.field.name === 'tcp.ack_raw');

  insertChildren(parent, [node(F.stream, r.stream, source), node(F.completeness, r.completeness, source)], ['tcp.port', 'tcp.dstport']);
  insertChildren(parent, [node(F.seq, r.seq, source, seqRaw?.offset ?? 0, seqRaw ? 4 : 0, seqRaw === undefined)], ['tcp.len', 'tcp.completeness']);
  // Wireshark gives up after the sequence number when the data offset is impossible.
  if (r.headerTooShort) return;
  if (r.nxtseq !== null) insertChildren(parent, [node(F.nxtseq, r.nxtseq, source)], ['tcp.seq_raw', 'tcp.seq']);
  insertChildren(parent, [node(F.ack, r.ack, source, ackRaw?.offset ?? 0, ackRaw ? 4 : 0, ackRaw === undefined)], ['tcp.nxtseq', 'tcp.seq_raw', 'tcp.seq']);
  if (tcpNode) relativeSackEdges(tcpNode, r.sackBase);
  const windowNodes = [node(F.windowSize, r.windowSize, source)];
  if (r.windowScaleFactor !== null) windowNodes.push(node(F.windowScaleFactor, r.windowScaleFactor, source));
  insertChildren(parent, windowNodes, ['tcp.window_size_value']);
  const { tsSeconds, tsNanos } = d.frame;
  const tail = [
    node(F.timeRelative, durationBetween(tsSeconds, tsNanos, r.firstSeconds, r.firstNanos), source),
    node(F.timeDelta, durationBetween(tsSeconds, tsNanos, r.previousSeconds, r.previousNanos), source),
  ];
  const ta = r.acked;
  if (ta && r.analysisShown) {
    const analysis = node(F.analysis, null, source);
    const items: FieldNode[] = [];
    if (ta.frameAcked) {
      items.push(node(F.acksFrame, ta.frameAcked, source));
      if (ta.ackRtt && (ta.ackRtt.seconds !== 0 || ta.ackRtt.nanos !== 0)) items.push(node(F.ackRtt, ta.ackRtt, source));
    }
    if (r.initialRtt) items.push(node(F.initialRtt, r.initialRtt, source));
    if (ta.bytesInFlight) {
      items.push(node(F.bytesInFlight, ta.bytesInFlight, source));
      items.push(node(F.pushBytesSent, ta.pushBytesSent, source));
    }
    if (ta.flags) {
      const flagsNode = node(F.flags, null, source);
      flagsNode.children = analysisFlagNodes(ta, source);
      items.push(flagsNode);
    }
    if (ta.dupAckNum) {
      items.push(node(F.duplicateAckNum, ta.dupAckNum, source));
      const frameNode = node(F.duplicateAckFrame, ta.dupAckFrame, source);
      frameNode.children = [node(F.duplicateAck, null, source)];
      items.push(frameNode);
    }
    analysis.children = items;
    tail.push(analysis);
  }
  insertChildren(parent, tail, [], ['tcp.payload', 'tcp.segment_data', 'tcp.reassembled_in']);
}

/** SACK edges as tshark shows them: relative to the peer's initial sequence number, like tcp.ack. */
function relativeSackEdges(parent: FieldNode, base: number): void {
  const children = parent.children;
  if (!children) return;
  for (let i = 0; i < children.length; i++) {
    const child = children[i];
    const name = child.field.name;
    if ((name === 'tcp.options.sack_le' || name === 'tcp.options.sack_re') && typeof child.value === 'number') {
      children[i] = { ...child, value: (child.value - base) >>> 0 };
    } else if (child.children) {
      relativeSackEdges(child, base);
    }
  }
}

/** The expert items of the flags subtree, in Wireshark's print order. */
function analysisFlagNodes(ta: TcpAckedInfo, source: number): FieldNode[] {
  const A = TcpAnalysisFlag;
  const flags = ta.flags;
  const out: FieldNode[] = [];
  const add = (field: FieldDef) => out.push(node(field, null, source));
  if (flags & A.reusedPorts) add(F.reusedPorts);
  if (flags & A.retransmission) {
    add(F.retransmission);
    if (ta.rto && (ta.rto.seconds !== 0 || ta.rto.nanos !== 0)) {
      out.push(node(F.rto, ta.rto, source));
      out.push(node(F.rtoFrame, ta.rtoFrame, source));
    }
  }
  if (flags & A.fastRetransmission) {
    add(F.fastRetransmission);
    add(F.retransmission);
  }
  if (flags & A.spuriousRetransmission) {
    add(F.spuriousRetransmission);
    add(F.retransmission);
  }
  if (flags & A.outOfOrder) add(F.outOfOrder);
  if (flags & A.lostSegment) add(F.lostSegment);
  if (flags & A.ackLostSegment) add(F.ackLostSegment);
  if (flags & A.windowUpdate) add(F.windowUpdate);
  if (flags & A.windowFull) add(F.windowFull);
  if (flags & A.keepAlive) add(F.keepAlive);
  if (flags & A.keepAliveAck) add(F.keepAliveAck);
  if (flags & A.duplicateAck) add(F.duplicateAck);
  if (flags & A.zeroWindowProbe) add(F.zeroWindowProbe);
  if (flags & A.zeroWindow) add(F.zeroWindow);
  if (flags & A.zeroWindowProbeAck) add(F.zeroWindowProbeAck);
  return out;
}

function addUdpStreamField(d: Dissection, stream: number): void {
  const udpNode = findProtocolNode(d.tree.roots, 'udp');
  const streamNode = node(UDP_CONVERSATION_FIELDS.stream, stream, udpNode?.source ?? 0);
  if (udpNode) insertChildren(udpNode, [streamNode], ['udp.checksum.status', 'udp.checksum', 'udp.length']);
  else d.tree.roots.push(streamNode);
}

/**
 * Whether Wireshark's option walk (tcp_dissect_options) ran past the captured bytes and threw: it reads
 * every byte of every option until the end of the header unless an impossible length stops it first, and
 * when it throws nothing after the options is shown (no tcp.analysis subtree). The TCP decoder reports
 * exactly that case as "TCP options truncated" (app/decode/tcp.ts).
 */
function optionsUnreadable(d: Dissection): boolean {
  const issue = d.malformed;
  return issue !== null && issue.layer === 'tcp' && issue.code === 'truncated' && issue.message.startsWith('TCP options');
}
