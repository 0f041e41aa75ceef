import { describe, expect, it } from 'vitest';
import { TcpFlag } from '../../../app/tcp/analysis';
import { ConversationStreams, type FollowChunk } from '../../../app/tcp/follow';
import { StreamReassembler, type ReassemblyLimits, type ReassemblyStats, type StreamChunk } from '../../../app/tcp/reassembly';

/*
 * Reassembly of one direction as {in, want} tables. `in` is what the capture shows: segments (raw
 * sequence number of the first byte, captured text, announced length when the capture cut it short),
 * acknowledgments from the peer, and the end of the stream. `want` is the stream handed on: text chunks
 * and gaps, in order.
 */

type Step = { seq: number; data: string; length?: number } | { ack: number } | { finish: true };
type Piece = string | { gap: number };

interface Case {
  name: string;
  in: Step[];
  want: Piece[];
  stats?: Partial<ReassemblyStats>;
  limits?: ReassemblyLimits;
}

const text = (s: string) => new TextEncoder().encode(s);

function run(steps: Step[], limits?: ReassemblyLimits): { pieces: Piece[]; chunks: StreamChunk[]; stats: ReassemblyStats } {
  const chunks: StreamChunk[] = [];
  const r = new StreamReassembler((c) => chunks.push(c), limits);
  steps.forEach((step, i) => {
    const frame = i + 1;
    if ('seq' in step) r.segment(frame, step.seq, step.length ?? step.data.length, text(step.data));
    else if ('ack' in step) r.acknowledge(frame, step.ack);
    else r.finish(frame);
  });
  const pieces = chunks.map((c) => (c.bytes ? new TextDecoder().decode(c.bytes) : { gap: c.length }));
  return { pieces, chunks, stats: r.stats };
}

const CASES: Case[] = [
  { name: 'in order', in: [{ seq: 1000, data: 'abc' }, { seq: 1003, data: 'def' }], want: ['abc', 'def'] },
  {
    name: 'retransmission is dropped',
    in: [{ seq: 1000, data: 'abc' }, { seq: 1000, data: 'abc' }, { seq: 1003, data: 'de' }],
    want: ['abc', 'de'],
    stats: { duplicateSegments: 1, overlapBytes: 3, conflictBytes: 0 },
  },
  {
    name: 'overlap: only the new part of a longer retransmission',
    in: [{ seq: 1000, data: 'abcd' }, { seq: 1002, data: 'cdef' }],
    want: ['abcd', 'ef'],
    stats: { overlapBytes: 2, conflictBytes: 0 },
  },
  {
    name: 'overlap with different bytes: first copy wins, conflict counted',
    in: [{ seq: 1000, data: 'abcd' }, { seq: 1002, data: 'XYef' }],
    want: ['abcd', 'ef'],
    stats: { overlapBytes: 2, conflictBytes: 2 },
  },
  {
    name: 'out of order arrival waits for the hole',
    in: [{ seq: 1000, data: 'abc' }, { seq: 1006, data: 'ghi' }, { seq: 1003, data: 'def' }],
    want: ['abc', 'def', 'ghi'],
    stats: { outOfOrderSegments: 1, gaps: 0 },
  },
  {
    name: 'hole acknowledged by the peer becomes a gap',
    in: [{ seq: 1000, data: 'abc' }, { seq: 1006, data: 'ghi' }, { ack: 1009 }],
    want: ['abc', { gap: 3 }, 'ghi'],
    stats: { gaps: 1, gapBytes: 3 },
  },
  {
    name: 'an acknowledgment inside the hole proves nothing yet',
    in: [{ seq: 1000, data: 'abc' }, { seq: 1006, data: 'ghi' }, { ack: 1004 }],
    want: ['abc'],
  },
  {
    name: 'hole at the end of the stream',
    in: [{ seq: 1000, data: 'abc' }, { seq: 1006, data: 'ghi' }, { finish: true }],
    want: ['abc', { gap: 3 }, 'ghi'],
  },
  {
    name: 'segment cut by the snapshot length',
    in: [{ seq: 1000, data: 'ab', length: 5 }, { seq: 1005, data: 'fg' }],
    want: ['ab', { gap: 3 }, 'fg'],
    stats: { deliveredBytes: 4, gapBytes: 3 },
  },
  {
    name: 'retransmission of a cut segment adds nothing',
    in: [{ seq: 1000, data: 'ab', length: 5 }, { seq: 1000, data: 'abcde' }, { seq: 1005, data: 'f' }],
    want: ['ab', { gap: 3 }, 'f'],
  },
  {
    name: '32-bit sequence wrap inside a segment',
    in: [{ seq: 0xfffffffe, data: 'abcd' }, { seq: 2, data: 'ef' }],
    want: ['abcd', 'ef'],
  },
  {
    name: '32-bit sequence wrap with out of order arrival',
    in: [{ seq: 0xfffffffe, data: 'ab' }, { seq: 2, data: 'ef' }, { seq: 0, data: 'cd' }],
    want: ['ab', 'cd', 'ef'],
  },
  {
    name: 'TSO super-segment larger than the MSS, then a retransmission of its middle',
    in: [{ seq: 5000, data: 'x'.repeat(4000) }, { seq: 6448, data: 'x'.repeat(1448) }, { seq: 9000, data: 'yz' }],
    want: ['x'.repeat(4000), 'yz'],
    stats: { duplicateSegments: 1 },
  },
  {
    name: 'overlapping waiting segments: earliest arrival first, then what extends it',
    in: [{ seq: 1000, data: 'a' }, { seq: 1005, data: 'fghij' }, { seq: 1003, data: 'defgh' }, { seq: 1001, data: 'bc' }],
    want: ['a', 'bc', 'defgh', 'ij'],
  },
  {
    name: 'buffer limit turns the oldest hole into a gap',
    in: [{ seq: 1000, data: 'a' }, { seq: 1002, data: 'c' }, { seq: 1004, data: 'e' }, { seq: 1006, data: 'g' }, { finish: true }],
    want: ['a', { gap: 1 }, 'c', { gap: 1 }, 'e', { gap: 1 }, 'g'],
    limits: { maxBufferedSegments: 2 },
  },
  {
    name: 'zero-length segments only set the start',
    in: [{ seq: 1000, data: '' }, { seq: 1000, data: 'abc' }],
    want: ['abc'],
  },
];

describe('StreamReassembler', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const { pieces, stats } = run(c.in, c.limits);
    expect(pieces).toEqual(c.want);
    if (c.stats) expect(stats).toMatchObject(c.stats);
  });

  it('numbers chunks by stream position, gaps included', () => {
    const { chunks } = run([{ seq: 10, data: 'ab', length: 4 }, { seq: 14, data: 'cd' }]);
    expect(chunks.map((c) => [c.offset, c.length, c.frame])).toEqual([
      [0, 2, 1],
      [2, 2, 1],
      [4, 2, 2],
    ]);
  });

  it('keeps at most the configured bytes waiting', () => {
    const steps: Step[] = [{ seq: 0, data: 'a' }];
    for (let i = 0; i < 200; i++) steps.push({ seq: 2 + i * 100, data: 'z'.repeat(99) });
    const { stats } = run(steps, { maxBufferedBytes: 1000 });
    expect(stats.maxBufferedBytes).toBeLessThanOrEqual(1000 + 99);
    expect(stats.gaps).toBeGreaterThan(0);
  });
});

describe('ConversationStreams', () => {
  const { syn, ack, fin, psh } = TcpFlag;

  function follow(segments: [direction: 0 | 1, flags: number, seq: number, ack: number, data: string][]): [number, string | { gap: number }][] {
    const out: FollowChunk[] = [];
    const streams = new ConversationStreams((c) => out.push(c));
    segments.forEach(([direction, flags, seq, ackNo, data], i) => streams.observe(i + 1, direction, flags, seq, ackNo, data.length, text(data)));
    streams.finish(segments.length);
    return out.map((c) => [c.direction, c.bytes ? new TextDecoder().decode(c.bytes) : { gap: c.length }]);
  }

  it('SYN and FIN take sequence space, not bytes; data on the SYN is data', () => {
    expect(
      follow([
        [0, syn, 999, 0, 'hi'],
        [1, syn | ack, 5000, 1002, ''],
        [0, ack | psh, 1002, 5001, 'there'],
        [1, ack | psh, 5001, 1007, 'ok'],
        [0, fin | ack, 1007, 5003, ''],
        [1, fin | ack, 5003, 1008, ''],
      ]),
    ).toEqual([
      [0, 'hi'],
      [0, 'there'],
      [1, 'ok'],
    ]);
  });

  it("the peer's acknowledgment reveals bytes missing from the capture", () => {
    expect(
      follow([
        [0, ack, 100, 900, 'aa'],
        [0, ack, 104, 900, 'cc'],
        [1, ack, 900, 106, ''],
        [1, ack, 900, 106, 'z'],
      ]),
    ).toEqual([
      [0, 'aa'],
      [0, { gap: 2 }],
      [0, 'cc'],
      [1, 'z'],
    ]);
  });
});
