import type { DetailNode, DnsTransaction, FlowRow, FrameProblem, FrameRow, ByteSource } from '../api/types';
import type { CaptureProblem, RawFrame } from '../capture/types';
import type { Dissection } from '../decode/dissection';
import { decodeFrame, newCaptureState } from '../decode/frame';
import { DEFAULT_INDEXED_FIELDS, FieldColumns } from '../filter/columns';
import type { CompiledFilter } from '../filter/compile';
import { formatTreeLabel } from '../fields/format';
import type { FieldNode } from '../fields/tree';
import { TcpAnalyzer } from '../tcp/analyzer';
import { DnsTransactionTracker } from './dnsTransactions';
import { FlowTable } from './flows';
import { FrameFlag, FrameIndex } from './frameIndex';
import { MAX_RECORD_HEADER, recordDataOffset } from './records';
import { protocolColumn, rowColour, rowText } from './rowText';
import { StreamReplay, type StreamReport } from './streamReplay';
import { TcpRowIndex, isTcpProblem } from './tcpRows';
import { formatAbsolute, formatDifference } from './timeText';

/** Random access to the capture file, provided by the platform (main/ reads files; app/ never does). */
export interface RecordSource {
  /**
   * Bytes [offset, offset + length) of the file; fewer at its end. A source may read them into `into`
   * (given when it has room for `length` bytes) and return a view of it, so a pass over the whole file
   * reuses a few buffers instead of allocating one per read.
   */
  read(offset: number, length: number, into?: Uint8Array): Promise<Uint8Array>;
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
/**
 * Frames read back per step of a re-decode: a long stream is read and decoded in steps, so only one
 * step's bytes are held at a time (a 1 GB stream is never all in memory) and other requests are served
 * between steps.
 */
const REDECODE_BATCH = 2048;
/** Records closer than this are read together (the bytes between them are read and skipped). */
const MAX_READ_GAP = 64 * 1024;
/** Earlier segments of a stream replayed to show a TCP frame's analysis fields (about a second's work). */
const MAX_TCP_REPLAY = 50_000;
/** Frames a display filter decodes between progress reports. */
const FILTER_PROGRESS_FRAMES = 20_000;
/** Frames the field index adds between progress reports (and between steps of the filters waiting for it). */
const FIELD_INDEX_PROGRESS_FRAMES = 20_000;

/** The frames a display filter accepts, in capture order, of the `scanned` frames indexed when it ran. */
export interface DisplayedFrames {
  filter: string;
  frames: Uint32Array;
  scanned: number;
}

/** The field index of a complete capture, while and once it is built (CaptureSession.buildFieldIndex). */
interface FieldIndexBuild {
  readonly columns: FieldColumns;
  /** Frames it holds once built: every frame of the capture. */
  readonly total: number;
  /** Told after each batch of frames is added, and once the index is built. */
  readonly listeners: Set<() => void>;
  /** Resolves once built; rejects when a frame could not be read back. */
  readonly done: Promise<void>;
  state: 'building' | 'built' | 'failed';
}

export interface FrameDetailData {
  tcpStream: number | null;
  tree: DetailNode[];
  sources: ByteSource[];
  malformed: FrameProblem | null;
}

/**
 * One open capture: built frame by frame while the file is read (the fast path decodes without field
 * trees and keeps only the columnar index and the counters), and answering pages, details, searches,
 * flows and DNS transactions by re-reading records from the file and decoding them again, with trees.
 * Once the capture is complete, a field index built in the background answers display filters.
 */
export class CaptureSession {
  readonly index = new FrameIndex();
  format: 'pcap' | 'pcapng' | null = null;
  /** Why the file stopped being readable, if it did. */
  problem: CaptureProblem | null = null;
  complete = false;
  private readonly decodeState = newCaptureState();
  private readonly flowTable = new FlowTable();
  private readonly tcpAnalyzer = new TcpAnalyzer({ onConversationEnd: (summary) => this.flowTable.add(summary) });
  private readonly tcpRows = new TcpRowIndex();
  private readonly dnsTracker = new DnsTransactionTracker();
  private malformedFrames = 0;
  /** The last stream replayed (follow and analysis of one stream are asked for together), and how many frames it had. */
  private replayed: { stream: number; frames: number; report: Promise<StreamReport | null> } | null = null;
  /** The display filter last applied; a newer one makes an unfinished run give up. */
  private displayed: DisplayedFrames | null = null;
  private filterRun = 0;
  private fieldIndex: FieldIndexBuild | null = null;

  constructor(private readonly source: RecordSource) {}

  addFrame(raw: RawFrame): void {
    const d = decodeFrame(this.decodeState, raw, false);
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
    this.tcpAnalyzer.finish();
    this.complete = true;
  }

  get frames(): number {
    return this.index.count;
  }

  get malformed(): number {
    return this.malformedFrames;
  }

  /** Every conversation; while the capture is read, those under way too, with their packets so far. */
  flows(): FlowRow[] {
    return this.complete ? this.flowTable.result() : this.flowTable.result(this.tcpAnalyzer.liveSummaries());
  }

  dnsTransactions(): DnsTransaction[] {
    return this.dnsTracker.result();
  }

  /** Rows [from, from + count) of the frames indexed so far (1-based numbers). */
  async page(from: number, count: number): Promise<FrameRow[]> {
    const last = Math.min(from + count - 1, this.index.count);
    if (from > last) return [];
    const rows: FrameRow[] = [];
    await this.redecode(range(from, last), (d) => rows.push(this.row(d)), from);
    return rows;
  }

  /**
   * Builds the field index of a complete capture (app/filter/columns.ts): every frame decoded again with
   * its tree and through one TCP analyzer, in capture order, as a display filter sees it (tcp.stream,
   * tcp.analysis.*), its chosen fields kept in typed arrays. Display filters the index covers are then
   * answered from it without reading or decoding a frame (applyFilter). Other requests are served between
   * batches of frames. Built once: later calls return the same promise. It rejects when a frame cannot be
   * read back, and filters keep decoding frames.
   */
  buildFieldIndex(onProgress: (built: number, total: number) => void = () => undefined): Promise<void> {
    if (this.fieldIndex) return this.fieldIndex.done;
    if (!this.complete) return Promise.reject(new Error('the field index is built once the whole capture is indexed'));
    const total = this.index.count;
    const columns = new FieldColumns(DEFAULT_INDEXED_FIELDS, total);
    const listeners = new Set<() => void>();
    const added = () => {
      onProgress(columns.frames, total);
      for (const listener of listeners) listener();
    };
    const done = this.redecode(range(1, total), (d) => {
      columns.add(d);
      if (columns.frames % FIELD_INDEX_PROGRESS_FRAMES === 0) added();
    }, 1, new TcpAnalyzer()).then(() => {
      columns.trim();
      build.state = 'built';
      added();
    });
    const build: FieldIndexBuild = { columns, total, listeners, done, state: 'building' };
    done.catch(() => (build.state = 'failed'));
    this.fieldIndex = build;
    return done;
  }

  /** How far the field index is: null before buildFieldIndex. */
  get fieldIndexState(): { state: FieldIndexBuild['state']; frames: number; total: number; memoryBytes: number } | null {
    const build = this.fieldIndex;
    return build && { state: build.state, frames: build.columns.frames, total: build.total, memoryBytes: build.columns.memoryBytes };
  }

  /**
   * Applies a display filter to every frame indexed so far. From the field index when it covers the
   * filter and holds (or is adding) every frame; otherwise every frame is decoded again with its tree and
   * through one TCP analyzer, in capture order, as tshark's -Y sees it (tcp.stream, tcp.analysis.*). Null
   * when a newer filter (or clearFilter) superseded this one before it finished.
   */
  async applyFilter(filter: CompiledFilter, onProgress: (scanned: number, total: number, matched: number) => void): Promise<DisplayedFrames | null> {
    const run = ++this.filterRun;
    const superseded = () => run !== this.filterRun;
    const total = this.index.count;
    const build = this.fieldIndex;
    const fromIndex = build !== null && build.state !== 'failed' && build.total === total && build.columns.covers(filter);
    const frames = fromIndex ? await this.selectFromIndex(build, filter, superseded, onProgress) : await this.decodeAndFilter(filter, total, superseded, onProgress);
    if (frames === null || superseded()) return null;
    this.displayed = { filter: filter.text, frames, scanned: total };
    return this.displayed;
  }

  /**
   * The frames a covered filter accepts, from the field index. While the index is built, the filter runs
   * over each batch as it is added (so progress shows real matches); if the build fails, frames are decoded.
   */
  private selectFromIndex(
    build: FieldIndexBuild,
    filter: CompiledFilter,
    superseded: () => boolean,
    onProgress: (scanned: number, total: number, matched: number) => void,
  ): Promise<Uint32Array | null> {
    if (build.state === 'built') return Promise.resolve(build.columns.select(filter, 1, build.total));
    const parts: Uint32Array[] = [];
    let selected = 0;
    let matched = 0;
    const advance = () => {
      const frames = build.columns.frames;
      if (frames === selected) return;
      const part = build.columns.select(filter, selected + 1, frames);
      parts.push(part);
      matched += part.length;
      selected = frames;
      onProgress(selected, build.total, matched);
    };
    return new Promise((resolve, reject) => {
      const listener = () => {
        if (superseded()) {
          build.listeners.delete(listener);
          resolve(null);
        } else {
          advance();
        }
      };
      build.listeners.add(listener);
      build.done.then(
        () => {
          build.listeners.delete(listener);
          if (superseded()) return resolve(null);
          advance();
          resolve(concatenated(parts, matched));
        },
        () => {
          build.listeners.delete(listener);
          this.decodeAndFilter(filter, build.total, superseded, onProgress).then(resolve, reject);
        },
      );
    });
  }

  /** The frames of 1..total a filter accepts, every one decoded again with its tree (null once superseded). */
  private async decodeAndFilter(
    filter: CompiledFilter,
    total: number,
    superseded: () => boolean,
    onProgress: (scanned: number, total: number, matched: number) => void,
  ): Promise<Uint32Array | null> {
    const matched: number[] = [];
    let scanned = 0;
    const gaveUp = new Error('superseded');
    try {
      await this.redecode(range(1, total), (d) => {
        if (superseded()) throw gaveUp;
        if (filter.matches(d)) matched.push(d.frame.number);
        if (++scanned % FILTER_PROGRESS_FRAMES === 0) onProgress(scanned, total, matched.length);
      }, 1, new TcpAnalyzer());
    } catch (error) {
      if (error === gaveUp) return null;
      throw error;
    }
    return Uint32Array.from(matched);
  }

  /** Shows every frame again; an unfinished filter run gives up. */
  clearFilter(): void {
    this.filterRun++;
    this.displayed = null;
  }

  /** Rows [from, from + count) of the frames the applied filter `filter` accepts (1-based positions), or null when it is not the one applied. */
  async filteredPage(filter: string, from: number, count: number): Promise<{ rows: FrameRow[]; total: number } | null> {
    const displayed = this.displayed;
    if (!displayed || displayed.filter !== filter) return null;
    const numbers = Array.from(displayed.frames.subarray(from - 1, from - 1 + count));
    const rows: FrameRow[] = [];
    if (numbers.length > 0) await this.redecode(numbers, (d) => rows.push(this.row(d)), numbers[0]);
    return { rows, total: displayed.frames.length };
  }

  /**
   * The field tree and bytes of one frame. A TCP frame's analysis fields (tcp.seq, tcp.analysis.*, ...)
   * depend on every earlier segment of its stream, so those are decoded again and run through a fresh
   * TCP analyzer first (up to MAX_TCP_REPLAY of them; longer histories show the frame without them).
   */
  async detail(number: number): Promise<FrameDetailData | null> {
    if (number < 1 || number > this.index.count) return null;
    const streamDirection = this.index.tcpStreamDirection[number - 1];
    const history = streamDirection >= 0 ? this.streamHistory(streamDirection >> 1, number) : [];
    const replay = history.length <= MAX_TCP_REPLAY;
    const analyzer = new TcpAnalyzer();
    let detail: FrameDetailData | null = null;
    await this.redecode(replay ? [...history, number] : [number], (d) => {
      if (replay && streamDirection >= 0) analyzer.observe(d);
      if (d.frame.number !== number) return;
      const tree = d.tree.roots.map((node) => detailNode(node, d, streamDirection >> 1));
      if (!replay) tree.push(noteNode(`TCP analysis not shown: the stream has more than ${MAX_TCP_REPLAY} earlier frames`));
      detail = {
        tcpStream: streamDirection >= 0 ? streamDirection >> 1 : null,
        tree,
        sources: d.sources.map((bytes, i) => ({ name: i === 0 ? 'Frame' : `Reassembled data ${i}`, bytes: bytes.slice() })),
        malformed: d.malformed ? { layer: d.malformed.layer, offset: d.malformed.offset, message: d.malformed.message } : null,
      };
    }, number);
    return detail;
  }

  /**
   * One TCP stream (tcp.stream) replayed from its frames indexed so far: its byte streams and analysis
   * (./streamReplay.ts). Null when no frame of the stream has been indexed.
   */
  tcpStream(stream: number): Promise<StreamReport | null> {
    const column = this.index.tcpStreamDirection;
    const count = this.index.count;
    const numbers: number[] = [];
    for (let i = 0; i < count; i++) if (column[i] >= 0 && column[i] >> 1 === stream) numbers.push(i + 1);
    if (this.replayed?.stream === stream && this.replayed.frames === numbers.length) return this.replayed.report;
    if (numbers.length === 0) return Promise.resolve(null);
    const report = (async () => {
      const replay = new StreamReplay(stream);
      await this.redecode(numbers, (d) => replay.observe(d), Infinity);
      const ix = this.index;
      return replay.finish({ seconds: ix.tsSeconds[0], nanos: ix.tsNanos[0] });
    })();
    this.replayed = { stream, frames: numbers.length, report };
    // A failed replay (the file changed) is not kept: the next request tries again.
    report.catch(() => {
      if (this.replayed?.report === report) this.replayed = null;
    });
    return report;
  }

  /** The first frame from `from` on (or back) whose row text contains `text`, case-insensitively. */
  async find(text: string, from: number, backwards: boolean): Promise<number | null> {
    const needle = text.toLowerCase();
    if (!needle) return null;
    const matches = (row: FrameRow) =>
      `${row.source}\u0000${row.destination}\u0000${row.protocol}\u0000${row.info}`.toLowerCase().includes(needle);
    let start = Math.min(Math.max(from, 1), this.index.count);
    while (start >= 1 && start <= this.index.count) {
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

  /** Frames of a TCP stream before frame `number`, oldest first (at most MAX_TCP_REPLAY + 1 of them). */
  private streamHistory(stream: number, number: number): number[] {
    const column = this.index.tcpStreamDirection;
    const found: number[] = [];
    for (let i = number - 2; i >= 0 && found.length <= MAX_TCP_REPLAY; i--) if (column[i] >> 1 === stream && column[i] >= 0) found.push(i + 1);
    return found.reverse();
  }

  /**
   * Reads the frames `numbers` (ascending) back from the file and decodes them in order through one fresh
   * decoder state, REDECODE_BATCH at a time; `visit` sees each of them, those from `withTreeFrom` on with
   * field trees (it must copy any bytes it keeps: they are views into buffers the next step reads into, as
   * the first pass's are into the reader's). A frame that completed an IP datagram gets the
   * REASSEMBLY_LOOKBACK frames before it decoded first (not visited), so its fragments are reassembled
   * again. With `tcp`, the decoder state runs it over every frame (its analysis fields land in the trees).
   */
  private async redecode(numbers: readonly number[], visit: (d: Dissection) => void, withTreeFrom: number, tcp: TcpAnalyzer | null = null): Promise<void> {
    // Lookback frames that are among `numbers` are decoded anyway: a pass over every frame needs none.
    const lookback: number[] = [];
    let covered = 0;
    let next = 0;
    for (const n of numbers) {
      if (!(this.index.flags[n - 1] & FrameFlag.reassembled)) continue;
      for (let k = Math.max(1, n - REASSEMBLY_LOOKBACK, covered + 1); k < n; k++) {
        while (numbers[next] < k) next++;
        if (numbers[next] !== k) lookback.push(k);
      }
      covered = Math.max(covered, n - 1);
    }
    const frames = lookback.length === 0 ? numbers : mergeAscending(numbers, lookback);
    const visited = lookback.length === 0 ? null : new Set(numbers);
    const state = newCaptureState(tcp);
    const buffers: Uint8Array[] = [];
    for (let at = 0; at < frames.length; at += REDECODE_BATCH) {
      await this.readFrames(frames.slice(at, at + REDECODE_BATCH), buffers, (raw) => {
        const d = decodeFrame(state, raw, raw.number >= withTreeFrom);
        if (!visited || visited.has(raw.number)) visit(d);
      });
    }
  }

  /**
   * Reads the frames `numbers` (ascending) back from the file, handing each to `onFrame` as a RawFrame over
   * the bytes read, as soon as they are read. The k-th read goes into buffers[k] when the source allows
   * (a new buffer is kept there when it lacks room): the next call reads into the same buffers. Frames are
   * made one at a time, so none outlives its decoding (a batch of them would be kept past young garbage
   * collections, and a pass over the whole file would leave hundreds of MB to the old generation).
   */
  private async readFrames(numbers: readonly number[], buffers: Uint8Array[], onFrame: (raw: RawFrame) => void): Promise<void> {
    const ix = this.index;
    const format = this.format ?? 'pcap';
    let i = 0;
    for (let read = 0; i < numbers.length; read++) {
      // One read for records that lie close together, up to MAX_PAGE_READ bytes.
      const spanStart = ix.fileOffset[numbers[i] - 1];
      let end = i;
      while (
        end + 1 < numbers.length &&
        recordEnd(ix, numbers[end + 1]) - spanStart <= MAX_PAGE_READ &&
        ix.fileOffset[numbers[end + 1] - 1] - recordEnd(ix, numbers[end]) <= MAX_READ_GAP
      ) {
        end++;
      }
      const spanLength = recordEnd(ix, numbers[end]) - spanStart;
      if ((buffers[read]?.length ?? 0) < spanLength) buffers[read] = new Uint8Array(2 ** Math.ceil(Math.log2(spanLength)));
      const bytes = await this.source.read(spanStart, spanLength, buffers[read]);
      for (let j = i; j <= end; j++) {
        const k = numbers[j];
        const at = ix.fileOffset[k - 1] - spanStart;
        const head = bytes.subarray(at, at + MAX_RECORD_HEADER);
        const dataOffset = recordDataOffset(format, head);
        const length = ix.capturedLength[k - 1];
        if (dataOffset < 0 || at + dataOffset + length > bytes.length) {
          throw new Error(`frame ${k} is no longer where it was in the file (was the file changed since it was opened?)`);
        }
        onFrame({
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
      i = end + 1;
    }
  }
}

/** The numbers first..last. */
function range(first: number, last: number): number[] {
  return Array.from({ length: Math.max(0, last - first + 1) }, (_, i) => first + i);
}

/** Lists of frame numbers, one after the other (`length` in all). */
function concatenated(parts: readonly Uint32Array[], length: number): Uint32Array {
  const all = new Uint32Array(length);
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  return all;
}

/** The union of two ascending lists, ascending, without duplicates. */
function mergeAscending(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const next = j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i++] : b[j++];
    if (out.length === 0 || out[out.length - 1] !== next) out.push(next);
  }
  return out;
}

/** Byte just past the longest possible record of frame n (header + captured bytes). */
function recordEnd(ix: FrameIndex, n: number): number {
  return ix.fileOffset[n - 1] + MAX_RECORD_HEADER + ix.capturedLength[n - 1];
}

/**
 * A tree node for the details view. `tcpStream` is the frame's capture-wide tcp.stream: the replay that
 * produced the analysis fields saw one stream only and numbered it 0.
 */
function detailNode(node: FieldNode, d: Dissection, tcpStream: number): DetailNode {
  const shown = node.field.name === 'tcp.stream' && tcpStream >= 0 ? { ...node, value: tcpStream } : node;
  return {
    label: formatTreeLabel(shown, d.sources),
    name: node.field.name,
    source: node.source,
    offset: node.offset,
    length: node.length,
    generated: node.generated,
    children: node.children ? node.children.map((child) => detailNode(child, d, tcpStream)) : [],
  };
}

function noteNode(text: string): DetailNode {
  return { label: `[${text}]`, name: '', source: 0, offset: 0, length: 0, generated: true, children: [] };
}
