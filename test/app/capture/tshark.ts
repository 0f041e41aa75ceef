import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RawFrame } from '../../../app/capture/types';

/*
 * Runs tshark on capture files for the reader comparisons: frame.number, frame.time_epoch, frame.len,
 * frame.cap_len and frame.interface_id per frame, plus what tshark said on stderr. Two tshark processes at
 * most run at once (the machines have two cores). Answers are cached by file content and tshark version
 * under the system temp directory, so only the first run pays for some 400 tshark starts.
 */

export const TSHARK = '/usr/bin/tshark';
export const FRAME_FIELDS = ['frame.number', 'frame.time_epoch', 'frame.len', 'frame.cap_len', 'frame.interface_id'];
const PARALLEL = 2;

export interface TsharkFrames {
  /** One row per frame: the FRAME_FIELDS as tshark prints them. */
  rows: string[][];
  /** tshark's complaint about the file (stderr without the "Running as root" notice), '' if none. */
  error: string;
}

export function tsharkVersion(): string | null {
  if (!existsSync(TSHARK)) return null;
  try {
    return execFileSync(TSHARK, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0];
  } catch {
    return null;
  }
}

/** Our frame as a tshark row; classic pcap has no interface id in tshark (printed empty). */
export function frameRow(frame: RawFrame, format: 'pcap' | 'pcapng'): string[] {
  return [
    String(frame.number),
    `${frame.tsSeconds}.${String(frame.tsNanos).padStart(9, '0')}`,
    String(frame.originalLength),
    String(frame.data.length),
    format === 'pcap' ? '' : String(frame.interfaceId),
  ];
}

let running = 0;
const waiting: (() => void)[] = [];

async function slot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= PARALLEL) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** Answers being computed, by cache key: files with the same content (the corpus has copies) share one run. */
const pending = new Map<string, Promise<TsharkFrames>>();

export function tsharkFrames(path: string, version: string): Promise<TsharkFrames> {
  const key = createHash('sha256').update(version).update(FRAME_FIELDS.join(',')).update(readFileSync(path)).digest('hex');
  let answer = pending.get(key);
  if (answer === undefined) {
    answer = runTshark(path, key);
    pending.set(key, answer);
  }
  return answer;
}

async function runTshark(path: string, key: string): Promise<TsharkFrames> {
  const cacheDir = join(tmpdir(), 'wirelens-tshark-cache');
  const cached = join(cacheDir, `${key}.json`);
  if (existsSync(cached)) return JSON.parse(readFileSync(cached, 'utf8')) as TsharkFrames;
  const args = ['-n', '-r', path, '-T', 'fields', ...FRAME_FIELDS.flatMap((f) => ['-e', f])];
  const { stdout, stderr } = await slot(
    () =>
      new Promise<{ stdout: string; stderr: string }>((resolve) => {
        // A non-zero exit is an answer too (tshark refusing the file): keep its output either way.
        execFile(TSHARK, args, { maxBuffer: 1 << 28, encoding: 'utf8' }, (_error, out, err) => resolve({ stdout: out, stderr: err }));
      }),
  );
  const result: TsharkFrames = {
    rows: stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => line.split('\t')),
    error: stderr
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('Running as user'))
      .join(' '),
  };
  mkdirSync(cacheDir, { recursive: true });
  // Write then rename, so a concurrent run never reads half an answer.
  const partial = `${cached}.${process.pid}.tmp`;
  writeFileSync(partial, JSON.stringify(result));
  renameSync(partial, cached);
  return result;
}
