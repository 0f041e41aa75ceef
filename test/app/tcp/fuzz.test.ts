import { describe, expect, it } from 'vitest';
import { decodeFrame, newCaptureState } from '../../../app/decode/frame';
import { MAX_UNACKED_SEGMENTS, TcpConversationAnalysis, type TcpSegment } from '../../../app/tcp/analysis';
import { TcpAnalyzer } from '../../../app/tcp/analyzer';
import { StreamReassembler } from '../../../app/tcp/reassembly';
import { rng } from '../../helpers/fuzz';
import { rawFrame, tcpFrameBytes } from './frames';

/*
 * Seeded fuzzing of the TCP analysis: random sequence jumps and wraps, garbage flag combinations, windows,
 * SACK blocks and option bytes. Nothing may throw, results stay 32-bit, and every buffer stays bounded.
 */


const SEEDS = [1, 7, 42, 1234, 99991];

function isU32(n: number | null): boolean {
  return n === null || (Number.isInteger(n) && n >= 0 && n <= 0xffffffff);
}

/** A sequence number near the last one, far away, or around the 2^32 wrap. */
function nextSeq(random: () => number, last: number): number {
  const pick = random();
  if (pick < 0.6) return (last + Math.floor(random() * 3000)) >>> 0;
  if (pick < 0.75) return (last - Math.floor(random() * 3000)) >>> 0;
  if (pick < 0.85) return (0xffffffff - Math.floor(random() * 2000)) >>> 0;
  return Math.floor(random() * 0x100000000) >>> 0;
}

describe('fuzzed sequence analysis', () => {
  it.each(SEEDS)('seed %i: no throw, 32-bit results, bounded unacked lists', (seed) => {
    const random = rng(seed);
    const analysis = new TcpConversationAnalysis(0, 1_700_000_000, 0);
    const last = [Math.floor(random() * 0x100000000), Math.floor(random() * 0x100000000)];
    let ns = 0;
    for (let frame = 1; frame <= 10_000; frame++) {
      const direction = random() < 0.5 ? 0 : 1;
      last[direction] = nextSeq(random, last[direction]);
      ns += Math.floor(random() * 5_000_000) - 500_000; // time may step back a little
      const sack: number[] = [];
      if (random() < 0.2) for (let i = 0; i < Math.floor(random() * 5); i++) sack.push(nextSeq(random, last[1 - direction]), nextSeq(random, last[1 - direction]));
      const seg: TcpSegment = {
        frame,
        tsSeconds: 1_700_000_000 + Math.floor(ns / 1e9),
        tsNanos: ((ns % 1e9) + 1e9) % 1e9,
        seq: last[direction],
        ack: nextSeq(random, last[1 - direction]),
        flags: Math.floor(random() * 0x1000),
        window: random() < 0.1 ? 0 : Math.floor(random() * 0x10000),
        payloadLength: random() < 0.05 ? null : random() < 0.3 ? 0 : Math.floor(random() * 66000),
        windowScale: random() < 0.05 ? Math.floor(random() * 256) : null,
        sack: sack.length > 0 ? sack : null,
        headerLength: random() < 0.02 ? Math.floor(random() * 20) : 20 + 4 * Math.floor(random() * 11),
        optionsUnreadable: random() < 0.02,
      };
      const r = analysis.analyze(seg, direction, frame === 1, false);
      expect(isU32(r.seq) && isU32(r.ack) && isU32(r.nxtseq) && isU32(r.windowSize)).toBe(true);
      if (r.acked) expect(isU32(r.acked.bytesInFlight) && isU32(r.acked.dupAckNum)).toBe(true);
    }
    for (const flow of analysis.flows) expect(flow.unacked.length).toBeLessThanOrEqual(MAX_UNACKED_SEGMENTS);
  });
});

describe('fuzzed reassembly', () => {
  it.each(SEEDS)('seed %i: no throw, waiting bytes bounded, positions only grow', (seed) => {
    const random = rng(seed);
    let position = 0;
    const r = new StreamReassembler(
      (chunk) => {
        expect(chunk.offset).toBe(position);
        position += chunk.length;
      },
      { maxBufferedBytes: 64 * 1024, maxBufferedSegments: 64 },
    );
    let seq = Math.floor(random() * 0x100000000);
    for (let frame = 1; frame <= 5_000; frame++) {
      seq = nextSeq(random, seq);
      const length = Math.floor(random() * 3000);
      const captured = random() < 0.2 ? Math.floor(random() * length) : length;
      if (random() < 0.1) r.acknowledge(frame, nextSeq(random, seq));
      else r.segment(frame, seq, length, new Uint8Array(captured));
    }
    r.finish(5_001);
    expect(r.stats.maxBufferedBytes).toBeLessThanOrEqual(64 * 1024 + 3000);
  });
});

describe('fuzzed options and headers through the pipeline', () => {
  it.each(SEEDS)('seed %i: random option bytes, flags and sequence numbers never throw', (seed) => {
    const random = rng(seed);
    const state = newCaptureState();
    const analyzer = new TcpAnalyzer({ maxLiveConversations: 8, reassemble: () => () => undefined, reassemblyLimits: { maxBufferedBytes: 16 * 1024 } });
    let seq = 1000;
    for (let frame = 1; frame <= 2_000; frame++) {
      const options = Array.from({ length: Math.floor(random() * 41) }, () => (random() < 0.3 ? [0, 1, 2, 3, 4, 5, 8][Math.floor(random() * 7)] : Math.floor(random() * 256)));
      seq = nextSeq(random, seq);
      const reverse = random() < 0.5;
      const bytes = tcpFrameBytes({
        src: reverse ? '10.0.0.2' : '10.0.0.1',
        dst: reverse ? '10.0.0.1' : '10.0.0.2',
        sport: reverse ? 53 : 1024 + Math.floor(random() * 4),
        dport: reverse ? 1024 + Math.floor(random() * 4) : 53,
        seq,
        ack: nextSeq(random, seq),
        flags: Math.floor(random() * 256),
        window: Math.floor(random() * 65536),
        options,
        payload: Uint8Array.from({ length: Math.floor(random() * 200) }, () => Math.floor(random() * 256)),
      });
      const cut = random() < 0.2 ? bytes.subarray(0, Math.floor(random() * bytes.length)) : bytes;
      const d = decodeFrame(state, rawFrame(frame, frame, cut, bytes.length - cut.length), true);
      expect(() => analyzer.observe(d)).not.toThrow();
      expect(d.malformed?.code).not.toBe('internal');
      expect(analyzer.liveConversationCount).toBeLessThanOrEqual(8);
    }
    analyzer.finish();
  });
});
