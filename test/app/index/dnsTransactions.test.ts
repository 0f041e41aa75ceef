import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCaptureReader } from '../../../app/capture/reader';
import { CaptureSession } from '../../../app/index/session';
import { CORPUS_DIR, SAMPLES_DIR, tsharkFields, tsharkSkipReason } from '../../helpers/tshark';

/* DNS transactions against tshark's own matching (dns.response_to, dns.time) on every response. */

function transactions(file: string) {
  const bytes = new Uint8Array(readFileSync(file));
  const session = new CaptureSession({ read: async (offset, length) => bytes.subarray(offset, offset + length) });
  const reader = createCaptureReader({ frame: (raw) => session.addFrame(raw), problem: () => undefined });
  reader.push(bytes);
  reader.end();
  session.finish(reader.format, null);
  return session.dnsTransactions();
}

const skip = tsharkSkipReason();

describe.skipIf(skip !== null)('DNS transactions', () => {
  for (const file of [join(SAMPLES_DIR, 'handshake-dns.pcapng'), join(CORPUS_DIR, 'arkime/pcap/dns-udp.pcap')]) {
    it(`pairs queries and responses of ${file.split('/').pop()} as tshark does`, async () => {
      const tshark = await tsharkFields(file, ['frame.number', 'dns.response_to', 'dns.time']);
      const ours = transactions(file);
      const responses = tshark.rows.filter(([, to]) => to !== '');
      expect(responses.length).toBeGreaterThan(0);
      for (const [response, query, time] of responses) {
        const t = ours.find((x) => x.responseFrame === Number(response));
        expect(t, `response ${response}`).toBeDefined();
        expect(t?.queryFrame).toBe(Number(query));
        expect(t?.responseSeconds).toBeCloseTo(Number(time), 9);
      }
    });
  }

  it('names types, rcodes and answers', () => {
    // tshark -r samples/handshake-dns.pcapng: 15/16 A www.example.test -> 10.93.0.2; 29/30 nope.example.test: No such name.
    const sample = transactions(join(SAMPLES_DIR, 'handshake-dns.pcapng'));
    expect(sample.find((t) => t.queryFrame === 15)).toMatchObject({
      transactionId: 0x5100,
      client: '10.93.0.1',
      server: '10.93.0.2',
      name: 'www.example.test',
      type: 'A',
      rcode: 'NoError',
      answers: ['A 10.93.0.2'],
    });
    expect(sample.find((t) => t.queryFrame === 29)).toMatchObject({ name: 'nope.example.test', rcode: 'NXDomain', answers: [] });
  });
});
