import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCaptureReader } from '../../../app/capture/reader';
import type { CaptureProblem } from '../../../app/capture/types';
import { CaptureSession, type RecordSource } from '../../../app/index/session';
import { CORPUS_DIR } from '../../helpers/tshark';

/*
 * The session re-reads frames from their file offsets for pages and details: every frame's bytes read
 * back must equal the bytes the reader delivered in the first pass, in every record layout (pcap both
 * byte orders, pcapng EPB/SPB/PB, several sections of different byte order, interleaved NRB/ISB/CB).
 */

const FILES = [
  'arkime/pcap/dns-udp.pcap', // pcap LE µs
  'tcpdump/tests/pptp.pcap', // pcap BE µs
  'tcpdump/tests/tcp-handshake-nano.pcap', // pcap ns, Linux SLL
  'tcpdump/tests/OSPFv2_Capture_FINAL.pcapng', // pcapng EPB
  'pcapng-test-generator/output_be/basic/test011.pcapng', // SPB and EPB
  'pcapng-test-generator/output_le/advanced/test102.pcapng', // every block type intermixed
  'pcapng-test-generator/output_be/difficult/test202.pcapng', // 3 sections, BE/LE/BE
];

interface Loaded {
  session: CaptureSession;
  data: Uint8Array[];
  problem: CaptureProblem | null;
}

function load(file: string): Loaded {
  const bytes = new Uint8Array(readFileSync(file));
  const source: RecordSource = { read: async (offset, length) => bytes.subarray(offset, offset + length) };
  const session = new CaptureSession(source);
  const data: Uint8Array[] = [];
  let problem: CaptureProblem | null = null;
  const reader = createCaptureReader({
    frame(raw) {
      data.push(raw.data.slice());
      session.addFrame(raw);
    },
    problem(p) {
      problem = p;
    },
  });
  // Small chunks: records straddle chunk boundaries, as they do in the worker's 1 MiB reads.
  for (let at = 0; at < bytes.length; at += 333) reader.push(bytes.subarray(at, at + 333));
  reader.end();
  session.finish(reader.format, problem);
  return { session, data, problem };
}

const corpus = existsSync(CORPUS_DIR);

describe.skipIf(!corpus)('CaptureSession (corpus at ../shared/data/corpus)', () => {
  for (const name of FILES) {
    it(`re-reads every frame of ${name} byte for byte`, async () => {
      const { session, data } = load(join(CORPUS_DIR, name));
      expect(session.frames).toBe(data.length);
      expect(session.frames).toBeGreaterThan(0);
      for (let n = 1; n <= session.frames; n++) {
        const detail = await session.detail(n);
        expect(detail, `frame ${n}`).not.toBeNull();
        expect(detail?.sources[0].bytes, `frame ${n}`).toEqual(data[n - 1]);
        expect(detail?.tree[0].name).toBe('frame');
      }
    });
  }

  it('pages rows in order and stops at the last frame', async () => {
    const { session } = load(join(CORPUS_DIR, 'tcpdump/tests/pptp.pcap'));
    expect(session.frames).toBe(23);
    const rows = await session.page(20, 10);
    expect(rows.map((r) => r.number)).toEqual([20, 21, 22, 23]);
    expect(await session.page(24, 10)).toEqual([]);
    const first = await session.page(1, 2);
    expect(first[0].timeRelative).toBe('0.000000');
    expect(first[0].timeDelta).toBe('0.000000');
    expect(first[1].length).toBeGreaterThan(0);
  });

  it('has no detail for frames that do not exist', async () => {
    const { session } = load(join(CORPUS_DIR, 'arkime/pcap/dns-udp.pcap'));
    expect(await session.detail(0)).toBeNull();
    expect(await session.detail(6)).toBeNull();
  });

  it('prints nanosecond times for nanosecond captures', async () => {
    // tshark -r tcpdump/tests/tcp-handshake-nano.pcap: the 9-digit relative times below.
    const { session } = load(join(CORPUS_DIR, 'tcpdump/tests/tcp-handshake-nano.pcap'));
    const rows = await session.page(1, 3);
    expect(rows.map((r) => r.timeRelative)).toEqual(['0.000000000', '0.127521774', '0.127609669']);
  });

  it('finds rows by text, forwards and backwards', async () => {
    const { session } = load(join(CORPUS_DIR, 'arkime/pcap/dns-udp.pcap'));
    // Frames 3 and 4 are between 10.180.156.141 and 10.178.8.71 (tshark -r dns-udp.pcap).
    expect(await session.find('10.178.8.71', 1, false)).toBe(3);
    expect(await session.find('10.178.8.71', 5, true)).toBe(4);
    expect(await session.find('no such text', 1, false)).toBeNull();
  });
});
