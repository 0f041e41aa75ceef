import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TcpAnalyzer } from '../../app/tcp/analyzer';
import { runFollow } from '../../main/cli/follow';
import type { FollowChunk } from '../../app/tcp/follow';
import { newCaptureState } from '../../app/decode/frame';
import { analyzeCaptureWithTcp } from '../app/tcp/pipeline';
import { CORPUS_DIR, SAMPLES_DIR, captureFiles, displayPath, runTshark, selectFiles, tsharkFields, tsharkSkipReason } from '../helpers/tshark';

/*
 * Follow TCP stream against `tshark -q -z follow,tcp,raw,N`: each direction's bytes must be identical.
 * Streams compared: all of a file with at most 50, else a seeded sample of 50; one tshark run per file
 * (the corpus, the kernel-truth recordings and our samples).
 * tshark writes one hex line per chunk, the second node's indented by a tab; its node 0 is the stream's
 * first packet's source, as our direction 0. Gaps: tshark inserts a "[N bytes missing in capture file]"
 * chunk (NUL-terminated) when the receiver acknowledged bytes the capture lacks, and silently skips bytes
 * cut by the snapshot length; we mark both as gaps. So bytes are compared with tshark's markers removed
 * and our gaps skipped, and the markers' sizes are checked against our gaps.
 */

const KERNEL_TRUTH_DIR = join(__dirname, '../../../shared/data/kernel-truth');
const MAX_STREAMS_PER_FILE = 50;
const MARKER = /^\[(\d+) bytes missing in capture file\]\0$/;

/** What we do differently from tshark, on purpose. */
const DATA_BEHIND_A_HOLE =
  'data behind a hole that no ACK passed: tshark keeps it waiting and never shows it; at the end of the stream we deliver it after a gap';

/** tshark bugs that make it differ, by file (a substring of its display path) and stream. */
const KNOWN: readonly { file: string; stream: number; reason: string }[] = [
  {
    file: 'tcpdump/tests/of13_ericsson.pcapng',
    stream: 9,
    reason:
      "tshark's follow tap takes a chunk's direction from the frame's last addresses and ports (pinfo->src, srcport), which " +
      'the IP/UDP packet carried inside OpenFlow packet-in/out messages (frames 65, 68, 69) overwrites: it files those chunks ' +
      'under the wrong node. We take the direction from the TCP segment itself.',
  },
  {
    file: 'tcpdump/tests-4.99.3/of13_ericsson.pcapng',
    stream: 9,
    reason: 'as tcpdump/tests/of13_ericsson.pcapng (the same capture)',
  },
];

interface Stream {
  /** Node 0 and node 1 as "address:port" (IPv6 in brackets), as tshark prints them. */
  nodes: [string, string];
  sides: [Side, Side];
}

interface Side {
  bytes: Uint8Array;
  /** Sizes of the gaps (ours) or of tshark's "bytes missing" markers. */
  gaps: number[];
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Parses tshark's raw follow output: stream number -> its nodes and two directions. */
function parseTsharkFollow(stdout: string): Map<number, Stream> {
  const streams = new Map<number, Stream>();
  let current: { nodes: [string, string]; parts: [Uint8Array[], Uint8Array[]]; gaps: [number[], number[]] } | null = null;
  let stream = -1;
  for (const line of stdout.split('\n')) {
    const filter = /^Filter: tcp\.stream eq (\d+)$/.exec(line);
    if (filter) {
      stream = Number(filter[1]);
      current = { nodes: ['', ''], parts: [[], []], gaps: [[], []] };
      continue;
    }
    if (!current) continue;
    if (line.startsWith('=====')) {
      streams.set(stream, {
        nodes: current.nodes,
        sides: [
          { bytes: concat(current.parts[0]), gaps: current.gaps[0] },
          { bytes: concat(current.parts[1]), gaps: current.gaps[1] },
        ],
      });
      current = null;
      continue;
    }
    const node = /^Node ([01]): (.*)$/.exec(line);
    if (node) {
      current.nodes[Number(node[1])] = node[2];
      continue;
    }
    if (line.startsWith('Follow: ') || line === '') continue;
    const direction = line.startsWith('\t') ? 1 : 0;
    const bytes = Uint8Array.from(Buffer.from(line.trim(), 'hex'));
    const marker = MARKER.exec(Buffer.from(bytes).toString('latin1'));
    if (marker) current.gaps[direction].push(Number(marker[1]));
    else current.parts[direction].push(bytes);
  }
  return streams;
}

/** A seeded choice of at most MAX_STREAMS_PER_FILE stream numbers. */
function selectStreams(all: number[], seed: number): number[] {
  if (all.length <= MAX_STREAMS_PER_FILE) return all;
  let state = seed >>> 0 || 1;
  const pool = all.slice();
  for (let i = pool.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const j = state % (i + 1);
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, MAX_STREAMS_PER_FILE).sort((a, b) => a - b);
}

function nodeName(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

async function followOurs(file: string, streams: ReadonlySet<number>): Promise<Map<number, Stream>> {
  const chunks = new Map<number, FollowChunk[]>();
  const nodes = new Map<number, [string, string]>();
  const analyzer = new TcpAnalyzer({
    reassemble(summary) {
      if (!streams.has(summary.stream)) return null;
      const list = chunks.get(summary.stream) ?? [];
      chunks.set(summary.stream, list);
      nodes.set(summary.stream, [nodeName(summary.a.address, summary.a.port), nodeName(summary.b.address, summary.b.port)]);
      return (chunk) => list.push(chunk);
    },
  });
  await analyzeCaptureWithTcp(file, newCaptureState(), analyzer, false, () => undefined).catch(() => undefined);
  const out = new Map<number, Stream>();
  for (const [stream, list] of chunks) {
    const side = (direction: 0 | 1): Side => ({
      bytes: concat(list.filter((c) => c.direction === direction && c.bytes).map((c) => c.bytes!)),
      gaps: list.filter((c) => c.direction === direction && !c.bytes).map((c) => c.length),
    });
    out.set(stream, { nodes: nodes.get(stream)!, sides: [side(0), side(1)] });
  }
  return out;
}

interface DirectionResult {
  stream: number;
  direction: 0 | 1;
  /** decoding: our decoders did not give us this stream (a layer we do not decode, or numbering shifted by one). */
  verdict: 'equal' | 'known' | 'decoding' | 'failure';
  detail: string;
  bytes: number;
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

function compareDirection(stream: number, direction: 0 | 1, ours: Side | undefined, theirs: Side): DirectionResult {
  const mine = ours ?? { bytes: new Uint8Array(0), gaps: [] };
  const base = { stream, direction, bytes: theirs.bytes.length };
  const at = firstDifference(mine.bytes, theirs.bytes);
  if (at === mine.bytes.length && at === theirs.bytes.length) {
    // Every gap tshark marks is one of ours (ours may have more: snapshot-length cuts, flushed holes).
    const unmatched = theirs.gaps.filter((g) => !mine.gaps.includes(g));
    if (unmatched.length === 0) return { ...base, verdict: 'equal', detail: '' };
    return { ...base, verdict: 'failure', detail: `tshark marks gaps of ${unmatched.join(', ')} bytes we do not` };
  }
  if (at === theirs.bytes.length && mine.gaps.length > theirs.gaps.length) {
    return { ...base, verdict: 'known', detail: `${DATA_BEHIND_A_HOLE} (${mine.bytes.length - at} more bytes)` };
  }
  return {
    ...base,
    verdict: 'failure',
    detail: `first difference at byte ${at}: ours ${mine.bytes.length} bytes (gaps ${mine.gaps.join(',') || 'none'}), tshark ${theirs.bytes.length} (markers ${theirs.gaps.join(',') || 'none'})`,
  };
}

const skipReason = tsharkSkipReason();
if (skipReason) console.log(`skipping the follow differential test: ${skipReason}`);
const files = skipReason
  ? []
  : selectFiles([...captureFiles(CORPUS_DIR), ...captureFiles(KERNEL_TRUTH_DIR), ...captureFiles(SAMPLES_DIR)], process.env.DIFF_FILES);
const totals = { files: 0, streams: 0, selected: 0, directions: 0, equal: 0, known: 0, decoding: 0, failures: 0, bytes: 0 };

function fileName(file: string): string {
  return file.startsWith(KERNEL_TRUTH_DIR) ? `kernel-truth/${file.slice(KERNEL_TRUTH_DIR.length + 1)}` : displayPath(file);
}

describe.skipIf(skipReason !== null)('follow TCP stream agrees with tshark', () => {
  afterAll(() => {
    console.log(
      `follow vs tshark: ${totals.files} files with TCP, ${totals.selected} of ${totals.streams} streams compared, ` +
        `${totals.directions} directions (${totals.bytes} bytes): ${totals.equal} identical, ${totals.known} known differences, ` +
        `${totals.decoding} where our decoders did not give us the stream (test/diff/decode.test.ts owns those), ${totals.failures} failing`,
    );
  });

  it.each(files.map((file) => [fileName(file), file]))('%s', async (_name, file) => {
    // Files without TCP as we decode them are not sent to tshark (a layer we miss is decode.test.ts's).
    const counter = new TcpAnalyzer();
    await analyzeCaptureWithTcp(file, newCaptureState(), counter, false, () => undefined).catch(() => undefined);
    if (counter.tcpStreamCount === 0) return;
    const numbers = new Set<number>();
    for (const row of (await tsharkFields(file, ['tcp.stream'])).rows) if (row[0] !== '') numbers.add(Number(row[0].split(',')[0]));
    if (numbers.size === 0) return;
    const seed = [...fileName(file)].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7);
    const selected = selectStreams([...numbers].sort((a, b) => a - b), seed);
    const args = ['-n', '-q', '-r', file, ...selected.flatMap((n) => ['-z', `follow,tcp,raw,${n}`])];
    const [run, ours] = await Promise.all([runTshark(args), followOurs(file, new Set(selected))]);
    const theirs = parseTsharkFollow(run.stdout);
    totals.files++;
    totals.streams += numbers.size;
    totals.selected += selected.length;
    const failures: string[] = [];
    for (const stream of selected) {
      const tsharkStream = theirs.get(stream);
      if (!tsharkStream) continue;
      const ourStream = ours.get(stream);
      // tshark's node 0 is the first packet its follow tap saw (it skips segments whose options it could
      // not read); ours is the first packet's source. Match directions by endpoint.
      const sawNothing = tsharkStream.nodes[0] === ':0';
      const order = !ourStream
        ? null
        : sawNothing || tsharkStream.nodes.join(' ') === ourStream.nodes.join(' ')
          ? [0, 1]
          : tsharkStream.nodes.join(' ') === [ourStream.nodes[1], ourStream.nodes[0]].join(' ')
            ? [1, 0]
            : null;
      const known = KNOWN.find((k) => fileName(file).includes(k.file) && k.stream === stream);
      for (const direction of [0, 1] as const) {
        const result: DirectionResult = order
          ? compareDirection(stream, direction, ourStream!.sides[order[direction]], tsharkStream.sides[direction])
          : { stream, direction, bytes: tsharkStream.sides[direction].bytes.length, verdict: 'decoding', detail: `tshark's nodes ${tsharkStream.nodes.join(' ')}, ours ${ourStream?.nodes.join(' ') ?? 'none'}` };
        if (result.verdict === 'failure' && known) [result.verdict, result.detail] = ['known', known.reason];
        totals.directions++;
        totals.bytes += result.bytes;
        totals[result.verdict === 'equal' ? 'equal' : result.verdict === 'known' ? 'known' : result.verdict === 'decoding' ? 'decoding' : 'failures']++;
        if (result.verdict === 'failure') failures.push(`stream ${stream} direction ${direction}: ${result.detail}`);
        if (process.env.DIFF_VERBOSE && result.verdict !== 'equal') console.log(`${fileName(file)}\tstream ${stream}\tdir ${direction}\t${result.verdict}\t${result.detail}`);
      }
    }
    expect(failures, failures.slice(0, 10).join('\n')).toEqual([]);
  });
});

describe.skipIf(skipReason !== null)("wirelens follow --ascii / --hex print what tshark's follow prints", () => {
  // Streams without gaps whose first packet is the client's SYN: there tshark's text and ours must be identical.
  const cases: [string, number][] = [
    [join(CORPUS_DIR, 'tcpdump/tests/print-flags.pcap'), 0],
    [join(CORPUS_DIR, 'arkime/pcap/dns-tcp.pcap'), 1],
    [join(SAMPLES_DIR, 'handshake-dns.pcapng'), 0],
  ];

  it.each(cases.flatMap(([file, stream]) => (['ascii', 'hex'] as const).map((mode) => [fileName(file), stream, mode, file] as const)))(
    '%s stream %i, %s',
    async (_name, stream, mode, file) => {
      let ours = '';
      await runFollow(file, { stream, dir: 'both', mode }, { write: (text) => (ours += text), writeBytes: () => undefined });
      const run = await runTshark(['-n', '-q', '-r', file, '-z', `follow,tcp,${mode},${stream}`]);
      expect(ours).toBe(run.stdout);
    },
  );
});
