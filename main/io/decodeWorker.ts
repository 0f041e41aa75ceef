import { parentPort, workerData } from 'node:worker_threads';
import type { CaptureProblem } from '../../app/capture/types';
import { decodeFrame, newCaptureState } from '../../app/decode/frame';
import { DeferringObserver, FrameBatchWriter, type FrameBatch } from '../../app/decode/frameBatch';
import { CaptureFileError, readCaptureFile } from './readCapture';

/*
 * The decoding half of analyzeFile's two-thread pipeline: reads the capture file, decodes every frame
 * without a tree (the commonest ones straight into their rows: FrameBatchWriter.addCommonTcp) and posts
 * them in batches (app/decode/frameBatch.ts) to the thread that analyses them.
 * It stays at most MAX_BATCHES_AHEAD batches ahead, so a slow analysis never makes it buffer the file.
 */

export interface DecodeWorkerStart {
  path: string;
}

export type FromDecodeWorker =
  | { kind: 'batch'; batch: FrameBatch; bytesRead: number; totalBytes: number }
  | { kind: 'done'; format: 'pcap' | 'pcapng' | null; frames: number; problem: CaptureProblem | null }
  | { kind: 'error'; message: string; code: string | null; path: string | null };

/** The analysing thread answers each batch with this once it has analysed it, handing its rows back. */
export type ToDecodeWorker = { kind: 'analysed'; rows: Float64Array };

const MAX_BATCHES_AHEAD = 8;

const port = parentPort;
if (!port) throw new Error('decodeWorker runs as a worker thread');
const { path } = workerData as DecodeWorkerStart;

const observer = new DeferringObserver();
const state = newCaptureState(observer);
const writer = new FrameBatchWriter();
let batchesAhead = 0;
let resume: (() => void) | null = null;
port.on('message', (message: ToDecodeWorker) => {
  batchesAhead--;
  writer.recycle(message.rows);
  resume?.();
  resume = null;
});

let frames = 0;
let problem: CaptureProblem | null = null;
let bytesRead = 0;
let totalBytes = 0;

function post(message: FromDecodeWorker, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

function flush(): void {
  const batch = writer.take();
  const transfer = [batch.rows.buffer as ArrayBuffer];
  for (const [, sources] of batch.deferred) for (const source of sources) transfer.push(source.buffer as ArrayBuffer);
  batchesAhead++;
  post({ kind: 'batch', batch, bytesRead, totalBytes }, transfer);
}

/** Reads and decodes the whole file; every outcome, a failure too, ends in one message. */
async function decodeFile(): Promise<void> {
  try {
    const { format } = await readCaptureFile(
      path,
      {
        frame(raw) {
          frames++;
          if (!writer.addCommonTcp(raw)) {
            observer.deferred = null;
            const d = decodeFrame(state, raw, false);
            writer.add(d, observer.deferred);
          }
          if (writer.full) flush();
        },
        problem(p) {
          problem = p;
        },
      },
      {
        onProgress(read, total) {
          bytesRead = read;
          totalBytes = total;
          if (batchesAhead < MAX_BATCHES_AHEAD) return;
          return new Promise<void>((resolve) => (resume = resolve));
        },
      },
    );
    if (!writer.empty) flush();
    post({ kind: 'done', format, frames, problem });
  } catch (error) {
    const fileError = error instanceof CaptureFileError ? error : null;
    post({ kind: 'error', message: error instanceof Error ? error.message : String(error), code: fileError?.code ?? null, path: fileError?.path ?? null });
  }
}

void decodeFile();
