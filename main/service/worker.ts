import { open, type FileHandle } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import type { CaptureProblem } from '../../app/capture/types';
import { compileFilter } from '../../app/filter/compile';
import { CaptureSession, type RecordSource } from '../../app/index/session';
import { readCaptureFile } from '../io/readCapture';
import type { LiveCapture } from '../live/liveCapture';
import { CaptureSetupError } from '../live/setupHelp';
import type { FromWorker, LiveWorkerOptions, ToWorker, WorkerMethod, WorkerMethods, WorkerProgress, WorkerStart } from './protocol';

/*
 * The capture worker: one per open capture. For a file it reads the file once, building the session's
 * index, and meanwhile answers page/detail/search requests for the frames indexed so far (the reader
 * awaits each chunk, so requests are served between chunks). For a live capture it runs main/live's
 * LiveCapture, whose session grows as packets arrive and answers the same requests. Neither the Electron
 * main thread nor the bridge's event loop ever decodes.
 */

/** Progress messages at most this often: enough for a smooth bar, cheap for the receiver. */
const PROGRESS_INTERVAL_MS = 100;

const port = parentPort;
if (!port) throw new Error('the capture worker must run in a worker thread');
const start = workerData as WorkerStart;

function post(message: FromWorker): void {
  port?.postMessage(message);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The session requests are answered from (null until a live capture has started). */
let session: CaptureSession | null = null;
let live: LiveCapture | null = null;

async function answer(method: WorkerMethod, params: WorkerMethods[WorkerMethod]['params']): Promise<unknown> {
  if (!session) throw new Error('The capture has not started.');
  switch (method) {
    case 'page': {
      const p = params as WorkerMethods['page']['params'];
      return session.page(p.from, p.count);
    }
    case 'filteredPage': {
      const p = params as WorkerMethods['filteredPage']['params'];
      return session.filteredPage(p.filter, p.from, p.count);
    }
    case 'filter': {
      const text = (params as WorkerMethods['filter']['params']).filter;
      if (text.trim() === '') {
        session.clearFilter();
        return { filter: text, frames: new Uint32Array(0), scanned: session.frames };
      }
      const compiled = compileFilter(text);
      if (!compiled.ok) throw new Error(`Display filter, column ${compiled.error.column}: ${compiled.error.message}`);
      return session.applyFilter(compiled.filter, (scanned, total, matched) => post({ kind: 'filter-progress', filter: text, scanned, total, matched }));
    }
    case 'detail':
      return session.detail((params as WorkerMethods['detail']['params']).number);
    case 'find': {
      const p = params as WorkerMethods['find']['params'];
      return { number: await session.find(p.text, p.from, p.backwards) };
    }
    case 'flows':
      return session.flows();
    case 'dns':
      return session.dnsTransactions();
    case 'follow': {
      const p = params as WorkerMethods['follow']['params'];
      return (await session.tcpStream(p.stream))?.follow(p.dir) ?? null;
    }
    case 'streamAnalysis':
      return (await session.tcpStream((params as WorkerMethods['streamAnalysis']['params']).stream))?.analysis ?? null;
    case 'streamDiagram':
      return (await session.tcpStream((params as WorkerMethods['streamDiagram']['params']).stream))?.ladder ?? null;
    case 'streamSeries':
      return (await session.tcpStream((params as WorkerMethods['streamSeries']['params']).stream))?.series ?? null;
    case 'liveStop':
      return liveCapture().stop();
    case 'liveSave': {
      const p = params as WorkerMethods['liveSave']['params'];
      return liveCapture().save(p.path, p.format);
    }
    case 'liveDiscard':
      await liveCapture().discard();
      return null;
  }
}

function liveCapture(): LiveCapture {
  if (!live) throw new Error('This capture is a file, not a live capture.');
  return live;
}

port.on('message', (message: ToWorker) => {
  if (message.kind !== 'request') return;
  answer(message.method, message.params).then(
    (result) => post({ kind: 'response', seq: message.seq, ok: true, result }),
    (error: unknown) => post({ kind: 'response', seq: message.seq, ok: false, message: errorText(error) }),
  );
});

async function readFile(path: string): Promise<void> {
  // One handle for every read, opened by the first (reads run concurrently: pages beside the field index).
  let opened: Promise<FileHandle> | null = null;
  const records: RecordSource = {
    async read(offset, length, into) {
      const handle = await (opened ??= open(path, 'r'));
      const bytes = into ?? new Uint8Array(length);
      const { bytesRead } = await handle.read(bytes, 0, length, offset);
      return bytes.subarray(0, bytesRead);
    },
  };
  const file = new CaptureSession(records);
  session = file;
  const started = performance.now();
  let bytesRead = 0;
  let totalBytes = 0;
  let problem: CaptureProblem | null = null;
  let lastProgress = 0;

  /** A problem at offset 0 before any frame: the file header itself is wrong, so it is not a capture. */
  const notACapture = (): CaptureProblem | null => (file.frames === 0 && problem !== null && problem.offset === 0 ? problem : null);

  const progress = (state: WorkerProgress['state']): WorkerProgress => ({
    kind: 'progress',
    state,
    framesRead: file.frames,
    bytesRead,
    totalBytes,
    format: file.format,
    malformed: file.malformed,
    problem: problem?.message ?? null,
    elapsedMs: performance.now() - started,
  });

  const { format } = await readCaptureFile(
    path,
    {
      frame(raw) {
        file.addFrame(raw);
      },
      problem(p) {
        problem = p;
      },
    },
    {
      onProgress(read, total) {
        const refused = notACapture();
        if (refused) throw new Error(refused.message);
        bytesRead = read;
        totalBytes = total;
        const now = performance.now();
        // The first progress tells the service the file opened; later ones are throttled.
        if (lastProgress === 0 || now - lastProgress >= PROGRESS_INTERVAL_MS) {
          lastProgress = now;
          post(progress('loading'));
        }
      },
    },
  );
  const refused = notACapture();
  if (refused) throw new Error(refused.message);
  file.finish(format, problem);
  post(progress('done'));
  indexFields(file);
}

/**
 * Builds the field index of a complete capture in the background, so that display filters over its fields
 * are answered without decoding, and reports how far it is (throttled like the load's progress; the end
 * always). A capture whose frames cannot be read back keeps filtering by decoding (which then reports why).
 */
function indexFields(complete: CaptureSession): void {
  // A live capture's updates may come again after it is complete; the index is built once.
  if (complete.fieldIndexState) return;
  let lastReport = Number.NEGATIVE_INFINITY;
  const report = (): void => {
    const filterIndex = complete.fieldIndexState;
    if (!filterIndex) return;
    const now = performance.now();
    if (filterIndex.state === 'building' && now - lastReport < PROGRESS_INTERVAL_MS) return;
    lastReport = now;
    post({ kind: 'filter-index', filterIndex });
  };
  const built = complete.buildFieldIndex(report);
  report();
  built.catch(report);
}

async function startLive(options: LiveWorkerOptions): Promise<void> {
  // Loaded only here: a worker reading a file never needs the live engine (nor its pcap-parser).
  const { LiveCapture, LiveCaptureError } = await import('../live/liveCapture');
  try {
    live = await LiveCapture.start({
      ...options,
      updateIntervalMs: PROGRESS_INTERVAL_MS,
      onUpdate: (update) => {
        post({ kind: 'live-update', update });
        // The final update comes once everything captured is analysed.
        if (live?.session.complete) indexFields(live.session);
      },
    });
  } catch (error) {
    if (error instanceof CaptureSetupError) post({ kind: 'live-refused', help: error.help, reason: 'helper-failed', message: error.message });
    else if (error instanceof LiveCaptureError) post({ kind: 'live-refused', help: null, reason: error.reason, message: error.message });
    else post({ kind: 'live-refused', help: null, reason: 'internal', message: errorText(error) });
    return;
  }
  session = live.session;
  post({ kind: 'live-started', directory: live.spool.directory });
  post({ kind: 'live-update', update: live.snapshot() });
  if (live.session.complete) indexFields(live.session);
}

if (start.kind === 'file') readFile(start.path).catch((error: unknown) => post({ kind: 'failed', message: errorText(error) }));
else void startLive(start.options);
