import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { frameRow, tsharkFrames, tsharkVersion, type TsharkFrames } from './tshark';
import { readAll, type ReadResult } from './readAll';

/*
 * Every capture file of the shared corpus, read by our readers and by tshark 4.0: the same frames
 * (frame.number, frame.time_epoch, frame.len, frame.cap_len, frame.interface_id), and a problem from us
 * exactly where tshark complains about the file. Where we knowingly differ, KNOWN_DIFFERENCES says so per
 * file with its reason, and the test asserts the difference is exactly that and nothing else.
 */

const CORPUS = join(__dirname, '../../../../shared/data/corpus');
const CAPTURE_EXTENSIONS = /\.(pcap|pcapng|cap)$/i;

interface KnownDifference {
  reason: string;
  /** tshark refuses the whole file; we read this many frames and report nothing. */
  tsharkRefusesReading?: number;
  /** tshark shows this many pcapng custom-block records (as frames numbered among the packets); we skip them. */
  customBlockRecords?: number;
  /** Frames whose pcap timestamp fraction is out of range (>= 1 s): we carry it into the seconds. */
  fractionOutOfRange?: number[];
  /** wiretap moves a link-layer pseudo-header of this many bytes out of every frame (frame.len and cap_len). */
  pseudoHeaderBytes?: number;
}

const FRACTION_REASON =
  'the record timestamp fraction is >= 1 s (fuzzed file): wiretap keeps it as a 32-bit-wrapped nanosecond count ' +
  'and tshark prints e.g. 808464432.1010580352; we carry the excess into the seconds';
const CUSTOM_BLOCK_REASON =
  'pcapng custom blocks (0x00000BAD/0x40000BAD) are records in tshark, numbered among the frames and shown as data; ' +
  'RawFrame has no kind for them, so the reader skips them';

const KNOWN_DIFFERENCES: Record<string, KnownDifference> = {
  'tcpdump/tests/vtp_asan.pcap': {
    reason: 'link type 182 (MFR) has no wiretap encapsulation, so tshark refuses the file; we read its records',
    tsharkRefusesReading: 5,
  },
  'tcpdump/tests-4.99.3/vtp_asan.pcap': {
    reason: 'link type 182 (MFR) has no wiretap encapsulation, so tshark refuses the file; we read its records',
    tsharkRefusesReading: 5,
  },
  'tcpdump/tests/atm-oam-loopback-print-overrun.pcap': {
    reason: `SunATM (123): wiretap strips its 4-byte pseudo-header from the packet; also ${FRACTION_REASON}`,
    pseudoHeaderBytes: 4,
    fractionOutOfRange: [1],
  },
  'tcpdump/tests/timestamp_invalid_micro.pcap': { reason: FRACTION_REASON, fractionOutOfRange: [2, 3] },
  'tcpdump/tests/timestamp_invalid_nano.pcap': { reason: FRACTION_REASON, fractionOutOfRange: [2, 3] },
  'tcpdump/tests/rx_serviceid_oobr.pcap': { reason: FRACTION_REASON, fractionOutOfRange: [2] },
  'tcpdump/tests-4.99.3/rx_serviceid_oobr.pcap': { reason: FRACTION_REASON, fractionOutOfRange: [2, 3] },
  'tcpdump/tests-4.99.3/aoe-oobr-1.pcap': { reason: FRACTION_REASON, fractionOutOfRange: [1] },
  'tcpdump/tests-4.99.3/extract_read2_asan.pcap': { reason: FRACTION_REASON, fractionOutOfRange: [1] },
  'tcpdump/tests-4.99.3/getname_2_read4_asan.pcap': { reason: FRACTION_REASON, fractionOutOfRange: [1] },
  'tcpdump/tests-4.99.3/heapoverflow-ip_demux_print.pcap': { reason: FRACTION_REASON, fractionOutOfRange: [1, 2] },
  'tcpdump/tests-4.99.3/heapoverflow-tcp_print.pcap': { reason: FRACTION_REASON, fractionOutOfRange: [1] },
  'tcpdump/tests-4.99.3/icmp-icmp_print-oobr-2.pcap': { reason: FRACTION_REASON, fractionOutOfRange: [1, 2, 3] },
  'tcpdump/tests-4.99.3/ipv6-next-header-oobr-1.pcap': { reason: FRACTION_REASON, fractionOutOfRange: [1] },
  'tcpdump/tests-4.99.3/ipv6-next-header-oobr-2.pcap': { reason: FRACTION_REASON, fractionOutOfRange: [1] },
  'tcpdump/tests-4.99.3/ipv6-rthdr-oobr.pcap': { reason: FRACTION_REASON, fractionOutOfRange: [1] },
  'tcpdump/tests-4.99.3/ipv6hdr-heapoverflow.pcap': { reason: FRACTION_REASON, fractionOutOfRange: [1] },
  'tcpdump/tests-4.99.3/pim_header_asan-2.pcap': { reason: FRACTION_REASON, fractionOutOfRange: [1, 2] },
  'tcpdump/tests-4.99.3/tcp-auth-heapoverflow.pcap': { reason: FRACTION_REASON, fractionOutOfRange: [1] },
  'tcpdump/tests-4.99.3/tcp_header_heapoverflow.pcap': { reason: FRACTION_REASON, fractionOutOfRange: [1] },
  'tcpdump/tests-4.99.3/udp-length-heapoverflow.pcap': { reason: FRACTION_REASON, fractionOutOfRange: [1] },
  ...Object.fromEntries(
    (
      [
        ['basic/test017', 4],
        ['basic/test018', 4],
        ['advanced/test102', 3],
        ['difficult/test202', 3],
      ] as const
    ).flatMap(([name, records]) =>
      ['le', 'be'].map((order) => [
        `pcapng-test-generator/output_${order}/${name}.pcapng`,
        { reason: CUSTOM_BLOCK_REASON, customBlockRecords: records },
      ]),
    ),
  ),
};

function captureFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...captureFiles(path));
    else if (CAPTURE_EXTENSIONS.test(name)) out.push(path);
  }
  return out.sort();
}

/** The pcapng block type at a frame's file offset: an SPB (3) has no timestamp, so tshark prints none. */
function isSimplePacketBlock(bytes: Uint8Array, offset: number): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return view.getUint32(offset, true) === 3 || view.getUint32(offset, false) === 3;
}

/**
 * frame.time_epoch as tshark 4.0 prints an out-of-range pcap fraction: wiretap stores seconds and
 * (int)(fraction * 1000) (32-bit arithmetic, µs files) or (int)fraction (ns files); a negative nsecs is
 * printed as "-secs.|nsecs|".
 */
function tsharkWrappedTime(bytes: Uint8Array, offset: number): string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = view.getUint32(0, true) === 0xa1b2c3d4 || view.getUint32(0, true) === 0xa1b23c4d;
  const nanosMagic = view.getUint32(0, le) === 0xa1b23c4d;
  const seconds = view.getUint32(offset, le);
  const fraction = view.getUint32(offset + 4, le);
  const nsecs = nanosMagic ? fraction | 0 : Number(BigInt.asIntN(32, BigInt(fraction) * 1000n));
  return nsecs < 0 ? `-${seconds}.${String(-nsecs).padStart(9, '0')}` : `${seconds}.${String(nsecs).padStart(9, '0')}`;
}

interface Comparison {
  /** Problems found in the comparison; empty when the file agrees (allowing its known differences). */
  mismatches: string[];
  tsharkFrames: number;
}

function compare(name: string, bytes: Uint8Array, ours: ReadResult, tshark: TsharkFrames): Comparison {
  const known = KNOWN_DIFFERENCES[name] ?? { reason: '' };
  const mismatches: string[] = [];
  const format = ours.format ?? 'pcap';

  if (known.tsharkRefusesReading !== undefined) {
    if (tshark.rows.length !== 0 || tshark.error === '') mismatches.push(`tshark no longer refuses the file (${tshark.rows.length} frames)`);
    if (ours.frames.length !== known.tsharkRefusesReading || ours.problems.length !== 0) {
      mismatches.push(`expected ${known.tsharkRefusesReading} frames and no problem, got ${ours.frames.length} and ${ours.problems.length}`);
    }
    return { mismatches, tsharkFrames: 0 };
  }

  // Custom-block records: the tshark rows without an interface id in a pcapng file.
  let rows = tshark.rows;
  if (format === 'pcapng') {
    const customRows = rows.filter((r) => r[4] === '').length;
    if (customRows !== (known.customBlockRecords ?? 0)) mismatches.push(`tshark shows ${customRows} custom-block records, expected ${known.customBlockRecords ?? 0}`);
    rows = rows.filter((r) => r[4] !== '').map((r, i) => [String(i + 1), ...r.slice(1)]);
  }

  if (rows.length !== ours.frames.length) mismatches.push(`frame count: ours ${ours.frames.length}, tshark ${rows.length}`);
  const fractionFrames: number[] = [];
  const pseudoHeaderFrames: number[] = [];
  for (let i = 0; i < Math.min(rows.length, ours.frames.length); i++) {
    const frame = ours.frames[i];
    const want = rows[i];
    const got = frameRow(frame, format);
    if (format === 'pcapng' && want[1] === '' && isSimplePacketBlock(bytes, frame.fileOffset)) got[1] = '';
    if (known.fractionOutOfRange && got[1] !== want[1] && want[1] === tsharkWrappedTime(bytes, frame.fileOffset)) {
      fractionFrames.push(frame.number);
      got[1] = want[1];
    }
    if (known.pseudoHeaderBytes && Number(got[2]) - known.pseudoHeaderBytes === Number(want[2])) {
      pseudoHeaderFrames.push(frame.number);
      got[2] = want[2];
      got[3] = String(Number(got[3]) - known.pseudoHeaderBytes);
    }
    if (got.join('\t') !== want.join('\t')) mismatches.push(`frame ${i + 1}: ours ${got.join(' ')} | tshark ${want.join(' ')}`);
  }
  if (JSON.stringify(fractionFrames) !== JSON.stringify(known.fractionOutOfRange ?? [])) {
    mismatches.push(`frames with an out-of-range fraction: ${fractionFrames.join(',')}, expected ${(known.fractionOutOfRange ?? []).join(',')}`);
  }
  if (known.pseudoHeaderBytes !== undefined && pseudoHeaderFrames.length !== ours.frames.length) {
    mismatches.push(`pseudo-header difference on ${pseudoHeaderFrames.length} of ${ours.frames.length} frames`);
  }

  // Damage: we report a problem exactly when tshark complains.
  if (tshark.error !== '' && ours.problems.length !== 1) mismatches.push(`tshark complains (${tshark.error}) but we report no problem`);
  if (tshark.error === '' && ours.problems.length !== 0) mismatches.push(`we report "${ours.problems[0].message}" but tshark reads the file silently`);
  return { mismatches, tsharkFrames: tshark.rows.length };
}

const version = tsharkVersion();
const corpusPresent = existsSync(CORPUS);

describe('capture readers against tshark on the shared corpus', () => {
  if (version === null) {
    it.skip(`tshark is not installed at /usr/bin/tshark: corpus comparison skipped`, () => {});
    return;
  }
  if (!corpusPresent) {
    it.skip(`corpus absent at ${CORPUS}: corpus comparison skipped`, () => {});
    return;
  }

  it('every capture file reads as tshark reads it (known differences listed above)', { timeout: 600_000 }, async () => {
    const files = captureFiles(CORPUS);
    expect(files.length).toBeGreaterThan(300);
    const failures: string[] = [];
    let frames = 0;
    let tsharkErrors = 0;
    const seenKnown = new Set<string>();
    await Promise.all(
      files.map(async (path) => {
        const name = relative(CORPUS, path);
        const bytes = new Uint8Array(readFileSync(path));
        const tshark = await tsharkFrames(path, version);
        const whole = readAll(bytes);
        // The same file in odd-sized chunks: every straddling path on real data.
        const chunked = readAll(bytes, [1000, 1, 4093]);
        if (JSON.stringify(chunked) !== JSON.stringify(whole)) failures.push(`${name}: chunked read differs from the whole read`);
        const { mismatches, tsharkFrames: count } = compare(name, bytes, whole, tshark);
        frames += count;
        if (tshark.error !== '') tsharkErrors++;
        if (KNOWN_DIFFERENCES[name]) seenKnown.add(name);
        for (const m of mismatches.slice(0, 5)) failures.push(`${name}: ${m}`);
      }),
    );
    expect(failures).toEqual([]);
    // Every listed difference belongs to a file that exists (no stale entries).
    expect([...seenKnown].sort()).toEqual(Object.keys(KNOWN_DIFFERENCES).sort());
    console.log(
      `corpus: ${files.length} files, ${frames} tshark frames, ${tsharkErrors} files tshark complains about, ` +
        `${Object.keys(KNOWN_DIFFERENCES).length} files with listed differences`,
    );
  });
});
