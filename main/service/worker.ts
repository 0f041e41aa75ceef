import { open, type FileHandle } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import type { CaptureProblem } from '../../app/capture/types';
import { CaptureSession, type RecordSource } from '../../app/index/session';
import { readCaptureFile } from '../io/readCapture';
import type { FromWorker, ToWorker, WorkerMethod, WorkerMethods, WorkerProgress, WorkerStart } from './protocol';

/*
 * The capture worker: one per open capture. It reads the file once, building the session's index, and
 * meanwhile answers page/detail/search requests for the frames indexed so far (the reader awaits each
 * chunk, so requests are served between chunks). Neither the Electron main thread nor the bridge's
 * event loop ever decodes.
 */

/** Progress messages at most this often: enough for a smooth bar, cheap for the receiver. */
const PROGRESS_INTERVAL_MS = 100;

const port = parentPort;
if (!port) throw new Error('the capture worker must run in a worker thread');
const { path } = workerData as WorkerStart;

let handle: FileHandle | null = null;
const records: RecordSource = {
  async read(offset, length) {
    handle ??= await open(path, 'r');
    const bytes = new Uint8Array(length);
    const { bytesRead } = await handle.read(bytes, 0, length, offset);
    return bytes.subarray(0, bytesRead);
  },
};
const session = new CaptureSession(records);
const started = performance.now();
let bytesRead = 0;
let totalBytes = 0;
let problem: CaptureProblem | null = null;
let lastProgress = 0;

/** A problem at offset 0 before any frame: the file header itself is wrong, so it is not a capture. */
function notACapture(): CaptureProblem | null {
  return session.frames === 0 && problem !== null && problem.offset === 0 ? problem : null;
}

function post(message: FromWorker): void {
  port?.postMessage(message);
}

function progress(state: WorkerProgress['state']): WorkerProgress {
  return {
    kind: 'progress',
    state,
    framesRead: session.frames,
    bytesRead,
    totalBytes,
    format: session.format,
    malformed: session.malformed,
    problem: problem?.message ?? null,
    elapsedMs: performance.now() - started,
  };
}

async function answer(method: WorkerMethod, params: WorkerMethods[WorkerMethod]['params']): Promise<unknown> {
  switch (method) {
    case 'page': {
      const p = params as WorkerMethods['page']['params'];
      return session.page(p.from, p.count);
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
  }
}

port.on('message', (message: ToWorker) => {
  if (message.kind !== 'request') return;
  answer(message.method, message.params).then(
    (result) => post({ kind: 'response', seq: message.seq, ok: true, result }),
    (error: unknown) => post({ kind: 'response', seq: message.seq, ok: false, message: error instanceof Error ? error.message : String(error) }),
  );
});

async function readAll(): Promise<void> {
  const { format } = await readCaptureFile(
    path,
    {
      frame(raw) {
        session.addFrame(raw);
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
  session.finish(format, problem);
  post(progress('done'));
}

readAll().catch((error: unknown) => post({ kind: 'failed', message: error instanceof Error ? error.message : String(error) }));
