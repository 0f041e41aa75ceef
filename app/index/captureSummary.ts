import type { CaptureProblem } from '../capture/types';
import type { Dissection } from '../decode/dissection';
import type { DecodeIssue } from '../decode/issue';
import { TcpAnalysisFlag } from '../tcp/analysis';
import type { TcpAnalyzer } from '../tcp/analyzer';

/** One node of the protocol hierarchy (as tshark -z io,phs): frames and bytes whose stack starts with this path. */
export interface ProtocolNode {
  protocol: string;
  frames: number;
  bytes: number;
  children: ProtocolNode[];
}

export interface MalformedFrame {
  frame: number;
  issue: DecodeIssue;
}

export interface CaptureSummary {
  frames: number;
  /** Sum of frame.len (bytes on the wire). */
  bytes: number;
  capturedBytes: number;
  firstTime: { seconds: number; nanos: number } | null;
  lastTime: { seconds: number; nanos: number } | null;
  /** Last minus first timestamp, in seconds (a double: durations fit). */
  durationSeconds: number;
  linkTypes: Record<string, number>;
  protocols: ProtocolNode[];
  /** TCP and UDP streams as tshark numbers them (tcp.stream, udp.stream); IP address pairs. */
  conversations: { tcp: number; udp: number; ip: number };
  /** Frames carrying each TCP analysis flag (tcp.analysis.*), by the flag's name in TcpAnalysisFlag. */
  tcpAnalysis: Record<keyof typeof TcpAnalysisFlag, number>;
  malformed: number;
  /** The first malformed frames with their reasons (at most MALFORMED_EXAMPLES). */
  malformedExamples: MalformedFrame[];
  /** Why the file stopped being readable, if it did. */
  fileProblem: CaptureProblem | null;
}

const MALFORMED_EXAMPLES = 10;

const ANALYSIS_FLAGS = Object.entries(TcpAnalysisFlag) as [keyof typeof TcpAnalysisFlag, number][];

/**
 * Accumulates the capture-wide counts of `wirelens summary`, one dissection at a time, in capture order,
 * from the decoded frames and from the TCP analyzer that ran inside the same pipeline.
 */
export class CaptureSummaryBuilder {
  private frames = 0;
  private bytes = 0;
  private capturedBytes = 0;
  private firstTime: { seconds: number; nanos: number } | null = null;
  /** Time of the last frame so far (valid once a frame was added). */
  private lastSeconds = 0;
  private lastNanos = 0;
  private readonly linkTypes = new Map<number, number>();
  /** Frames of the current run of one link type, not yet counted in linkTypes (most captures have one link type). */
  private runLinkType = -1;
  private runFrames = 0;
  /** The last two IP pairs met, already counted ([src, dst, src, dst]): most frames repeat one, either way round. */
  private readonly recentIpPairs = ['', '', '', ''];
  private nextRecentIpPair = 0;
  private readonly protocolRoot: ProtocolNode = { protocol: '', frames: 0, bytes: 0, children: [] };
  /** Child lookup per hierarchy node, so adding a frame is a few map hits rather than array scans. */
  private readonly childIndex = new Map<ProtocolNode, Map<string, ProtocolNode>>();
  /**
   * The last two protocol stacks met (a data segment and its ACK, a TCP and a UDP flow: most frames repeat
   * one), with their hierarchy nodes and the frames and bytes not yet added to those nodes.
   */
  private recentStack = newStackCount();
  private otherStack = newStackCount();
  /** IP address pairs seen: the higher address of each pair under the lower (counting a frame builds no string). */
  private readonly ipPairs = new Map<string, Set<string>>();
  private ipPairCount = 0;
  private readonly tcpAnalysis = Object.fromEntries(ANALYSIS_FLAGS.map(([name]) => [name, 0])) as Record<keyof typeof TcpAnalysisFlag, number>;

  constructor(private readonly tcp: TcpAnalyzer) {}
  private malformed = 0;
  private readonly malformedExamples: MalformedFrame[] = [];
  private fileProblem: CaptureProblem | null = null;

  add(d: Dissection): void {
    const f = d.frame;
    this.frames++;
    this.bytes += f.originalLength;
    this.capturedBytes += f.capturedLength;
    this.firstTime ??= { seconds: f.tsSeconds, nanos: f.tsNanos };
    this.lastSeconds = f.tsSeconds;
    this.lastNanos = f.tsNanos;
    if (f.linkType !== this.runLinkType) this.endLinkTypeRun(f.linkType);
    this.runFrames++;
    this.addProtocols(d.protocols, f.originalLength);
    if (d.ip && !this.isRecentIpPair(d.ip.src, d.ip.dst)) this.addIpPair(d.ip.src, d.ip.dst);
    // The analyzer's record belongs to this frame only when the frame had an (outer) TCP layer.
    const record = d.tcp ? this.tcp.lastRecord : null;
    if (record && record.analysisFlags !== 0) {
      for (const [name, bit] of ANALYSIS_FLAGS) if (record.analysisFlags & bit) this.tcpAnalysis[name]++;
      // As `tshark -Y tcp.analysis.retransmission` counts: fast and spurious retransmissions are retransmissions too.
      if (record.analysisFlags & (TcpAnalysisFlag.fastRetransmission | TcpAnalysisFlag.spuriousRetransmission)) this.tcpAnalysis.retransmission++;
    }
    if (d.malformed) {
      this.malformed++;
      if (this.malformedExamples.length < MALFORMED_EXAMPLES) this.malformedExamples.push({ frame: f.number, issue: d.malformed });
    }
  }

  setFileProblem(problem: CaptureProblem): void {
    this.fileProblem = problem;
  }

  result(): CaptureSummary {
    this.flushStack(this.recentStack);
    this.flushStack(this.otherStack);
    const first = this.firstTime;
    const last = first && { seconds: this.lastSeconds, nanos: this.lastNanos };
    return {
      frames: this.frames,
      bytes: this.bytes,
      capturedBytes: this.capturedBytes,
      firstTime: first,
      lastTime: last,
      durationSeconds: first && last ? last.seconds - first.seconds + (last.nanos - first.nanos) / 1e9 : 0,
      linkTypes: Object.fromEntries([...this.endLinkTypeRun(this.runLinkType)].map(([type, count]) => [String(type), count])),
      protocols: this.protocolRoot.children,
      conversations: { tcp: this.tcp.tcpStreamCount, udp: this.tcp.udp.streamCount, ip: this.ipPairCount },
      tcpAnalysis: { ...this.tcpAnalysis },
      malformed: this.malformed,
      malformedExamples: this.malformedExamples,
      fileProblem: this.fileProblem,
    };
  }

  /** Counts the current run of one link type into linkTypes and starts a run of `next`. */
  private endLinkTypeRun(next: number): Map<number, number> {
    if (this.runFrames > 0) this.linkTypes.set(this.runLinkType, (this.linkTypes.get(this.runLinkType) ?? 0) + this.runFrames);
    this.runLinkType = next;
    this.runFrames = 0;
    return this.linkTypes;
  }

  private isRecentIpPair(src: string, dst: string): boolean {
    const p = this.recentIpPairs;
    return (src === p[0] && dst === p[1]) || (src === p[1] && dst === p[0]) || (src === p[2] && dst === p[3]) || (src === p[3] && dst === p[2]);
  }

  private addIpPair(src: string, dst: string): void {
    this.recentIpPairs[this.nextRecentIpPair] = src;
    this.recentIpPairs[this.nextRecentIpPair + 1] = dst;
    this.nextRecentIpPair ^= 2;
    const lower = src < dst ? src : dst;
    const higher = src < dst ? dst : src;
    let peers = this.ipPairs.get(lower);
    if (!peers) this.ipPairs.set(lower, (peers = new Set()));
    if (!peers.has(higher)) {
      peers.add(higher);
      this.ipPairCount++;
    }
  }

  private addProtocols(protocols: readonly string[], bytes: number): void {
    let stack = this.recentStack;
    if (protocols !== stack.protocols && !sameStrings(protocols, stack.protocols)) {
      stack = this.otherStack;
      if (protocols !== stack.protocols && !sameStrings(protocols, stack.protocols)) {
        // A third stack: the older one's frames go into its nodes, and its place to this one (nodes created now, in capture order).
        this.flushStack(stack);
        stack.protocols = protocols;
        stack.path = this.pathOf(protocols);
      }
      this.otherStack = this.recentStack;
      this.recentStack = stack;
    }
    stack.frames++;
    stack.bytes += bytes;
  }

  /** Adds a recent stack's frames and bytes to its hierarchy nodes. */
  private flushStack(stack: StackCount): void {
    for (const node of stack.path) {
      node.frames += stack.frames;
      node.bytes += stack.bytes;
    }
    stack.frames = 0;
    stack.bytes = 0;
  }

  /** The hierarchy nodes of a protocol stack, created as needed. */
  private pathOf(protocols: readonly string[]): ProtocolNode[] {
    const path: ProtocolNode[] = [];
    let node = this.protocolRoot;
    for (const protocol of protocols) {
      let children = this.childIndex.get(node);
      if (!children) this.childIndex.set(node, (children = new Map()));
      let child = children.get(protocol);
      if (!child) {
        child = { protocol, frames: 0, bytes: 0, children: [] };
        children.set(protocol, child);
        node.children.push(child);
      }
      path.push(child);
      node = child;
    }
    return path;
  }
}

/** A protocol stack, its hierarchy nodes and the frames and bytes counted for it but not yet added to them. */
interface StackCount {
  protocols: readonly string[];
  path: ProtocolNode[];
  frames: number;
  bytes: number;
}

function newStackCount(): StackCount {
  return { protocols: [], path: [], frames: 0, bytes: 0 };
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
