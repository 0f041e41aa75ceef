import { describe, expect, it } from 'vitest';
import { TickClock } from '../../../app/capture/pcapng';
import { createCaptureReader } from '../../../app/capture/reader';
import type { CaptureProblem } from '../../../app/capture/types';
import {
  buildPcapng,
  concat,
  epb,
  fromHex,
  idb,
  isb,
  nrb,
  opb,
  option,
  rawBlock,
  section,
  spb,
  tsoffset,
  tsresol,
  u32Option,
  type NgBlock,
} from '../../helpers/captureBuilder';
import { CHUNKINGS, readAll, type ReadResult } from './readAll';

const FRAME = Uint8Array.from({ length: 61 }, (_, i) => i); // odd length: packet data needs padding

function read(bytes: Uint8Array): ReadResult {
  const whole = readAll(bytes);
  for (const chunking of CHUNKINGS) expect(readAll(bytes, chunking), `chunking ${JSON.stringify(chunking)}`).toEqual(whole);
  return whole;
}

function times(result: ReadResult): string[] {
  return result.frames.map((f) => `${f.tsSeconds}.${String(f.tsNanos).padStart(9, '0')}`);
}

/** One section, little-endian unless said otherwise. */
function file(blocks: NgBlock[], littleEndian = true): Uint8Array {
  return buildPcapng([section({ littleEndian }, blocks)]);
}

describe('pcapng', () => {
  it('parse: real file (tcpdump tests/time_2107.pcapng: SHB with shb_userappl, IDB, one EPB in 2107)', () => {
    const bytes = fromHex(`
      00000000: 0a0d 0d0a 5c00 0000 4d3c 2b1a 0100 0000  ....\\...M<+.....
      00000010: ffff ffff ffff ffff 0400 3700 5453 6861  ..........7.TSha
      00000020: 726b 2028 5769 7265 7368 6172 6b29 2034  rk (Wireshark) 4
      00000030: 2e33 2e30 2028 7634 2e33 2e30 7263 302d  .3.0 (v4.3.0rc0-
      00000040: 3135 3338 2d67 3238 6334 3265 3236 3536  1538-g28c42e2656
      00000050: 3663 2900 0000 0000 5c00 0000 0100 0000  6c).....\\.......
      00000060: 1400 0000 0100 0000 0000 0400 1400 0000  ................
      00000070: 0600 0000 8400 0000 0000 0000 005c 0f00  .............\\..
      00000080: 0040 66cf 6200 0000 6200 0000 0011 2233  .@f.b...b....."3
      00000090: 4466 0011 2233 4455 0800 4500 0054 59cd  Df.."3DU..E..TY.
      000000a0: 0000 4011 94ae c0a8 010b d157 f912 abbe  ..@........W....
      000000b0: 0035 0040 7824 5934 0120 0001 0000 0000  .5.@x$Y4. ......
      000000c0: 0001 0377 7777 0774 6370 6475 6d70 036f  ...www.tcpdump.o
      000000d0: 7267 0000 0100 0100 0029 1000 0000 0000  rg.......)......
      000000e0: 000c 000a 0008 42f5 d009 96f9 0b13 0000  ......B.........
      000000f0: 8400 0000                                ....`);
    const result = read(bytes);
    expect(result.format).toBe('pcapng');
    expect(result.problems).toEqual([]);
    // tshark: 4323283200.000000000, frame.len 98, frame.cap_len 98, frame.interface_id 0.
    expect(times(result)).toEqual(['4323283200.000000000']);
    expect(result.frames[0]).toMatchObject({ number: 1, linkType: 1, interfaceId: 0, originalLength: 98, fileOffset: 0x70 });
    expect(result.frames[0].data).toEqual(bytes.subarray(0x8c, 0x8c + 98));
  });

  it.each([true, false])('parse: EPBs, little-endian %s', (littleEndian) => {
    const result = read(
      file(
        [
          idb({ linkType: 1, snapLength: 0 }),
          epb({ timestamp: 1_700_000_000_123_456n, data: FRAME }),
          epb({ timestamp: 1_700_000_001_000_000n, data: FRAME.subarray(0, 20), originalLength: 1514 }),
        ],
        littleEndian,
      ),
    );
    expect(result.problems).toEqual([]);
    expect(times(result)).toEqual(['1700000000.123456000', '1700000001.000000000']);
    expect(result.frames.map((f) => [f.number, f.linkType, f.interfaceId, f.originalLength, f.data.length])).toEqual([
      [1, 1, 0, 61, 61],
      [2, 1, 0, 1514, 20],
    ]);
    expect(result.frames[0].data).toEqual(FRAME);
  });

  it('parse: several interfaces with different link types', () => {
    const result = read(
      file([
        idb({ linkType: 1 }),
        idb({ linkType: 101, options: [tsresol(9)] }),
        epb({ interfaceId: 1, timestamp: 5_000_000_001n, data: FRAME }),
        idb({ linkType: 113 }),
        epb({ interfaceId: 0, timestamp: 7n, data: FRAME }),
        epb({ interfaceId: 2, timestamp: 8n, data: FRAME }),
      ]),
    );
    expect(result.frames.map((f) => [f.interfaceId, f.linkType])).toEqual([
      [1, 101],
      [0, 1],
      [2, 113],
    ]);
    expect(times(result)).toEqual(['5.000000001', '0.000007000', '0.000008000']);
  });

  it('parse: each section has its own byte order and interfaces; interface ids count within the section', () => {
    const bytes = buildPcapng([
      section({}, [idb({ linkType: 1 }), idb({ linkType: 0 }), epb({ interfaceId: 1, timestamp: 1n, data: FRAME })]),
      section({ littleEndian: false }, [idb({ linkType: 101 }), epb({ interfaceId: 0, timestamp: 2n, data: FRAME })]),
      section({ versionMinor: 2 }, [idb({ linkType: 113 }), spb({ data: FRAME })]),
    ]);
    const result = read(bytes);
    expect(result.problems).toEqual([]);
    expect(result.frames.map((f) => [f.number, f.interfaceId, f.linkType])).toEqual([
      [1, 1, 0],
      [2, 0, 101],
      [3, 0, 113],
    ]);
  });

  it('malformed: a new section forgets the interfaces of the previous one', () => {
    const bytes = buildPcapng([
      section({}, [idb(), idb(), epb({ interfaceId: 1, data: FRAME })]),
      section({}, [idb(), epb({ interfaceId: 1, data: FRAME })]),
    ]);
    const result = read(bytes);
    expect(result.frames).toHaveLength(1);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0].message).toBe(
      `The pcapng enhanced packet block at byte ${result.problems[0].offset} refers to interface 1, but its section describes only 1 interface before it.`,
    );
  });

  it('parse: if_tsresol as a power of 10 and of 2, if_tsoffset, the default microseconds', () => {
    const ts = 1_340_954_905_298_858_123n;
    const result = read(
      file([
        idb({ options: [tsresol(9)] }),
        idb({ options: [tsresol(3)] }),
        idb({ options: [tsresol(0x80 | 10)] }),
        idb({ options: [tsresol(0x80 | 30)] }),
        idb({ options: [tsoffset(1000n)] }),
        idb({ options: [tsoffset(-10n)] }),
        idb({ options: [tsresol(9), tsresol(3)] }), // the first one counts
        idb({ options: [option(9, [9, 9])] }), // wrong length: ignored
        ...[0, 1, 2, 3, 4, 5, 6, 7].map((interfaceId) => epb({ interfaceId, timestamp: interfaceId < 2 ? ts : 1_000_000_001n, data: FRAME })),
      ]),
    );
    // Every value as tshark 4.0 prints it for the same file (see tsharkBuilt.test.ts).
    expect(times(result)).toEqual([
      '1340954905.298858123',
      '1340954905298858.123000000',
      '976562.500976562', // 2^-10 s units: rounded down
      '0.931322575', // 2^-30 s units
      '2000.000001000', // +1000 s
      '990.000001000', // -10 s
      '1.000000001',
      '1000.000001000',
    ]);
  });

  it('parse: a negative if_tsoffset can give a negative time (seconds floor, nanos >= 0)', () => {
    const result = read(file([idb({ options: [tsoffset(-10n)] }), epb({ timestamp: 5n, data: FRAME })]));
    expect([result.frames[0].tsSeconds, result.frames[0].tsNanos]).toEqual([-10, 5000]); // tshark: -10.000005000
  });

  it('parse: SPB uses interface 0 and its snaplen (0: no limit); it has no timestamp', () => {
    const result = read(
      file([
        idb({ linkType: 1, snapLength: 40 }),
        idb({ linkType: 101, snapLength: 0 }),
        spb({ data: FRAME.subarray(0, 40), originalLength: 61 }),
        spb({ data: FRAME.subarray(0, 30), originalLength: 30 }),
      ]),
    );
    expect(result.problems).toEqual([]);
    expect(result.frames.map((f) => [f.interfaceId, f.linkType, f.originalLength, f.data.length, f.tsSeconds, f.tsNanos])).toEqual([
      [0, 1, 61, 40, 0, 0],
      [0, 1, 30, 30, 0, 0],
    ]);
    const unlimited = read(file([idb({ snapLength: 0 }), spb({ data: FRAME })]));
    expect(unlimited.frames[0].data).toEqual(FRAME);
  });

  it('parse: the obsolete Packet Block (type 2)', () => {
    const result = read(file([idb({ options: [tsresol(9)] }), opb({ timestamp: 1_340_954_905_298_858_123n, data: FRAME, dropsCount: 3 })]));
    expect(times(result)).toEqual(['1340954905.298858123']);
    expect(result.frames[0].data).toEqual(FRAME);
  });

  it('parse: NRB, ISB, DSB, custom, local and unknown blocks are skipped', () => {
    const result = read(
      file([
        nrb([{ ipv4: [10, 0, 0, 1], names: ['a.example', 'b.example'] }]),
        idb(),
        isb(0, 5n),
        rawBlock(0x0000000a, concat(new Uint8Array([0x4b, 0x53, 0x4c, 0x54, 4, 0, 0, 0]), [1, 2, 3, 4])), // DSB
        epb({ timestamp: 1n, data: FRAME }),
        rawBlock(0x00000bad, concat(new Uint8Array([0xd9, 0x7e, 0, 0]), [0x61, 0x62, 0x63, 0x64])), // custom block
        rawBlock(0x80000001, [1, 2, 3, 4]), // local use
        rawBlock(0x00012345, []), // unknown
        epb({ timestamp: 2n, data: FRAME }),
      ]),
    );
    expect(result.problems).toEqual([]);
    expect(result.frames.map((f) => f.number)).toEqual([1, 2]);
  });

  it('parse: options of every known kind with valid lengths', () => {
    const result = read(
      file([
        idb({ options: [option(2, [0x65, 0x74, 0x68, 0x30]), option(11, [0]), option(2988, [0, 0, 0x7e, 0xd9])] }),
        epb({
          data: FRAME,
          options: [option(1, [0x68, 0x69]), u32Option(2, 1), option(4, new Uint8Array(8)), option(5, new Uint8Array(8)), u32Option(6, 0), option(7, [0, 1, 2])],
        }),
      ]),
    );
    expect(result.problems).toEqual([]);
    expect(result.frames).toHaveLength(1);
  });

  it('parse: a block length without the data padding is rounded up, as wiretap does', () => {
    // 61 bytes of data: the writer put 12+20+61 = 93 in both lengths but wrote the 3 padding bytes.
    const result = read(file([idb(), { ...epb({ data: FRAME }), totalLength: 93, trailerLength: 93 }, epb({ data: FRAME })]));
    expect(result.problems).toEqual([]);
    expect(result.frames).toHaveLength(2);
  });

  describe('damaged files: one problem, every frame before it kept', () => {
    const good = [idb(), epb({ timestamp: 1n, data: FRAME })];
    /** Offset of the block after `good` in a one-section file. */
    const afterGood = file(good).length;

    it.each<[string, NgBlock[] | Uint8Array, string]>([
      ['truncated: last block', concat(file(good), file([epb({ data: FRAME })]).subarray(28, 28 + 50)), `The last pcapng block, at byte ${afterGood}, is cut off: 96 bytes announced, 50 present.`],
      ['truncated: last block header', concat(file(good), [6, 0, 0, 0, 96, 0]), `The file ends inside the header of the pcapng block at byte ${afterGood}: 6 of 12 bytes present.`],
      ['truncated: three stray bytes', concat(file(good), [0, 0, 0]), `The file ends inside the header of the pcapng block at byte ${afterGood}: 3 of 12 bytes present.`],
      ['impossible length: below the block minimum', [...good, { ...epb({ data: [] }), totalLength: 28 }], `The pcapng enhanced packet block at byte ${afterGood} is 28 bytes long, less than its minimum of 32.`],
      ['impossible length: below any block', concat(file(good), [6, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0]), `The pcapng enhanced packet block at byte ${afterGood} is 8 bytes long, less than its minimum of 32.`],
      ['impossible length: unknown block of 4 bytes', concat(file(good), [0x45, 0x23, 1, 0, 4, 0, 0, 0, 0, 0, 0, 0]), `The pcapng block of type 0x00012345 at byte ${afterGood} is 4 bytes long, less than its minimum of 12.`],
      ['impossible length: above the maximum', concat(file(good), [6, 0, 0, 0, 0xf0, 0xff, 0xff, 0x7f, 0, 0, 0, 0]), `The pcapng enhanced packet block at byte ${afterGood} announces 2147483632 bytes, more than the 134348832 allowed: the file is damaged from there on.`],
      ['malformed: trailer differs from header', [...good, { ...epb({ data: FRAME }), trailerLength: 1234 }, epb({ data: FRAME })], `The pcapng enhanced packet block at byte ${afterGood} has length 96 in its header but 1234 in its trailer.`],
      // 60 bytes of data need no padding, so rounding 93 up to 96 reads the next block's type as the trailer.
      ['malformed: a length not a multiple of 4 and no padding', [...good, { ...epb({ data: FRAME.subarray(0, 60) }), totalLength: 93, trailerLength: 93 }, epb({ data: FRAME })], `The pcapng enhanced packet block at byte ${afterGood} has length 93 in its header but 6 in its trailer.`],
      ['malformed: garbage after the last block', concat(file(good), new Uint8Array(40).fill(0xff)), `The pcapng block of type 0xffffffff at byte ${afterGood} announces 4294967295 bytes, more than the 134348832 allowed: the file is damaged from there on.`],
      ['malformed: unknown interface', [...good, epb({ interfaceId: 1, data: FRAME })], `The pcapng enhanced packet block at byte ${afterGood} refers to interface 1, but its section describes only 1 interface before it.`],
      ['malformed: packet before any interface', [epb({ data: FRAME })], 'The pcapng enhanced packet block at byte 28 refers to interface 0, but its section describes no interface before it.'],
      ['malformed: SPB before any interface', [spb({ data: FRAME })], 'The pcapng simple packet block at byte 28 refers to interface 0, but its section describes no interface before it.'],
      ['impossible length: captured length beyond the block', [...good, epb({ data: FRAME, capturedLength: 200 })], `The pcapng enhanced packet block at byte ${afterGood} is too short for the 200 captured bytes it announces.`],
      ['impossible length: SPB original length beyond the block (snaplen 0)', [idb(), spb({ data: FRAME, originalLength: 100 })], 'The pcapng simple packet block at byte 48 is too short for the 100 captured bytes it implies.'],
      ['impossible length: captured length above 256 KiB', [...good, epb({ data: new Uint8Array(262145) })], `The pcapng enhanced packet block at byte ${afterGood} announces 262145 captured bytes, more than the 262144 allowed for link type 1: the file is damaged from there on.`],
      ['malformed options: an option runs past the block', [...good, epb({ data: FRAME, options: [option(1, [1, 2, 3, 4], 200)] })], `The pcapng enhanced packet block at byte ${afterGood} is damaged: option 1 (200 bytes) runs past its end.`],
      ['malformed options: epb_flags of 2 bytes', [...good, epb({ data: FRAME, options: [option(2, [1, 2])] })], `The pcapng enhanced packet block at byte ${afterGood} is damaged: option 2 has an impossible length of 2 bytes.`],
      ['malformed options: epb_dropcount of 3 bytes', [...good, epb({ data: FRAME, options: [option(4, [1, 2, 3])] })], `The pcapng enhanced packet block at byte ${afterGood} is damaged: option 4 has an impossible length of 3 bytes.`],
      ['malformed options: eBPF TC verdict not 9 bytes', [...good, epb({ data: FRAME, options: [option(7, [1, 2, 3])] })], `The pcapng enhanced packet block at byte ${afterGood} is damaged: option 7 has an impossible length of 3 bytes.`],
      ['malformed options: custom option without its enterprise number', [...good, epb({ data: FRAME, options: [option(2988, [1, 2])] })], `The pcapng enhanced packet block at byte ${afterGood} is damaged: option 2988 has an impossible length of 2 bytes.`],
      ['malformed options: empty if_filter', [idb({ options: [option(11, [])] })], 'The pcapng interface description block at byte 28 is damaged: option 11 has an impossible length of 0 bytes.'],
      ['malformed options: ISB option past its end', [...good, rawBlock(5, concat(new Uint8Array(12), [1, 0, 200, 0]))], `The pcapng interface statistics block at byte ${afterGood} is damaged: option 1 (200 bytes) runs past its end.`],
      ['malformed names: NRB record past its end', [...good, rawBlock(4, [1, 0, 200, 0, 0, 0, 0, 0, 0, 0, 0, 0])], `The pcapng name resolution block at byte ${afterGood} is damaged: a record of 200 bytes runs past its end.`],
      ['malformed names: NRB IPv4 record shorter than an address', [...good, rawBlock(4, [1, 0, 3, 0, 0x61, 0x62, 0x63, 0, 0, 0, 0, 0])], `The pcapng name resolution block at byte ${afterGood} is damaged: an address record of 3 bytes is shorter than its address.`],
      ['malformed names: NRB name without its NUL', [...good, rawBlock(4, [1, 0, 6, 0, 10, 0, 0, 1, 0x61, 0x62, 0, 0, 0, 0, 0, 0])], `The pcapng name resolution block at byte ${afterGood} is damaged: a host name is not NUL-terminated.`],
      ['malformed: DSB secrets longer than the block', [...good, rawBlock(10, [0x4b, 0x53, 0x4c, 0x54, 100, 0, 0, 0])], `The pcapng decryption secrets block at byte ${afterGood} announces 100 bytes of secrets, more than it holds.`],
    ])('%s', (_name, input, message) => {
      const bytes = input instanceof Uint8Array ? input : file(input);
      const result = read(bytes);
      const kept = input instanceof Uint8Array || input.slice(0, 2).every((b, i) => b === good[i]) ? 1 : 0;
      expect(result.frames).toHaveLength(kept);
      expect(result.problems).toHaveLength(1);
      expect(result.problems[0].message).toBe(message);
      expect(message).toContain(`byte ${result.problems[0].offset}`);
    });

    it('malformed: unknown byte-order magic in a later section', () => {
      const bad = concat(file(good), [0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 1, 2, 3, 4], new Uint8Array(16));
      const result = read(bad);
      expect(result.frames).toHaveLength(1);
      expect(result.problems).toEqual([{ offset: afterGood, message: `The pcapng section header at byte ${afterGood} has an unknown byte-order magic 0x01020304.` }]);
    });

    it('impossible version: SHB version 2.0 (and 0.1, 1.1 as in the libpcap tests)', () => {
      for (const [major, minor] of [
        [2, 0],
        [0, 1],
        [1, 1],
      ]) {
        const result = read(buildPcapng([section({ versionMajor: major, versionMinor: minor }, good)]));
        expect(result.frames).toEqual([]);
        expect(result.problems).toEqual([{ offset: 0, message: `Unsupported pcapng version ${major}.${minor} in the section header at byte 0.` }]);
      }
    });

    it('malformed options: SHB option past its end (libpcap tests/shb-option-too-long.pcapng)', () => {
      const result = read(buildPcapng([section({ options: [option(1, [0x61], 100)] }, good)]));
      expect(result.frames).toEqual([]);
      expect(result.problems[0].message).toBe('The pcapng section header block at byte 0 is damaged: option 1 (100 bytes) runs past its end.');
    });

    it('impossible length: an absurd block length stops before anything is buffered', () => {
      const problems: CaptureProblem[] = [];
      const reader = createCaptureReader({ frame: () => {}, problem: (p) => problems.push(p) });
      reader.push(file(good));
      reader.push(Uint8Array.from([6, 0, 0, 0, 0xfc, 0xff, 0xff, 0xff, 0, 0, 0, 0]));
      expect(problems).toHaveLength(1);
      reader.push(new Uint8Array(1 << 16));
      reader.end();
      expect(problems).toHaveLength(1);
    });
  });
});

describe('TickClock', () => {
  /** Reference: exact floor division with BigInt. */
  function reference(tsresol: number, count: bigint, offset = 0n): string {
    const binary = (tsresol & 0x80) !== 0;
    const exponent = tsresol & 0x7f;
    const units = (binary ? exponent < 64 : exponent < 20) ? (binary ? 2n : 10n) ** BigInt(exponent) : (1n << 64n) - 1n;
    const seconds = count / units + offset;
    const nanos = ((count % units) * 1_000_000_000n) / units;
    return `${seconds}.${nanos.toString().padStart(9, '0')}`;
  }

  /** xorshift64*: reproducible 64-bit values, biased towards interesting magnitudes by the caller. */
  function* counts(): Generator<bigint> {
    let state = 0x9e3779b97f4a7c15n;
    for (let i = 0; i < 400; i++) {
      state ^= state >> 12n;
      state ^= (state << 25n) & 0xffffffffffffffffn;
      state ^= state >> 27n;
      const value = (state * 0x2545f4914f6cdd1dn) & 0xffffffffffffffffn;
      yield value >> BigInt(i % 64); // every magnitude from 2^64 down to 1
    }
    yield* [0n, 1n, 999_999n, 1_000_000n, (1n << 52n) - 1n, 1n << 52n, (1n << 53n) + 1n, (1n << 64n) - 1n];
  }

  const resolutions = [0, 1, 3, 6, 9, 10, 11, 12, 19, 20, 0x7f, 0x80, 0x80 | 1, 0x80 | 10, 0x80 | 23, 0x80 | 24, 0x80 | 30, 0x80 | 36, 0x80 | 37, 0x80 | 63, 0x80 | 64];

  it.each(resolutions)('exact floor for the if_tsresol byte %i at every magnitude', (resolution) => {
    const clock = new TickClock(resolution, 0);
    for (const count of counts()) {
      clock.set(Number(count >> 32n), Number(count & 0xffffffffn));
      const expected = reference(resolution, count);
      const seconds = BigInt(expected.split('.')[0]);
      // Above 2^53 seconds a double cannot hold them exactly; such times are beyond any real capture.
      if (seconds >= 1n << 53n) continue;
      expect(`${clock.seconds}.${String(clock.nanos).padStart(9, '0')}`, `count ${count}`).toBe(expected);
      expect(clock.nanos).toBeGreaterThanOrEqual(0);
      expect(clock.nanos).toBeLessThan(1e9);
    }
  });

  it('adds if_tsoffset to the seconds', () => {
    const clock = new TickClock(null, -3600);
    clock.set(0, 1_500_000);
    expect([clock.seconds, clock.nanos]).toEqual([-3599, 500_000_000]);
  });
});
