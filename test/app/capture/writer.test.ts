import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCaptureWriter, type CaptureFormat, type FrameToWrite } from '../../../app/capture/writer';
import { CORPUS_DIR, TSHARK, tsharkSkipReason } from '../../helpers/tshark';
import { readAll } from './readAll';

/*
 * Ethernet/IPv4/UDP frame (60 bytes on the wire, 46 captured):
 *   0000  02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00   ..............E.
 *   0010  00 20 00 01 00 00 40 11 66 0e 0a 5e 00 01 0a 5e   . ....@.f..^...^
 *   0020  00 02 30 39 00 35 00 0c 00 00 61 62 63 64         ..09.5....abcd
 */
const UDP_FRAME = Uint8Array.from(Buffer.from('020000000002020000000001080045000020000100004011660e0a5e00010a5e000230390035000c000061626364', 'hex'));

function fileOf(format: CaptureFormat, resolution: 'micro' | 'nano', frames: FrameToWrite[], name = 'eth0'): Uint8Array {
  const writer = createCaptureWriter(format, { interfaces: [{ linkType: 1, snapLength: 262144, name }], resolution, application: 'Wirelens test' });
  const parts = [writer.start(), ...frames.map((f) => writer.record(f))];
  return Buffer.concat(parts);
}

const FRAMES: FrameToWrite[] = [
  { interfaceId: 0, tsSeconds: 1_700_000_000, tsNanos: 123_456_000, originalLength: 60, data: UDP_FRAME },
  // odd captured length: the EPB pads its data to 32 bits
  { interfaceId: 0, tsSeconds: 1_700_000_001, tsNanos: 999_999_000, originalLength: 45, data: UDP_FRAME.subarray(0, 45) },
  // late in 2106: seconds near 2^32, nanoseconds past 2^53 in total
  { interfaceId: 0, tsSeconds: 4_294_967_295, tsNanos: 1_000, originalLength: 14, data: UDP_FRAME.subarray(0, 14) },
];

describe('createCaptureWriter', () => {
  for (const format of ['pcap', 'pcapng'] as const) {
    for (const resolution of ['micro', 'nano'] as const) {
      it(`parse: ${format} ${resolution} reads back with the same frames in every chunking`, () => {
        const bytes = fileOf(format, resolution, FRAMES);
        for (const chunking of [1, 7, bytes.length]) {
          const read = readAll(bytes, chunking);
          expect(read.format).toBe(format);
          expect(read.problems).toEqual([]);
          expect(read.frames.map((f) => [f.number, f.linkType, f.interfaceId, f.tsSeconds, f.tsNanos, f.originalLength, Array.from(f.data)])).toEqual(
            FRAMES.map((f, i) => [i + 1, 1, 0, f.tsSeconds, f.tsNanos, f.originalLength, Array.from(f.data)]),
          );
        }
      });
    }
  }

  it('micro resolution drops the nanoseconds below a microsecond', () => {
    const frame = { ...FRAMES[0], tsNanos: 123_456_789 };
    for (const format of ['pcap', 'pcapng'] as const) expect(readAll(fileOf(format, 'micro', [frame])).frames[0].tsNanos).toBe(123_456_000);
  });

  it('pcap: the file header and record header are the documented little-endian layout', () => {
    const bytes = fileOf('pcap', 'micro', [FRAMES[0]]);
    // d4 c3 b2 a1  02 00 04 00  00 00 00 00  00 00 00 00  00 00 04 00  01 00 00 00
    expect(Array.from(bytes.subarray(0, 24))).toEqual([0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 1, 0, 0, 0]);
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    expect([view.getUint32(24, true), view.getUint32(28, true), view.getUint32(32, true), view.getUint32(36, true)]).toEqual([1_700_000_000, 123_456, 46, 60]);
    expect(bytes.length).toBe(24 + 16 + 46);
  });

  it('pcapng: every block length is a multiple of 4 and repeated at its end', () => {
    const bytes = fileOf('pcapng', 'nano', FRAMES, 'veth-wl94a');
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const types: number[] = [];
    for (let at = 0; at < bytes.length; ) {
      const length = view.getUint32(at + 4, true);
      expect(length % 4).toBe(0);
      expect(view.getUint32(at + length - 4, true)).toBe(length);
      types.push(view.getUint32(at, true));
      at += length;
    }
    expect(types).toEqual([0x0a0d0d0a, 1, 6, 6, 6]);
  });

  it('refuses what the format cannot hold', () => {
    expect(() => createCaptureWriter('pcap', { interfaces: [], resolution: 'micro' })).toThrow(/one interface/);
    const pcap = createCaptureWriter('pcap', { interfaces: [{ linkType: 1, snapLength: 65535 }], resolution: 'micro' });
    expect(() => pcap.record({ ...FRAMES[0], interfaceId: 1 })).toThrow(/save as pcapng/);
    const pcapng = createCaptureWriter('pcapng', { interfaces: [{ linkType: 1, snapLength: 65535 }], resolution: 'micro' });
    expect(() => pcapng.record({ ...FRAMES[0], interfaceId: 1 })).toThrow(/only 1 interface/);
  });
});

const skip = tsharkSkipReason();
describe.skipIf(skip !== null)(`writer against tshark${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'wirelens-writer-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** tshark's summary lines and hex dump of every frame, plus the time, lengths and interface name fields. */
  function tsharkView(file: string): { dump: string; fields: string } {
    const env = { ...process.env, TZ: 'UTC' };
    const dump = spawnSync(TSHARK, ['-n', '-r', file, '-x'], { encoding: 'utf8', env, maxBuffer: 1 << 28 });
    const fields = spawnSync(TSHARK, ['-n', '-r', file, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'frame.len', '-e', 'frame.cap_len'], {
      encoding: 'utf8',
      env,
      maxBuffer: 1 << 28,
    });
    expect(dump.status).toBe(0);
    expect(fields.status).toBe(0);
    return { dump: dump.stdout, fields: fields.stdout };
  }

  it('a corpus capture rewritten as pcap and as pcapng reads the same in tshark (frames, times, bytes)', () => {
    const source = join(CORPUS_DIR, 'arkime/pcap/dns-udp.pcap');
    const original = readAll(readFileSync(source));
    expect(original.problems).toEqual([]);
    expect(original.frames.length).toBeGreaterThan(2);
    const expected = tsharkView(source);
    for (const format of ['pcap', 'pcapng'] as const) {
      const out = join(dir, `dns-udp.${format}`);
      writeFileSync(out, fileOf(format, 'micro', original.frames));
      const got = tsharkView(out);
      expect(got.fields).toBe(expected.fields);
      expect(got.dump).toBe(expected.dump);
    }
  });
});
