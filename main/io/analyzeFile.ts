import type { CaptureProblem } from '../../app/capture/types';
import type { Dissection } from '../../app/decode/dissection';
import { decodeFrame, newCaptureState } from '../../app/decode/frame';
import { FrameBatchReader } from '../../app/decode/frameBatch';
import type { TcpAnalyzer } from '../../app/tcp/analyzer';
import { DecodeThread } from './decodeThread';
import type { FromDecodeWorker, ToDecodeWorker } from './decodeWorker';
import { CaptureFileError, readCaptureFile } from './readCapture';

export { BUNDLED_DECODE_WORKER } from './decodeThread';

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
   * payload bytes except for payloads the analysis decodes (so not for following streams). Or that thread
   * already started on this file (startDecodeThread), which this run then owns.
   */
  decodeWorker?: URL | string | DecodeThread;
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
  if (options.decodeWorker instanceof DecodeThread) options.decodeWorker.terminate();
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
function analyzeInTwoThreads(path: string, options: AnalyzeOptions, decoder: URL | string | DecodeThread): Promise<AnalyzeResult> {
  if (decoder instanceof DecodeThread && (decoder.path !== path || options.signal?.aborted)) {
    decoder.terminate();
    if (decoder.path !== path) throw new Error(`the decoding thread reads ${decoder.path}, not ${path}`);
  }
  options.signal?.throwIfAborted();
  const reader = new FrameBatchReader(newCaptureState(options.tcp ?? null));
  const thread = decoder instanceof DecodeThread ? decoder : new DecodeThread(decoder, path);
  return new Promise<AnalyzeResult>((resolve, reject) => {
    let settled = false;
    const settle = (result: AnalyzeResult | null, error?: unknown) => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', abort);
      thread.terminate();
      if (result) resolve(result);
      else reject(error);
    };
    const abort = () => settle(null, options.signal?.reason);
    options.signal?.addEventListener('abort', abort);
    const onMessage = (message: FromDecodeWorker) => {
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
          thread.worker.postMessage({ kind: 'analysed', rows: message.batch.rows } satisfies ToDecodeWorker, [message.batch.rows.buffer as ArrayBuffer]);
          return;
        case 'done':
          options.tcp?.finish();
          settle({ format: message.format, frames: message.frames, problem: message.problem });
          return;
        case 'error':
          settle(null, message.path !== null ? new CaptureFileError(message.message, message.code, message.path) : new Error(message.message));
          return;
      }
    };
    thread.listen({
      message: onMessage,
      error: (error) => settle(null, error),
      exit: () => settle(null, new Error('The decoding thread stopped before the end of the file.')),
    });
  });
}
