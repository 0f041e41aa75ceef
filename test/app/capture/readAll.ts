import { createCaptureReader } from '../../../app/capture/reader';
import type { CaptureProblem, RawFrame } from '../../../app/capture/types';

/** What a reader produced for a whole input: frames (data copied out of the reader's buffers) and problems. */
export interface ReadResult {
  format: 'pcap' | 'pcapng' | null;
  frames: RawFrame[];
  problems: CaptureProblem[];
}

/** How the input is cut into chunks: a fixed size, or explicit sizes repeated until the input is used up. */
export type Chunking = number | readonly number[];

export function readAll(bytes: Uint8Array, chunking: Chunking = bytes.length || 1): ReadResult {
  const result: ReadResult = { format: null, frames: [], problems: [] };
  const reader = createCaptureReader({
    frame(frame) {
      result.frames.push({ ...frame, data: frame.data.slice() });
    },
    problem(problem) {
      result.problems.push(problem);
    },
  });
  const sizes = typeof chunking === 'number' ? [chunking] : chunking;
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length];
    reader.push(bytes.subarray(at, at + size));
    at += size;
  }
  reader.end();
  result.format = reader.format;
  return result;
}

/** Chunkings every well-behaved reader must treat alike: whole, byte by byte, odd sizes across every boundary. */
export const CHUNKINGS: readonly Chunking[] = [1, 2, 3, 7, 13, 64, [5, 1, 17, 2, 250], [4096]];
