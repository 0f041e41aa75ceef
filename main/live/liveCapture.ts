import { spawn, type ChildProcess } from 'node:child_process';
import type { CaptureProblem } from '../../app/capture/types';
import type { CaptureFormat } from '../../app/capture/writer';
import { CaptureSession } from '../../app/index/session';
import { checkCaptureFilter } from './filter';
import {
  captureArguments,
  findCaptureHelpers,
  helperCommand,
  parseHelperStatistics,
  type CaptureHelper,
  type HelperKind,
  type HelperStatistics,
} from './helper';
import { readPcapStream, type PcapStreamTap } from './pcapStream';
import { saveCapture, type SaveResult } from './save';
import { CaptureSetupError, captureHelp, classifyHelperFailure } from './setupHelp';
import { defaultLiveDirectory, LiveSpool, writeLastChoice, type RingBuffer } from './spool';

/*
 * One live capture: the helper (dumpcap, else tcpdump) captures in its own process and writes classic pcap
 * to a pipe; every byte goes to the spool (disk) first, then through the guarded pcap-parser into the same
 * engine a file goes through (CaptureSession: decodeFrame, the TCP analyzer, flows, DNS), frame by frame as
 * it arrives. Progress is reported at a steady rate (every updateIntervalMs, 100 ms by default), never per
 * frame, so a client redraws at most that often whatever the packet rate.
 *
 * Designed to run in a worker thread of the service: the session answers page/detail/find/flows/dns
 * requests for the frames captured so far, exactly as for a file that is still loading.
 */

export const DEFAULT_SNAP_LENGTH = 262144;
/** Kernel buffer for the helper: 2 MiB (dumpcap's default) overflows within 0.2 s at 50 000 packets/s of 200 bytes. */
export const DEFAULT_BUFFER_MIB = 32;
const DEFAULT_UPDATE_INTERVAL_MS = 100;
/** The packet rate is measured over about this long. */
const RATE_WINDOW_MS = 1000;
/** How long a helper may take to stop after SIGINT before it is killed. */
const STOP_GRACE_MS = 5000;
/** Kept of the helper's stderr (its messages and closing statistics are short). */
const MAX_STDERR = 64 * 1024;

export interface StopConditions {
  /** Stop after this many packets (the helper counts, exactly). */
  packets?: number;
  /** Stop after this many seconds. */
  seconds?: number;
  /** Stop once the capture holds this many bytes (at the first record boundary past it). */
  bytes?: number;
}

export interface LiveCaptureOptions {
  interface: string;
  /** Capture filter (BPF); checked with the helper before the capture starts. */
  filter?: string;
  snapLength?: number;
  stopAfter?: StopConditions;
  /** Keep only the last files of this size on disk (long captures). */
  ring?: RingBuffer | null;
  bufferMiB?: number;
  /** Root of the spool directories (defaultLiveDirectory()). */
  directory?: string;
  /** The helper to run; by default the first installed (dumpcap, else tcpdump). */
  helper?: CaptureHelper;
  /** Launcher for the helper found by default (see CaptureHelper.launcher). */
  launcher?: readonly string[];
  updateIntervalMs?: number;
  onUpdate?(update: LiveUpdate): void;
}

export type LiveState = 'capturing' | 'stopping' | 'stopped' | 'failed';
export type StopReason = 'user' | 'packets' | 'seconds' | 'bytes' | 'helper-exit' | 'stream-problem';

/** What a client shows while capturing; plain data (crosses threads and IPC). */
export interface LiveUpdate {
  state: LiveState;
  interface: string;
  helper: HelperKind;
  /** Frames analysed so far (all of them, also those a ring buffer no longer keeps). */
  frames: number;
  /** Sum of frame.len. */
  wireBytes: number;
  /** Bytes of the capture stream (the spool). */
  capturedBytes: number;
  malformed: number;
  elapsedSeconds: number;
  /** Frames per second over about the last second (over one 100 ms update it flickers with bursty traffic). */
  framesPerSecond: number;
  /** The oldest frame still on disk (1 unless a ring buffer dropped files). */
  firstRetainedFrame: number;
  /** Why the capture stopped, once it did. */
  stopReason: StopReason | null;
  /** Why the capture is incomplete or failed (the helper's error, a damaged stream), in one sentence. */
  problem: string | null;
  /** The helper's closing statistics (its drop count), once it ended. */
  statistics: HelperStatistics | null;
  /** Milliseconds since the epoch when this update was made. */
  at: number;
}

/** A request the capture cannot carry out as given (a bad filter, a bad number): the message says why. */
export class LiveCaptureError extends Error {
  constructor(
    readonly reason: 'bad-filter' | 'bad-option' | 'helper-failed',
    message: string,
  ) {
    super(message);
    this.name = 'LiveCaptureError';
  }
}

interface Settings {
  interface: string;
  filter: string;
  snapLength: number;
  stopAfter: StopConditions;
  ring: RingBuffer | null;
  bufferMiB: number;
  directory: string;
  updateIntervalMs: number;
}

function positiveInteger(value: number | undefined, name: string, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 1 || value > max) throw new LiveCaptureError('bad-option', `${name} must be a whole number from 1 to ${max}, not ${value}.`);
  return value;
}

function settingsOf(options: LiveCaptureOptions): Settings {
  const name = options.interface;
  // Any name the helper knows is allowed, but not control characters (they only ever come from mistakes).
  if (typeof name !== 'string' || name.length === 0 || name.length > 1024 || /[\u0000-\u001f]/.test(name)) {
    throw new LiveCaptureError('bad-option', 'Choose an interface to capture on.');
  }
  const filter = (options.filter ?? '').trim();
  if (/[\u0000\n\r]/.test(filter)) throw new LiveCaptureError('bad-filter', 'A capture filter is one line of text.');
  const seconds = options.stopAfter?.seconds;
  if (seconds !== undefined && !(Number.isFinite(seconds) && seconds > 0)) throw new LiveCaptureError('bad-option', `The duration must be a positive number of seconds, not ${seconds}.`);
  const ring = options.ring ?? null;
  if (ring) {
    positiveInteger(ring.fileBytes, 'The ring buffer file size');
    positiveInteger(ring.files, 'The number of ring buffer files', 100_000);
  }
  return {
    interface: name,
    filter,
    snapLength: positiveInteger(options.snapLength, 'The snapshot length', DEFAULT_SNAP_LENGTH) ?? DEFAULT_SNAP_LENGTH,
    stopAfter: {
      packets: positiveInteger(options.stopAfter?.packets, 'The packet count'),
      seconds,
      bytes: positiveInteger(options.stopAfter?.bytes, 'The size limit'),
    },
    ring,
    bufferMiB: positiveInteger(options.bufferMiB, 'The capture buffer (MiB)', 4096) ?? DEFAULT_BUFFER_MIB,
    directory: options.directory ?? defaultLiveDirectory(),
    updateIntervalMs: positiveInteger(options.updateIntervalMs, 'The update interval (ms)', 60_000) ?? DEFAULT_UPDATE_INTERVAL_MS,
  };
}

export class LiveCapture {
  /** The analysis of everything captured so far; its RecordSource is the spool. */
  readonly session: CaptureSession;
  readonly spool: LiveSpool;
  /** Settles once the helper has ended and every byte it wrote is analysed; never rejects. */
  readonly done: Promise<LiveUpdate>;

  private state: LiveState = 'capturing';
  private stopReason: StopReason | null = null;
  private stopRequested = false;
  private problem: string | null = null;
  private statistics: HelperStatistics | null = null;
  private stderr = '';
  /** Why the helper could not be started at all (ENOENT, EACCES), if so. */
  private spawnError: string | null = null;
  private wireBytes = 0;
  /** (time, frames) at the start and at recent updates, back to the newest one at least RATE_WINDOW_MS old. */
  private readonly rateSamples: { at: number; frames: number }[];
  private readonly startedAt = Date.now();
  private readonly child: ChildProcess;
  private readonly timers: NodeJS.Timeout[] = [];
  private killTimer: NodeJS.Timeout | null = null;
  /** Settles when the helper shows it is capturing (its first bytes, or tcpdump's "listening on"), or ends. */
  private readonly started: Promise<void>;
  private markStarted: () => void = () => undefined;

  /**
   * Starts capturing: checks the filter with the helper, spawns it, and resolves once it captures.
   * Throws CaptureSetupError (no helper, no permission, no such interface) or LiveCaptureError (bad filter,
   * bad option, the helper failed at once).
   */
  static async start(options: LiveCaptureOptions): Promise<LiveCapture> {
    const settings = settingsOf(options);
    const helper = options.helper ?? findCaptureHelpers({ launcher: options.launcher })[0];
    if (!helper) throw new CaptureSetupError(captureHelp('no-helper'));
    if (settings.filter !== '') {
      const check = await checkCaptureFilter(helper, settings.interface, settings.filter);
      if (!check.valid) throw new LiveCaptureError('bad-filter', check.message);
    }
    const capture = new LiveCapture(settings, helper, options.onUpdate ?? null);
    await capture.started;
    if (capture.state === 'failed' && capture.spool.bytesWritten === 0) {
      const result = await capture.done;
      await capture.spool.discard();
      const setup = classifyHelperFailure(capture.stderr, capture.spawnError);
      if (setup) throw new CaptureSetupError(captureHelp(setup, { helper, interface: settings.interface }), capture.stderr);
      throw new LiveCaptureError('helper-failed', result.problem ?? `${helper.path} ended without capturing.`);
    }
    writeLastChoice(settings.directory, { interface: settings.interface, filter: settings.filter });
    return capture;
  }

  private constructor(
    private readonly settings: Settings,
    readonly helper: CaptureHelper,
    private readonly onUpdate: ((update: LiveUpdate) => void) | null,
  ) {
    this.spool = LiveSpool.create(settings.directory, { interface: settings.interface, filter: settings.filter, helper: helper.kind, ring: settings.ring });
    this.session = new CaptureSession(this.spool);
    this.rateSamples = [{ at: this.startedAt, frames: 0 }];
    this.started = new Promise((resolve) => (this.markStarted = resolve));

    const command = helperCommand(
      helper,
      captureArguments(helper.kind, {
        interface: settings.interface,
        filter: settings.filter,
        snapLength: settings.snapLength,
        packetLimit: settings.stopAfter.packets,
        bufferMiB: settings.bufferMiB,
      }),
    );
    this.child = spawn(command.program, command.args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    const helperEnded = new Promise<{ code: number | null; signal: NodeJS.Signals | null; spawnError: string | null }>((resolve) => {
      this.child.on('error', (error: NodeJS.ErrnoException) => resolve({ code: null, signal: null, spawnError: error.code ?? error.message }));
      this.child.on('close', (code, signal) => resolve({ code, signal, spawnError: null }));
    });
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (text: string) => {
      if (this.stderr.length < MAX_STDERR) this.stderr += text.slice(0, MAX_STDERR - this.stderr.length);
      if (/listening on /.test(this.stderr)) this.markStarted();
    });

    const stdout = this.child.stdout;
    if (!stdout) throw new Error('the helper has no stdout pipe');
    const tap: PcapStreamTap = {
      boundary: (offset) => this.spool.boundary(offset),
      bytes: (piece) => {
        this.spool.bytes(piece);
        this.markStarted();
        const limit = this.settings.stopAfter.bytes;
        if (limit !== undefined && this.spool.bytesWritten >= limit) this.requestStop('bytes');
      },
    };
    let streamProblem: CaptureProblem | null = null;
    const analysed = readPcapStream(
      stdout,
      {
        frame: (raw) => {
          this.wireBytes += raw.originalLength;
          this.session.addFrame(raw);
        },
        problem: (problem) => {
          streamProblem = problem;
          // A damaged stream (the guard refused a header): stop the helper too, its output is unusable.
          if (this.spool.bytesWritten > 0) this.requestStop('stream-problem');
        },
      },
      tap,
    ).catch((error: unknown) => {
      streamProblem = { offset: this.spool.bytesWritten, message: `Reading from the helper failed: ${error instanceof Error ? error.message : String(error)}` };
      return null;
    });

    this.timers.push(setInterval(() => this.emitUpdate(), settings.updateIntervalMs));
    if (settings.stopAfter.seconds !== undefined) this.timers.push(setTimeout(() => this.requestStop('seconds'), settings.stopAfter.seconds * 1000));

    this.done = Promise.all([analysed, helperEnded]).then(([, ended]) => {
      for (const timer of this.timers) clearTimeout(timer);
      if (this.killTimer) clearTimeout(this.killTimer);
      this.statistics = parseHelperStatistics(helper.kind, this.stderr);
      const helperFailed = !this.stopRequested && ended.code !== 0;
      this.spawnError = ended.spawnError;
      if (ended.spawnError) {
        this.problem = `${helper.path} could not be started (${ended.spawnError}).`;
      } else if (helperFailed) {
        this.problem = helperMessage(this.stderr) ?? `${helper.kind} ended with ${ended.signal ?? `exit status ${ended.code}`}.`;
      } else if (streamProblem && this.spool.bytesWritten > 0) {
        this.problem = (streamProblem as CaptureProblem).message;
      }
      this.stopReason ??= streamProblem && this.spool.bytesWritten > 0 ? 'stream-problem' : this.settings.stopAfter.packets !== undefined && ended.code === 0 ? 'packets' : 'helper-exit';
      this.state = helperFailed && this.session.frames === 0 ? 'failed' : 'stopped';
      this.session.finish('pcap', streamProblem && this.spool.bytesWritten > 0 ? streamProblem : null);
      this.spool.finish();
      this.markStarted();
      const final = this.snapshot();
      this.onUpdate?.(final);
      return final;
    });
  }

  /** Stops the capture; resolves with the final update once everything the helper wrote is analysed. */
  stop(): Promise<LiveUpdate> {
    this.requestStop('user');
    return this.done;
  }

  /** The current state, as the next update would report it. */
  snapshot(): LiveUpdate {
    const now = Date.now();
    const frames = this.session.frames;
    const base = this.rateBase(now);
    const seconds = (now - base.at) / 1000;
    return {
      state: this.state,
      interface: this.settings.interface,
      helper: this.helper.kind,
      frames,
      wireBytes: this.wireBytes,
      capturedBytes: this.spool.bytesWritten,
      malformed: this.session.malformed,
      elapsedSeconds: (now - this.startedAt) / 1000,
      framesPerSecond: seconds > 0 ? (frames - base.frames) / seconds : 0,
      firstRetainedFrame: this.firstRetainedFrame(),
      stopReason: this.stopReason,
      problem: this.problem,
      statistics: this.statistics,
      at: now,
    };
  }

  /** Saves what was captured (stop first); the spool stays until discard(). */
  async save(out: string, format: CaptureFormat): Promise<SaveResult> {
    if (this.state === 'capturing' || this.state === 'stopping') throw new LiveCaptureError('bad-option', 'Stop the capture before saving it.');
    return saveCapture(this.spool.files, out, { format, interfaceName: this.settings.interface, application: 'Wirelens' });
  }

  /** Stops if needed and deletes the spool: the capture is gone (saved elsewhere, or not wanted). */
  async discard(): Promise<void> {
    await this.stop();
    await this.spool.discard();
  }

  private requestStop(reason: StopReason): void {
    if (this.state !== 'capturing') return;
    this.state = 'stopping';
    this.stopRequested = true;
    this.stopReason = reason;
    // SIGINT: dumpcap and tcpdump flush what they hold, print their statistics and exit 0.
    this.child.kill('SIGINT');
    this.killTimer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
  }

  /** What the rate is measured from: the newest update at least RATE_WINDOW_MS before `now` (the start while there is none). */
  private rateBase(now: number): { at: number; frames: number } {
    let base = this.rateSamples[0];
    for (const sample of this.rateSamples) {
      if (now - sample.at < RATE_WINDOW_MS) break;
      base = sample;
    }
    return base;
  }

  private emitUpdate(): void {
    const update = this.snapshot();
    const samples = this.rateSamples;
    samples.push({ at: update.at, frames: update.frames });
    // Samples older than the newest one at least a window old are never a base again.
    while (samples.length > 1 && update.at - samples[1].at >= RATE_WINDOW_MS) samples.shift();
    this.onUpdate?.(update);
  }

  /** Number of the first frame whose record is still in the spool (binary search over the offsets). */
  private firstRetainedFrame(): number {
    const first = this.spool.firstRetainedOffset;
    const offsets = this.session.index.fileOffset;
    let low = 0;
    let high = this.session.frames;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (offsets[middle] < first) low = middle + 1;
      else high = middle;
    }
    return low + 1;
  }
}

/** The helper's own explanation: its first line that is not progress chatter. */
function helperMessage(stderr: string): string | null {
  const line = stderr
    .split(/\r?\n|\r/)
    .map((l) => l.trim())
    .find((l) => l && !/^(Capturing on|File:|Packets captured|Packets received|tcpdump: listening on|\d+ packets? )/.test(l));
  return line ? line.replace(/^(dumpcap|tcpdump): /, '') : null;
}
