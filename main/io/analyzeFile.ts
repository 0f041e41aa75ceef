import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CaptureProblem } from '../../app/capture/types';
import type { Dissection } from '../../app/decode/dissection';
import { decodeFrame, newCaptureState } from '../../app/decode/frame';
import { FrameBatchReader } from '../../app/decode/frameBatch';
import type { TcpAnalyzer } from '../../app/tcp/analyzer';
import type { DecodeWorkerStart, FromDecodeWorker, ToDecodeWorker } from './decodeWorker';
import { CaptureFileError, readCaptureFile } from './readCapture';

/**
 * The decoding thread's script where the command line's bundle has it beside itself (out/cli, built by
 * scripts/build-cli.mjs); undefined when running from the TypeScript sources (tests), which then decode
 * on one thread (test/main/io/analyzeFile.test.ts shows both give the same analysis).
 */
export const BUNDLED_DECODE_WORKER: URL | undefined = (() => {
  const script = new URL('./decodeWorker.mjs', import.meta.url);
  return script.protocol === 'file:' && existsSync(fileURLToPath(script)) ? script : undefined;
})();

export interface AnalyzeOptions {
  /** Build each frame's field tree (details, `fields`); the indexing path leaves it off. */
  withTree: boolean;
  onFrame(d: Dissection): void;
  /** After each chunk of the file; a returned promise holds reading back until it settles (one thread only). */
  onProgress?(bytesRead: number, totalBytes: number): void | Promise<void>;
  signal?: AbortSignal;
  /** Runs the TCP/UDP conversation analysis inside the pipeline; finished when the file ends. */
  tcp?: TcpAnalyzer;
  /**
   * A build of main/io/decodeWorker.ts: frames are then read and decoded on that thread while this one
   * analyses them (about twice as fast on two cores). Only without trees, and the dissections onFrame gets
   * are those of app/decode/frameBatch.ts: frame, protocols, problem, IP, TCP and UDP headers, and no
   * payload bytes except for payloads the analysis decodes (so not for following streams).
   */
  decodeWorker?: URL | string;
}

export interface AnalyzeResult {
  format: 'pcap' | 'pcapng' | null;
  frames: number;
  /** Why the file stopped being readable before its end, if it did; every frame before it was analysed. */
  problem: CaptureProblem | null;
}

/** Reads a capture file from disk and runs every frame through the decoding pipeline, in order. */
export async function analyzeFile(path: string, options: AnalyzeOptions): Promise<AnalyzeResult> {
  if (options.decodeWorker !== undefined && !options.withTree) return analyzeInTwoThreads(path, options, options.decodeWorker);
  const state = newCaptureState(options.tcp ?? null);
  let frames = 0;
  let problem: CaptureProblem | null = null;
  const { format } = await readCaptureFile(
    path,
    {
      frame(raw) {
        frames++;
        options.onFrame(decodeFrame(state, raw, options.withTree));
      },
      problem(p) {
        problem = p;
      },
    },
    { onProgress: options.onProgress, signal: options.signal },
  );
  options.tcp?.finish();
  return { format, frames, problem };
}

/** Decoding on a worker thread, the analysis here, batch by batch in frame order. */
function analyzeInTwoThreads(path: string, options: AnalyzeOptions, script: URL | string): Promise<AnalyzeResult> {
  options.signal?.throwIfAborted();
  const reader = new FrameBatchReader(newCaptureState(options.tcp ?? null));
  const worker = new Worker(script, { workerData: { path } satisfies DecodeWorkerStart });
  return new Promise<AnalyzeResult>((resolve, reject) => {
    let settled = false;
    const settle = (result: AnalyzeResult | null, error?: unknown) => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', abort);
      void worker.terminate();
      if (result) resolve(result);
      else reject(error);
    };
    const abort = () => settle(null, options.signal?.reason);
    options.signal?.addEventListener('abort', abort);
    worker.on('message', (message: FromDecodeWorker) => {
      if (settled) return;
      switch (message.kind) {
        case 'batch':
          try {
            reader.read(message.batch, options.onFrame);
            void options.onProgress?.(message.bytesRead, message.totalBytes);
          } catch (error) {
            settle(null, error);
            return;
          }
          worker.postMessage({ kind: 'analysed', rows: message.batch.rows } satisfies ToDecodeWorker, [message.batch.rows.buffer as ArrayBuffer]);
          return;
        case 'done':
          options.tcp?.finish();
          settle({ format: message.format, frames: message.frames, problem: message.problem });
          return;
        case 'error':
          settle(null, message.path !== null ? new CaptureFileError(message.message, message.code, message.path) : new Error(message.message));
          return;
      }
    });
    worker.on('error', (error) => settle(null, error));
    worker.on('exit', () => settle(null, new Error('The decoding thread stopped before the end of the file.')));
  });
}
