import type { DetailNode, DnsTransaction, FlowRow, FrameProblem, FrameRow, ByteSource } from '../api/types';
import type { CaptureProblem, RawFrame } from '../capture/types';
import type { Dissection } from '../decode/dissection';
import { decodeFrame, newCaptureState } from '../decode/frame';
import { formatTreeLabel } from '../fields/format';
import type { FieldNode } from '../fields/tree';
import { CaptureSummaryBuilder, type CaptureSummary } from './captureSummary';
import { TcpAnalyzer } from '../tcp/analyzer';
import { DnsTransactionTracker } from './dnsTransactions';
import { FlowTable } from './flows';
import { FrameFlag, FrameIndex } from './frameIndex';
import { MAX_RECORD_HEADER, recordDataOffset } from './records';
import { protocolColumn, rowColour, rowText } from './rowText';
import { TcpRowIndex, isTcpProblem } from './tcpRows';
import { formatAbsolute, formatDifference } from './timeText';

/** Random access to the capture file, provided by the platform (main/ reads files; app/ never does). */
export interface RecordSource {
  /** Bytes [offset, offset + length) of the file; fewer at its end. */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** One read covers a whole page when its records lie within this span (they are contiguous in a file). */
const MAX_PAGE_READ = 32 * 1024 * 1024;
/**
 * Fragments of one IP datagram arrive close together: re-decoding a frame that completed a datagram
 * starts this many frames earlier so the fragment table is rebuilt (frames further back are not).
 */
const REASSEMBLY_LOOKBACK = 256;
/** Frames decoded per step of a search, between which other requests are served. */
const FIND_BATCH = 1000;

export interface FrameDetailData {
  tree: DetailNode[];
  sources: ByteSource[];
  malformed: FrameProblem | null;
}

/**
 * One open capture: built frame by frame while the file is read (the fast path decodes without field
 * trees and keeps only the columnar index and the counters), and answering pages, details, searches,
 * flows and DNS transactions by re-reading records from the file and decoding them again, with trees.
 */
export class CaptureSession {
  readonly index = new FrameIndex();
  format: 'pcap' | 'pcapng' | null = null;
  /** Why the file stopped being readable, if it did. */
  problem: CaptureProblem | null = null;
  complete = false;
  private readonly decodeState = newCaptureState();
  private readonly summary = new CaptureSummaryBuilder();
  private readonly flowTable = new FlowTable();
  private readonly tcpAnalyzer = new TcpAnalyzer({ onConversationEnd: (summary) => this.flowTable.add(summary) });
  private readonly tcpRows = new TcpRowIndex();
  private readonly dnsTracker = new DnsTransactionTracker();
  private malformedFrames = 0;

  constructor(private readonly source: RecordSource) {}

  addFrame(raw: RawFrame): void {
    const d = decodeFrame(this.decodeState, raw, false);
    this.summary.add(d);
    this.flowTable.start(raw.tsSeconds, raw.tsNanos);
    const tcp = this.tcpAnalyzer.observe(d);
    const tcpStreamDirection = tcp ? this.tcpRows.add(d, tcp) : -1;
    const tcpAnalysis = tcp?.analysisFlags ?? 0;
    this.dnsTracker.add(d);
    if (d.malformed) this.malformedFrames++;
    let flags = 0;
    if (d.malformed) flags |= FrameFlag.malformed;
    if (d.ip?.reassembled) flags |= FrameFlag.reassembled;
    this.index.add({
      fileOffset: raw.fileOffset,
      tsSeconds: raw.tsSeconds,
      tsNanos: raw.tsNanos,
      originalLength: raw.originalLength,
      capturedLength: raw.data.length,
      linkType: raw.linkType,
      interfaceId: raw.interfaceId,
      protocol: protocolColumn(d),
      colour: rowColour(d, isTcpProblem(tcpAnalysis)),
      flags,
      tcpStreamDirection,
      tcpAnalysis,
    });
  }

  finish(format: 'pcap' | 'pcapng' | null, problem: CaptureProblem | null): void {
    this.format = format;
    this.problem = problem;
    if (problem) this.summary.setFileProblem(problem);
    this.tcpAnalyzer.finish();
    this.complete = true;
  }

  get frames(): number {
    return this.index.count;
  }

  get malformed(): number {
    return this.malformedFrames;
  }

  captureSummary(): CaptureSummary {
    return this.summary.result();
  }

  /** Every conversation once the capture is read; while it is read, those the analyzer has finished with. */
  flows(): FlowRow[] {
    return this.flowTable.result();
  }

  dnsTransactions(): DnsTransaction[] {
    return this.dnsTracker.result();
  }

  /** Rows [from, from + count) of the frames indexed so far (1-based numbers). */
  async page(from: number, count: number): Promise<FrameRow[]> {
    const last = Math.min(from + count - 1, this.index.count);
    if (from > last) return [];
    const rows: FrameRow[] = [];
    await this.redecode(from, last, (d) => rows.push(this.row(d)));
    return rows;
  }

  async detail(number: number): Promise<FrameDetailData | null> {
    if (number < 1 || number > this.index.count) return null;
    let detail: FrameDetailData | null = null;
    await this.redecode(number, number, (d) => {
      detail = {
        tree: d.tree.roots.map((node) => detailNode(node, d)),
        sources: d.sources.map((bytes, i) => ({ name: i === 0 ? 'Frame' : `Reassembled data ${i}`, bytes: bytes.slice() })),
        malformed: d.malformed ? { layer: d.malformed.layer, offset: d.malformed.offset, message: d.malformed.message } : null,
      };
    });
    return detail;
  }

  /** The first frame from `from` on (or back) whose row text contains `text`, case-insensitively. */
  async find(text: string, from: number, backwards: boolean, cancelled: () => boolean = () => false): Promise<number | null> {
    const needle = text.toLowerCase();
    if (!needle) return null;
    const matches = (row: FrameRow) =>
      `${row.source}\u0000${row.destination}\u0000${row.protocol}\u0000${row.info}`.toLowerCase().includes(needle);
    let start = Math.min(Math.max(from, 1), this.index.count);
    while (start >= 1 && start <= this.index.count && !cancelled()) {
      const first = backwards ? Math.max(1, start - FIND_BATCH + 1) : start;
      const rows = await this.page(first, FIND_BATCH);
      const hit = backwards ? rows.filter((r) => r.number <= start).reverse().find(matches) : rows.find(matches);
      if (hit) return hit.number;
      start = backwards ? first - 1 : first + rows.length;
      if (rows.length === 0) break;
    }
    return null;
  }

  private row(d: Dissection): FrameRow {
    const i = d.frame.number - 1;
    const ix = this.index;
    const decimals = ix.nanosecondPrecision ? 9 : 6;
    const text = rowText(d, this.tcpRows.facts(d, ix.tcpStreamDirection[i], ix.tcpAnalysis[i]));
    const previous = i > 0 ? i - 1 : 0;
    return {
      number: d.frame.number,
      timeRelative: formatDifference(ix.tsSeconds[i], ix.tsNanos[i], ix.tsSeconds[0], ix.tsNanos[0], decimals),
      timeAbsolute: formatAbsolute(ix.tsSeconds[i], ix.tsNanos[i], decimals),
      timeDelta: formatDifference(ix.tsSeconds[i], ix.tsNanos[i], ix.tsSeconds[previous], ix.tsNanos[previous], decimals),
      source: text.source,
      destination: text.destination,
      protocol: ix.protocolName(i),
      length: ix.originalLength[i],
      info: text.info,
      colour: ix.rowColour(i),
    };
  }

  /**
   * Reads frames [first, last] back from the file and decodes them with field trees, in order, through
   * one fresh decoder state; frames that completed an IP datagram get their earlier fragments replayed.
   */
  private async redecode(first: number, last: number, visit: (d: Dissection) => void): Promise<void> {
    let start = first;
    for (let n = first; n <= last; n++) {
      if (this.index.flags[n - 1] & FrameFlag.reassembled) {
        start = Math.max(1, first - REASSEMBLY_LOOKBACK);
        break;
      }
    }
    const state = newCaptureState();
    const frames = await this.readFrames(start, last);
    for (const raw of frames) {
      const withTree = raw.number >= first;
      const d = decodeFrame(state, raw, withTree);
      if (withTree) visit(d);
    }
  }

  /** Frames [first, last] as RawFrames over bytes read back from the file. */
  private async readFrames(first: number, last: number): Promise<RawFrame[]> {
    const ix = this.index;
    const format = this.format ?? 'pcap';
    const frames: RawFrame[] = [];
    let n = first;
    while (n <= last) {
      // Group consecutive records into reads of at most MAX_PAGE_READ bytes.
      const spanStart = ix.fileOffset[n - 1];
      let end = n;
      while (end < last && recordEnd(ix, end + 1) - spanStart <= MAX_PAGE_READ) end++;
      const bytes = await this.source.read(spanStart, recordEnd(ix, end) - spanStart);
      for (let k = n; k <= end; k++) {
        const at = ix.fileOffset[k - 1] - spanStart;
        const head = bytes.subarray(at, at + MAX_RECORD_HEADER);
        const dataOffset = recordDataOffset(format, head);
        const length = ix.capturedLength[k - 1];
        if (dataOffset < 0 || at + dataOffset + length > bytes.length) {
          throw new Error(`frame ${k} is no longer where it was in the file (was the file changed since it was opened?)`);
        }
        frames.push({
          number: k,
          linkType: ix.linkType[k - 1],
          interfaceId: ix.interfaceId[k - 1],
          tsSeconds: ix.tsSeconds[k - 1],
          tsNanos: ix.tsNanos[k - 1],
          originalLength: ix.originalLength[k - 1],
          data: bytes.subarray(at + dataOffset, at + dataOffset + length),
          fileOffset: ix.fileOffset[k - 1],
        });
      }
      n = end + 1;
    }
    return frames;
  }
}

/** Byte just past the longest possible record of frame n (header + captured bytes). */
function recordEnd(ix: FrameIndex, n: number): number {
  return ix.fileOffset[n - 1] + MAX_RECORD_HEADER + ix.capturedLength[n - 1];
}

function detailNode(node: FieldNode, d: Dissection): DetailNode {
  return {
    label: formatTreeLabel(node, d.sources),
    name: node.field.name,
    source: node.source,
    offset: node.offset,
    length: node.length,
    generated: node.generated,
    children: node.children ? node.children.map((child) => detailNode(child, d)) : [],
  };
}
