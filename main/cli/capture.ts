import { resolve } from 'node:path';
import type { CaptureFormat } from '../../app/capture/writer';
import { LiveCapture, LiveCaptureError, type LiveUpdate, type StopConditions } from '../live/liveCapture';
import { formatForPath } from '../live/save';
import { CaptureSetupError } from '../live/setupHelp';
import type { RingBuffer } from '../live/spool';
import { UsageError } from './errors';

export interface CaptureArgs {
  interface: string;
  filter: string;
  out: string;
  format: CaptureFormat;
  stopAfter: StopConditions;
  snapLength?: number;
  ring: RingBuffer | null;
  bufferMiB?: number;
  quiet: boolean;
}

const USAGE = 'capture -i IFACE [-f BPF] [-c N] [-a duration:S|filesize:KB|packets:N] [-s SNAPLEN] [-b filesize:KB -b files:N] [-B MiB] [-F pcap|pcapng] [-q] -w OUT';

/**
 * `wirelens capture` options, as dumpcap spells them: -a duration:S / filesize:KB / packets:N stop the
 * capture, -b filesize:KB with -b files:N keep a ring of files while capturing (the last ones are saved).
 * The format follows -F, else the name of OUT (.pcap or .cap: pcap; anything else: pcapng).
 */
export function parseCaptureArgs(args: readonly string[]): CaptureArgs {
  let iface: string | undefined;
  let out: string | undefined;
  let filter = '';
  let format: CaptureFormat | undefined;
  let snapLength: number | undefined;
  let bufferMiB: number | undefined;
  let quiet = false;
  const stopAfter: StopConditions = {};
  const ring: Partial<RingBuffer> = {};
  for (let i = 0; i < args.length; i++) {
    const option = args[i];
    const value = () => {
      const next = args[++i];
      if (next === undefined) throw new UsageError(`capture: ${option} needs a value (${USAGE})`);
      return next;
    };
    switch (option) {
      case '-i':
        iface = value();
        break;
      case '-f':
        filter = value();
        break;
      case '-w':
        out = value();
        break;
      case '-c':
        stopAfter.packets = count(value(), '-c');
        break;
      case '-s':
        snapLength = count(value(), '-s');
        break;
      case '-B':
        bufferMiB = count(value(), '-B');
        break;
      case '-q':
        quiet = true;
        break;
      case '-F': {
        const name = value();
        if (name !== 'pcap' && name !== 'pcapng') throw new UsageError(`capture: -F takes pcap or pcapng, not '${name}'`);
        format = name;
        break;
      }
      case '-a': {
        const [key, text] = keyValue(value(), '-a');
        if (key === 'duration') {
          const seconds = Number(text);
          if (!(Number.isFinite(seconds) && seconds > 0)) throw new UsageError(`capture: -a duration needs a positive number of seconds, not '${text}'`);
          stopAfter.seconds = seconds;
        } else if (key === 'filesize') stopAfter.bytes = count(text, '-a filesize') * 1000;
        else if (key === 'packets') stopAfter.packets = count(text, '-a packets');
        else throw new UsageError(`capture: -a takes duration:S, filesize:KB or packets:N, not '${key}'`);
        break;
      }
      case '-b': {
        const [key, text] = keyValue(value(), '-b');
        if (key === 'filesize') ring.fileBytes = count(text, '-b filesize') * 1000;
        else if (key === 'files') ring.files = count(text, '-b files');
        else throw new UsageError(`capture: -b takes filesize:KB or files:N, not '${key}'`);
        break;
      }
      default:
        throw new UsageError(option.startsWith('-') ? `capture: unknown option '${option}'` : `capture: unexpected argument '${option}' (${USAGE})`);
    }
  }
  if (iface === undefined) throw new UsageError(`capture: -i IFACE is required ('wirelens interfaces' lists them)`);
  if (out === undefined) throw new UsageError('capture: -w OUT is required (the file the capture is saved to)');
  if ((ring.fileBytes === undefined) !== (ring.files === undefined)) throw new UsageError('capture: a ring buffer needs both -b filesize:KB and -b files:N');
  return {
    interface: iface,
    filter,
    out,
    format: format ?? formatForPath(out),
    stopAfter,
    snapLength,
    ring: ring.fileBytes !== undefined && ring.files !== undefined ? { fileBytes: ring.fileBytes, files: ring.files } : null,
    bufferMiB,
    quiet,
  };
}

function count(text: string, option: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1) throw new UsageError(`capture: ${option} needs a whole number of at least 1, not '${text}'`);
  return value;
}

function keyValue(text: string, option: string): [string, string] {
  const colon = text.indexOf(':');
  if (colon < 1) throw new UsageError(`capture: ${option} takes key:value, not '${text}'`);
  return [text.slice(0, colon), text.slice(colon + 1)];
}

/**
 * `wirelens capture`: captures through the helper into the spool while analysing, stops at the first
 * stop condition or Ctrl-C, saves to OUT and removes the spool. Progress goes to stderr on a terminal.
 */
export async function runCapture(args: readonly string[], write: (text: string) => void): Promise<void> {
  const options = parseCaptureArgs(args);
  const progress = !options.quiet && process.stderr.isTTY ? (u: LiveUpdate) => process.stderr.write(`\r${progressLine(u)}\u001b[K`) : null;
  let live: LiveCapture;
  try {
    live = await LiveCapture.start({
      interface: options.interface,
      filter: options.filter,
      snapLength: options.snapLength,
      stopAfter: options.stopAfter,
      ring: options.ring,
      bufferMiB: options.bufferMiB,
      onUpdate: progress ?? undefined,
    });
  } catch (error) {
    if (error instanceof CaptureSetupError) throw new UsageError(`capture: ${error.oneLine()}`);
    if (error instanceof LiveCaptureError) throw new UsageError(`capture: ${error.message}`);
    throw error;
  }
  const stop = () => void live.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const final = await live.done;
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  if (progress) process.stderr.write('\n');
  if (final.state === 'failed') {
    await live.spool.discard();
    throw new UsageError(`capture: ${final.problem ?? 'the capture failed'}`);
  }
  const out = resolve(options.out);
  let saved;
  try {
    saved = await live.save(out, options.format);
  } catch (error) {
    await live.spool.closeReaders();
    throw new UsageError(`capture: could not save to ${out} (${error instanceof Error ? error.message : String(error)}); the capture is kept in ${live.spool.directory}`);
  }
  await live.spool.discard();
  const dropped = final.statistics?.dropped;
  write(
    `Captured ${final.frames} frames (${final.wireBytes} bytes) on ${final.interface} with ${final.helper} in ${final.elapsedSeconds.toFixed(2)} s` +
      `${dropped === null || dropped === undefined ? '' : `; ${dropped} dropped before the helper could read them`}.\n`,
  );
  if (final.firstRetainedFrame > 1) write(`The ring buffer kept the last ${final.frames - final.firstRetainedFrame + 1} frames.\n`);
  if (final.problem) write(`Note: ${final.problem}\n`);
  write(`Saved ${saved.frames} frames to ${out} (${saved.format}, ${saved.bytes} bytes).\n`);
}

function progressLine(u: LiveUpdate): string {
  return `Capturing on ${u.interface}: ${u.frames} frames, ${(u.capturedBytes / 1e6).toFixed(1)} MB, ${Math.round(u.framesPerSecond)} frames/s`;
}
