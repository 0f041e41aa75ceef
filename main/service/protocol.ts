import type { DnsTransaction, FilterIndexStatus, FindResult, FlowRow, FollowDirection, FrameRow, Ladder, StreamSeries, TcpFollow, TcpStreamAnalysis } from '../../app/api/types';
import type { CaptureFormat } from '../../app/capture/writer';
import type { DisplayedFrames, FrameDetailData } from '../../app/index/session';
import type { LiveUpdate, StopConditions } from '../live/liveCapture';
import type { SaveResult } from '../live/save';
import type { CaptureHelp } from '../live/setupHelp';
import type { RingBuffer } from '../live/spool';

/*
 * Messages between the service (main thread of Electron's main process or of the bridge) and the
 * capture worker that reads, indexes and re-decodes one capture file. Structured clone carries them.
 */

/** What the worker reads: a capture file, or a live capture it starts (main/live) and spools to disk. */
export type WorkerStart = { kind: 'file'; path: string } | { kind: 'live'; options: LiveWorkerOptions };

/** LiveCaptureOptions without the callbacks (workerData is structured-cloned). */
export interface LiveWorkerOptions {
  interface: string;
  filter: string;
  snapLength: number;
  stopAfter: StopConditions;
  ring: RingBuffer | null;
  directory: string;
}

/** Requests the worker answers; each is the service method of the same meaning, without the capture id. */
export interface WorkerMethods {
  page: { params: { from: number; count: number }; result: FrameRow[] };
  /** Null when `filter` is not the display filter last applied. */
  filteredPage: { params: { filter: string; from: number; count: number }; result: { rows: FrameRow[]; total: number } | null };
  /** '' clears the filter. Null when a newer filter superseded this one. */
  filter: { params: { filter: string }; result: DisplayedFrames | null };
  detail: { params: { number: number }; result: FrameDetailData | null };
  find: { params: { text: string; from: number; backwards: boolean }; result: FindResult };
  flows: { params: Record<string, never>; result: FlowRow[] };
  dns: { params: Record<string, never>; result: DnsTransaction[] };
  /** Null when the stream has no frame indexed (yet). */
  follow: { params: { stream: number; dir: FollowDirection }; result: Omit<TcpFollow, 'id'> | null };
  streamAnalysis: { params: { stream: number }; result: Omit<TcpStreamAnalysis, 'id'> | null };
  streamDiagram: { params: { stream: number }; result: Ladder | null };
  streamSeries: { params: { stream: number }; result: StreamSeries | null };
  /** Live captures only: stop, resolving with the final update once everything captured is analysed. */
  liveStop: { params: Record<string, never>; result: LiveUpdate };
  liveSave: { params: { path: string; format: CaptureFormat }; result: SaveResult };
  /** Stops if needed and deletes the spool (the capture was saved, or is not wanted). */
  liveDiscard: { params: Record<string, never>; result: null };
}

export type WorkerMethod = keyof WorkerMethods;

export type ToWorker = { kind: 'request'; seq: number; method: WorkerMethod; params: WorkerMethods[WorkerMethod]['params'] };

/** What the worker knows about the read so far; sent throttled while reading and once at the end. */
export interface WorkerProgress {
  kind: 'progress';
  state: 'loading' | 'done';
  framesRead: number;
  bytesRead: number;
  totalBytes: number;
  format: 'pcap' | 'pcapng' | null;
  malformed: number;
  /** The file's problem (cut-off record, ...) once reading stopped at it. */
  problem: string | null;
  /** Milliseconds since the worker started reading. */
  elapsedMs: number;
}

export type FromWorker =
  | WorkerProgress
  /** The file could not be read at all (missing, not a capture); the worker stays only to be terminated. */
  | { kind: 'failed'; message: string }
  /** A live capture runs; its spool is in `directory`. */
  | { kind: 'live-started'; directory: string }
  /** A live capture could not start: the machine's setup (help) or the request (reason and message). */
  | { kind: 'live-refused'; help: CaptureHelp | null; reason: 'bad-filter' | 'bad-option' | 'helper-failed' | 'internal'; message: string }
  | { kind: 'live-update'; update: LiveUpdate }
  | { kind: 'filter-progress'; filter: string; scanned: number; total: number; matched: number }
  /** The field index's build: throttled while building, then once built or failed. */
  | { kind: 'filter-index'; filterIndex: FilterIndexStatus }
  | { kind: 'response'; seq: number; ok: true; result: unknown }
  | { kind: 'response'; seq: number; ok: false; message: string };
