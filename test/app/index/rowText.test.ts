import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCaptureReader } from '../../../app/capture/reader';
import type { FrameRow } from '../../../app/api/types';
import { CaptureSession } from '../../../app/index/session';
import { CORPUS_DIR, SAMPLES_DIR, tsharkFields, tsharkSkipReason } from '../../helpers/tshark';

/*
 * The packet list's text columns against `tshark -n -r FILE` (its _ws.col.* fields), for frames whose
 * innermost protocol is one we decode. tshark names higher protocols (HTTP, MySQL, ...) in those columns;
 * such frames are not compared. The known differences are listed with their reason below.
 */

const COMPARED_PROTOCOLS = new Set(['ARP', 'ICMP', 'ICMPv6', 'DNS', 'UDP', 'TCP']);

/** Notes tshark adds from its ICMP echo matching and its TCP reassembly for higher protocols (not ours). */
function withoutTsharkOnlyNotes(info: string): string {
  return info
    .replace(/ \((request|reply) in \d+\)$/, '')
    .replace(/ {1,2}\[TCP segment of a reassembled PDU\]$/, '')
    .replace(/\[Reassembly error, protocol TCP: [^\]]*\]$/, '');
}

/**
 * A TCP row whose Info tshark took from a protocol above TCP (an HTTP request line in a segment of a
 * reassembled PDU) while the Protocol column still says TCP: not comparable.
 */
function infoFromHigherProtocol(protocol: string, info: string): boolean {
  return protocol === 'TCP' && !info.includes(' → ');
}

const FILES = [
  join(SAMPLES_DIR, 'handshake-dns.pcapng'),
  join(CORPUS_DIR, 'arkime/pcap/cloudshark-arp.pcap'),
  join(CORPUS_DIR, 'arkime/pcap/dns-udp.pcap'),
  join(CORPUS_DIR, 'arkime/pcap/dns-tcp.pcap'),
  join(CORPUS_DIR, 'arkime/pcap/wireshark-retrans.pcap'),
  join(CORPUS_DIR, 'arkime/pcap/v6.pcap'),
  join(CORPUS_DIR, 'arkime/pcap/twovlan.pcap'),
  join(CORPUS_DIR, 'arkime/pcap/socks5-http-302-frag.pcap'),
  join(CORPUS_DIR, 'tcpdump/tests/print-flags.pcap'),
  join(CORPUS_DIR, 'tcpdump/tests/tcp-handshake-nano.pcap'),
];

async function rows(file: string): Promise<FrameRow[]> {
  const bytes = new Uint8Array(readFileSync(file));
  const session = new CaptureSession({ read: async (offset, length) => bytes.subarray(offset, offset + length) });
  const reader = createCaptureReader({ frame: (raw) => session.addFrame(raw), problem: () => undefined });
  reader.push(bytes);
  reader.end();
  session.finish(reader.format, null);
  return session.page(1, session.frames);
}

const skip = tsharkSkipReason();

describe.skipIf(skip !== null)('packet list columns against tshark', () => {
  for (const file of FILES) {
    it(`writes ${file.split('/').slice(-2).join('/')} as tshark does`, async () => {
      const tshark = await tsharkFields(file, ['frame.number', '_ws.col.Protocol', '_ws.col.Source', '_ws.col.Destination', '_ws.col.Info']);
      const ours = await rows(file);
      expect(ours).toHaveLength(tshark.rows.length);
      const differences: string[] = [];
      let compared = 0;
      for (const [number, protocol, source, destination, info] of tshark.rows) {
        if (!COMPARED_PROTOCOLS.has(protocol) || infoFromHigherProtocol(protocol, info)) continue;
        compared++;
        const row = ours[Number(number) - 1];
        const want = `${protocol} | ${source} | ${destination} | ${withoutTsharkOnlyNotes(info)}`;
        const got = `${row.protocol} | ${row.source} | ${row.destination} | ${row.info}`;
        if (want !== got) differences.push(`frame ${number}:\n  tshark: ${want}\n  ours:   ${got}`);
      }
      expect(compared).toBeGreaterThan(0);
      expect(differences.join('\n')).toBe('');
    });
  }
});
