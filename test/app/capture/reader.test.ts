import { describe, expect, it } from 'vitest';
import { createCaptureReader } from '../../../app/capture/reader';
import type { CaptureProblem, RawFrame } from '../../../app/capture/types';
import { buildPcap, buildPcapng, epb, idb, section, spb } from '../../helpers/captureBuilder';
import { CHUNKINGS, readAll } from './readAll';

const FRAME = Uint8Array.from({ length: 42 }, (_, i) => 255 - i);

describe('createCaptureReader', () => {
  it('parse: picks the reader from the magic, in any chunking', () => {
    const pcap = buildPcap({ littleEndian: false, nanos: true }, [{ seconds: 3, fraction: 4, data: FRAME }]);
    const pcapng = buildPcapng([section({ littleEndian: false }, [idb(), epb({ timestamp: 3_000_004n, data: FRAME })])]);
    for (const [bytes, format] of [
      [pcap, 'pcap'],
      [pcapng, 'pcapng'],
    ] as const) {
      for (const chunking of [...CHUNKINGS, bytes.length]) {
        const result = readAll(bytes, chunking);
        expect(result.format).toBe(format);
        expect(result.problems).toEqual([]);
        expect(result.frames.map((f) => [f.tsSeconds, f.tsNanos, Array.from(f.data)])).toEqual([[3, format === 'pcap' ? 4 : 4000, Array.from(FRAME)]]);
      }
    }
  });

  it('malformed: not a capture file', () => {
    const result = readAll(new TextEncoder().encode('GET / HTTP/1.1\r\n'), 1);
    expect(result).toEqual({
      format: null,
      frames: [],
      problems: [{ offset: 0, message: 'This is not a pcap or pcapng file (it starts with 47 45 54 20).' }],
    });
  });

  it('truncated: empty and too-short files', () => {
    expect(readAll(new Uint8Array(0)).problems).toEqual([{ offset: 0, message: 'The file is empty.' }]);
    expect(readAll(Uint8Array.from([0xd4, 0xc3, 0xb2]), 1).problems).toEqual([
      { offset: 0, message: 'The file is too short to be a pcap or pcapng file (3 bytes).' },
    ]);
  });

  it('reports at most one problem and no frame after it, however the bytes keep coming', () => {
    const frames: RawFrame[] = [];
    const problems: CaptureProblem[] = [];
    const reader = createCaptureReader({ frame: (f) => frames.push(f), problem: (p) => problems.push(p) });
    const good = buildPcapng([section({}, [idb(), spb({ data: FRAME })])]);
    reader.push(good);
    reader.push(Uint8Array.from([6, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0]));
    reader.push(good);
    reader.end();
    reader.push(good);
    reader.end();
    expect(frames).toHaveLength(1);
    expect(problems).toHaveLength(1);
  });

  it('a frame never outlives its callback: a reused chunk buffer gives the same frames as fresh ones', () => {
    const bytes = buildPcap({}, Array.from({ length: 50 }, (_, i) => ({ seconds: i, data: FRAME.subarray(0, 10 + (i % 30)) })));
    const expected = readAll(bytes).frames.map((f) => Array.from(f.data));
    const seen: number[][] = [];
    const reader = createCaptureReader({ frame: (f) => seen.push(Array.from(f.data)), problem: () => {} });
    const buffer = new Uint8Array(37);
    for (let at = 0; at < bytes.length; at += buffer.length) {
      const n = Math.min(buffer.length, bytes.length - at);
      buffer.set(bytes.subarray(at, at + n));
      reader.push(buffer.subarray(0, n));
      buffer.fill(0xee); // what the next read would do to the reused buffer
    }
    reader.end();
    expect(seen).toEqual(expected);
  });

  it('reads a concatenation of mixed blocks identically for every chunking (exhaustive split points)', () => {
    const bytes = buildPcapng([
      section({}, [idb(), epb({ timestamp: 1n, data: FRAME }), spb({ data: FRAME.subarray(0, 5) })]),
      section({ littleEndian: false }, [idb({ linkType: 101 }), epb({ timestamp: 2n, data: FRAME })]),
    ]);
    const whole = readAll(bytes);
    expect(whole.frames).toHaveLength(3);
    // Every two-chunk split: the straddling path for each boundary position.
    for (let split = 1; split < bytes.length; split++) {
      expect(readAll(bytes, [split, bytes.length]), `split at ${split}`).toEqual(whole);
    }
    expect(readAll(bytes.subarray(0, 7), 1).problems).toHaveLength(1);
  });
});
