import type { Dissection } from '../../app/decode/dissection';
import type { ObservedSegment } from '../../app/refstack/events';
import { observedSegment } from '../../app/refstack/fromAnalyzer';
import { CANDIDATES } from '../../app/refstack/select';
import { WINDOWS_CSV_HEADER, windowsCsvLines, windowsSeries } from '../../app/refstack/windows';
import { TcpAnalyzer, type TcpSegmentEvent } from '../../app/tcp/analyzer';
import { analyzeFile, BUNDLED_DECODE_WORKER } from '../io/analyzeFile';
import { CaptureFileError } from '../io/readCapture';
import { UsageError } from './errors';

const CSV_ROWS_PER_WRITE = 8192;

export interface WindowsOptions {
  /** Only this tcp.stream; all streams when absent. */
  stream?: number;
  /** Replay this reference model (a CANDIDATES name) instead of the one that fits best: the sender's known congestion control. */
  model?: string;
}

/** `windows FILE [--stream N] [--model NAME] --csv` (CSV is the only output format so far). */
export function parseWindowsArgs(argv: readonly string[]): { file: string; options: WindowsOptions } {
  const files: string[] = [];
  const options: WindowsOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--stream') {
      const value = argv[++i];
      if (value === undefined || !/^\d+$/.test(value)) throw new UsageError(`windows: --stream needs a stream number${value === undefined ? '' : `, not '${value}'`}`);
      options.stream = Number(value);
    } else if (arg === '--model') {
      const value = argv[++i];
      const names = CANDIDATES.map((c) => c.name);
      if (value === undefined || !names.includes(value)) {
        throw new UsageError(`windows: --model needs one of ${names.join(', ')}${value === undefined ? '' : `, not '${value}'`}`);
      }
      options.model = value;
    } else if (arg === '--csv') {
      // The only format; accepted so the command line reads as documented.
    } else if (arg.startsWith('-')) {
      throw new UsageError(`windows: unknown option '${arg}'`);
    } else {
      files.push(arg);
    }
  }
  if (files.length !== 1) throw new UsageError('windows: expected one capture file');
  return { file: files[0], options };
}

/**
 * The observed segments of every TCP stream (or of one) of a capture file, through our own pipeline:
 * reader, decoders and the TCP analyzer (for tcp.stream numbers, relative sequence numbers and scaled
 * windows). Also reports how many streams the file has and whether it was damaged.
 */
export async function captureSegments(
  file: string,
  stream?: number,
): Promise<{ streams: Map<number, ObservedSegment[]>; streamCount: number; damaged: CaptureFileError | null }> {
  const streams = new Map<number, ObservedSegment[]>();
  // The analyzer reports a frame's segment while decoding it; the frame's dissection follows in onFrame.
  const pending: TcpSegmentEvent[] = [];
  const analyzer = new TcpAnalyzer({
    onSegment(event) {
      if (stream === undefined || event.stream === stream) pending.push(event);
    },
  });
  const { problem } = await analyzeFile(file, {
    withTree: false,
    tcp: analyzer,
    decodeWorker: BUNDLED_DECODE_WORKER,
    onFrame(d: Dissection) {
      for (const event of pending) {
        const segment = observedSegment(event, d);
        if (!segment) continue;
        let list = streams.get(event.stream);
        if (!list) streams.set(event.stream, (list = []));
        list.push(segment);
      }
      pending.length = 0;
    },
  });
  const damaged = problem ? new CaptureFileError(`${file}: ${problem.message}`, null, file) : null;
  return { streams, streamCount: analyzer.tcpStreamCount, damaged };
}

/**
 * Replays every TCP connection (or one) through the reference stack and writes its window series as
 * CSV: WINDOWS_CSV_HEADER, then one line per event that changes a value, per data-sending direction.
 */
export async function runWindows(
  file: string,
  options: WindowsOptions,
  write: (text: string) => void,
  note: (text: string) => void = (text) => process.stderr.write(text),
): Promise<void> {
  const { streams, streamCount, damaged } = await captureSegments(file, options.stream);
  if (options.stream !== undefined && !streams.has(options.stream)) {
    throw damaged ?? new UsageError(`windows: no TCP stream ${options.stream} in ${file} (it has ${streamCount})`);
  }
  write(`${WINDOWS_CSV_HEADER}\n`);
  // What the model column cannot say, said once on stderr at the end: the streams whose directions fit
  // several models equally (the capture holds no evidence between them) or none.
  const tied: number[] = [];
  const unfit: number[] = [];
  for (const stream of [...streams.keys()].sort((a, b) => a - b)) {
    const segments = streams.get(stream) ?? [];
    // Done with: a stream's segments go before the next stream is replayed.
    streams.delete(stream);
    for (const direction of windowsSeries(stream, segments, { model: options.model })) {
      if (options.model === undefined && direction.selection.alternatives.length > 0) tied.push(stream);
      if (options.model === undefined && direction.selection.selected === null && direction.rows.length > 0) unfit.push(stream);
      // Written in pieces: the text of a long transfer's rows is never all in memory at once.
      for (let at = 0; at < direction.rows.length; at += CSV_ROWS_PER_WRITE) {
        write(`${windowsCsvLines(direction, at, at + CSV_ROWS_PER_WRITE).join('\n')}\n`);
      }
    }
  }
  if (tied.length > 0) {
    note(`wirelens: windows: ${streamList(tied)}: the capture cannot tell the models that fit apart; the model column shows the tightest, --model NAME replays another\n`);
  }
  if (unfit.length > 0) note(`wirelens: windows: ${streamList(unfit)}: no cwnd model fits (a paced or rate-based sender such as BBR); cwnd left empty\n`);
  // Like tshark, what could be read is shown, then the damage is reported.
  if (damaged) throw damaged;
}

/** 'stream 4' or 'streams 0, 3, 7 and 12 more', each stream once. */
function streamList(streams: readonly number[]): string {
  const unique = [...new Set(streams)];
  if (unique.length === 1) return `stream ${unique[0]}`;
  const shown = unique.slice(0, 10).join(', ');
  return `streams ${shown}${unique.length > 10 ? ` and ${unique.length - 10} more` : ''}`;
}
