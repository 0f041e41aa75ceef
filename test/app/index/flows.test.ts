import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCaptureReader } from '../../../app/capture/reader';
import type { RawFrame } from '../../../app/capture/types';
import { FlowTable } from '../../../app/index/flows';
import { CaptureSession } from '../../../app/index/session';
import { newSummary, type ConversationSummary } from '../../../app/tcp/conversation';
import { CORPUS_DIR, SAMPLES_DIR, tsharkFields, tsharkSkipReason } from '../../helpers/tshark';

/*
 * The flows list: one row per tcp.stream / udp.stream, with tshark's numbering and frame counts. Like
 * tshark's conversation tables (-z conv,udp), an ICMP error quoting a datagram does not count as a frame
 * of its conversation, though tshark gives the quoted header a udp.stream.
 */

function flows(file: string) {
  const bytes = new Uint8Array(readFileSync(file));
  const session = new CaptureSession({ read: async (offset, length) => bytes.subarray(offset, offset + length) });
  const reader = createCaptureReader({ frame: (raw) => session.addFrame(raw), problem: () => undefined });
  reader.push(bytes);
  reader.end();
  session.finish(reader.format, null);
  return session.flows();
}

function countBy(values: string[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const v of values) if (v !== '') counts.set(Number(v), (counts.get(Number(v)) ?? 0) + 1);
  return counts;
}

const skip = tsharkSkipReason();

describe.skipIf(skip !== null)('flows', () => {
  for (const file of [join(SAMPLES_DIR, 'handshake-dns.pcapng'), join(CORPUS_DIR, 'pcapplusplus/Pcap++Test/PcapExamples/example.pcap')]) {
    it(`lists the streams of ${file.split('/').pop()} with tshark's numbers and frame counts`, async () => {
      const tshark = await tsharkFields(file, ['tcp.stream', 'udp.stream', 'icmp.type', 'icmpv6.type']);
      const direct = tshark.rows.filter((r) => r[2] === '' && r[3] === '');
      const tcp = countBy(direct.map((r) => r[0]));
      const udp = countBy(direct.map((r) => r[1]));
      const rows = flows(file);
      const frames = (protocol: 'tcp' | 'udp') =>
        new Map(rows.filter((r) => r.protocol === protocol).map((r) => [r.stream, r.framesAToB + r.framesBToA]));
      expect(frames('tcp')).toEqual(tcp);
      expect(frames('udp')).toEqual(udp);
      expect(rows.length).toBe(tcp.size + udp.size);
    });
  }
});

/** The frames of a capture file, in order. */
function rawFrames(file: string): { frames: RawFrame[]; format: 'pcap' | 'pcapng' | null } {
  const frames: RawFrame[] = [];
  const reader = createCaptureReader({ frame: (raw) => frames.push({ ...raw, data: raw.data.slice() }), problem: () => undefined });
  reader.push(new Uint8Array(readFileSync(file)));
  reader.end();
  return { frames, format: reader.format };
}

/** A session over the file's first `count` frames, read to the end (nothing is read back for flows). */
function sessionOf(frames: readonly RawFrame[], count: number, format: 'pcap' | 'pcapng' | null, finished: boolean): CaptureSession {
  const session = new CaptureSession({ read: () => Promise.reject(new Error('flows read nothing back')) });
  for (const raw of frames.slice(0, count)) session.addFrame(raw);
  if (finished) session.finish(format, null);
  return session;
}

const EXAMPLE = join(CORPUS_DIR, 'pcapplusplus/Pcap++Test/PcapExamples/example.pcap');

describe.skipIf(skip !== null)('flows while the capture is read', () => {
  it('after any number of frames, lists what the whole list of a capture cut there would be', () => {
    const { frames, format } = rawFrames(EXAMPLE);
    expect(frames.length).toBe(4631);
    const loading = sessionOf(frames, 0, format, false);
    let checked = 0;
    for (let count = 1; count <= frames.length; count++) {
      loading.addFrame(frames[count - 1]);
      if (count % 397 !== 0 && count !== 1 && count !== frames.length) continue;
      expect(loading.flows(), `after ${count} frames`).toEqual(sessionOf(frames, count, format, true).flows());
      checked++;
    }
    expect(checked).toBe(13);
    // Read to the end, it is the list it was, with every conversation.
    const whileLoading = loading.flows();
    loading.finish(format, null);
    expect(loading.flows()).toEqual(whileLoading);
  });

  it("after half the frames, counts each stream's frames so far as tshark numbers them", async () => {
    const tshark = await tsharkFields(EXAMPLE, ['frame.number', 'tcp.stream', 'udp.stream', 'icmp.type', 'icmpv6.type']);
    const { frames, format } = rawFrames(EXAMPLE);
    const half = Math.floor(frames.length / 2);
    const direct = tshark.rows.filter((r) => Number(r[0]) <= half && r[3] === '' && r[4] === '');
    const tcp = countBy(direct.map((r) => r[1]));
    const udp = countBy(direct.map((r) => r[2]));
    const rows = sessionOf(frames, half, format, false).flows();
    const framesOf = (protocol: 'tcp' | 'udp') => new Map(rows.filter((r) => r.protocol === protocol).map((r) => [r.stream, r.framesAToB + r.framesBToA]));
    expect(tcp.size).toBeGreaterThan(10);
    expect(framesOf('tcp')).toEqual(tcp);
    expect(framesOf('udp')).toEqual(udp);
  });
});

describe('flow table', () => {
  const at = (seconds: number, protocol: 'tcp' | 'udp', stream: number, packets: [number, number], until: number, continued = false): ConversationSummary => {
    const s = newSummary(protocol, stream, { address: '10.0.0.1', port: 4000 + stream }, { address: '10.0.0.2', port: 80 }, seconds, 0);
    Object.assign(s, { packetsAtoB: packets[0], packetsBtoA: packets[1], bytesAtoB: packets[0] * 100, bytesBtoA: packets[1] * 60, lastSeconds: until, continued });
    return s;
  };
  const ended = [at(100, 'tcp', 0, [3, 2], 101), at(100.5, 'udp', 0, [1, 1], 100.5)];
  const live = [at(105, 'tcp', 0, [1, 4], 106, true), at(102, 'tcp', 1, [2, 0], 103), at(104, 'udp', 1, [1, 0], 104)];

  it('adds the live parts to the ended ones as it adds ended parts, and keeps none of them', () => {
    const table = new FlowTable();
    table.start(100, 0);
    for (const s of ended) table.add(s);
    const before = table.result();
    const rows = table.result(live);
    expect(rows.map((r) => [`${r.protocol}:${r.stream}`, r.framesAToB, r.framesBToA, r.bytesAToB, r.relativeStart, r.duration])).toEqual([
      ['tcp:0', 4, 6, 400, 0, 6],
      ['tcp:1', 2, 0, 200, 2, 1],
      ['udp:0', 1, 1, 100, 0.5, 0],
      ['udp:1', 1, 0, 100, 4, 0],
    ]);
    // The same rows as if the live parts had ended.
    const allEnded = new FlowTable();
    allEnded.start(100, 0);
    for (const s of [...ended, ...live]) allEnded.add(s);
    expect(rows).toEqual(allEnded.result());
    // Nothing live is kept: the ended rows are what they were.
    expect(table.result()).toEqual(before);
    expect(before.map((r) => [`${r.protocol}:${r.stream}`, r.framesAToB + r.framesBToA, r.duration])).toEqual([
      ['tcp:0', 5, 1],
      ['udp:0', 2, 0],
    ]);
  });
});
