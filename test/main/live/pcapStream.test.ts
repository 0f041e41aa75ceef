import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import pcapParser from 'pcap-parser';
import type { CaptureProblem, RawFrame } from '../../../app/capture/types';
import { readPcapStream, type PcapStreamTap } from '../../../main/live/pcapStream';
import { buildPcap } from '../../helpers/captureBuilder';
import { CORPUS_DIR, captureFiles, displayPath } from '../../helpers/tshark';
import { readAll } from '../../app/capture/readAll';

/*
 * pcap-parser behind the caplen guard against our own reader (app/capture), on the same bytes: every
 * classic microsecond pcap 2.4 file of the corpus and built damaged streams, cut into chunks of several
 * sizes, must give the same frames (number, time, lengths, bytes, offset) and the same problem.
 */

interface Frame {
  number: number;
  linkType: number;
  tsSeconds: number;
  tsNanos: number;
  originalLength: number;
  capturedLength: number;
  dataHash: string;
  fileOffset: number;
}

function frameOf(f: RawFrame): Frame {
  return {
    number: f.number,
    linkType: f.linkType,
    tsSeconds: f.tsSeconds,
    tsNanos: f.tsNanos,
    originalLength: f.originalLength,
    capturedLength: f.data.length,
    dataHash: createHash('sha1').update(f.data).digest('hex'),
    fileOffset: f.fileOffset,
  };
}

function chunks(bytes: Uint8Array, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(Buffer.from(bytes.subarray(at, at + size)));
  return out;
}

async function viaPcapParser(bytes: Uint8Array, chunkSize: number, tap: PcapStreamTap | null = null): Promise<{ frames: Frame[]; problems: CaptureProblem[] }> {
  const frames: Frame[] = [];
  const problems: CaptureProblem[] = [];
  await readPcapStream(Readable.from(chunks(bytes, chunkSize)), { frame: (f) => frames.push(frameOf(f)), problem: (p) => problems.push(p) }, tap);
  return { frames, problems };
}

function viaOurReader(bytes: Uint8Array): { frames: Frame[]; problems: CaptureProblem[] } {
  const read = readAll(bytes);
  return { frames: read.frames.map(frameOf), problems: read.problems };
}

/** Classic pcap, microsecond magic in either byte order, version 2.4: what the live pipe carries. */
function isMicrosecondPcap24(bytes: Uint8Array): boolean {
  if (bytes.length < 24) return false;
  const head = Buffer.from(bytes.subarray(0, 8)).toString('hex');
  return head === 'd4c3b2a102000400' || head === 'a1b2c3d400020004';
}

const FRAME = Uint8Array.from({ length: 60 }, (_, i) => (i * 7) & 0xff);

describe('readPcapStream (pcap-parser + caplen guard) against our reader', () => {
  const corpus = captureFiles(CORPUS_DIR).filter((path) => isMicrosecondPcap24(readFileSync(path)));

  it.skipIf(corpus.length === 0)(`every microsecond pcap 2.4 file of the corpus (${corpus.length}) reads the same${corpus.length === 0 ? ` (skipped: no corpus at ${CORPUS_DIR})` : ''}`, async () => {
    const sizes = [4096, 65536, 13, 1500];
    let compared = 0;
    for (const [i, path] of corpus.entries()) {
      const bytes = readFileSync(path);
      const ours = viaOurReader(bytes);
      const theirs = await viaPcapParser(bytes, sizes[i % sizes.length]);
      expect({ file: displayPath(path), ...theirs }).toEqual({ file: displayPath(path), ...ours });
      compared += ours.frames.length;
    }
    expect(compared).toBeGreaterThan(10_000);
  });

  const built: Array<[string, Uint8Array]> = [
    ['big-endian', buildPcap({ littleEndian: false }, [{ seconds: 5, fraction: 999_999, data: FRAME }, { seconds: 6, data: FRAME.subarray(0, 1) }])],
    ['empty records and caplen > len', buildPcap({}, [{ seconds: 1, data: new Uint8Array(0) }, { seconds: 2, data: FRAME, originalLength: 20 }])],
    ['fraction out of range (carried into the seconds)', buildPcap({}, [{ seconds: 1, fraction: 2_500_000, data: FRAME }])],
    ['bogus caplen after two good records', buildPcap({}, [{ seconds: 1, data: FRAME }, { seconds: 2, data: FRAME }, { seconds: 3, data: FRAME, capturedLength: 0xffffffff }])],
    ['caplen one past the link type maximum', buildPcap({ snapLength: 65535 }, [{ seconds: 1, data: FRAME, capturedLength: 262145 }])],
    ['last record cut off', buildPcap({}, [{ seconds: 1, data: FRAME }, { seconds: 2, data: FRAME }]).subarray(0, 24 + 76 + 30)],
    ['ends inside a record header', buildPcap({}, [{ seconds: 1, data: FRAME }, { seconds: 2, data: FRAME }]).subarray(0, 24 + 76 + 9)],
    ['ends inside the file header', buildPcap({}, []).subarray(0, 20)],
    ['empty', new Uint8Array(0)],
    ['reserved link-type bits', buildPcap({ network: 0x00300001 }, [{ seconds: 1, data: FRAME }])],
  ];
  for (const [name, bytes] of built) {
    it(`built stream: ${name}, in chunks of 1, 3, 17 and all`, async () => {
      const ours = viaOurReader(bytes);
      for (const size of [1, 3, 17, Math.max(1, bytes.length)]) expect(await viaPcapParser(bytes, size)).toEqual(ours);
    });
  }

  it('refuses what the live pipe does not carry, with a reason', async () => {
    const nanos = buildPcap({ nanos: true }, [{ seconds: 1, data: FRAME }]);
    expect((await viaPcapParser(nanos, 100)).problems).toEqual([
      { offset: 0, message: 'The capture stream has nanosecond timestamps; the live pipe reads microsecond pcap (dumpcap -P, tcpdump -w -).' },
    ]);
    const version23 = buildPcap({ versionMinor: 3 }, [{ seconds: 1, data: FRAME }]);
    expect((await viaPcapParser(version23, 100)).problems[0].message).toMatch(/^Unsupported pcap version 2\.3 on the live pipe/);
    const pcapng = Uint8Array.from([0x0a, 0x0d, 0x0d, 0x0a, ...new Array(28).fill(0)]);
    expect((await viaPcapParser(pcapng, 100)).problems[0].message).toMatch(/pcapng; the live pipe reads classic pcap/);
  });
});

describe('PcapCaplenGuard', () => {
  /** A source that never ends: `prefix`, then zeros for as long as it is read; counts what it produced. */
  function endless(prefix: Uint8Array): { source: Readable; produced: () => number } {
    let produced = 0;
    let sentPrefix = false;
    const source = new Readable({
      read() {
        const chunk = sentPrefix ? Buffer.alloc(65536) : Buffer.from(prefix);
        sentPrefix = true;
        produced += chunk.length;
        this.push(chunk);
      },
    });
    return { source, produced: () => produced };
  }

  it('impossible length: a bogus caplen stops the stream with a clear error and destroys the source', async () => {
    const good = buildPcap({}, [{ seconds: 1, data: FRAME }]);
    const bogus = buildPcap({}, [{ seconds: 1, data: FRAME }, { seconds: 2, data: new Uint8Array(0), capturedLength: 0xffffffff }]);
    const { source, produced } = endless(bogus);
    const frames: RawFrame[] = [];
    const problems: CaptureProblem[] = [];
    const result = await readPcapStream(source, { frame: (f) => frames.push(f), problem: (p) => problems.push(p) });
    expect(frames.map((f) => f.number)).toEqual([1]);
    expect(problems).toEqual([
      {
        offset: good.length,
        message: `The record at byte ${good.length} announces 4294967295 captured bytes, more than the 262144 allowed for link type 1: the file is damaged from there on.`,
      },
    ]);
    expect(result.problem).toEqual(problems[0]);
    expect(source.destroyed).toBe(true);
    // Nothing past the bad header was buffered: the source was read once or twice, then destroyed.
    expect(produced()).toBeLessThan(bogus.length + 3 * 65536);
    expect(result.bytes).toBe(good.length);
  });

  it('pcap-parser alone keeps buffering after the same bogus caplen (why the guard exists)', async () => {
    const bogus = buildPcap({}, [{ seconds: 1, data: FRAME }, { seconds: 2, data: new Uint8Array(0), capturedLength: 0xffffffff }]);
    const megabyte = Array.from({ length: 16 }, () => Buffer.alloc(65536));
    const parser = pcapParser.parse(Readable.from([Buffer.from(bogus), ...megabyte]));
    let packets = 0;
    let errors = 0;
    parser.on('packet', () => packets++);
    parser.on('error', () => errors++);
    await new Promise<void>((resolve) => parser.on('end', () => resolve()));
    expect(packets).toBe(1);
    expect(errors).toBe(0);
    // It silently ends holding the whole megabyte, waiting for 4 GiB more.
    expect((parser as unknown as { buffer: Buffer }).buffer.length).toBe(16 * 65536);
  });

  it('tap: gets every checked byte in order, cut where it asks, and the record offsets', async () => {
    const records = Array.from({ length: 20 }, (_, i) => ({ seconds: i, data: FRAME.subarray(0, 10 + i) }));
    const bytes = buildPcap({}, records);
    const expectedOffsets: number[] = [];
    for (let at = 24, i = 0; i < records.length; i++) {
      expectedOffsets.push(at);
      at += 16 + records[i].data.length;
    }
    // A boundary is also reported after the last record: the guard cannot know that no record follows.
    const expectedBoundaries = [...expectedOffsets, bytes.length];
    for (const size of [1, 5, 64, bytes.length]) {
      const offsets: number[] = [];
      const pieces: Uint8Array[] = [];
      let position = 0;
      const cutAt = new Set([expectedOffsets[3], expectedOffsets[10], expectedOffsets[19]]);
      const piecesStartingAtCut: number[] = [];
      const tap: PcapStreamTap = {
        boundary(offset) {
          offsets.push(offset);
          return cutAt.has(offset);
        },
        bytes(piece) {
          if (cutAt.has(position)) piecesStartingAtCut.push(position);
          pieces.push(piece.slice());
          position += piece.length;
        },
      };
      const { frames } = await viaPcapParser(bytes, size, tap);
      expect(Buffer.concat(pieces).equals(Buffer.from(bytes))).toBe(true);
      expect(offsets).toEqual(expectedBoundaries);
      expect(frames.map((f) => f.fileOffset)).toEqual(expectedOffsets);
      expect(piecesStartingAtCut).toEqual([...cutAt]);
    }
  });

  it('tap: never gets a header that failed its check, even when it arrived in pieces', async () => {
    const good = buildPcap({}, [{ seconds: 1, data: FRAME }]);
    const bytes = buildPcap({}, [{ seconds: 1, data: FRAME }, { seconds: 2, data: FRAME, capturedLength: 300_000 }]);
    for (const size of [1, 7, bytes.length]) {
      const pieces: Uint8Array[] = [];
      await viaPcapParser(bytes, size, { boundary: () => false, bytes: (p) => pieces.push(p.slice()) });
      expect(Buffer.concat(pieces).equals(Buffer.from(good))).toBe(true);
    }
  });
});
