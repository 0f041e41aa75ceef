import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Dissection } from '../../app/decode/dissection';
import type { Numbering } from '../../app/diagram/labels';
import { LadderBuilder, type Ladder } from '../../app/diagram/ladder';
import { ladderMermaid } from '../../app/diagram/mermaid';
import { diagramSegment, diagramStream } from '../../app/diagram/segment';
import { ladderSvg } from '../../app/diagram/svg';
import { TcpAnalyzer } from '../../app/tcp/analyzer';
import { analyzeFile } from '../io/analyzeFile';
import { CaptureFileError } from '../io/readCapture';
import { UsageError } from './errors';

export type DiagramFormat = 'svg' | 'png' | 'mermaid';

export interface DiagramOptions {
  stream: number;
  format: DiagramFormat;
  /** Output file; null writes to standard output (SVG and Mermaid only). */
  out: string | null;
  numbering: Numbering;
}

/** Chromium renders the PNG (headless); WIRELENS_CHROMIUM names another binary. */
const CHROMIUM = process.env.WIRELENS_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_TIMEOUT_MS = 60_000;

/**
 * `diagram FILE --stream N [--svg OUT | --png OUT | --mermaid] [--absolute]`: the handshake ladder of one
 * TCP stream. Without a format option the SVG goes to standard output; --absolute labels raw sequence
 * numbers instead of relative ones.
 */
export function parseDiagramArgs(argv: readonly string[]): { file: string; options: DiagramOptions } {
  const files: string[] = [];
  let stream: number | null = null;
  let format: DiagramFormat | null = null;
  let out: string | null = null;
  let numbering: Numbering = 'relative';
  const setFormat = (next: DiagramFormat, arg: string) => {
    if (format !== null) throw new UsageError(`diagram: ${arg} cannot be combined with --${format}`);
    format = next;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--stream') {
      const value = argv[++i];
      if (value === undefined || !/^\d+$/.test(value)) throw new UsageError(`diagram: --stream needs a stream number${value === undefined ? '' : `, not '${value}'`}`);
      stream = Number(value);
    } else if (arg === '--svg' || arg === '--png') {
      setFormat(arg === '--svg' ? 'svg' : 'png', arg);
      const value = argv[++i];
      if (value === undefined || value === '') throw new UsageError(`diagram: ${arg} needs an output file`);
      out = value;
    } else if (arg === '--mermaid') {
      setFormat('mermaid', arg);
    } else if (arg === '--absolute') {
      numbering = 'absolute';
    } else if (arg.startsWith('-')) {
      throw new UsageError(`diagram: unknown option '${arg}'`);
    } else {
      files.push(arg);
    }
  }
  if (files.length !== 1) throw new UsageError('diagram: expected one capture file');
  if (stream === null) throw new UsageError('diagram: --stream N is required');
  return { file: files[0], options: { stream, format: format ?? 'svg', out, numbering } };
}

/**
 * The ladder of one TCP stream of a capture file, through our own pipeline (reader, decoders, TCP
 * analyzer); null when the file has no such stream. The builder keeps a bounded part of the stream.
 */
export async function streamLadder(file: string, stream: number): Promise<{ ladder: Ladder | null; streamCount: number; damaged: CaptureFileError | null }> {
  let frame: Dissection | null = null;
  let builder: LadderBuilder | null = null;
  const analyzer = new TcpAnalyzer({
    onSegment(event) {
      if (event.stream !== stream || !frame) return;
      if (!builder) {
        const info = diagramStream(event, frame);
        if (!info) return;
        builder = new LadderBuilder(info);
      }
      const segment = diagramSegment(event, frame);
      if (segment) builder.add(segment);
    },
  });
  const { problem } = await analyzeFile(file, {
    withTree: false,
    onFrame(d) {
      frame = d;
      analyzer.observe(d);
    },
  });
  analyzer.finish();
  const damaged = problem ? new CaptureFileError(`${file}: ${problem.message}`, null, file) : null;
  const built = builder as LadderBuilder | null;
  return { ladder: built ? built.finish() : null, streamCount: analyzer.tcpStreamCount, damaged };
}

export async function runDiagram(file: string, options: DiagramOptions, write: (text: string) => void): Promise<void> {
  const { ladder, streamCount, damaged } = await streamLadder(file, options.stream);
  if (!ladder) throw damaged ?? new UsageError(`diagram: no TCP stream ${options.stream} in ${file} (it has ${streamCount})`);
  if (options.format === 'mermaid') {
    await output(ladderMermaid(ladder, { numbering: options.numbering }), options.out, write);
  } else if (options.format === 'svg') {
    await output(ladderSvg(ladder, { numbering: options.numbering }), options.out, write);
  } else {
    await renderPng(ladderSvg(ladder, { numbering: options.numbering }), ladder.layout.width, ladder.layout.height, options.out ?? '');
  }
  // Like tshark, what could be read is shown, then the damage is reported.
  if (damaged) throw damaged;
}

async function output(text: string, out: string | null, write: (text: string) => void): Promise<void> {
  if (out === null) {
    write(text);
    return;
  }
  try {
    await writeFile(out, text);
  } catch (error) {
    throw new UsageError(`diagram: cannot write ${out} (${errorCode(error)})`);
  }
}

function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error) return String(error.code);
  return error instanceof Error ? error.message : String(error);
}

/**
 * Renders an SVG document to a PNG of exactly width x height with headless Chromium (its --screenshot
 * of the SVG file in a window of that size), spawned with an argument array and a private profile.
 */
export async function renderPng(svg: string, width: number, height: number, out: string, chromium = CHROMIUM): Promise<void> {
  if (!existsSync(chromium)) throw new UsageError(`diagram: --png needs Chromium at ${chromium} (install it, or use --svg)`);
  const target = resolve(out);
  const dir = await mkdtemp(join(tmpdir(), 'wirelens-diagram-'));
  try {
    const svgPath = join(dir, 'diagram.svg');
    await writeFile(svgPath, svg);
    await rm(target, { force: true }).catch(() => undefined);
    const args = [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--hide-scrollbars',
      '--force-device-scale-factor=1',
      '--no-first-run',
      '--no-default-browser-check',
      `--user-data-dir=${join(dir, 'profile')}`,
      `--window-size=${Math.ceil(width)},${Math.ceil(height)}`,
      `--screenshot=${target}`,
      pathToFileURL(svgPath).href,
    ];
    const { code, stderr } = await run(chromium, args);
    const written = await stat(target).catch(() => null);
    if (code !== 0 || !written || written.size === 0) {
      const reason = stderr.split('\n').find((line) => /error/i.test(line))?.trim() ?? `exit status ${code}`;
      throw new UsageError(`diagram: Chromium could not render ${out} (${reason.slice(0, 200)})`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function run(command: string, args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < 65536) stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), CHROMIUM_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      fail(new UsageError(`diagram: cannot start ${command} (${errorCode(error)})`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stderr });
    });
  });
}
