import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  ServiceError,
  type CaptureId,
  type CaptureInfo,
  type CaptureProgress,
  type CaptureState,
  type CaptureStatus,
  type MethodName,
  type ParamsOf,
  type ResultOf,
  type ServiceEvent,
  type WirelensService,
} from '../../app/api/types';
import { validateRequest } from '../../app/api/validate';
import type { FromWorker, ToWorker, WorkerMethod, WorkerMethods, WorkerProgress, WorkerStart } from './protocol';

export interface CaptureServiceOptions {
  /** The built capture worker script (captureWorker.js beside the bundle that creates the service). */
  workerScript: string | URL;
  /** Open captures kept at once; opening one more closes the oldest. */
  maxCaptures?: number;
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
}

/**
 * The service every transport serves: opens captures in worker threads (one per file), routes requests
 * to them and forwards their progress as events. Requests from outside go through handle(), which
 * validates them; call() is the typed entry for trusted callers (the Electron shell, tests).
 */
export class CaptureService implements WirelensService {
  private readonly captures = new Map<CaptureId, OpenCapture>();
  private readonly listeners = new Set<(event: ServiceEvent) => void>();
  private nextId = 1;
  private nextSeq = 1;
  private readonly maxCaptures: number;

  constructor(private readonly options: CaptureServiceOptions) {
    this.maxCaptures = options.maxCaptures ?? 8;
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
        const rows = await this.ask(capture, 'page', { from: p.from, count: p.count });
        return { id: p.id, from: p.from, rows, total: capture.last.framesRead, complete: capture.state !== 'loading' };
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
    }
  }

  private async open(path: string): Promise<CaptureInfo> {
    const absolute = resolve(path);
    const size = await fileSize(absolute);
    while (this.captures.size >= this.maxCaptures) await this.close(this.captures.keys().next().value as CaptureId);
    const info: CaptureInfo = { id: `c${this.nextId++}`, path: absolute, name: basename(absolute), sizeBytes: size };
    const start: WorkerStart = { path: absolute };
    const worker = new Worker(this.options.workerScript, { workerData: start });
    const capture: OpenCapture = {
      info,
      worker,
      state: 'loading',
      last: { kind: 'progress', state: 'loading', framesRead: 0, bytesRead: 0, totalBytes: size, format: null, malformed: 0, problem: null, elapsedMs: 0 },
      failure: null,
      pending: new Map(),
    };
    this.captures.set(info.id, capture);
    await new Promise<void>((opened, failed) => {
      worker.on('message', (message: FromWorker) => {
        this.receive(capture, message);
        if (message.kind === 'progress') opened();
        else if (message.kind === 'failed') failed(new ServiceError('unreadable', `Cannot open ${info.name}: ${withoutPath(message.message, absolute)}`));
      });
      worker.on('error', (error) => {
        this.workerGone(capture, `The capture worker failed: ${error.message}`);
        failed(new ServiceError('internal', `Cannot open ${info.name}: the capture worker failed (${error.message}).`));
      });
      worker.on('exit', () => this.workerGone(capture, 'The capture was closed.'));
    }).catch(async (error: unknown) => {
      await this.close(info.id, false);
      throw error;
    });
    this.emit({ type: 'capture.opened', payload: info });
    return info;
  }

  private async close(id: CaptureId, announce = true): Promise<void> {
    const capture = this.captures.get(id);
    if (!capture) return;
    this.captures.delete(id);
    if (capture.state === 'loading') capture.state = 'cancelled';
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

  private workerGone(capture: OpenCapture, reason: string): void {
    if (capture.state === 'loading') {
      capture.state = 'failed';
      capture.failure ??= reason;
    }
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
    };
  }

  private emit(event: ServiceEvent): void {
    for (const listener of this.listeners) listener(event);
  }
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
