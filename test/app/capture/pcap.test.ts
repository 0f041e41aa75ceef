import { describe, expect, it } from 'vitest';
import { createCaptureReader } from '../../../app/capture/reader';
import type { CaptureProblem, RawFrame } from '../../../app/capture/types';
import { buildPcap, concat, fromHex, pcapFileHeader, pcapRecord } from '../../helpers/captureBuilder';
import { CHUNKINGS, readAll, type ReadResult } from './readAll';

/** 60 recognisable bytes standing in for a frame. */
const FRAME = Uint8Array.from({ length: 60 }, (_, i) => i);

/** Reads the bytes with every chunking, asserts they all agree, returns the whole-input result. */
function read(bytes: Uint8Array): ReadResult {
  const whole = readAll(bytes);
  for (const chunking of CHUNKINGS) expect(readAll(bytes, chunking), `chunking ${JSON.stringify(chunking)}`).toEqual(whole);
  return whole;
}

describe('classic pcap', () => {
  it('parse: real nanosecond file (tcpdump tests/tcp-handshake-nano.pcap, first record)', () => {
    const bytes = fromHex(`
      00000000: 4d3c b2a1 0200 0400 0000 0000 0000 0000  M<..............
      00000010: 0000 0400 7100 0000 592e 8754 90d5 1a37  ....q...Y..T...7
      00000020: 4c00 0000 4c00 0000 0004 0200 0000 0000  L...L...........
      00000030: 0000 0000 0000 0800 4500 003c 29a9 4000  ........E..<).@.
      00000040: 4006 db5f 839b d745 8974 515e b640 0050  @.._...E.tQ^.@.P
      00000050: 2f84 2acb 0000 0000 a002 6a40 50c4 0000  /.*.......j@P...
      00000060: 0204 0550 0402 080a 436a 0362 0000 0000  ...P....Cj.b....
      00000070: 0103 0307                                ....`);
    const result = read(bytes);
    expect(result.format).toBe('pcap');
    expect(result.problems).toEqual([]);
    expect(result.frames).toHaveLength(1);
    const frame = result.frames[0];
    // tshark: frame.time_epoch 1418145369.924505488, frame.len 76, frame.cap_len 76, LINUX_SLL.
    expect(frame).toMatchObject({ number: 1, linkType: 113, interfaceId: 0, tsSeconds: 1418145369, tsNanos: 924505488 });
    expect(frame).toMatchObject({ originalLength: 76, fileOffset: 24 });
    expect(frame.data).toEqual(bytes.subarray(40, 116));
  });

  it.each([
    ['little-endian µs', { littleEndian: true, nanos: false }, 123456, 123456000],
    ['big-endian µs', { littleEndian: false, nanos: false }, 123456, 123456000],
    ['little-endian ns', { littleEndian: true, nanos: true }, 123456789, 123456789],
    ['big-endian ns', { littleEndian: false, nanos: true }, 123456789, 123456789],
  ])('parse: %s', (_name, header, fraction, nanos) => {
    const bytes = buildPcap({ ...header, network: 101 }, [
      { seconds: 1_700_000_000, fraction, data: FRAME },
      { seconds: 0xffffffff, fraction: 0, data: FRAME.subarray(0, 20), originalLength: 1514 },
    ]);
    const { frames, problems, format } = read(bytes);
    expect(format).toBe('pcap');
    expect(problems).toEqual([]);
    expect(frames.map((f) => [f.number, f.linkType, f.tsSeconds, f.tsNanos, f.originalLength, f.data.length, f.fileOffset])).toEqual([
      [1, 101, 1_700_000_000, nanos, 60, 60, 24],
      // ts_sec is unsigned: 2106-02-07, as tshark prints 4294967295.000000000.
      [2, 101, 4294967295, 0, 1514, 20, 24 + 16 + 60],
    ]);
    expect(frames[0].data).toEqual(FRAME);
  });

  it('parse: snaplen-cut frames keep the original length', () => {
    const { frames } = read(buildPcap({ snapLength: 64 }, [{ data: FRAME.subarray(0, 64 - 4), originalLength: 1514 }]));
    expect(frames[0].originalLength).toBe(1514);
    expect(frames[0].data.length).toBe(60);
  });

  it('parse: captured length above the snaplen or the original length is kept as written (as tshark shows it)', () => {
    const { frames, problems } = read(
      buildPcap({ snapLength: 30 }, [
        { data: FRAME },
        { data: FRAME, originalLength: 20 },
      ]),
    );
    expect(problems).toEqual([]);
    expect(frames.map((f) => [f.originalLength, f.data.length])).toEqual([
      [60, 60],
      [20, 60],
    ]);
  });

  it('parse: an empty record (caplen 0) is a frame', () => {
    const { frames } = read(buildPcap({}, [{ data: [], originalLength: 0 }, { data: FRAME }]));
    expect(frames.map((f) => f.data.length)).toEqual([0, 60]);
  });

  it('parse: a header with no records is an empty capture', () => {
    expect(read(pcapFileHeader({}))).toEqual({ format: 'pcap', frames: [], problems: [] });
  });

  it('parse: versions before 2.3 (and 543.0) store orig_len before incl_len; 2.3 swaps when incl_len > orig_len', () => {
    // Two records written as (first, second) = (100, 60) and (60, 100) with 60 bytes of data each.
    const raw = (le: boolean, first: number, second: number) =>
      concat(new Uint8Array(8), u32(first, le), u32(second, le), FRAME);
    const records = (le: boolean) => concat(raw(le, 100, 60), raw(le, 60, 100));
    const lengths = (major: number, minor: number, le = true) =>
      read(concat(pcapFileHeader({ versionMajor: major, versionMinor: minor, littleEndian: le }), records(le))).frames.map(
        (f) => [f.originalLength, f.data.length],
      );
    // 2.2: always swapped -> record 2 claims 100 captured bytes, of which only 60 + the file's end exist.
    expect(read(concat(pcapFileHeader({ versionMinor: 2 }), raw(true, 100, 60))).frames.map((f) => [f.originalLength, f.data.length])).toEqual([
      [100, 60],
    ]);
    expect(read(concat(pcapFileHeader({ versionMajor: 543, versionMinor: 0 }), raw(true, 100, 60))).frames[0].originalLength).toBe(100);
    expect(lengths(2, 3)).toEqual([
      [100, 60],
      [100, 60],
    ]);
    expect(lengths(2, 3, false)).toEqual([
      [100, 60],
      [100, 60],
    ]);
    // 2.4 and later: as written.
    expect(read(concat(pcapFileHeader({ versionMinor: 5 }), raw(true, 60, 100))).frames.map((f) => [f.originalLength, f.data.length])).toEqual([
      [100, 60],
    ]);
  });

  it('parse: the link type is the low 16 bits; FCS length bits are not part of it', () => {
    for (const network of [0x14000001, 0xf0000001, 0x30000001, 0xfc0000e5]) {
      const { frames, problems } = read(buildPcap({ network }, [{ data: FRAME }]));
      expect(problems).toEqual([]);
      expect(frames[0].linkType).toBe(network & 0xffff);
    }
  });

  it('parse: an out-of-range fraction is carried into the seconds', () => {
    const { frames } = read(
      buildPcap({}, [
        { seconds: 1000, fraction: 1_500_000, data: FRAME },
        { seconds: 1000, fraction: 0xffffffff, data: FRAME },
      ]),
    );
    expect(frames.map((f) => [f.tsSeconds, f.tsNanos])).toEqual([
      [1001, 500_000_000],
      [1000 + 4294, 967_295_000],
    ]);
    const nanos = read(buildPcap({ nanos: true }, [{ seconds: 7, fraction: 2_000_000_001, data: FRAME }])).frames;
    expect([nanos[0].tsSeconds, nanos[0].tsNanos]).toEqual([9, 1]);
  });

  it('impossible version: major version below 2 is refused', () => {
    const { frames, problems } = read(buildPcap({ versionMajor: 1, versionMinor: 4 }, [{ data: FRAME }]));
    expect(frames).toEqual([]);
    expect(problems).toEqual([{ offset: 0, message: 'Unsupported pcap version 1.4: only version 2 files can be read.' }]);
  });

  it('malformed link type: reserved bits set are refused (libpcap tests/linktype-reserved-field-not-zero.pcap)', () => {
    const { frames, problems } = read(buildPcap({ network: 0x00300001 }, [{ data: FRAME }]));
    expect(frames).toEqual([]);
    expect(problems).toEqual([
      { offset: 0, message: 'The pcap link-layer type field 0x00300001 has reserved bits set (0x00300000).' },
    ]);
  });

  it('truncated: file header', () => {
    const { frames, problems, format } = read(pcapFileHeader({}).subarray(0, 20));
    expect(format).toBe('pcap');
    expect(frames).toEqual([]);
    expect(problems).toEqual([{ offset: 0, message: 'The file ends inside the pcap file header: 20 of 24 bytes present.' }]);
  });

  it('truncated: last record header', () => {
    const bytes = concat(buildPcap({}, [{ data: FRAME }]), pcapRecord({ data: FRAME }).subarray(0, 10));
    const { frames, problems } = read(bytes);
    expect(frames).toHaveLength(1);
    expect(problems).toEqual([{ offset: 100, message: 'The file ends inside the record header at byte 100: 10 of 16 bytes present.' }]);
  });

  it('truncated: last record data', () => {
    const bytes = concat(buildPcap({}, [{ data: FRAME }]), pcapRecord({ data: FRAME }).subarray(0, 40));
    const { frames, problems } = read(bytes);
    expect(frames).toHaveLength(1);
    expect(problems).toEqual([{ offset: 100, message: 'The last record, at byte 100, is cut off: 60 captured bytes announced, 24 present.' }]);
  });

  it('truncated: three stray bytes after the last record (tshark: cut short in the middle of a packet)', () => {
    const { frames, problems } = read(concat(buildPcap({}, [{ data: FRAME }]), [0, 0, 0]));
    expect(frames).toHaveLength(1);
    expect(problems).toHaveLength(1);
    expect(problems[0].offset).toBe(100);
  });

  it('impossible length: captured length above 256 KiB stops before any of it is buffered', () => {
    const problems: CaptureProblem[] = [];
    const frames: RawFrame[] = [];
    const reader = createCaptureReader({ frame: (f) => frames.push(f), problem: (p) => problems.push(p) });
    reader.push(buildPcap({}, [{ data: FRAME }]));
    reader.push(pcapRecord({ data: [], capturedLength: 262145 }));
    // Reported as soon as the record header is in, not when (or if) 256 KiB arrive.
    expect(problems).toEqual([
      {
        offset: 100,
        message:
          'The record at byte 100 announces 262145 captured bytes, more than the 262144 allowed for link type 1: the file is damaged from there on.',
      },
    ]);
    reader.push(new Uint8Array(300_000));
    reader.end();
    expect(frames).toHaveLength(1);
    expect(problems).toHaveLength(1);
  });

  it('impossible length: the limit is per link type as in wiretap (D-Bus allows 128 MiB)', () => {
    // Large records: two chunkings only (deep-comparing 300 KB byte-by-byte reads is slow, not stronger).
    expect(readAll(buildPcap({}, [{ data: new Uint8Array(262144) }]), 4096).frames[0].data.length).toBe(262144);
    const dbus = readAll(buildPcap({ network: 231 }, [{ data: new Uint8Array(300_000) }]), 1000);
    expect(dbus.problems).toEqual([]);
    expect(dbus.frames[0].data.length).toBe(300_000);
  });

  it('malformed: garbage after a valid prefix keeps the frames before it', () => {
    const { frames, problems } = read(concat(buildPcap({}, [{ data: FRAME }, { data: FRAME }]), new Uint8Array(40).fill(0xff)));
    expect(frames.map((f) => f.number)).toEqual([1, 2]);
    expect(problems).toHaveLength(1);
    expect(problems[0].offset).toBe(24 + 2 * 76);
    expect(problems[0].message).toContain('4294967295 captured bytes');
  });

  it('frames lying wholly inside a chunk are views into it; only straddling ones are copied', () => {
    const bytes = buildPcap({}, [{ data: FRAME }, { data: FRAME }, { data: FRAME }]);
    const seen: { buffer: ArrayBufferLike; data: number[] }[] = [];
    const reader = createCaptureReader({
      frame: (f) => seen.push({ buffer: f.data.buffer, data: Array.from(f.data) }),
      problem: () => {},
    });
    const first = bytes.slice(0, 24 + 76 + 30); // header, record 1, and 30 bytes of record 2
    const second = bytes.slice(24 + 76 + 30);
    reader.push(first);
    reader.push(second);
    reader.end();
    expect(seen.map((s) => s.data)).toEqual([Array.from(FRAME), Array.from(FRAME), Array.from(FRAME)]);
    expect(seen[0].buffer).toBe(first.buffer);
    expect(seen[1].buffer).not.toBe(first.buffer);
    expect(seen[1].buffer).not.toBe(second.buffer);
    expect(seen[2].buffer).toBe(second.buffer);
  });
});

function u32(value: number, littleEndian: boolean): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value, littleEndian);
  return out;
}
