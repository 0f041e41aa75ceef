import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { RecordSource } from '../../app/index/session';
import type { HelperKind } from './helper';
import type { PcapStreamTap } from './pcapStream';

/*
 * The spool: a live capture's bytes on disk, written as they arrive from the helper and before they are
 * analysed, so the analysis can re-read any frame (the session's RecordSource) and nothing captured is lost
 * if the app goes away: an unsaved capture stays in its directory and is offered again on the next start.
 *
 * A spool is a directory with capture.json (what, when, by which process) and one or more classic pcap
 * files. Without a ring buffer there is one file, byte for byte the helper's stream. With one, a new file
 * is started at a record boundary once the current one reaches the size limit, each file begins with the
 * stream's pcap file header, and the oldest files are deleted beyond the count limit.
 *
 * Offsets: the stream offset of a record is its offset in the helper's stream (the first record is at 24,
 * after the file header). A file whose first record has stream offset `streamStart` holds stream byte s
 * at file position 24 + (s - streamStart). Frames keep their stream offsets as fileOffset.
 */

const PCAP_FILE_HEADER_LENGTH = 24;
const META_FILE = 'capture.json';
const LAST_CHOICE_FILE = 'last-choice.json';

export interface RingBuffer {
  /** A new file is started at the first record boundary past this many bytes. */
  fileBytes: number;
  /** Files kept; the oldest is deleted when one more is started. */
  files: number;
}

export interface SpoolSegment {
  file: string;
  /** Stream offset of the file's first record. */
  streamStart: number;
}

export interface SpoolMeta {
  version: 1;
  /** The process writing the spool; once it is gone, the spool is a capture to recover. */
  pid: number;
  startedAt: string;
  /** Set when the capture ended normally (the spool may still be unsaved). */
  finishedAt: string | null;
  interface: string;
  filter: string;
  helper: HelperKind;
  ring: RingBuffer | null;
  /** Files still kept, oldest first. */
  segments: SpoolSegment[];
}

export interface SpoolDescription {
  interface: string;
  filter: string;
  helper: HelperKind;
  ring: RingBuffer | null;
}

/** Where live captures are spooled: WIRELENS_LIVE_DIR, else the platform's place for application state. */
export function defaultLiveDirectory(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.WIRELENS_LIVE_DIR) return env.WIRELENS_LIVE_DIR;
  const home = env.HOME ?? env.USERPROFILE ?? homedir();
  switch (platform) {
    case 'darwin':
      return join(home, 'Library', 'Application Support', 'Wirelens', 'live');
    case 'win32':
      return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'Wirelens', 'live');
    default:
      return join(env.XDG_STATE_HOME ?? join(home, '.local', 'state'), 'wirelens', 'live');
  }
}

/** Writes JSON so that a reader sees the old or the new content, never a mix. */
function writeJsonAtomically(path: string, value: unknown): void {
  const partial = `${path}.partial`;
  writeFileSync(partial, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  renameSync(partial, path);
}

export class LiveSpool implements PcapStreamTap, RecordSource {
  readonly meta: SpoolMeta;
  /** Stream bytes written so far (the next byte's stream offset). */
  private position = 0;
  private fd: number;
  private readonly fileHeader = new Uint8Array(PCAP_FILE_HEADER_LENGTH);
  /** A new file starts when the bytes written reach this stream offset (a boundary the guard cut at). */
  private rotateAt = -1;
  private readonly readers = new Map<string, Promise<FileHandle>>();
  private closed = false;
  /** Number in the name of the newest file (capture-000001.pcap is the first). */
  private segmentNumber = 1;

  private constructor(
    readonly directory: string,
    description: SpoolDescription,
  ) {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    const first: SpoolSegment = { file: segmentName(this.segmentNumber), streamStart: PCAP_FILE_HEADER_LENGTH };
    this.fd = openSync(join(directory, first.file), 'wx', 0o600);
    this.meta = { version: 1, pid: process.pid, startedAt: new Date().toISOString(), finishedAt: null, ...description, segments: [first] };
    this.saveMeta();
  }

  /** A new spool in its own directory under `root`. */
  static create(root: string, description: SpoolDescription): LiveSpool {
    mkdirSync(root, { recursive: true, mode: 0o700 });
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
    return new LiveSpool(join(root, `capture-${stamp}-${process.pid}-${randomBytes(3).toString('hex')}`), description);
  }

  /** Bytes written (the stream's length so far). */
  get bytesWritten(): number {
    return this.position;
  }

  /** Stream offset of the oldest record still kept (records before it went with deleted ring files). */
  get firstRetainedOffset(): number {
    return this.meta.segments[0].streamStart;
  }

  /** Paths of the kept files, oldest first. */
  get files(): string[] {
    return this.meta.segments.map((s) => join(this.directory, s.file));
  }

  boundary(streamOffset: number): boolean {
    const ring = this.meta.ring;
    const current = this.meta.segments[this.meta.segments.length - 1];
    if (ring === null || PCAP_FILE_HEADER_LENGTH + streamOffset - current.streamStart < ring.fileBytes) return false;
    if (streamOffset === this.position) {
      this.rotate();
      return false;
    }
    this.rotateAt = streamOffset;
    return true;
  }

  bytes(piece: Uint8Array): void {
    if (this.closed) return;
    if (this.position < PCAP_FILE_HEADER_LENGTH) {
      const take = Math.min(PCAP_FILE_HEADER_LENGTH - this.position, piece.length);
      this.fileHeader.set(piece.subarray(0, take), this.position);
    }
    for (let done = 0; done < piece.length; ) done += writeSync(this.fd, piece, done, piece.length - done);
    this.position += piece.length;
    if (this.position === this.rotateAt) this.rotate();
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    if (offset < this.firstRetainedOffset) {
      throw new Error('These frames are no longer kept: the ring buffer deleted the file that held them.');
    }
    const out = new Uint8Array(Math.max(0, Math.min(length, this.position - offset)));
    const segments = this.meta.segments;
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i];
      const segmentEnd = i + 1 < segments.length ? segments[i + 1].streamStart : this.position;
      const start = Math.max(offset, segment.streamStart);
      const end = Math.min(offset + out.length, segmentEnd);
      if (start >= end) continue;
      const handle = await this.reader(segment.file);
      const position = PCAP_FILE_HEADER_LENGTH + start - segment.streamStart;
      for (let done = 0; done < end - start; ) {
        const { bytesRead } = await handle.read(out, start - offset + done, end - start - done, position + done);
        if (bytesRead === 0) throw new Error(`The spool file ${segment.file} is shorter than expected.`);
        done += bytesRead;
      }
    }
    return out;
  }

  /** The capture ended: the file is flushed to disk and the spool marked finished (still to be saved or discarded). */
  finish(): void {
    if (this.closed) return;
    this.closed = true;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.meta.finishedAt = new Date().toISOString();
    this.saveMeta();
  }

  /** Deletes the spool (after saving, or when the user does not want the capture). */
  async discard(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      closeSync(this.fd);
    }
    await this.closeReaders();
    rmSync(this.directory, { recursive: true, force: true });
  }

  /** Closes the read handles (the session's reads); the spool stays on disk. */
  async closeReaders(): Promise<void> {
    const handles = [...this.readers.values()];
    this.readers.clear();
    await Promise.all(handles.map(async (h) => (await h).close().catch(() => undefined)));
  }

  private reader(file: string): Promise<FileHandle> {
    let handle = this.readers.get(file);
    if (!handle) {
      handle = open(join(this.directory, file), 'r');
      this.readers.set(file, handle);
    }
    return handle;
  }

  private rotate(): void {
    this.rotateAt = -1;
    closeSync(this.fd);
    const segments = this.meta.segments;
    const next: SpoolSegment = { file: segmentName(++this.segmentNumber), streamStart: this.position };
    this.fd = openSync(join(this.directory, next.file), 'wx', 0o600);
    writeSync(this.fd, this.fileHeader);
    segments.push(next);
    const ring = this.meta.ring as RingBuffer;
    while (segments.length > ring.files) {
      const dropped = segments.shift() as SpoolSegment;
      const handle = this.readers.get(dropped.file);
      this.readers.delete(dropped.file);
      void handle?.then((h) => h.close()).catch(() => undefined);
      rmSync(join(this.directory, dropped.file), { force: true });
    }
    this.saveMeta();
  }

  private saveMeta(): void {
    writeJsonAtomically(join(this.directory, META_FILE), this.meta);
  }
}

function segmentName(n: number): string {
  return `capture-${String(n).padStart(6, '0')}.pcap`;
}

/** An unsaved capture left by a process that is gone (closed or crashed mid-capture). */
export interface RecoverableCapture {
  directory: string;
  meta: SpoolMeta;
  /** Paths of its pcap files, oldest first. */
  files: string[];
  /** Their total size. */
  bytes: number;
}

/** Spools under `root` whose writing process no longer runs, newest first. */
export function findRecoverableCaptures(root: string): RecoverableCapture[] {
  if (!existsSync(root)) return [];
  const found: RecoverableCapture[] = [];
  for (const name of readdirSync(root)) {
    const directory = join(root, name);
    const metaPath = join(directory, META_FILE);
    if (!existsSync(metaPath)) continue;
    let meta: SpoolMeta;
    try {
      meta = JSON.parse(readFileSync(metaPath, 'utf8')) as SpoolMeta;
    } catch {
      continue;
    }
    if (meta.version !== 1 || !Array.isArray(meta.segments) || isRunning(meta.pid)) continue;
    const files = meta.segments.map((s) => join(directory, s.file)).filter((f) => existsSync(f));
    if (files.length === 0) continue;
    found.push({ directory, meta, files, bytes: files.reduce((n, f) => n + statSync(f).size, 0) });
  }
  return found.sort((a, b) => b.meta.startedAt.localeCompare(a.meta.startedAt));
}

function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One pcap file holding a recovered capture, to open like any file: its only file, or its ring files joined
 * (each one's records after the first file's header) into recovered.pcap in the spool directory.
 */
export function recoveredCaptureFile(capture: RecoverableCapture): string {
  if (capture.files.length === 1) return capture.files[0];
  const joined = join(capture.directory, 'recovered.pcap');
  const out = openSync(`${joined}.partial`, 'w', 0o600);
  const buffer = Buffer.alloc(1 << 20);
  try {
    capture.files.forEach((file, i) => {
      const input = openSync(file, 'r');
      try {
        let position = i === 0 ? 0 : PCAP_FILE_HEADER_LENGTH;
        for (let read; (read = readSync(input, buffer, 0, buffer.length, position)) > 0; position += read) {
          for (let done = 0; done < read; ) done += writeSync(out, buffer, done, read - done);
        }
      } finally {
        closeSync(input);
      }
    });
  } finally {
    closeSync(out);
  }
  renameSync(`${joined}.partial`, joined);
  return joined;
}

/** Deletes a recovered capture's spool (once saved elsewhere, or declined). */
export function discardRecoverable(capture: RecoverableCapture): void {
  rmSync(capture.directory, { recursive: true, force: true });
}

/** The interface and filter last started, offered first next time. */
export interface LastChoice {
  interface: string;
  filter: string;
}

export function readLastChoice(root: string): LastChoice | null {
  try {
    const value = JSON.parse(readFileSync(join(root, LAST_CHOICE_FILE), 'utf8')) as Partial<LastChoice>;
    return typeof value.interface === 'string' ? { interface: value.interface, filter: typeof value.filter === 'string' ? value.filter : '' } : null;
  } catch {
    return null;
  }
}

export function writeLastChoice(root: string, choice: LastChoice): void {
  mkdirSync(root, { recursive: true, mode: 0o700 });
  writeJsonAtomically(join(root, LAST_CHOICE_FILE), choice);
}
