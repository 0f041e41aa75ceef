import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TcpAnalyzer } from '../../../app/tcp/analyzer';
import type { ConversationSummary } from '../../../app/tcp/conversation';
import type { FollowChunk } from '../../../app/tcp/follow';
import { runFollow, type FollowDirection } from '../../../main/cli/follow';
import { analyzeFile } from '../../../main/io/analyzeFile';
import { CORPUS_DIR, SAMPLES_DIR } from '../../helpers/tshark';

/*
 * runFollow writes a stream while it is reassembled (once a SYN has said which side is the client): its
 * raw output per direction must be what the whole stream, collected first, gives: the client's bytes,
 * the server's, or all of them in reassembly order. Streams with a handshake, and one picked up without
 * any SYN (held to the end, as no SYN ever says which side is the client).
 */

const STREAMS: [string, number][] = [
  [join(SAMPLES_DIR, 'handshake-dns.pcapng'), 0],
  [join(CORPUS_DIR, 'arkime/pcap/dns-tcp.pcap'), 1],
  [join(CORPUS_DIR, 'arkime/pcap/no-syn-ack.pcap'), 0],
  [join(CORPUS_DIR, 'arkime/pcap/long-session.pcap'), 0],
  [join(CORPUS_DIR, 'tcpdump/tests/print-flags.pcap'), 0],
  [join(CORPUS_DIR, 'zeek/Traces/tcp/no-handshake.pcap'), 0],
];
const CASES = STREAMS.filter(([file]) => existsSync(file));

async function wholeStream(file: string, stream: number): Promise<{ summary: ConversationSummary; chunks: FollowChunk[] }> {
  const chunks: FollowChunk[] = [];
  let summary: ConversationSummary | null = null;
  const tcp = new TcpAnalyzer({
    reassemble(s) {
      if (s.stream !== stream) return null;
      summary = s;
      return (chunk) => chunks.push(chunk);
    },
  });
  await analyzeFile(file, { withTree: false, tcp, onFrame: () => undefined });
  return { summary: summary!, chunks };
}

async function followRaw(file: string, stream: number, dir: FollowDirection): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  await runFollow(file, { stream, dir, mode: 'raw' }, { write: () => undefined, writeBytes: (bytes) => parts.push(bytes.slice()) });
  return Buffer.concat(parts);
}

describe('wirelens follow --raw', () => {
  it('has streams to follow', () => {
    expect(CASES.length).toBeGreaterThan(0);
  });

  it.each(CASES)('%s stream %i: client, server and both as the whole stream gives them', async (file, stream) => {
    const { summary, chunks } = await wholeStream(file, stream);
    const clientDirection = summary.clientIsA ? 0 : 1;
    const bytesOf = (keep: (c: FollowChunk) => boolean) => Buffer.concat(chunks.filter((c) => c.bytes && keep(c)).map((c) => c.bytes!));
    const client = bytesOf((c) => c.direction === clientDirection);
    const server = bytesOf((c) => c.direction !== clientDirection);
    expect(client.length + server.length).toBeGreaterThan(0);
    expect(await followRaw(file, stream, 'client')).toEqual(client);
    expect(await followRaw(file, stream, 'server')).toEqual(server);
    expect(await followRaw(file, stream, 'both')).toEqual(bytesOf(() => true));
  });
});
