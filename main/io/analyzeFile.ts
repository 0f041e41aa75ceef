import type { CaptureProblem } from '../../app/capture/types';
import type { Dissection } from '../../app/decode/dissection';
import { decodeFrame, newCaptureState } from '../../app/decode/frame';
import type { TcpAnalyzer } from '../../app/tcp/analyzer';
import { readCaptureFile } from './readCapture';

export interface AnalyzeOptions {
  /** Build each frame's field tree (details, `fields`); the indexing path leaves it off. */
  withTree: boolean;
  onFrame(d: Dissection): void;
  onProgress?(bytesRead: number, totalBytes: number): void;
  signal?: AbortSignal;
  /** Runs the TCP/UDP conversation analysis inside the pipeline; finished when the file ends. */
  tcp?: TcpAnalyzer;
}

export interface AnalyzeResult {
  format: 'pcap' | 'pcapng' | null;
  frames: number;
  /** Why the file stopped being readable before its end, if it did; every frame before it was analysed. */
  problem: CaptureProblem | null;
}

/** Reads a capture file from disk and runs every frame through the decoding pipeline, in order. */
export async function analyzeFile(path: string, options: AnalyzeOptions): Promise<AnalyzeResult> {
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
