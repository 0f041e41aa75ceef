import { open, type FileHandle } from 'node:fs/promises';
import { createCaptureReader } from '../../app/capture/reader';
import type { CaptureSink } from '../../app/capture/types';

/** The file itself could not be read (missing, not permitted, a directory...): one sentence for the user. */
export class CaptureFileError extends Error {
  constructor(
    message: string,
    /** The errno code (ENOENT, EACCES, EISDIR, ...) when the system gave one. */
    readonly code: string | null,
    readonly path: string,
  ) {
    super(message);
    this.name = 'CaptureFileError';
  }
}

export interface ReadCaptureOptions {
  /** Bytes per read; two buffers of this size are reused for the whole file. Default 4 MiB (fewer reads and promise turns than 1 MiB: about 5% faster on a 1.4 GB file). */
  chunkSize?: number;
  /** After each chunk; a returned promise holds the next chunk back until it settles (backpressure). */
  onProgress?(bytesRead: number, totalBytes: number): void | Promise<void>;
  /** Aborting rejects the promise with the signal's reason after the chunk being handled. */
  signal?: AbortSignal;
}

export interface ReadCaptureResult {
  /** null when the file was neither (the sink got the problem). */
  format: 'pcap' | 'pcapng' | null;
  /** Bytes read from the file. */
  bytes: number;
}

const DEFAULT_CHUNK_SIZE = 4 << 20;

/**
 * Streams a capture file through the incremental reader. Frames reach the sink as views into the reused
 * read buffers, valid during the sink call only (as the CaptureSink contract says). Damage inside the file
 * goes to sink.problem and the promise still resolves; failing to read the file at all rejects with a
 * CaptureFileError.
 */
export async function readCaptureFile(
  path: string,
  sink: CaptureSink,
  options: ReadCaptureOptions = {},
): Promise<ReadCaptureResult> {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new RangeError(`chunkSize must be a positive integer, got ${chunkSize}`);
  options.signal?.throwIfAborted();
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw captureFileError(error, path);
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw new CaptureFileError(`${path} is a directory, not a capture file.`, 'EISDIR', path);
    const totalBytes = stat.size;
    const reader = createCaptureReader(sink);
    // Two buffers: the next chunk is read (on libuv's thread pool) while this one is decoded.
    const buffers = [new Uint8Array(chunkSize), new Uint8Array(chunkSize)];
    const readAt = (buffer: Uint8Array, at: number) =>
      handle.read(buffer, 0, chunkSize, at).then(
        (result) => result.bytesRead,
        (error: unknown) => Promise.reject(captureFileError(error, path)),
      );
    let position = 0;
    let pending = readAt(buffers[0], 0);
    for (let turn = 0; ; turn ^= 1) {
      const bytesRead = await pending;
      if (bytesRead === 0) break;
      position += bytesRead;
      pending = readAt(buffers[turn ^ 1], position);
      try {
        reader.push(buffers[turn].subarray(0, bytesRead));
        const held = options.onProgress?.(position, totalBytes);
        if (held) await held;
        options.signal?.throwIfAborted();
      } catch (error) {
        // Let the read in flight finish before the handle is closed; its result no longer matters.
        await pending.catch(() => 0);
        throw error;
      }
    }
    reader.end();
    return { format: reader.format, bytes: position };
  } finally {
    await handle.close();
  }
}

function captureFileError(error: unknown, path: string): Error {
  if (error instanceof CaptureFileError) return error;
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : null;
  switch (code) {
    case 'ENOENT':
      return new CaptureFileError(`${path}: no such file.`, code, path);
    case 'EACCES':
    case 'EPERM':
      return new CaptureFileError(`${path}: permission denied (the file is not readable by this user).`, code, path);
    case 'EISDIR':
      return new CaptureFileError(`${path} is a directory, not a capture file.`, code, path);
    case 'ENOTDIR':
      return new CaptureFileError(`${path}: a part of the path is not a directory.`, code, path);
    default: {
      const detail = error instanceof Error ? error.message : String(error);
      return new CaptureFileError(`${path}: the file could not be read (${detail}).`, code, path);
    }
  }
}
