import { stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  ServiceError,
  type CaptureId,
  type CaptureInfo,
  type CaptureProgress,
  type CaptureState,
  type CaptureStatus,
  type FilterIndexStatus,
  type LiveProgress,
  type LiveStartRequest,
  type LiveStartResult,
  type MethodName,
  type RecoverableLiveCapture,
  type ParamsOf,
  type ResultOf,
  type ServiceEvent,
  type WirelensService,
} from '../../app/api/types';
import { validateRequest } from '../../app/api/validate';
// The decoders and the TCP analysis define their fields as they load; display filters resolve names among them.
import '../../app/decode/frame';
import '../../app/tcp/analyzer';
import { compileFilter } from '../../app/filter/compile';
import { suggestFields } from '../../app/filter/suggest';
import { checkCaptureFilter } from '../live/filter';
import { findCaptureHelpers } from '../live/helper';
import { listInterfaces } from '../live/interfaces';
import type { LiveUpdate } from '../live/liveCapture';
import { saveCapture } from '../live/save';
import { CaptureSetupError, captureHelp } from '../live/setupHelp';
import {
  defaultLiveDirectory,
  discardRecoverable,
  findRecoverableCaptures,
  readLastChoice,
  recoveredCaptureFile,
  type RecoverableCapture,
} from '../live/spool';
import type { FromWorker, ToWorker, WorkerMethod, WorkerMethods, WorkerProgress, WorkerStart } from './protocol';

export interface CaptureServiceOptions {
  /** The built capture worker script (captureWorker.js beside the bundle that creates the service). */
  workerScript: string | URL;
  /** Open captures kept at once; opening one more closes the oldest. */
  maxCaptures?: number;
  /** Where live captures are spooled and recovered from (Electron: <userData>/live); defaultLiveDirectory() by default. */
  liveDirectory?: string;
}

/** What the service keeps of a live capture besides its worker. */
interface LiveSide {
  iface: string;
  last: LiveProgress;
  /** Saved at least once: closing it deletes its spool (an unsaved one stays recoverable). */
  saved: boolean;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** One open capture: its worker and what the worker last reported. */
interface OpenCapture {
  info: CaptureInfo;
  worker: Worker;
  state: CaptureState;
  last: WorkerProgress;
  failure: string | null;
  pending: Map<number, Pending>;
  /** Set for a live capture. */
  live: LiveSide | null;
  /** Set for a recovered live capture opened as a file: its spool, to save or discard. */
  recovered: RecoverableCapture | null;
  /** The field index's build as the worker last reported it; null for a live capture until it stops. */
  filterIndex: FilterIndexStatus | null;
}

/** A capture's field index before its worker starts building it (once the capture is read). */
const FILTER_INDEX_WAITING: FilterIndexStatus = { state: 'waiting', frames: 0, total: 0, memoryBytes: 0 };

/**
 * The service every transport serves: opens captures in worker threads (one per file or live capture),
 * routes requests to them and forwards their progress as events. Requests from outside go through handle(), which
 * validates them; call() is the typed entry for trusted callers (the Electron shell, tests).
 */
export class CaptureService implements WirelensService {
  private readonly captures = new Map<CaptureId, OpenCapture>();
  private readonly listeners = new Set<(event: ServiceEvent) => void>();
  private nextId = 1;
  private nextSeq = 1;
  private readonly maxCaptures: number;
  private readonly liveDirectory: string;

  constructor(private readonly options: CaptureServiceOptions) {
    this.maxCaptures = options.maxCaptures ?? 8;
    this.liveDirectory = options.liveDirectory ?? defaultLiveDirectory();
  }

  /** A request from a transport: checked against the contract, then served. */
  handle(method: unknown, params: unknown): Promise<unknown> {
    try {
      const checked = validateRequest(method, params);
      return this.dispatch(method as MethodName, checked);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    return (await this.dispatch(method, params)) as ResultOf<M>;
  }

  subscribe(listener: (event: ServiceEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Opens a file on behalf of the shell (command line, menu, file association): failures become events. */
  async openFromShell(path: string): Promise<CaptureInfo | null> {
    try {
      return await this.open(path);
    } catch (error) {
      this.emit({ type: 'capture.failed', payload: { path, message: error instanceof Error ? error.message : String(error) } });
      return null;
    }
  }

  /** Terminates every worker. */
  async dispose(): Promise<void> {
    await Promise.all([...this.captures.keys()].map((id) => this.close(id)));
  }

  private async dispatch(method: MethodName, params: ParamsOf<MethodName>): Promise<unknown> {
    switch (method) {
      case 'capture.open':
        return this.open((params as ParamsOf<'capture.open'>).path);
      case 'capture.close':
        await this.close(this.capture((params as ParamsOf<'capture.close'>).id).info.id);
        return null;
      case 'capture.list':
        return [...this.captures.values()].map((capture) => capture.info);
      case 'capture.status':
        return this.status(this.capture((params as ParamsOf<'capture.status'>).id));
      case 'frames.page': {
        const p = params as ParamsOf<'frames.page'>;
        const capture = this.capture(p.id);
        if (p.filter !== undefined && p.filter.trim() !== '') {
          const page = await this.ask(capture, 'filteredPage', { filter: p.filter, from: p.from, count: p.count });
          if (!page) throw new ServiceError('not-found', `The display filter '${p.filter.slice(0, 200)}' is not applied (any more).`);
          return { id: p.id, from: p.from, rows: page.rows, total: page.total, complete: true };
        }
        const rows = await this.ask(capture, 'page', { from: p.from, count: p.count });
        return { id: p.id, from: p.from, rows, total: capture.last.framesRead, complete: capture.state !== 'loading' };
      }
      case 'frames.filter': {
        const p = params as ParamsOf<'frames.filter'>;
        const displayed = await this.ask(this.capture(p.id), 'filter', { filter: p.filter });
        if (!displayed) throw new ServiceError('cancelled', 'A newer display filter replaced this one.');
        return { id: p.id, ...displayed };
      }
      case 'filter.check': {
        const result = compileFilter((params as ParamsOf<'filter.check'>).text);
        return result.ok ? { ok: true } : { ok: false, error: { column: result.error.column, length: result.error.length, message: result.error.message } };
      }
      case 'filter.suggest': {
        const p = params as ParamsOf<'filter.suggest'>;
        return suggestFields(p.text, p.cursor);
      }
      case 'frames.find': {
        const p = params as ParamsOf<'frames.find'>;
        return this.ask(this.capture(p.id), 'find', { text: p.text, from: p.from, backwards: p.backwards });
      }
      case 'frame.detail': {
        const p = params as ParamsOf<'frame.detail'>;
        const detail = await this.ask(this.capture(p.id), 'detail', { number: p.number });
        if (!detail) throw new ServiceError('not-found', `Frame ${p.number} is not in the capture (yet).`);
        return { id: p.id, number: p.number, ...detail };
      }
      case 'flows.list':
        return this.ask(this.capture((params as ParamsOf<'flows.list'>).id), 'flows', {});
      case 'dns.transactions':
        return this.ask(this.capture((params as ParamsOf<'dns.transactions'>).id), 'dns', {});
      case 'tcp.follow': {
        const p = params as ParamsOf<'tcp.follow'>;
        const follow = await this.ask(this.capture(p.id), 'follow', { stream: p.stream, dir: p.dir });
        if (!follow) throw noStream(p.stream);
        return { id: p.id, ...follow };
      }
      case 'tcp.analysis': {
        const p = params as ParamsOf<'tcp.analysis'>;
        const analysis = await this.ask(this.capture(p.id), 'streamAnalysis', { stream: p.stream });
        if (!analysis) throw noStream(p.stream);
        return { id: p.id, ...analysis };
      }
      case 'tcp.diagram': {
        const p = params as ParamsOf<'tcp.diagram'>;
        const ladder = await this.ask(this.capture(p.id), 'streamDiagram', { stream: p.stream });
        if (!ladder) throw noStream(p.stream);
        return ladder;
      }
      case 'tcp.streamSeries': {
        const p = params as ParamsOf<'tcp.streamSeries'>;
        const series = await this.ask(this.capture(p.id), 'streamSeries', { stream: p.stream });
        if (!series) throw noStream(p.stream);
        return series;
      }
      case 'live.interfaces':
        return this.interfaces();
      case 'live.checkFilter': {
        const p = params as ParamsOf<'live.checkFilter'>;
        return this.checkFilter(p.iface, p.filter);
      }
      case 'live.start':
        return this.startLive(params as ParamsOf<'live.start'>);
      case 'live.stop': {
        const capture = this.liveCapture((params as ParamsOf<'live.stop'>).id);
        const final = await this.ask(capture, 'liveStop', {});
        this.liveUpdate(capture, final);
        return (capture.live as LiveSide).last;
      }
      case 'live.save':
        return this.saveLive(params as ParamsOf<'live.save'>);
      case 'live.recoverable':
        return this.recoverable().map(describeRecoverable);
      case 'live.recover':
        return this.recover((params as ParamsOf<'live.recover'>).key);
      case 'live.discardRecovered': {
        const key = (params as ParamsOf<'live.discardRecovered'>).key;
        const found = this.findRecoverable(key);
        for (const capture of [...this.captures.values()]) if (capture.recovered?.directory === found.directory) await this.close(capture.info.id);
        discardRecoverable(found);
        return null;
      }
    }
  }

  private async interfaces(): Promise<ResultOf<'live.interfaces'>> {
    try {
      const list = await listInterfaces();
      const last = readLastChoice(this.liveDirectory);
      return {
        available: true,
        helper: list.helper.kind,
        interfaces: list.interfaces,
        lastChoice: last ? { iface: last.interface, filter: last.filter } : null,
      };
    } catch (error) {
      if (error instanceof CaptureSetupError) return { available: false, help: error.help };
      throw new ServiceError('internal', error instanceof Error ? error.message : String(error));
    }
  }

  private async checkFilter(iface: string, filter: string): Promise<ResultOf<'live.checkFilter'>> {
    const helper = findCaptureHelpers()[0];
    if (!helper) return { valid: null, message: captureHelp('no-helper').title };
    try {
      const check = await checkCaptureFilter(helper, iface, filter);
      return check.valid ? { valid: true } : { valid: false, message: check.message };
    } catch (error) {
      // The filter may be fine: the machine refused (no permission, no such interface); say that.
      if (error instanceof CaptureSetupError) return { valid: null, message: `The filter could not be checked: ${error.help.title}` };
      throw new ServiceError('internal', error instanceof Error ? error.message : String(error));
    }
  }

  private async startLive(request: LiveStartRequest): Promise<LiveStartResult> {
    while (this.captures.size >= this.maxCaptures) await this.close(this.captures.keys().next().value as CaptureId);
    const id = `c${this.nextId++}`;
    const info: CaptureInfo = { id, path: this.liveDirectory, name: `${request.iface} (live)`, sizeBytes: 0, live: true };
    const start: WorkerStart = {
      kind: 'live',
      options: {
        interface: request.iface,
        filter: request.filter,
        snapLength: request.snaplen,
        stopAfter: {
          packets: request.stop.packets,
          seconds: request.stop.seconds,
          bytes: request.stop.megabytes === undefined ? undefined : Math.max(1, Math.round(request.stop.megabytes * 1e6)),
        },
        ring: request.ring ? { fileBytes: Math.max(1, Math.round(request.ring.fileMegabytes * 1e6)), files: request.ring.files } : null,
        directory: this.liveDirectory,
      },
    };
    const capture = this.newCapture(info, start);
    capture.live = {
      iface: request.iface,
      saved: false,
      last: { id, state: 'capturing', iface: request.iface, frames: 0, capturedBytes: 0, drops: null, framesPerSecond: 0, elapsedSeconds: 0, stopReason: null, problem: null },
    };
    let refusal: LiveStartResult | null = null;
    await new Promise<void>((started, failed) => {
      capture.worker.on('message', (message: FromWorker) => {
        if (message.kind === 'live-started') {
          capture.info.path = message.directory;
          started();
        } else if (message.kind === 'live-refused') {
          if (message.help) {
            refusal = { started: false, help: message.help };
            started();
          } else {
            failed(new ServiceError(message.reason === 'internal' ? 'internal' : 'bad-request', message.message));
          }
        }
      });
      capture.worker.on('error', (error) => failed(new ServiceError('internal', `The capture worker failed: ${error.message}`)));
    }).catch(async (error: unknown) => {
      await this.close(id, false);
      throw error;
    });
    if (refusal) {
      await this.close(id, false);
      return refusal;
    }
    this.emit({ type: 'capture.opened', payload: info });
    return { started: true, capture: info };
  }

  private async saveLive(p: ParamsOf<'live.save'>): Promise<ResultOf<'live.save'>> {
    const capture = this.capture(p.id);
    const out = resolve(p.path);
    try {
      await stat(dirname(out));
    } catch {
      throw new ServiceError('unwritable', `Cannot save to ${out}: the folder ${dirname(out)} does not exist.`);
    }
    let result;
    try {
      if (capture.live) {
        if (capture.live.last.state === 'capturing' || capture.live.last.state === 'stopping') throw new ServiceError('bad-request', 'Stop the capture before saving it.');
        result = await this.ask(capture, 'liveSave', { path: out, format: p.format });
        capture.live.saved = true;
      } else if (capture.recovered) {
        result = await saveCapture(capture.recovered.files, out, { format: p.format, interfaceName: capture.recovered.meta.interface, application: 'Wirelens' });
      } else {
        throw new ServiceError('bad-request', `${capture.info.name} is a file, not a live capture: it is saved already.`);
      }
    } catch (error) {
      if (error instanceof ServiceError) throw error;
      throw new ServiceError('unwritable', `Cannot save to ${out}: ${error instanceof Error ? error.message : String(error)}`);
    }
    return { path: out, format: result.format, frames: result.frames, bytes: result.bytes };
  }

  private recoverable(): RecoverableCapture[] {
    // Spools in use here (a live capture, a recovered one open) are not offered.
    const open = new Set([...this.captures.values()].map((c) => (c.live ? c.info.path : c.recovered?.directory)));
    return findRecoverableCaptures(this.liveDirectory).filter((r) => !open.has(r.directory));
  }

  private findRecoverable(key: string): RecoverableCapture {
    const found = findRecoverableCaptures(this.liveDirectory).find((r) => basename(r.directory) === key);
    if (!found) throw new ServiceError('not-found', 'That unsaved capture is no longer there.');
    return found;
  }

  private async recover(key: string): Promise<CaptureInfo> {
    const found = this.findRecoverable(key);
    const info = await this.open(recoveredCaptureFile(found));
    const capture = this.captures.get(info.id);
    if (capture) capture.recovered = found;
    return info;
  }

  private async open(path: string): Promise<CaptureInfo> {
    const absolute = resolve(path);
    const size = await fileSize(absolute);
    while (this.captures.size >= this.maxCaptures) await this.close(this.captures.keys().next().value as CaptureId);
    const info: CaptureInfo = { id: `c${this.nextId++}`, path: absolute, name: basename(absolute), sizeBytes: size, live: false };
    const capture = this.newCapture(info, { kind: 'file', path: absolute });
    await new Promise<void>((opened, failed) => {
      capture.worker.on('message', (message: FromWorker) => {
        if (message.kind === 'progress') opened();
        else if (message.kind === 'failed') failed(new ServiceError('unreadable', `Cannot open ${info.name}: ${withoutPath(message.message, absolute)}`));
      });
      capture.worker.on('error', (error) => failed(new ServiceError('internal', `Cannot open ${info.name}: the capture worker failed (${error.message}).`)));
    }).catch(async (error: unknown) => {
      await this.close(info.id, false);
      throw error;
    });
    this.emit({ type: 'capture.opened', payload: info });
    return info;
  }

  /** Starts the worker of a capture and registers it. */
  private newCapture(info: CaptureInfo, start: WorkerStart): OpenCapture {
    const worker = new Worker(this.options.workerScript, { workerData: start });
    const capture: OpenCapture = {
      info,
      worker,
      state: 'loading',
      last: { kind: 'progress', state: 'loading', framesRead: 0, bytesRead: 0, totalBytes: info.sizeBytes, format: null, malformed: 0, problem: null, elapsedMs: 0 },
      failure: null,
      pending: new Map(),
      live: null,
      recovered: null,
      filterIndex: start.kind === 'file' ? FILTER_INDEX_WAITING : null,
    };
    this.captures.set(info.id, capture);
    worker.on('message', (message: FromWorker) => this.receive(capture, message));
    worker.on('error', (error) => this.workerGone(capture, `The capture worker failed: ${error.message}`));
    worker.on('exit', () => this.workerGone(capture, 'The capture was closed.'));
    return capture;
  }

  private async close(id: CaptureId, announce = true): Promise<void> {
    const capture = this.captures.get(id);
    if (!capture) return;
    this.captures.delete(id);
    if (capture.state === 'loading') capture.state = 'cancelled';
    if (capture.live) {
      // A saved capture's spool goes; an unsaved one is stopped and stays on disk, offered for recovery.
      const ending = capture.live.saved ? this.ask(capture, 'liveDiscard', {}) : this.ask(capture, 'liveStop', {});
      await ending.catch(() => undefined);
    }
    await capture.worker.terminate();
    if (announce) this.emit({ type: 'capture.closed', payload: { id } });
  }

  private receive(capture: OpenCapture, message: FromWorker): void {
    switch (message.kind) {
      case 'progress':
        capture.last = message;
        if (message.state === 'done') capture.state = 'done';
        this.emit({ type: 'capture.progress', payload: this.progress(capture) });
        break;
      case 'failed':
        capture.failure = message.message;
        capture.state = 'failed';
        this.emit({ type: 'capture.progress', payload: this.progress(capture) });
        this.filterIndexUnavailable(capture);
        break;
      case 'live-update':
        this.liveUpdate(capture, message.update);
        break;
      case 'filter-index':
        this.filterIndexChanged(capture, message.filterIndex);
        break;
      case 'filter-progress':
        this.emit({
          type: 'frames.filterProgress',
          payload: { id: capture.info.id, filter: message.filter, scanned: message.scanned, total: message.total, matched: message.matched },
        });
        break;
      case 'live-started':
      case 'live-refused':
        break;
      case 'response': {
        const pending = capture.pending.get(message.seq);
        if (!pending) return;
        capture.pending.delete(message.seq);
        if (message.ok) pending.resolve(message.result);
        else pending.reject(new ServiceError('unreadable', message.message));
        break;
      }
    }
  }

  private liveUpdate(capture: OpenCapture, update: LiveUpdate): void {
    const live = capture.live;
    if (!live) return;
    live.last = {
      id: capture.info.id,
      state: update.state,
      iface: update.interface,
      frames: update.frames,
      capturedBytes: update.capturedBytes,
      drops: update.statistics?.dropped ?? null,
      framesPerSecond: update.framesPerSecond,
      elapsedSeconds: update.elapsedSeconds,
      stopReason: update.stopReason,
      problem: update.problem,
    };
    const ended = update.state === 'stopped' || update.state === 'failed';
    // The capture is an open capture that is "loading" until it stops: the packet list grows with it.
    capture.state = ended ? (update.state === 'failed' ? 'failed' : 'done') : 'loading';
    if (update.state === 'failed') capture.failure = update.problem;
    // The worker builds the field index once everything captured is analysed.
    if (ended && !capture.filterIndex) capture.filterIndex = FILTER_INDEX_WAITING;
    capture.last = {
      kind: 'progress',
      state: ended ? 'done' : 'loading',
      framesRead: update.frames,
      bytesRead: update.capturedBytes,
      totalBytes: update.capturedBytes,
      format: 'pcap',
      malformed: update.malformed,
      problem: update.problem,
      elapsedMs: update.elapsedSeconds * 1000,
    };
    if (!this.captures.has(capture.info.id)) return;
    this.emit({ type: 'live.progress', payload: live.last });
    this.emit({ type: 'capture.progress', payload: this.progress(capture) });
  }

  private filterIndexChanged(capture: OpenCapture, filterIndex: FilterIndexStatus): void {
    capture.filterIndex = filterIndex;
    if (this.captures.has(capture.info.id)) this.emit({ type: 'capture.filterIndex', payload: { id: capture.info.id, filterIndex } });
  }

  /** The worker will not build the field index (the read failed, the worker is gone): filters decode every frame. */
  private filterIndexUnavailable(capture: OpenCapture): void {
    const current = capture.filterIndex;
    if (current && current.state !== 'built' && current.state !== 'failed') this.filterIndexChanged(capture, { ...current, state: 'failed' });
  }

  private liveCapture(id: CaptureId): OpenCapture {
    const capture = this.capture(id);
    if (!capture.live) throw new ServiceError('bad-request', `${capture.info.name} is a file, not a live capture.`);
    return capture;
  }

  private workerGone(capture: OpenCapture, reason: string): void {
    if (capture.state === 'loading') {
      capture.state = 'failed';
      capture.failure ??= reason;
    }
    this.filterIndexUnavailable(capture);
    for (const pending of capture.pending.values()) pending.reject(new ServiceError('cancelled', reason));
    capture.pending.clear();
  }

  private ask<W extends WorkerMethod>(capture: OpenCapture, method: W, params: WorkerMethods[W]['params']): Promise<WorkerMethods[W]['result']> {
    if (capture.state === 'failed' && capture.last.framesRead === 0) {
      return Promise.reject(new ServiceError('unreadable', capture.failure ?? 'The capture could not be read.'));
    }
    const seq = this.nextSeq++;
    const message: ToWorker = { kind: 'request', seq, method, params };
    return new Promise((resolve, reject) => {
      capture.pending.set(seq, { resolve: resolve as (value: unknown) => void, reject });
      capture.worker.postMessage(message);
    });
  }

  private capture(id: CaptureId): OpenCapture {
    const capture = this.captures.get(id);
    if (!capture) throw new ServiceError('not-found', `No open capture ${id}.`);
    return capture;
  }

  private progress(capture: OpenCapture): CaptureProgress {
    const last = capture.last;
    const seconds = last.elapsedMs / 1000;
    const rate = seconds > 0 ? last.bytesRead / seconds : 0;
    const remaining = Math.max(0, last.totalBytes - last.bytesRead);
    return {
      id: capture.info.id,
      state: capture.state,
      framesRead: last.framesRead,
      bytesRead: last.bytesRead,
      totalBytes: last.totalBytes,
      megabytesPerSecond: rate / 1e6,
      secondsLeft: capture.state === 'loading' && rate > 0 ? remaining / rate : null,
      elapsedSeconds: seconds,
    };
  }

  private status(capture: OpenCapture): CaptureStatus {
    const last = capture.last;
    return {
      info: capture.info,
      progress: this.progress(capture),
      format: last.format,
      frames: last.framesRead,
      malformed: last.malformed,
      problem: capture.failure ?? last.problem,
      loadSeconds: last.elapsedMs / 1000,
      filterIndex: capture.filterIndex,
    };
  }

  private emit(event: ServiceEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

function describeRecoverable(capture: RecoverableCapture): RecoverableLiveCapture {
  return { key: basename(capture.directory), iface: capture.meta.interface, filter: capture.meta.filter, startedAt: capture.meta.startedAt, bytes: capture.bytes };
}

/** The reader's messages may start with the path, which the service's own message already names. */
function withoutPath(text: string, path: string): string {
  return text.startsWith(`${path}: `) ? text.slice(path.length + 2) : text;
}

function noStream(stream: number): ServiceError {
  return new ServiceError('not-found', `There is no TCP stream ${stream} in the capture (yet).`);
}

async function fileSize(path: string): Promise<number> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new ServiceError('unreadable', `Cannot open ${path}: ${reason}.`);
  }
  if (!info.isFile()) throw new ServiceError('unreadable', `Cannot open ${path}: not a regular file.`);
  return info.size;
}
