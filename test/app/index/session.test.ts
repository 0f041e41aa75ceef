import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createCaptureReader } from '../../../app/capture/reader';
import type { CaptureProblem } from '../../../app/capture/types';
import { FieldColumns } from '../../../app/filter/columns';
import { compileFilter, type CompiledFilter } from '../../../app/filter/compile';
import { CaptureSession, type DisplayedFrames, type RecordSource } from '../../../app/index/session';
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

/** The file behind a session: how often it was read, and whether reads fail (as when it changed after it was opened). */
interface FileAccess {
  reads: number;
  /** 'once': the next read fails, later ones work. */
  failReads: 'once' | 'always' | null;
}

interface Loaded {
  session: CaptureSession;
  data: Uint8Array[];
  problem: CaptureProblem | null;
  file: FileAccess;
}

function load(file: string): Loaded {
  return loadBytes(new Uint8Array(readFileSync(file)));
}

function loadBytes(bytes: Uint8Array): Loaded {
  const file: FileAccess = { reads: 0, failReads: null };
  const source: RecordSource = {
    // As the worker's source does, it reads into the buffer the session offers.
    read: async (offset, length, into) => {
      if (file.failReads) {
        if (file.failReads === 'once') file.failReads = null;
        throw new Error('the file changed');
      }
      file.reads++;
      const read = bytes.subarray(offset, offset + length);
      if (!into) return read;
      into.set(read);
      return into.subarray(0, read.length);
    },
  };
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
  return { session, data, problem, file };
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

function compiled(text: string): CompiledFilter {
  const result = compileFilter(text);
  if (!result.ok) throw new Error(`${text}: ${result.error.message}`);
  return result.filter;
}

function numbers(displayed: DisplayedFrames | null): number[] {
  if (!displayed) throw new Error('the filter was superseded');
  return Array.from(displayed.frames);
}

const ignoreProgress = () => undefined;

/**
 * The expressions test/diff/filter.test.ts checks against tshark, with their captures: its CASES table,
 * read from that file (a plain array literal) so that both tests cover the same expressions.
 */
function diffCases(): { file: string; filters: string[] }[] {
  const source = readFileSync(join(__dirname, '../../diff/filter.test.ts'), 'utf8');
  const table = /^const CASES[^=]*=\s*(\[[\s\S]*?^\]);/m.exec(source);
  if (!table) throw new Error('test/diff/filter.test.ts has no CASES table any more');
  return runInNewContext(table[1]) as { file: string; filters: string[] }[];
}

/** A classic pcap of `times` copies of a classic pcap's records, one after the other. */
function repeatedCapture(file: string, times: number): Uint8Array {
  const bytes = new Uint8Array(readFileSync(file));
  const records = bytes.subarray(24);
  const out = new Uint8Array(24 + records.length * times);
  out.set(bytes.subarray(0, 24));
  for (let i = 0; i < times; i++) out.set(records, 24 + i * records.length);
  return out;
}

const RETRANS = join(CORPUS_DIR, 'arkime/pcap/wireshark-retrans.pcap');
/** wireshark-retrans.pcap (108 frames) 400 times: the field index reports progress every 20 000 frames. */
const RETRANS_TIMES = 400;
const RETRANS_FRAMES = 108 * RETRANS_TIMES;

describe.skipIf(!corpus)('CaptureSession field index (corpus at ../shared/data/corpus)', () => {
  const cases = corpus ? diffCases() : [];
  let coveredFilters = 0;

  it('has the expressions of the tshark comparison', () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
    expect(cases.reduce((n, c) => n + c.filters.length, 0)).toBeGreaterThanOrEqual(60);
  });

  it.each(cases)('answers the filters it covers without reading the file, with the frames decoding gives: $file', async ({ file, filters }) => {
    const decoded = load(join(CORPUS_DIR, file));
    const indexed = load(join(CORPUS_DIR, file));
    await indexed.session.buildFieldIndex();
    expect(indexed.session.fieldIndexState).toMatchObject({ state: 'built', frames: indexed.session.frames, total: indexed.session.frames });
    const index = new FieldColumns();
    for (const text of filters) {
      const filter = compiled(text);
      const byDecoding = await decoded.session.applyFilter(filter, ignoreProgress);
      const reads = indexed.file.reads;
      const displayed = await indexed.session.applyFilter(filter, ignoreProgress);
      expect(numbers(displayed), text).toEqual(numbers(byDecoding));
      expect(displayed?.scanned, text).toBe(indexed.session.frames);
      if (index.covers(filter)) {
        expect(indexed.file.reads, `${text}: from the index`).toBe(reads);
        coveredFilters++;
      } else {
        expect(indexed.file.reads, `${text}: decoded`).toBeGreaterThan(reads);
      }
    }
  });

  it('covered most of those expressions', () => {
    const total = cases.reduce((n, c) => n + c.filters.length, 0);
    expect(coveredFilters).toBeGreaterThan(total / 2);
  });

  it('answers a filter applied while the index is built as each batch of frames is added', async () => {
    const capture = repeatedCapture(RETRANS, RETRANS_TIMES);
    const decoded = loadBytes(capture);
    const indexed = loadBytes(capture);
    expect(indexed.session.frames).toBe(RETRANS_FRAMES);
    const filter = compiled('tcp.analysis.retransmission || tcp.stream == 1');
    const expected = numbers(await decoded.session.applyFilter(filter, ignoreProgress));
    expect(expected.length).toBeGreaterThan(1000);
    const built: number[] = [];
    const building = indexed.session.buildFieldIndex((frames, total) => built.push(frames, total));
    expect(indexed.session.fieldIndexState?.state).toBe('building');
    const progress: number[][] = [];
    const displayed = await indexed.session.applyFilter(filter, (scanned, total, matched) => progress.push([scanned, total, matched]));
    await building;
    expect(numbers(displayed)).toEqual(expected);
    const steps = [20_000, 40_000, RETRANS_FRAMES];
    expect(progress).toEqual(steps.map((n) => [n, RETRANS_FRAMES, expected.filter((frame) => frame <= n).length]));
    expect(built).toEqual(steps.flatMap((n) => [n, RETRANS_FRAMES]));
    const reads = indexed.file.reads;
    expect(numbers(await indexed.session.applyFilter(filter, ignoreProgress))).toEqual(expected);
    expect(indexed.file.reads).toBe(reads);
    expect(indexed.session.buildFieldIndex()).toBe(building);
  });

  it('gives up a filter waiting for the index when a newer one is applied, or the filter is cleared', async () => {
    const capture = repeatedCapture(RETRANS, RETRANS_TIMES);
    const decoded = loadBytes(capture);
    const indexed = loadBytes(capture);
    const building = indexed.session.buildFieldIndex();
    const first = indexed.session.applyFilter(compiled('tcp.stream == 1'), ignoreProgress);
    const newer = compiled('tcp.flags.syn == 1 && ip.src == 172.17.96.77');
    const second = indexed.session.applyFilter(newer, ignoreProgress);
    expect(await first).toBeNull();
    const expected = numbers(await decoded.session.applyFilter(newer, ignoreProgress));
    expect(expected.length).toBeGreaterThan(0);
    expect(numbers(await second)).toEqual(expected);
    await building;
    expect(await indexed.session.filteredPage(newer.text, 1, 2)).toMatchObject({ total: expected.length });

    const other = loadBytes(capture);
    const otherBuilding = other.session.buildFieldIndex();
    const cleared = other.session.applyFilter(newer, ignoreProgress);
    other.session.clearFilter();
    expect(await cleared).toBeNull();
    await otherBuilding;
    expect(await other.session.filteredPage(newer.text, 1, 2)).toBeNull();
  });

  it('decodes frames again when the index could not be built', async () => {
    const decoded = load(RETRANS);
    const filter = compiled('tcp.analysis.retransmission');
    const expected = numbers(await decoded.session.applyFilter(filter, ignoreProgress));
    expect(expected.length).toBeGreaterThan(0);

    // A read fails once: the build stops, a filter waiting for it decodes instead, and so do later ones.
    const once = load(RETRANS);
    once.file.failReads = 'once';
    const building = once.session.buildFieldIndex();
    const waiting = once.session.applyFilter(filter, ignoreProgress);
    await expect(building).rejects.toThrow('the file changed');
    expect(numbers(await waiting)).toEqual(expected);
    expect(once.session.fieldIndexState?.state).toBe('failed');
    const reads = once.file.reads;
    expect(numbers(await once.session.applyFilter(filter, ignoreProgress))).toEqual(expected);
    expect(once.file.reads).toBeGreaterThan(reads);

    // Every read fails: so does the filter, with the reason.
    const always = load(RETRANS);
    always.file.failReads = 'always';
    const failing = always.session.buildFieldIndex();
    const refused = always.session.applyFilter(filter, ignoreProgress);
    await expect(failing).rejects.toThrow('the file changed');
    await expect(refused).rejects.toThrow('the file changed');
  });

  it('is built only once the whole capture is indexed; until then filters decode', async () => {
    const bytes = new Uint8Array(readFileSync(RETRANS));
    const file: FileAccess = { reads: 0, failReads: null };
    const session = new CaptureSession({
      read: async (offset, length) => {
        file.reads++;
        return bytes.subarray(offset, offset + length);
      },
    });
    const reader = createCaptureReader({ frame: (raw) => session.addFrame(raw), problem: () => undefined });
    reader.push(bytes.subarray(0, bytes.length >> 1));
    expect(session.frames).toBeGreaterThan(10);
    await expect(session.buildFieldIndex()).rejects.toThrow(/once the whole capture is indexed/);
    expect(session.fieldIndexState).toBeNull();
    const displayed = await session.applyFilter(compiled('tcp'), ignoreProgress);
    expect(displayed?.scanned).toBe(session.frames);
    expect(numbers(displayed)).toHaveLength(session.frames);
    expect(file.reads).toBeGreaterThan(0);
  });
});
