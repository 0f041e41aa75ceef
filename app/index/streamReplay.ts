import type {
  Endpoint,
  FollowDirection,
  FollowPiece,
  FollowTotals,
  HandshakeOptions,
  ModelFit,
  RttSummary,
  SideAnalysis,
  StreamSide,
  TcpFollow,
  TcpStreamAnalysis,
} from '../api/types';
import type { Dissection } from '../decode/dissection';
import { LadderBuilder, type Ladder } from '../diagram/ladder';
import { diagramSegment, diagramStream } from '../diagram/segment';
import type { ObservedSegment } from '../refstack/events';
import { endpointText, observedSegment } from '../refstack/fromAnalyzer';
import { windowsSeries, type DirectionWindows } from '../refstack/windows';
import { TcpAnalysisFlag as A, TcpFlag } from '../tcp/analysis';
import { TcpAnalyzer, type TcpSegmentEvent } from '../tcp/analyzer';
import type { ConversationSummary } from '../tcp/conversation';
import type { FollowChunk } from '../tcp/follow';
import type { StreamSeries } from '../tcp/series';
import { StreamSeriesBuilder } from '../tcp/seriesBuilder';

/*
 * One TCP stream replayed on its own: its frames (and only its frames, in capture order) go through a
 * fresh TcpAnalyzer, which reassembles the byte streams (app/tcp/follow.ts, the engine behind
 * `wirelens follow`), reports every analysed segment and finally the conversation summary. From these
 * come the follow view's pieces and the stream's analysis summary, including the reference stack's
 * model selection (app/refstack/windows.ts, the engine behind `wirelens windows`), and from the same
 * segment events the connection ladder (app/diagram) and the chart series (app/tcp/seriesBuilder.ts).
 */

/** Stream bytes kept per side for follow; past it, pieces are counted but not kept (the UI shows a few MB at most). */
export const MAX_FOLLOW_BYTES_PER_SIDE = 16 * 1024 * 1024;
/**
 * Segments given to model selection, which replays them through every candidate model; a longer
 * stream is judged on its beginning (and the verdict says so).
 */
export const MAX_MODEL_SEGMENTS = 200_000;

const RETRANSMISSIONS = A.retransmission | A.fastRetransmission | A.spuriousRetransmission;

/** What the replay knows of one direction (0: sent by A, the first packet's source; 1: by B). */
interface DirectionFacts {
  frames: number;
  payloadBytes: number;
  handshake: HandshakeOptions | null;
  /** Segments carrying each analysis flag bit. */
  flagCounts: Map<number, number>;
  /** RTT samples of the data this direction sent, ns. */
  rttNs: number[];
  totals: FollowTotals;
  /** Ordinal (in capture order, among all pieces) of the first piece not kept; Infinity while all are kept. */
  droppedFrom: number;
  keptBytes: number;
}

interface KeptPiece {
  ordinal: number;
  direction: 0 | 1;
  chunk: FollowChunk;
}

/** The replayed stream, ready to answer follow and analysis requests (without the capture id). */
export interface StreamReport {
  follow(dir: FollowDirection): Omit<TcpFollow, 'id'>;
  analysis: Omit<TcpStreamAnalysis, 'id'>;
  ladder: Ladder | null;
  series: StreamSeries;
}

export class StreamReplay {
  private readonly directions: [DirectionFacts, DirectionFacts] = [newFacts(), newFacts()];
  private readonly pieces: KeptPiece[] = [];
  private ordinal = 0;
  private readonly segments: ObservedSegment[] = [];
  private segmentsSeen = 0;
  private summary: ConversationSummary | null = null;
  private readonly analyzer: TcpAnalyzer;
  private current: Dissection | null = null;
  private firstFrame = 0;
  private lastFrame = 0;
  private frames = 0;
  private firstTime: { seconds: number; nanos: number } | null = null;
  private lastTime = { seconds: 0, nanos: 0 };
  /** Time of the last pure SYN before the SYN-ACK and the direction that sent it. */
  private syn: { ns: number; direction: 0 | 1 } | null = null;
  private synAckSeen = false;
  private initialRttNs: number | null = null;
  private ladder: LadderBuilder | null = null;
  /** The fresh analyzer numbers the replayed stream 0. */
  private readonly series = new StreamSeriesBuilder(0);

  private readonly maxFollowBytesPerSide: number;
  private readonly maxModelSegments: number;

  /** `stream` is the capture-wide tcp.stream of the frames that will be observed. */
  constructor(
    private readonly stream: number,
    limits: { maxFollowBytesPerSide?: number; maxModelSegments?: number } = {},
  ) {
    this.maxFollowBytesPerSide = limits.maxFollowBytesPerSide ?? MAX_FOLLOW_BYTES_PER_SIDE;
    this.maxModelSegments = limits.maxModelSegments ?? MAX_MODEL_SEGMENTS;
    this.analyzer = new TcpAnalyzer({
      // The fresh analyzer sees one conversation only, which it numbers 0.
      reassemble: (summary) => (summary.stream === 0 ? (chunk) => this.chunk(chunk) : null),
      onSegment: (event) => this.segment(event),
      onConversationEnd: (summary) => {
        if (summary.protocol === 'tcp' && summary.stream === 0) this.summary = summary;
      },
    });
  }

  /** One frame of the stream, decoded (without a field tree), in capture order. */
  observe(d: Dissection): void {
    this.current = d;
    this.analyzer.observe(d);
    this.current = null;
  }

  /** The stream's report, with times relative to the capture's first frame. */
  finish(captureStart: { seconds: number; nanos: number }): StreamReport | null {
    this.analyzer.finish();
    const summary = this.summary;
    const tcp = summary?.tcp;
    if (!summary || !tcp || !this.firstTime) return null;
    const clientDirection: 0 | 1 = summary.clientIsA ? 0 : 1;
    const sideOf = (direction: 0 | 1): StreamSide => (direction === clientDirection ? 'client' : 'server');
    const client = summary.clientIsA ? summary.a : summary.b;
    const server = summary.clientIsA ? summary.b : summary.a;
    // One replay of the sender models serves the analysis and the charts.
    const windows = windowsSeries(this.stream, this.segments);
    const models = this.fitModels(windows);
    const side = (direction: 0 | 1, endpoint: Endpoint): SideAnalysis => {
      const facts = this.directions[direction];
      const count = (flag: number) => facts.flagCounts.get(flag) ?? 0;
      const smoothed = direction === 0 ? tcp.rttAtoB.srttNs : tcp.rttBtoA.srttNs;
      return {
        endpoint: { ...endpoint },
        frames: facts.frames,
        payloadBytes: facts.payloadBytes,
        handshake: facts.handshake,
        retransmissions: count(RETRANSMISSIONS),
        fastRetransmissions: count(A.fastRetransmission),
        spuriousRetransmissions: count(A.spuriousRetransmission),
        outOfOrder: count(A.outOfOrder),
        previousSegmentNotCaptured: count(A.lostSegment),
        duplicateAcks: count(A.duplicateAck),
        zeroWindows: count(A.zeroWindow),
        windowFull: count(A.windowFull),
        keepAlives: count(A.keepAlive),
        rtt: rttSummary(facts.rttNs, smoothed),
        model: models.get(endpointKey(endpoint)) ?? null,
      };
    };
    const closedBy = tcp.closedBy === null ? null : sideOf(tcp.closedBy === 'a' ? 0 : 1);
    const analysis: Omit<TcpStreamAnalysis, 'id'> = {
      stream: this.stream,
      frames: this.frames,
      firstFrame: this.firstFrame,
      lastFrame: this.lastFrame,
      relativeStart: secondsBetween(captureStart, this.firstTime),
      duration: secondsBetween(this.firstTime, this.lastTime),
      synSeen: tcp.synSeen,
      synAckSeen: tcp.synAckSeen,
      handshakeCompleted: tcp.handshakeCompleted,
      initialRttMs: this.initialRttNs === null ? null : this.initialRttNs / 1e6,
      closedBy,
      clientState: summary.clientIsA ? tcp.stateA : tcp.stateB,
      serverState: summary.clientIsA ? tcp.stateB : tcp.stateA,
      client: side(clientDirection, client),
      server: side(clientDirection === 0 ? 1 : 0, server),
    };
    const clientFacts = this.directions[clientDirection];
    const serverFacts = this.directions[clientDirection === 0 ? 1 : 0];
    return {
      analysis,
      ladder: this.ladder?.finish() ?? null,
      series: { ...this.series.finish(this.segmentsSeen > this.segments.length ? undefined : windows), stream: this.stream },
      follow: (dir) => {
        // Both sides interleaved stop where either side's first dropped piece would have been.
        const limit =
          dir === 'both' ? Math.min(clientFacts.droppedFrom, serverFacts.droppedFrom) : (dir === 'client' ? clientFacts : serverFacts).droppedFrom;
        const pieces: FollowPiece[] = [];
        for (const kept of this.pieces) {
          if (kept.ordinal >= limit) break;
          const pieceSide = sideOf(kept.direction);
          if (dir !== 'both' && pieceSide !== dir) continue;
          const { frame, offset, bytes, length } = kept.chunk;
          pieces.push({ side: pieceSide, frame, offset, bytes, length });
        }
        return {
          stream: this.stream,
          client: { ...client },
          server: { ...server },
          pieces,
          clientTotals: { ...clientFacts.totals },
          serverTotals: { ...serverFacts.totals },
          complete: limit === Infinity,
        };
      },
    };
  }

  private chunk(chunk: FollowChunk): void {
    const facts = this.directions[chunk.direction];
    const ordinal = this.ordinal++;
    if (chunk.bytes) facts.totals.bytes += chunk.length;
    else {
      facts.totals.missingBytes += chunk.length;
      facts.totals.gaps++;
    }
    const size = chunk.bytes ? chunk.length : 0;
    if (facts.droppedFrom !== Infinity || facts.keptBytes + size > this.maxFollowBytesPerSide) {
      facts.droppedFrom = Math.min(facts.droppedFrom, ordinal);
      return;
    }
    facts.keptBytes += size;
    // Reassembled chunks are copies (app/tcp/reassembly.ts), not views into the frames' read buffers.
    this.pieces.push({ ordinal, direction: chunk.direction, chunk });
  }

  private segment(event: TcpSegmentEvent): void {
    if (event.stream !== 0) return;
    const d = this.current;
    const facts = this.directions[event.direction];
    const timeNs = event.timeNs;
    this.frames++;
    if (this.firstTime === null) {
      this.firstTime = { seconds: event.tsSeconds, nanos: event.tsNanos };
      this.firstFrame = event.frame;
    }
    this.lastTime = { seconds: event.tsSeconds, nanos: event.tsNanos };
    this.lastFrame = event.frame;
    facts.frames++;
    facts.payloadBytes += event.payloadLength;
    for (let bit = 1; bit <= event.analysisFlags; bit <<= 1) {
      if (event.analysisFlags & bit) facts.flagCounts.set(bit, (facts.flagCounts.get(bit) ?? 0) + 1);
    }
    if (event.analysisFlags & RETRANSMISSIONS) facts.flagCounts.set(RETRANSMISSIONS, (facts.flagCounts.get(RETRANSMISSIONS) ?? 0) + 1);
    // The acknowledgment in this segment timed the data the other side sent.
    const peer = this.directions[event.direction === 0 ? 1 : 0];
    for (const sample of event.rttSamples) peer.rttNs.push(sample.rttNs);

    const synAck = TcpFlag.syn | TcpFlag.ack;
    if (event.flags & TcpFlag.syn) {
      const options = d?.tcp?.options;
      if (options && facts.handshake === null) {
        facts.handshake = { mss: options.mss, windowScale: options.windowScale, sackPermitted: options.sackPermitted, timestamps: options.tsVal !== null };
      }
      // Wireshark times the initial RTT from the last SYN: a retransmitted SYN restarts it.
      if ((event.flags & synAck) === TcpFlag.syn && !this.synAckSeen) this.syn = { ns: timeNs, direction: event.direction };
      else if (this.syn && event.direction !== this.syn.direction) this.synAckSeen = true;
    } else if (event.flags & TcpFlag.ack && this.synAckSeen && this.syn && event.direction === this.syn.direction && this.initialRttNs === null) {
      // Wireshark's tcp.analysis.initial_rtt: from the SYN to the ACK of the SYN-ACK.
      this.initialRttNs = timeNs - this.syn.ns;
    }

    if (d) {
      if (!this.ladder) {
        const info = diagramStream(event, d);
        // Named by its capture-wide tcp.stream, not the replay's 0.
        if (info) this.ladder = new LadderBuilder({ ...info, stream: this.stream });
      }
      const diagram = diagramSegment(event, d);
      if (diagram) this.ladder?.add(diagram);
      this.series.add(event, d);
    }

    this.segmentsSeen++;
    if (d && this.segments.length < this.maxModelSegments) {
      const observed = observedSegment(event, d);
      if (observed) this.segments.push(observed);
    }
  }

  /** The reference stack's model per data-sending endpoint ('ip:port' keys). */
  private fitModels(windows: readonly DirectionWindows[]): Map<string, ModelFit> {
    const fits = new Map<string, ModelFit>();
    if (this.segments.length === 0) return fits;
    const partial = this.segmentsSeen > this.segments.length ? ` (judged on the first ${this.segments.length} of ${this.segmentsSeen} segments)` : '';
    for (const direction of windows) {
      let maxCwnd: number | null = null;
      for (const row of direction.rows) if (row.cwnd !== null && (maxCwnd === null || row.cwnd > maxCwnd)) maxCwnd = row.cwnd;
      fits.set(direction.src, { model: direction.selection.selected, verdict: `${direction.selection.verdict}${partial}`, maxCwnd });
    }
    return fits;
  }
}

function newFacts(): DirectionFacts {
  return {
    frames: 0,
    payloadBytes: 0,
    handshake: null,
    flagCounts: new Map(),
    rttNs: [],
    totals: { bytes: 0, missingBytes: 0, gaps: 0 },
    droppedFrom: Infinity,
    keptBytes: 0,
  };
}

/** The key the reference stack names endpoints by ('ip:port', '[v6]:port'). */
function endpointKey(endpoint: Endpoint): string {
  return endpointText(endpoint.address.includes(':') ? 6 : 4, endpoint.address, endpoint.port);
}

function rttSummary(samplesNs: readonly number[], smoothedNs: number | null): RttSummary | null {
  if (samplesNs.length === 0 || smoothedNs === null) return null;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const ns of samplesNs) {
    min = Math.min(min, ns);
    max = Math.max(max, ns);
    sum += ns;
  }
  return { samples: samplesNs.length, minMs: min / 1e6, meanMs: sum / samplesNs.length / 1e6, maxMs: max / 1e6, smoothedMs: smoothedNs / 1e6 };
}

function secondsBetween(from: { seconds: number; nanos: number }, to: { seconds: number; nanos: number }): number {
  return to.seconds - from.seconds + (to.nanos - from.nanos) / 1e9;
}
