import { closeSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { extname } from 'node:path';
import type { CaptureProblem } from '../../app/capture/types';
import { createCaptureWriter, type CaptureFormat } from '../../app/capture/writer';
import { readCaptureFile } from '../io/readCapture';

/*
 * Saving a live capture: its spool files (classic microsecond pcap, see spool.ts) read back through our
 * reader and written as pcap or pcapng with app/capture/writer.ts, so the saved file holds the same frames,
 * timestamps and bytes. The file appears under its name only when complete (written as NAME.partial, then
 * renamed).
 */

export interface SaveOptions {
  format: CaptureFormat;
  /** pcapng if_name of the capture interface. */
  interfaceName?: string;
  /** pcapng shb_userappl. */
  application?: string;
}

export interface SaveResult {
  format: CaptureFormat;
  frames: number;
  /** Size of the saved file. */
  bytes: number;
  /** Damage found in a spool file (a record cut off when the helper was killed); frames before it are saved. */
  problems: CaptureProblem[];
}

/** pcapng unless the name ends in .pcap or .cap (tshark and dumpcap also default to pcapng). */
export function formatForPath(path: string): CaptureFormat {
  const extension = extname(path).toLowerCase();
  return extension === '.pcap' || extension === '.cap' ? 'pcap' : 'pcapng';
}

const FLUSH_BYTES = 1 << 20;

export async function saveCapture(files: readonly string[], out: string, options: SaveOptions): Promise<SaveResult> {
  if (files.length === 0) throw new Error('There is nothing to save: the capture has no spool file.');
  const { linkType, snapLength } = readPcapHeader(files[0]);
  const writer = createCaptureWriter(options.format, {
    interfaces: [{ linkType, snapLength, name: options.interfaceName }],
    resolution: 'micro',
    application: options.application,
  });
  const partial = `${out}.partial`;
  const fd = openSync(partial, 'w', 0o600);
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let written = 0;
  const flush = () => {
    const bytes = Buffer.concat(pending);
    for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
    written += bytes.length;
    pending = [];
    pendingBytes = 0;
  };
  const add = (bytes: Uint8Array) => {
    pending.push(bytes);
    pendingBytes += bytes.length;
    if (pendingBytes >= FLUSH_BYTES) flush();
  };
  let frames = 0;
  const problems: CaptureProblem[] = [];
  try {
    add(writer.start());
    for (const file of files) {
      await readCaptureFile(file, {
        frame(frame) {
          frames++;
          add(writer.record(frame));
        },
        problem(problem) {
          problems.push(problem);
        },
      });
    }
    flush();
  } catch (error) {
    closeSync(fd);
    rmSync(partial, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(partial, out);
  return { format: options.format, frames, bytes: written, problems };
}

/** Link type and snaplen from a classic pcap file header (either byte order). */
function readPcapHeader(path: string): { linkType: number; snapLength: number } {
  const header = Buffer.alloc(24);
  const fd = openSync(path, 'r');
  try {
    if (readSync(fd, header, 0, 24, 0) < 24) throw new Error(`${path}: the capture has no pcap file header yet (the helper wrote nothing).`);
  } finally {
    closeSync(fd);
  }
  const littleEndian = header.readUInt32LE(0) === 0xa1b2c3d4 || header.readUInt32LE(0) === 0xa1b23c4d;
  const read32 = (at: number) => (littleEndian ? header.readUInt32LE(at) : header.readUInt32BE(at));
  return { linkType: read32(20) & 0xffff, snapLength: read32(16) };
}
