import type { ConversationSummary } from '../../app/tcp/conversation';
import type { FollowChunk } from '../../app/tcp/follow';
import { asciiChunkText, followFooterText, followHeaderText, hexChunkText } from '../../app/tcp/followFormat';
import { TcpAnalyzer } from '../../app/tcp/analyzer';
import { analyzeFile } from '../io/analyzeFile';
import { CaptureFileError } from '../io/readCapture';
import { UsageError } from './errors';

export type FollowDirection = 'client' | 'server' | 'both';
export type FollowMode = 'raw' | 'ascii' | 'hex';

export interface FollowOptions {
  stream: number;
  dir: FollowDirection;
  mode: FollowMode;
}

export interface FollowOutput {
  write(text: string): void;
  writeBytes(bytes: Uint8Array): void;
  /** A promise while the reader is behind: the file is read no further until it settles. */
  drained?(): Promise<void> | undefined;
}

/** `follow FILE --stream N [--dir client|server|both] [--raw|--ascii|--hex]` (defaults: both, ascii). */
export function parseFollowArgs(argv: readonly string[]): { file: string; options: FollowOptions } {
  const files: string[] = [];
  let stream: number | null = null;
  let dir: FollowDirection = 'both';
  let mode: FollowMode = 'ascii';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--stream' || arg === '--dir') {
      const value = argv[++i];
      if (value === undefined) throw new UsageError(`follow: ${arg} needs a value`);
      if (arg === '--stream') {
        if (!/^\d+$/.test(value)) throw new UsageError(`follow: --stream needs a stream number, not '${value}'`);
        stream = Number(value);
      } else {
        if (value !== 'client' && value !== 'server' && value !== 'both') throw new UsageError(`follow: --dir is client, server or both, not '${value}'`);
        dir = value;
      }
    } else if (arg === '--raw' || arg === '--ascii' || arg === '--hex') {
      mode = arg.slice(2) as FollowMode;
    } else if (arg.startsWith('-')) {
      throw new UsageError(`follow: unknown option '${arg}'`);
    } else {
      files.push(arg);
    }
  }
  if (files.length !== 1) throw new UsageError('follow: expected one capture file');
  if (stream === null) throw new UsageError('follow: --stream N is required');
  return { file: files[0], options: { stream, dir, mode } };
}

/**
 * Writes one TCP stream's bytes. The client is the side that sent the first SYN (else the first packet's
 * source). --raw writes the bytes themselves (gaps are skipped: they have no bytes); --ascii and --hex use
 * tshark's follow layout, with gaps written "[N bytes missing]". Bytes are written as the stream is
 * reassembled once a SYN has settled which side is the client; before that (a stream picked up without its
 * handshake, where a late SYN may still decide) they are held, so a long stream with its handshake is never
 * all in memory.
 */
export async function runFollow(file: string, options: FollowOptions, out: FollowOutput): Promise<void> {
  let conversation: ConversationSummary | null = null;
  let writer: StreamWriter | null = null;
  const held: FollowChunk[] = [];
  const analyzer = new TcpAnalyzer({
    reassemble(summary) {
      if (summary.stream !== options.stream) return null;
      conversation = summary;
      return (chunk) => {
        // The summary is the live one: the segment that carried this chunk has been counted in it.
        if (!writer && summary.tcp && (summary.tcp.synSeen || summary.tcp.synAckSeen)) writer = startWriting(summary, options, out, held);
        if (writer) writer.write(chunk);
        else held.push(chunk);
      };
    },
  });
  const { problem } = await analyzeFile(file, { withTree: false, tcp: analyzer, onFrame: () => undefined, onProgress: () => out.drained?.() });
  const damaged = problem ? new CaptureFileError(`${file}: ${problem.message}`, null, file) : null;
  const found = conversation as ConversationSummary | null;
  if (!found) throw damaged ?? new UsageError(`follow: no TCP stream ${options.stream} in ${file} (it has ${analyzer.tcpStreamCount})`);
  const finished = (writer as StreamWriter | null) ?? startWriting(found, options, out, held);
  finished.end();
  // Like tshark, what could be read is shown, then the damage is reported.
  if (damaged) throw damaged;
}

interface StreamWriter {
  write(chunk: FollowChunk): void;
  end(): void;
}

/** Writes the header, then the chunks held so far; the returned writer takes the rest. */
function startWriting(found: ConversationSummary, options: FollowOptions, out: FollowOutput, held: FollowChunk[]): StreamWriter {
  const clientDirection = found.clientIsA ? 0 : 1;
  const wanted = (chunk: FollowChunk) =>
    options.dir === 'both' || (options.dir === 'client') === (chunk.direction === clientDirection);
  const writer: StreamWriter =
    options.mode === 'raw'
      ? {
          write: (chunk) => {
            if (chunk.bytes && wanted(chunk)) out.writeBytes(chunk.bytes);
          },
          end: () => undefined,
        }
      : {
          write: (chunk) => {
            if (!wanted(chunk)) return;
            const isServer = chunk.direction !== clientDirection;
            out.write(options.mode === 'ascii' ? asciiChunkText(chunk, isServer) : hexChunkText(chunk, isServer));
          },
          end: () => out.write(followFooterText()),
        };
  if (options.mode !== 'raw') {
    const client = found.clientIsA ? found.a : found.b;
    const server = found.clientIsA ? found.b : found.a;
    out.write(followHeaderText(options.mode, { stream: options.stream, client, server }));
  }
  for (const chunk of held) writer.write(chunk);
  held.length = 0;
  return writer;
}
