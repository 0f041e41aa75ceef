import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DetailNode } from '../../../app/api/types';
import { createCaptureReader } from '../../../app/capture/reader';
import { CaptureSession } from '../../../app/index/session';
import { CORPUS_DIR, SAMPLES_DIR, tsharkFields, tsharkSkipReason } from '../../helpers/tshark';

/*
 * The details of a TCP frame are rebuilt by replaying its stream: the analysis fields must be the ones
 * tshark shows with the whole capture behind it (tcp.stream numbered capture-wide, relative numbers,
 * analysis flags), for every TCP frame of these captures.
 */

const FILES = [join(SAMPLES_DIR, 'handshake-dns.pcapng'), join(CORPUS_DIR, 'arkime/pcap/wireshark-retrans.pcap'), join(CORPUS_DIR, 'arkime/pcap/dns-tcp.pcap')];

function load(file: string): CaptureSession {
  const bytes = new Uint8Array(readFileSync(file));
  const session = new CaptureSession({ read: async (offset, length) => bytes.subarray(offset, offset + length) });
  const reader = createCaptureReader({ frame: (raw) => session.addFrame(raw), problem: () => undefined });
  reader.push(bytes);
  reader.end();
  session.finish(reader.format, null);
  return session;
}

function first(nodes: readonly DetailNode[], name: string): DetailNode | undefined {
  for (const node of nodes) {
    if (node.name === name) return node;
    const below = first(node.children, name);
    if (below) return below;
  }
  return undefined;
}

/** The number at the end of a label such as '[Stream index: 1]' or 'Sequence Number: 1    (relative sequence number)'. */
function labelNumber(node: DetailNode | undefined): string {
  const match = node?.label.match(/: (\d+)/);
  return match ? match[1] : '';
}

const skip = tsharkSkipReason();

describe.skipIf(skip !== null)('TCP frame details against tshark', () => {
  for (const file of FILES) {
    it(`shows tcp.stream, relative numbers and analysis flags of ${file.split('/').pop()}`, async () => {
      const session = load(file);
      const tshark = await tsharkFields(file, ['frame.number', 'tcp.stream', 'tcp.seq', 'tcp.ack', 'tcp.analysis.flags']);
      let compared = 0;
      const differences: string[] = [];
      for (const [number, stream, seq, ack, flags] of tshark.rows) {
        if (stream === '') continue;
        const detail = await session.detail(Number(number));
        if (!detail) throw new Error(`no detail for frame ${number}`);
        compared++;
        const got = [labelNumber(first(detail.tree, 'tcp.stream')), labelNumber(first(detail.tree, 'tcp.seq')), labelNumber(first(detail.tree, 'tcp.ack')), first(detail.tree, 'tcp.analysis.flags') ? '1' : ''];
        const want = [stream, seq, ack, flags === '' ? '' : '1'];
        if (got.join(' ') !== want.join(' ')) differences.push(`frame ${number}: tshark ${want.join(' ')}, ours ${got.join(' ')}`);
      }
      expect(compared).toBeGreaterThan(0);
      expect(differences.join('\n')).toBe('');
    });
  }
});
