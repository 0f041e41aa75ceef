import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

/*
 * tshark as the oracle of the differential tests: `tshark -r FILE -T fields -E occurrence=f -e ...` run with
 * TZ=UTC, no name resolution and an empty configuration directory (default preferences), at most
 * TSHARK_JOBS (2) at a time. Results are cached for the run, and on disk under the system temp directory
 * keyed by tshark's version, the file's path, size and mtime and the arguments (TSHARK_CACHE=0 turns the
 * disk cache off).
 */

export const TSHARK = process.env.TSHARK ?? 'tshark';
export const CORPUS_DIR = resolve(process.env.WIRELENS_CORPUS ?? join(__dirname, '../../../shared/data/corpus'));
export const SAMPLES_DIR = resolve(__dirname, '../../samples');
const CAPTURE_EXTENSIONS = /\.(pcap|pcapng|cap)$/i;
const MAX_PARALLEL = Math.max(1, Number(process.env.TSHARK_JOBS ?? 2));
const DISK_CACHE = process.env.TSHARK_CACHE === '0' ? null : join(tmpdir(), 'wirelens-tshark-cache');

let version: string | null | undefined;

/** 'TShark (Wireshark) 4.0.17 ...' or null when tshark cannot be run. */
export function tsharkVersion(): string | null {
  if (version === undefined) {
    const run = spawnSync(TSHARK, ['--version'], { encoding: 'utf8' });
    version = run.status === 0 ? run.stdout.split('\n')[0].trim() : null;
  }
  return version;
}

/** Why the tshark tests cannot run here (no tshark, no corpus), or null when they can. */
export function tsharkSkipReason(needCorpus = true): string | null {
  if (!tsharkVersion()) return `tshark not found (${TSHARK}); install tshark 4.0.x to run the differential tests`;
  if (needCorpus && !existsSync(CORPUS_DIR)) return `capture corpus not found at ${CORPUS_DIR} (set WIRELENS_CORPUS)`;
  return null;
}

/** Every capture file (.pcap, .pcapng, .cap) under a directory, sorted; none when it does not exist. */
export function captureFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...captureFiles(path));
    else if (CAPTURE_EXTENSIONS.test(name)) out.push(path);
  }
  return out.sort();
}

/** A path as shown in messages: relative to the corpus or to the repository. */
export function displayPath(path: string): string {
  if (path.startsWith(CORPUS_DIR)) return relative(CORPUS_DIR, path);
  return relative(resolve(__dirname, '../..'), path);
}

export interface TsharkRun {
  /** Exactly what tshark wrote to stdout. */
  stdout: string;
  /** stderr without tshark's "Running as user root" warning. */
  stderr: string;
  exitCode: number;
}

export interface TsharkFields extends TsharkRun {
  /** One row per printed frame, one value per requested field. */
  rows: string[][];
}

export interface TsharkOptions {
  /** Preferences passed as `-o name:value`. */
  prefs?: Readonly<Record<string, string>>;
}

/** `tshark -r FILE -T fields -E occurrence=f -e F...`, parsed into rows. */
export async function tsharkFields(file: string, fields: readonly string[], options: TsharkOptions = {}): Promise<TsharkFields> {
  const run = await runTshark(tsharkFieldsArgs(file, fields, options));
  const lines = run.stdout.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  // -T fields escapes tabs and newlines inside values, so both split safely.
  return { ...run, rows: lines.map((line) => line.split('\t')) };
}

export function tsharkFieldsArgs(file: string, fields: readonly string[], options: TsharkOptions = {}): string[] {
  const args = ['-n', '-r', file, '-T', 'fields', '-E', 'occurrence=f', '-E', 'separator=/t'];
  for (const [name, value] of Object.entries(options.prefs ?? {})) args.push('-o', `${name}:${value}`);
  for (const field of fields) args.push('-e', field);
  return args;
}

const runs = new Map<string, Promise<TsharkRun>>();

/** Runs tshark with these arguments (once per run; queued behind at most MAX_PARALLEL others). */
export function runTshark(args: readonly string[]): Promise<TsharkRun> {
  const key = cacheKey(args);
  let run = runs.get(key);
  if (!run) {
    run = fromDiskCache(key) ?? queued(() => spawnTshark(args)).then((result) => toDiskCache(key, result));
    runs.set(key, run);
  }
  return run;
}

let active = 0;
const waiting: (() => void)[] = [];

async function queued<T>(job: () => Promise<T>): Promise<T> {
  if (active >= MAX_PARALLEL) await new Promise<void>((start) => waiting.push(start));
  active++;
  try {
    return await job();
  } finally {
    active--;
    waiting.shift()?.();
  }
}

let configDir: string | null = null;

function spawnTshark(args: readonly string[]): Promise<TsharkRun> {
  configDir ??= mkdtempSync(join(tmpdir(), 'wirelens-tshark-config-'));
  return new Promise((resolveRun, reject) => {
    const child = spawn(TSHARK, args, {
      env: { ...process.env, TZ: 'UTC', WIRESHARK_CONFIG_DIR: configDir ?? undefined },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const stderr = Buffer.concat(err).toString('utf8')
        .split('\n')
        .filter((line) => line !== '' && !line.startsWith('Running as user'))
        .join('\n');
      resolveRun({ stdout: Buffer.concat(out).toString('utf8'), stderr, exitCode: code ?? -1 });
    });
  });
}

function cacheKey(args: readonly string[]): string {
  const identity = args.map((arg) => {
    if (!CAPTURE_EXTENSIONS.test(arg) || !existsSync(arg)) return arg;
    const stat = statSync(arg);
    return `${resolve(arg)}|${stat.size}|${stat.mtimeMs}`;
  });
  return createHash('sha256').update(JSON.stringify([tsharkVersion(), identity])).digest('hex');
}

function fromDiskCache(key: string): Promise<TsharkRun> | null {
  if (!DISK_CACHE) return null;
  const path = join(DISK_CACHE, `${key}.json`);
  if (!existsSync(path)) return null;
  try {
    return Promise.resolve(JSON.parse(readFileSync(path, 'utf8')) as TsharkRun);
  } catch {
    return null;
  }
}

function toDiskCache(key: string, run: TsharkRun): TsharkRun {
  if (DISK_CACHE) {
    mkdirSync(DISK_CACHE, { recursive: true });
    const path = join(DISK_CACHE, `${key}.json`);
    // Written aside and renamed, so a parallel test run never reads half a file.
    const partial = `${path}.${process.pid}.partial`;
    writeFileSync(partial, JSON.stringify(run));
    renameSync(partial, path);
  }
  return run;
}

/** DIFF_FILES: comma-separated patterns; '*' and '?' are wildcards ('**' crosses folders), else a substring. */
export function selectFiles(files: readonly string[], patterns: string | undefined): string[] {
  if (!patterns) return [...files];
  const matchers = patterns.split(',').map((p) => p.trim()).filter(Boolean).map((pattern) => {
    if (!/[*?]/.test(pattern)) return (path: string) => path.includes(pattern);
    const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*/g, '\0').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]').replace(/\0/g, '.*')}$`);
    return (path: string) => regex.test(path) || regex.test(displayPath(path));
  });
  return files.filter((file) => matchers.some((match) => match(file)));
}
