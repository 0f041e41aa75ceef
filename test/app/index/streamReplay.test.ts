import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Endpoint } from '../../../app/api/types';
import { createCaptureReader } from '../../../app/capture/reader';
import { decodeFrame, newCaptureState } from '../../../app/decode/frame';
import { CaptureSession } from '../../../app/index/session';
import { StreamReplay } from '../../../app/index/streamReplay';
import { CORPUS_DIR, SAMPLES_DIR, tsharkFields, tsharkSkipReason } from '../../helpers/tshark';
import { nodeBytes, tsharkFollowRaw } from './tsharkFollow';

/*
 * One TCP stream replayed from the index: follow's bytes per side against tshark's
 * `-z follow,tcp,raw,N` (gaps included), and the analysis summary against tshark's fields.
 */

function load(file: string): CaptureSession {
  const bytes = new Uint8Array(readFileSync(file));
  const session = new CaptureSession({ read: async (offset, length) => bytes.subarray(offset, offset + length) });
  const reader = createCaptureReader({ frame: (raw) => session.addFrame(raw), problem: () => undefined });
  reader.push(bytes);
  reader.end();
  session.finish(reader.format, null);
  return session;
}

/** tshark's node text: 'a.b.c.d:port', '[v6]:port'. */
function nodeText(endpoint: Endpoint): string {
  return endpoint.address.includes(':') ? `[${endpoint.address}]:${endpoint.port}` : `${endpoint.address}:${endpoint.port}`;
}

function concat(parts: readonly (Uint8Array | null)[]): Buffer {
  return Buffer.concat(parts.filter((p): p is Uint8Array => p !== null).map((p) => Buffer.from(p)));
}

const skip = tsharkSkipReason();

describe.skipIf(skip !== null)('TCP stream replay against tshark', () => {
  const files = [
    join(SAMPLES_DIR, 'handshake-dns.pcapng'),
    join(CORPUS_DIR, 'arkime/pcap/wireshark-retrans.pcap'),
    join(CORPUS_DIR, 'zeek/Traces/wikipedia.pcap'),
    join(CORPUS_DIR, 'zeek/Traces/tcp/reassembly.pcap'), // gaps in the middle of the server's data
    join(CORPUS_DIR, 'zeek/Traces/http/bro.org.pcap'),
    join(CORPUS_DIR, 'arkime/pcap/tcp-reassembly-synthetic.pcap'),
    join(CORPUS_DIR, 'pcapplusplus/Pcap++Test/PcapExamples/four_ipv6_http_streams.pcap'),
  ];
  for (const file of files) {
    it(`follows every TCP stream of ${file.split('/').slice(-1)[0]} with tshark's bytes and gaps`, async () => {
      const session = load(file);
      const streams = new Set((await tsharkFields(file, ['tcp.stream'])).rows.map((r) => r[0]).filter((v) => v !== ''));
      expect(streams.size).toBeGreaterThan(0);
      for (const stream of [...streams].map(Number)) {
        const report = await session.tcpStream(stream);
        expect(report, `stream ${stream}`).not.toBeNull();
        const follow = report!.follow('both');
        expect(follow.complete).toBe(true);
        const want = await tsharkFollowRaw(file, stream);
        const clientNode = nodeText(follow.client) === want.node0 ? 0 : 1;
        expect([want.node0, want.node1], `stream ${stream} nodes`).toContain(nodeText(follow.client));
        for (const side of ['client', 'server'] as const) {
          const node = (side === 'client' ? clientNode : 1 - clientNode) as 0 | 1;
          const expected = nodeBytes(want, node);
          const pieces = follow.pieces.filter((p) => p.side === side);
          expect(concat(pieces.map((p) => p.bytes)).equals(expected.bytes), `stream ${stream} ${side} bytes`).toBe(true);
          const totals = side === 'client' ? follow.clientTotals : follow.serverTotals;
          expect(totals.missingBytes, `stream ${stream} ${side} missing`).toBe(expected.missing);
          expect(totals.bytes).toBe(expected.bytes.length);
          // One side alone is the same pieces as in the interleaved view.
          expect(report!.follow(side).pieces).toEqual(pieces);
        }
      }
    });
  }

  it('summarises wireshark-retrans.pcap stream 0 as tshark analyses it', async () => {
    const file = join(CORPUS_DIR, 'arkime/pcap/wireshark-retrans.pcap');
    const analysis = (await load(file).tcpStream(0))!.analysis;
    const rows = (await tsharkFields(file, ['ip.src', 'tcp.srcport', 'tcp.analysis.retransmission', 'tcp.analysis.fast_retransmission', 'tcp.analysis.duplicate_ack', 'tcp.len', 'tcp.flags.syn', 'tcp.options.mss_val', 'tcp.options.wscale.shift', 'tcp.options.sack_perm', 'tcp.options.timestamp.tsval', 'tcp.analysis.initial_rtt'])).rows;
    expect(analysis.frames).toBe(rows.length);
    expect(analysis.firstFrame).toBe(1);
    expect(analysis.lastFrame).toBe(rows.length);
    for (const side of [analysis.client, analysis.server]) {
      const mine = rows.filter((r) => r[0] === side.endpoint.address && Number(r[1]) === side.endpoint.port);
      expect(side.frames).toBe(mine.length);
      expect(side.retransmissions).toBe(mine.filter((r) => r[2] !== '' || r[3] !== '').length);
      expect(side.fastRetransmissions).toBe(mine.filter((r) => r[3] !== '').length);
      expect(side.duplicateAcks).toBe(mine.filter((r) => r[4] !== '').length);
      expect(side.payloadBytes).toBe(mine.reduce((sum, r) => sum + Number(r[5]), 0));
      const syn = mine.find((r) => r[6] === '1');
      expect(side.handshake).toEqual(
        syn ? { mss: syn[7] === '' ? null : Number(syn[7]), windowScale: syn[8] === '' ? null : Number(syn[8]), sackPermitted: syn[9] !== '', timestamps: syn[10] !== '' } : null,
      );
    }
    expect(analysis.client.retransmissions + analysis.server.retransmissions).toBeGreaterThan(0);
    // tshark: frame 6 ACKs the SYN-ACK 2.247 ms after the third (retransmitted) SYN.
    const initialRtt = rows.find((r) => r[11] !== '')![11];
    expect(analysis.initialRttMs).toBeCloseTo(Number(initialRtt) * 1000, 6);
    // Data went client -> server and back, so both sides were timed and judged by the reference stack.
    expect(analysis.client.rtt?.samples).toBeGreaterThan(0);
    expect(analysis.client.rtt!.minMs).toBeLessThanOrEqual(analysis.client.rtt!.meanMs);
    expect(analysis.client.rtt!.meanMs).toBeLessThanOrEqual(analysis.client.rtt!.maxMs);
    expect(analysis.client.model?.verdict).toMatch(/\S/);
  });

  it('reports the handshake, RTT and close of a complete connection in the bundled sample', async () => {
    const file = join(SAMPLES_DIR, 'handshake-dns.pcapng');
    const session = load(file);
    const rows = (await tsharkFields(file, ['tcp.stream', 'tcp.analysis.initial_rtt', 'tcp.flags.syn', 'tcp.flags.ack', 'tcp.options.mss_val'])).rows;
    const stream = Number(rows.find((r) => r[1] !== '')?.[0]);
    const analysis = (await session.tcpStream(stream))!.analysis;
    expect(analysis.synSeen && analysis.synAckSeen && analysis.handshakeCompleted).toBe(true);
    expect(analysis.initialRttMs).toBeCloseTo(Number(rows.find((r) => r[0] === String(stream) && r[1] !== '')![1]) * 1000, 6);
    const synMss = rows.find((r) => r[0] === String(stream) && r[2] === '1' && r[3] === '0')![4];
    expect(analysis.client.handshake?.mss).toBe(Number(synMss));
  });

  it('keeps at most the follow limit per side and cuts the interleaved view at the first piece left out', async () => {
    const file = join(CORPUS_DIR, 'arkime/pcap/wireshark-retrans.pcap');
    const full = (await load(file).tcpStream(0))!.follow('both');
    const replay = new StreamReplay(0, { maxFollowBytesPerSide: 2000 });
    const state = newCaptureState();
    const reader = createCaptureReader({ frame: (raw) => replay.observe(decodeFrame(state, raw, false)), problem: () => undefined });
    reader.push(new Uint8Array(readFileSync(file)));
    reader.end();
    const report = replay.finish({ seconds: 0, nanos: 0 })!;
    const both = report.follow('both');
    const client = report.follow('client');
    expect(both.complete).toBe(false);
    expect(client.complete).toBe(false);
    // Totals still count the whole stream.
    expect(both.clientTotals).toEqual(full.clientTotals);
    expect(both.serverTotals).toEqual(full.serverTotals);
    const kept = (pieces: typeof full.pieces, side: string) => pieces.filter((p) => p.side === side).reduce((n, p) => n + p.length, 0);
    expect(kept(client.pieces, 'client')).toBeLessThanOrEqual(2000);
    expect(kept(client.pieces, 'client')).toBeGreaterThan(0);
    // Each view is a prefix of the complete one.
    expect(both.pieces).toEqual(full.pieces.slice(0, both.pieces.length));
    expect(client.pieces).toEqual(full.pieces.filter((p) => p.side === 'client').slice(0, client.pieces.length));
  });

  it('answers null for a stream with no frames, and caches the last replay', async () => {
    const session = load(join(CORPUS_DIR, 'arkime/pcap/wireshark-retrans.pcap'));
    expect(await session.tcpStream(99)).toBeNull();
    const first = session.tcpStream(0);
    expect(session.tcpStream(0)).toBe(first);
  });
});
