/*
 * The service contract shared by every transport (Electron IPC, the local web bridge, in-process tests).
 * Everything here crosses a process boundary: plain data only (numbers, strings, booleans, arrays,
 * objects, typed arrays), no classes, no functions, no bigint.
 */

import type { Ladder } from '../diagram/ladder';
import type { StreamSeries } from '../tcp/series';

export type { Ladder } from '../diagram/ladder';
export type { StreamSeries } from '../tcp/series';

/** Opaque handle of one open capture, unique within a service instance. */
export type CaptureId = string;

export type CaptureState = 'loading' | 'done' | 'failed' | 'cancelled';

export interface CaptureInfo {
  id: CaptureId;
  /** Absolute path of the file on the machine running the engine. */
  path: string;
  /** File name only, for titles. */
  name: string;
  sizeBytes: number;
  /** A live capture (live.start): it grows until it stops; path is its spool directory. */
  live: boolean;
}

/** Sent while a capture is read (throttled) and once more when reading ends. */
export interface CaptureProgress {
  id: CaptureId;
  state: CaptureState;
  framesRead: number;
  bytesRead: number;
  totalBytes: number;
  /** Reading speed since the open, in 10^6 bytes per second. */
  megabytesPerSecond: number;
  /** Estimated time to the end of the file at the current speed; null when unknown or done. */
  secondsLeft: number | null;
  elapsedSeconds: number;
}

/**
 * The field index a complete capture builds in the background, after reading: display filters over its
 * fields then apply without decoding a frame. 'waiting' until the capture is read; 'failed' when frames
 * could not be read back (filters then decode every frame, as they do before the index is built).
 */
export interface FilterIndexStatus {
  state: 'waiting' | 'building' | 'built' | 'failed';
  /** Frames indexed so far, of `total` (every frame of the capture; 0 while waiting). */
  frames: number;
  total: number;
  /** Memory the index holds. */
  memoryBytes: number;
}

/** What the status bar shows; complete once state is 'done'. */
export interface CaptureStatus {
  info: CaptureInfo;
  progress: CaptureProgress;
  format: 'pcap' | 'pcapng' | null;
  frames: number;
  malformed: number;
  /** Why the file stopped being readable before its end (frames before it are kept), or why opening failed. */
  problem: string | null;
  /** Seconds from the open to the last frame indexed (the whole load once state is 'done'). */
  loadSeconds: number;
  /** Null for a live capture until it stops (its field index is built once it has). */
  filterIndex: FilterIndexStatus | null;
}

/**
 * How a row is coloured, after Wireshark's default colouring rules (first match wins, in this order):
 * malformed, bad-tcp (any tcp.analysis problem), tcp-rst, icmp-error, tcp-syn-fin, arp, icmp, dns, tcp, udp, other.
 */
export type RowColour =
  | 'malformed'
  | 'bad-tcp'
  | 'tcp-rst'
  | 'icmp-error'
  | 'tcp-syn-fin'
  | 'arp'
  | 'icmp'
  | 'dns'
  | 'tcp'
  | 'udp'
  | 'other';

/** One line of the packet list, with tshark's default columns. */
export interface FrameRow {
  number: number;
  /** Seconds since the first frame (frame.time_relative), in the capture's precision. */
  timeRelative: string;
  /** UTC date and time of day, 'YYYY-MM-DD HH:MM:SS.ffffff'. */
  timeAbsolute: string;
  /** Seconds since the previous captured frame (frame.time_delta). */
  timeDelta: string;
  source: string;
  destination: string;
  protocol: string;
  /** frame.len */
  length: number;
  info: string;
  colour: RowColour;
}

export interface FramePage {
  id: CaptureId;
  /** 1-based number of the first row. */
  from: number;
  rows: FrameRow[];
  /** Frames indexed so far; rows past it are not returned. */
  total: number;
  /** True once the whole file is indexed (total is final). */
  complete: boolean;
}

/** One node of the details tree. */
export interface DetailNode {
  /** The text Wireshark shows for the node (app/fields/format.ts formatTreeLabel). */
  label: string;
  /** Wireshark's field name ('ip.ttl'), shown on hover and usable in filters. */
  name: string;
  /** Index into FrameDetail.sources. */
  source: number;
  /** Absolute offset and length of the field's bytes in its source; length 0 for generated fields. */
  offset: number;
  length: number;
  /** Computed by the analyser rather than read from the bytes (Wireshark's [brackets]). */
  generated: boolean;
  children: DetailNode[];
}

export interface ByteSource {
  /** 'Frame' for the captured bytes, e.g. 'Reassembled IPv4' for buffers built by the engine. */
  name: string;
  bytes: Uint8Array;
}

export interface FrameProblem {
  layer: string;
  offset: number;
  message: string;
}

export interface FrameDetail {
  id: CaptureId;
  number: number;
  /** The frame's tcp.stream, or null when it is not a TCP segment (what "Follow TCP stream" opens). */
  tcpStream: number | null;
  tree: DetailNode[];
  /** [0] is the frame's captured bytes; further entries are reassembled buffers. */
  sources: ByteSource[];
  malformed: FrameProblem | null;
}

/** A conversation at the transport layer, both directions together; A is the side seen first. */
export interface FlowRow {
  protocol: 'tcp' | 'udp';
  /** tcp.stream / udp.stream */
  stream: number;
  addressA: string;
  portA: number;
  addressB: string;
  portB: number;
  framesAToB: number;
  bytesAToB: number;
  framesBToA: number;
  bytesBToA: number;
  /** First frame's time relative to the capture start, and the span to the last frame, in seconds. */
  relativeStart: number;
  duration: number;
}

/** A DNS query and its response, matched by transaction id, client, server and question. */
export interface DnsTransaction {
  queryFrame: number;
  responseFrame: number | null;
  transactionId: number;
  client: string;
  server: string;
  /** The first question: name and type mnemonic ('A', 'AAAA', ...). */
  name: string;
  type: string;
  /** RCODE mnemonic of the response ('NoError', 'NXDomain', ...), null without a response. */
  rcode: string | null;
  /** Presentation text of each answer record's data. */
  answers: string[];
  /** Response time minus query time, in seconds. */
  responseSeconds: number | null;
}

/** The two ends of a TCP connection: the client sent the first SYN (else the first packet's source). */
export type StreamSide = 'client' | 'server';
export type FollowDirection = StreamSide | 'both';

/** Bytes of one side of a followed TCP stream, or a gap where the capture lacks them. */
export interface FollowPiece {
  side: StreamSide;
  /** The frame whose segment (or, for a gap, whose acknowledgment) produced the piece. */
  frame: number;
  /** Position of the first byte in its side's stream (0 = the first byte after the SYN). */
  offset: number;
  /** The bytes, or null for bytes missing from the capture. */
  bytes: Uint8Array | null;
  length: number;
}

export interface FollowTotals {
  /** Bytes of the stream seen, and missing (gaps), over the whole stream. */
  bytes: number;
  missingBytes: number;
  gaps: number;
}

/** One TCP stream's bytes as "Follow TCP stream" shows them: both sides interleaved in capture order. */
export interface TcpFollow {
  id: CaptureId;
  stream: number;
  client: Endpoint;
  server: Endpoint;
  /** The requested side(s), in the order the capture completes them. */
  pieces: FollowPiece[];
  clientTotals: FollowTotals;
  serverTotals: FollowTotals;
  /** False when pieces stop short of the stream's end: it holds more than the transfer limit (the totals still count all of it). */
  complete: boolean;
}

export interface Endpoint {
  address: string;
  port: number;
}

/** TCP options of a side's SYN (or SYN-ACK), which fix what the connection may use. */
export interface HandshakeOptions {
  mss: number | null;
  windowScale: number | null;
  sackPermitted: boolean;
  timestamps: boolean;
}

/** Round-trip times of the data one side sent, from its peer's ACKs (Karn's rule) and timestamp echoes. */
export interface RttSummary {
  samples: number;
  minMs: number;
  meanMs: number;
  maxMs: number;
  /** RFC 6298 smoothed RTT after the last sample. */
  smoothedMs: number;
}

/** The reference stack's verdict on one side's sending (app/refstack model selection). */
export interface ModelFit {
  /** The congestion-control model that explains the sender best, or null when none fits. */
  model: string | null;
  verdict: string;
  /** Largest congestion window the selected model reached, bytes (null without a model). */
  maxCwnd: number | null;
}

/** What one side of a TCP connection sent and advertised. */
export interface SideAnalysis {
  endpoint: Endpoint;
  frames: number;
  /** Sum of tcp.len (retransmissions included). */
  payloadBytes: number;
  /** The options of this side's SYN, or null when it was not captured. */
  handshake: HandshakeOptions | null;
  /** Counts of Wireshark's tcp.analysis flags on this side's segments. */
  retransmissions: number;
  fastRetransmissions: number;
  spuriousRetransmissions: number;
  outOfOrder: number;
  previousSegmentNotCaptured: number;
  duplicateAcks: number;
  zeroWindows: number;
  windowFull: number;
  keepAlives: number;
  /** RTT of this side's data; null without samples. */
  rtt: RttSummary | null;
  /** Null when the side sent no data. */
  model: ModelFit | null;
}

/** The analysis summary of one TCP stream. */
export interface TcpStreamAnalysis {
  id: CaptureId;
  stream: number;
  frames: number;
  firstFrame: number;
  lastFrame: number;
  /** First frame's time relative to the capture start, and the span to the last frame, in seconds. */
  relativeStart: number;
  duration: number;
  synSeen: boolean;
  synAckSeen: boolean;
  handshakeCompleted: boolean;
  /** Time from the (last) SYN to the ACK of the SYN-ACK (Wireshark's tcp.analysis.initial_rtt), ms. */
  initialRttMs: number | null;
  /** Who sent the first FIN or RST. */
  closedBy: StreamSide | null;
  /** RFC 9293 states of both ends after the last segment ('ESTABLISHED', 'TIME-WAIT', ...). */
  clientState: string;
  serverState: string;
  client: SideAnalysis;
  server: SideAnalysis;
}

/** Where a display filter does not compile: 1-based column and length of the offending text, as tshark underlines it. */
export interface DisplayFilterError {
  column: number;
  length: number;
  message: string;
}

export type DisplayFilterCheck = { ok: true } | { ok: false; error: DisplayFilterError };

/** Field names completing the word at the cursor, which spans [start, end) of the text. */
export interface FilterSuggestions {
  start: number;
  end: number;
  names: string[];
}

/** The frames a display filter accepts, in capture order, of the `scanned` frames indexed when it was applied. */
export interface DisplayedFrames {
  id: CaptureId;
  filter: string;
  frames: Uint32Array;
  scanned: number;
}

/** Sent while a display filter is applied (throttled). */
export interface FilterProgress {
  id: CaptureId;
  filter: string;
  scanned: number;
  total: number;
  matched: number;
}

export interface FindResult {
  /** The first frame at or after (before, when backwards) the start that matches, or null. */
  number: number | null;
}

/** An interface a live capture can run on, as the capture helper (dumpcap, tcpdump) sees it. */
export interface LiveInterface {
  /** What the helper captures on ('eth0'). */
  name: string;
  /** The name people know it by ('Ethernet', 'Wi-Fi'), when the system gives one. */
  friendlyName: string | null;
  description: string | null;
  addresses: string[];
  loopback: boolean;
  /** Administratively up / with a working link; null when the installed helper cannot tell. */
  up: boolean | null;
  running: boolean | null;
}

/** Why capturing is not possible on this machine, and what to do about it on its operating system. */
export interface CaptureSetupHelp {
  problem: 'no-helper' | 'no-permission' | 'no-capture-driver' | 'no-interface';
  /** One sentence: what is wrong. */
  title: string;
  /** What to do, one step per entry, commands included. */
  steps: string[];
  /** How to look at a saved capture instead. */
  alternative: string;
}

/** The interface and capture filter last started, preselected next time. */
export interface LiveChoice {
  iface: string;
  filter: string;
}

export type LiveInterfaces =
  | { available: true; helper: 'dumpcap' | 'tcpdump'; interfaces: LiveInterface[]; lastChoice: LiveChoice | null }
  | { available: false; help: CaptureSetupHelp };

/** valid null: the machine could not check it (no permission, no such interface); starting says why. */
export type CaptureFilterCheck = { valid: true } | { valid: false; message: string } | { valid: null; message: string };

/** When a live capture stops by itself; absent limits do not apply. */
export interface LiveStopConditions {
  packets?: number;
  seconds?: number;
  /** 10^6 bytes of captured data. */
  megabytes?: number;
}

export interface LiveStartRequest {
  iface: string;
  /** Capture filter (BPF); '' captures everything. */
  filter: string;
  /** Bytes kept of each packet (dumpcap's -s). */
  snaplen: number;
  stop: LiveStopConditions;
  /** Keep only the last `files` files of `fileMegabytes` each on disk (long captures). */
  ring?: { fileMegabytes: number; files: number } | null;
}

/** A started capture is an open capture (frames.page, frame.detail, flows.list, ... answer for it). */
export type LiveStartResult = { started: true; capture: CaptureInfo } | { started: false; help: CaptureSetupHelp };

export type LiveState = 'capturing' | 'stopping' | 'stopped' | 'failed';

/** Sent about every 100 ms while capturing, and once when the capture has stopped. */
export interface LiveProgress {
  id: CaptureId;
  state: LiveState;
  iface: string;
  frames: number;
  /** Bytes of the capture stream kept on disk. */
  capturedBytes: number;
  /** Packets lost before the helper took them (known once the helper has ended), else null. */
  drops: number | null;
  /** Frames per second since the previous update. */
  framesPerSecond: number;
  elapsedSeconds: number;
  stopReason: 'user' | 'packets' | 'seconds' | 'bytes' | 'helper-exit' | 'stream-problem' | null;
  /** Why the capture is incomplete or failed, in one sentence. */
  problem: string | null;
}

export interface LiveSaveResult {
  path: string;
  format: 'pcap' | 'pcapng';
  frames: number;
  bytes: number;
}

/** An unsaved capture left by a Wirelens that ended while capturing. */
export interface RecoverableLiveCapture {
  /** Names it in live.recover / live.discardRecovered. */
  key: string;
  iface: string;
  filter: string;
  /** ISO 8601 time the capture started. */
  startedAt: string;
  bytes: number;
}

/** Requests: method name -> parameters and result. */
export interface ServiceMethods {
  'capture.open': { params: { path: string }; result: CaptureInfo };
  'capture.close': { params: { id: CaptureId }; result: null };
  /** Open captures, oldest first. */
  'capture.list': { params: Record<string, never>; result: CaptureInfo[] };
  'capture.status': { params: { id: CaptureId }; result: CaptureStatus };
  /**
   * With `filter` (the display filter last applied by frames.filter), `from` counts the frames it accepts
   * and `total` is how many it accepts.
   */
  'frames.page': { params: { id: CaptureId; from: number; count: number; filter?: string }; result: FramePage };
  /**
   * Applies a display filter to the frames indexed so far ('' shows every frame again); an application
   * still running when a newer one arrives fails with 'cancelled'.
   */
  'frames.filter': { params: { id: CaptureId; filter: string }; result: DisplayedFrames };
  /** Compiles a display filter (no capture needed). */
  'filter.check': { params: { text: string }; result: DisplayFilterCheck };
  /** Field names completing the word at `cursor` (0-based) of a display filter. */
  'filter.suggest': { params: { text: string; cursor: number }; result: FilterSuggestions };
  /** Case-insensitive search of the row text (source, destination, protocol, info). */
  'frames.find': { params: { id: CaptureId; text: string; from: number; backwards: boolean }; result: FindResult };
  'frame.detail': { params: { id: CaptureId; number: number }; result: FrameDetail };
  'flows.list': { params: { id: CaptureId }; result: FlowRow[] };
  'dns.transactions': { params: { id: CaptureId }; result: DnsTransaction[] };
  /** The bytes of one TCP stream (tcp.stream), one side or both, with its gaps. */
  'tcp.follow': { params: { id: CaptureId; stream: number; dir: FollowDirection }; result: TcpFollow };
  /** Handshake options, RTT, analysis counts and the fitted sender model of one TCP stream. */
  'tcp.analysis': { params: { id: CaptureId; stream: number }; result: TcpStreamAnalysis };
  /** The connection ladder (handshake diagram) of one TCP stream, built by the same replay as tcp.analysis. */
  'tcp.diagram': { params: { id: CaptureId; stream: number }; result: Ladder };
  /** The chart series (typed columns) of one TCP stream, built by the same replay as tcp.analysis. */
  'tcp.streamSeries': { params: { id: CaptureId; stream: number }; result: StreamSeries };
  /** Interfaces to capture on and the last choice, or why capturing is not possible here. */
  'live.interfaces': { params: Record<string, never>; result: LiveInterfaces };
  /** Compiles a capture filter for an interface with the capture helper. */
  'live.checkFilter': { params: { iface: string; filter: string }; result: CaptureFilterCheck };
  'live.start': { params: LiveStartRequest; result: LiveStartResult };
  /** Stops a live capture; resolves once everything captured is analysed. */
  'live.stop': { params: { id: CaptureId }; result: LiveProgress };
  /** Saves a stopped (or recovered) live capture to a file on the machine running the engine. */
  'live.save': { params: { id: CaptureId; path: string; format: 'pcap' | 'pcapng' }; result: LiveSaveResult };
  'live.recoverable': { params: Record<string, never>; result: RecoverableLiveCapture[] };
  /** Opens a recovered capture like a file (it stays recoverable until saved or discarded). */
  'live.recover': { params: { key: string }; result: CaptureInfo };
  'live.discardRecovered': { params: { key: string }; result: null };
}

export type MethodName = keyof ServiceMethods;
export type ParamsOf<M extends MethodName> = ServiceMethods[M]['params'];
export type ResultOf<M extends MethodName> = ServiceMethods[M]['result'];

/** Events pushed by the service to every client. */
export interface ServiceEvents {
  /** A capture was opened (by any client, or by the shell: command line, menu, file association). */
  'capture.opened': CaptureInfo;
  'capture.progress': CaptureProgress;
  'capture.closed': { id: CaptureId };
  /** An open requested by the shell failed; requests made by a client fail with their own error instead. */
  'capture.failed': { path: string; message: string };
  'live.progress': LiveProgress;
  'frames.filterProgress': FilterProgress;
  /** The field index's build, throttled like capture.progress; sent once more when it is built or fails. */
  'capture.filterIndex': { id: CaptureId; filterIndex: FilterIndexStatus };
}

export type EventName = keyof ServiceEvents;
export type ServiceEvent = { [E in EventName]: { type: E; payload: ServiceEvents[E] } }[EventName];

export type ServiceErrorCode = 'bad-request' | 'not-found' | 'unreadable' | 'unwritable' | 'cancelled' | 'internal';

/** The one error type every transport carries; the message is written for the user. */
export class ServiceError extends Error {
  constructor(
    readonly code: ServiceErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

/** The service as every transport presents it to its clients. */
export interface WirelensService {
  call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>>;
  /** Returns the function that unsubscribes. */
  subscribe(listener: (event: ServiceEvent) => void): () => void;
}
