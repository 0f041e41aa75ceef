import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCaptureReader } from '../../../app/capture/reader';
import { CaptureSession } from '../../../app/index/session';
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
