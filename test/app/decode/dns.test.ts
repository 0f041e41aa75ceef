import { describe, expect, it } from 'vitest';
import type { Dissection, LayerDecoder } from '../../../app/decode/dissection';
import { decodeDns, decodeLlmnr, decodeMdns, dnsTypeName, formatText, looksLikeDns } from '../../../app/decode/dns';
import { decodePacket, emptyDissection, fieldNames, first, hex, values } from '../../helpers/dissection';

/*
 * DNS decoder (also mDNS, LLMNR and DNS over TCP). Every expected value is what tshark 4.0.17 prints
 * (-T fields, -E occurrence=a) for the same message sent over UDP (or TCP); the crafted messages were
 * checked that way one by one.
 */

/** Decodes `message` as a whole UDP payload with `decoder`. `originalLength` > bytes: the capture cut it. */
function message(dump: string, decoder: LayerDecoder = decodeDns, originalLength?: number): Dissection {
  const bytes = hex(dump);
  const d = emptyDissection(bytes, { originalLength });
  expect(decoder(d, { source: 0, offset: 0, end: bytes.length, embedded: false })).toBeNull();
  return d;
}

/** Every occurrence joined with '|' (tshark's -E occurrence=a -E aggregator='|'). */
function all(d: Dissection, name: string): string {
  return values(d, name).join('|');
}

/** A header (id 0x1234, a standard query with RD) with one question, then `question` and what follows. */
function query(question: string, counts = '0001 0000 0000 0000'): string {
  return `12 34 01 00 ${counts} ${question}`;
}

// tcpdump tests/dns_udp.pcap frame 1, the UDP payload: query www.tcpdump.org A with an EDNS cookie.
//   59 34 | 01 20 (RD, AD) | 00 01 00 00 00 00 00 01
//   03 77 77 77 07 74 63 70 64 75 6d 70 03 6f 72 67 00 | 00 01 | 00 01          www.tcpdump.org A IN
//   00 | 00 29 | 10 00 | 00 | 00 | 00 00 | 00 0c | 00 0a 00 08 42 f5 d0 09 96 f9 0b 13   OPT 4096, COOKIE
const QUERY = `
  59 34 01 20 00 01 00 00 00 00 00 01 03 77 77 77
  07 74 63 70 64 75 6d 70 03 6f 72 67 00 00 01 00
  01 00 00 29 10 00 00 00 00 00 00 0c 00 0a 00 08
  42 f5 d0 09 96 f9 0b 13`;

// tcpdump tests/dns_udp.pcap frame 2, the UDP payload: the answer, 2 A, 2 NS, 5 additional (A, AAAA, OPT),
// with compression pointers to the question (c0 0c), to tcpdump.org (c0 10) and into earlier records.
const RESPONSE = `
  59 34 85 00 00 01 00 02 00 02 00 05 03 77 77 77
  07 74 63 70 64 75 6d 70 03 6f 72 67 00 00 01 00
  01 c0 0c 00 01 00 01 00 00 00 3c 00 04 c0 8b 2e
  42 c0 0c 00 01 00 01 00 00 00 3c 00 04 c6 c7 58
  68 c0 10 00 02 00 01 00 01 51 80 00 12 03 73 6e
  73 08 63 6f 6f 70 65 72 69 78 03 6e 65 74 00 c0
  10 00 02 00 01 00 01 51 80 00 12 03 6e 69 63 09
  73 61 6e 64 65 6c 6d 61 6e 02 63 61 00 c0 6b 00
  01 00 01 00 00 01 2c 00 04 d1 57 f9 12 c0 6b 00
  1c 00 01 00 00 01 2c 00 10 26 07 f0 b0 00 0f 00
  00 00 00 00 00 ba be f0 0d c0 4d 00 01 00 01 00
  00 1c 20 00 04 61 6b 85 0f c0 4d 00 1c 00 01 00
  00 1c 20 00 10 26 00 3c 03 00 00 00 00 f0 3c 91
  ff fe 96 e8 ef 00 00 29 10 00 00 00 00 00 00 00`;

// A crafted response with one record of each type, owner names pointing to the question (c0 0c):
const EVERY_TYPE = `
  be ef 81 80 00 01 00 11 00 00 00 01  | id 0xbeef, flags 0x8180, 1 question, 17 answers, 0, 1 additional
  07 65 78 61 6d 70 6c 65 03 63 6f 6d 00 00 ff 00 01  | example.com ANY IN
  c0 0c 00 0f 00 01 00 00 01 2c 00 08 00 0a 04 6d 61 69 6c 00  | MX 10 mail
  c0 0c 00 10 00 01 00 00 01 2c 00 0b 05 68 65 6c 6c 6f 03 61 ff 62 00  | TXT "hello" "a\\xffb" ""
  c0 0c 00 06 00 01 00 00 0e 10 00 1b 03 6e 73 31 00 c0 0c 78 a3 f1 75 00 00 1c 20 00 00 03 84 00  | SOA ns1 example.com 2024010101 7200 900
  12 75 00 00 00 01 2c                                                                               |   1209600 300
  01 34 01 33 01 32 01 31 07 69 6e 2d 61 64 64 72 04 61 72 70 61 00 00 0c 00 01 00 00 00 3c 00 02  | PTR 4.3.2.1.in-addr.arpa
  c0 0c                                                                                              |   -> example.com
  03 77 77 77 00 00 05 00 01 00 00 00 3c 00 02 c0 0c  | CNAME www -> example.com
  04 5f 73 69 70 04 5f 74 63 70 07 65 78 61 6d 70 6c 65 03 63 6f 6d 00 00 21 00 01 00 00 00 3c 00  | SRV _sip._tcp.example.com
  0b 00 0a 00 05 13 c4 03 73 69 70 00                                                                |   10 5 5060 sip
  c0 0c 01 01 00 01 00 00 00 3c 00 11 00 05 69 73 73 75 65 63 61 2e 65 78 61 6d 70 6c 65  | CAA 0 issue "ca.example"
  c0 0c 00 41 00 01 00 00 00 3c 00 12 00 01 00 00 01 00 03 02 68 32 00 04 00 04 c0 00 02 01  | HTTPS 1 . alpn=h2 ipv4hint
  c0 0c 05 fa 00 01 00 00 00 3c 00 04 de ad be ef  | type 1530 (unknown): de ad be ef
  c0 0c 00 2e 00 01 00 00 00 3c 00 18 00 01 08 02 00 00 0e 10 65 00 00 00 64 00 00 00 12 34 00 00  | RRSIG (Wireshark decodes
  73 69 67 21                                                                                        |   it, we do not)
  c0 0c 00 0a 00 01 00 00 00 3c 00 02 01 02  | NULL 01 02
  c0 0c 00 0d 00 01 00 00 00 3c 00 0b 04 49 36 38 36 05 4c 49 4e 55 58  | HINFO "I686" "LINUX"
  c0 0c 00 1c 00 01 00 00 00 3c 00 10 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01  | AAAA 2001:db8::1
  c0 0c 00 02 00 01 00 00 00 3c 00 00  | NS with no data
  c0 0c 00 27 00 01 00 00 00 3c 00 08 06 74 61 72 67 65 74 00  | DNAME target
  c0 0c 00 63 00 01 00 00 00 3c 00 05 04 76 3d 73 70  | SPF "v=sp"
  c0 0c 00 2f 00 01 00 00 00 3c 00 0e 04 6e 65 78 74 00 00 06 40 01 00 00 00 03  | NSEC next, bitmap A MX RRSIG NSEC
  00 00 29 04 d0 00 00 80 00 00 10 00 0a 00 08 00 01 02 03 04 05 06 07 00 0c 00 00  | OPT 1232 DO, COOKIE, PADDING`;

// arkime tests/pcap/v6-http.pcap frame 7, the UDP payload (port 5353): an mDNS response, every record with
// the cache-flush bit (class 0x8001): linux.local HINFO "I686" "LINUX" and three AAAA.
const MDNS_RESPONSE = `
  00 00 84 00 00 00 00 04 00 00 00 00 05 6c 69 6e
  75 78 05 6c 6f 63 61 6c 00 00 0d 80 01 00 00 00
  78 00 0b 04 49 36 38 36 05 4c 49 4e 55 58 c0 0c
  00 1c 80 01 00 00 00 78 00 10 20 01 06 f8 10 2d
  00 00 a9 d2 17 82 19 95 b6 3b c0 0c 00 1c 80 01
  00 00 00 78 00 10 20 01 06 f8 10 2d 00 00 02 d0
  09 ff fe e3 e8 de c0 0c 00 1c 80 01 00 00 00 78
  00 10 20 01 06 f8 10 2d 00 00 10 33 0c 4c 7e 57
  b1 9e`;

// zeek testing/btest/Traces/dns/dns-edns-bad-length.pcap, the UDP payload: an OPT record whose 1-byte data
// cannot hold an option; Wireshark reads the option's code and length from the next record regardless.
//   ... 00 | 00 29 | 10 00 | 00 00 00 00 | 00 01 | 00 || c0 0c 00 01 ...
const OPT_BAD_LENGTH = `
  33 33 81 80 00 01 00 00 00 00 00 02 07 65 78 61
  6d 70 6c 65 03 63 6f 6d 00 00 01 00 01 00 00 29
  10 00 00 00 00 00 00 01 00 c0 0c 00 01 00 01 00
  00 00 3c 00 04 cb 00 71 07`;

describe('decodeDns', () => {
  it('parse: a query, every header field in tshark order, the EDNS option', () => {
    const d = message(QUERY);
    expect(d.malformed).toBeNull();
    expect(d.protocols).toEqual(['dns']);
    expect(first(d, 'dns')).toBe('Domain Name System (query)');
    expect(fieldNames(d, 'dns.flags')).toEqual([
      'dns.flags', 'dns.flags.response', 'dns.flags.opcode', 'dns.flags.truncated', 'dns.flags.recdesired',
      'dns.flags.z', 'dns.flags.authenticated', 'dns.flags.checkdisable',
    ]);
    expect(first(d, 'dns.id')).toBe('0x5934');
    expect(first(d, 'dns.flags')).toBe('0x0120');
    expect(first(d, 'dns.flags.response')).toBe('0');
    expect(first(d, 'dns.flags.recdesired')).toBe('1');
    expect(first(d, 'dns.flags.authenticated')).toBe('1');
    expect(first(d, 'dns.flags.rcode')).toBe('');
    expect(first(d, 'dns.count.queries')).toBe('1');
    expect(first(d, 'dns.count.add_rr')).toBe('1');
    expect(first(d, 'dns.qry.name')).toBe('www.tcpdump.org');
    expect(first(d, 'dns.qry.name.len')).toBe('15');
    expect(first(d, 'dns.count.labels')).toBe('3');
    expect(first(d, 'dns.qry.type')).toBe('1');
    expect(first(d, 'dns.qry.class')).toBe('0x0001');
    expect(first(d, 'dns.resp.name')).toBe('<Root>');
    expect(first(d, 'dns.resp.type')).toBe('41');
    expect(first(d, 'dns.rr.udp_payload_size')).toBe('4096');
    expect(first(d, 'dns.resp.ext_rcode')).toBe('0x00');
    expect(first(d, 'dns.resp.edns0_version')).toBe('0');
    expect(first(d, 'dns.resp.z')).toBe('0x0000');
    expect(first(d, 'dns.resp.z.do')).toBe('0');
    expect(first(d, 'dns.resp.len')).toBe('12');
    expect(first(d, 'dns.opt.code')).toBe('10');
    expect(first(d, 'dns.opt.len')).toBe('8');
    expect(first(d, 'dns.opt.data')).toBe('42f5d00996f90b13');
    expect(d.dns).toEqual({
      id: 0x5934,
      response: false,
      opcode: 0,
      rcode: 0,
      flags: 0x0120,
      questions: [{ name: 'www.tcpdump.org', type: 1, class: 1 }],
      answers: [],
      authorities: [],
      additionals: [{ name: '<Root>', type: 41, class: 4096, ttl: 0, data: '' }],
      transport: 'udp',
    });
  });

  it('parse: a response with compression pointers backwards into the question and earlier records', () => {
    const d = message(RESPONSE);
    expect(d.malformed).toBeNull();
    expect(first(d, 'dns.flags')).toBe('0x8500');
    expect(first(d, 'dns.flags.authoritative')).toBe('1');
    expect(first(d, 'dns.flags.recavail')).toBe('0');
    expect(first(d, 'dns.flags.rcode')).toBe('0');
    expect(all(d, 'dns.resp.name')).toBe('www.tcpdump.org|www.tcpdump.org|tcpdump.org|tcpdump.org|nic.sandelman.ca|nic.sandelman.ca|sns.cooperix.net|sns.cooperix.net|<Root>');
    expect(all(d, 'dns.resp.type')).toBe('1|1|2|2|1|28|1|28|41');
    expect(all(d, 'dns.resp.ttl')).toBe('60|60|86400|86400|300|300|7200|7200');
    expect(all(d, 'dns.a')).toBe('192.139.46.66|198.199.88.104|209.87.249.18|97.107.133.15');
    expect(all(d, 'dns.ns')).toBe('sns.cooperix.net|nic.sandelman.ca');
    expect(all(d, 'dns.aaaa')).toBe('2607:f0b0:f::babe:f00d|2600:3c03::f03c:91ff:fe96:e8ef');
    expect(d.dns?.answers.map((r) => r.data)).toEqual(['192.139.46.66', '198.199.88.104']);
    expect(d.dns?.authorities.map((r) => r.data)).toEqual(['sns.cooperix.net', 'nic.sandelman.ca']);
    expect(d.dns?.additionals).toHaveLength(5);
  });

  it('parse: each record type as Wireshark shows it', () => {
    const d = message(EVERY_TYPE);
    expect(d.malformed).toBeNull();
    expect(first(d, 'dns.qry.type')).toBe('255');
    // NSEC's type bitmap adds one dns.resp.type per listed type (1 15 46 47), after the NSEC record's own.
    expect(all(d, 'dns.resp.type')).toBe('15|16|6|12|5|33|257|65|1530|46|10|13|28|2|39|99|47|1|15|46|47|41');
    // 17 records and the OPT, but SRV shows its owner as service/proto/name instead of dns.resp.name.
    expect(values(d, 'dns.resp.name')).toHaveLength(17);
    expect(all(d, 'dns.resp.len')).toBe('8|11|27|2|2|11|17|18|4|24|2|11|16|0|8|5|14|16');
    expect(first(d, 'dns.mx.preference')).toBe('10');
    expect(first(d, 'dns.mx.mail_exchange')).toBe('mail');
    expect(all(d, 'dns.txt.length')).toBe('5|3|0');
    expect(all(d, 'dns.txt')).toBe('hello|a\uFFFDb|');
    expect(first(d, 'dns.soa.mname')).toBe('ns1');
    expect(first(d, 'dns.soa.rname')).toBe('example.com');
    expect(first(d, 'dns.soa.serial_number')).toBe('2024010101');
    expect(first(d, 'dns.soa.refresh_interval')).toBe('7200');
    expect(first(d, 'dns.soa.minimum_ttl')).toBe('300');
    expect(first(d, 'dns.ptr.domain_name')).toBe('example.com');
    expect(first(d, 'dns.cname')).toBe('example.com');
    expect(first(d, 'dns.srv.service')).toBe('_sip');
    expect(first(d, 'dns.srv.proto')).toBe('_tcp');
    expect(first(d, 'dns.srv.name')).toBe('example.com');
    expect(first(d, 'dns.srv.priority')).toBe('10');
    expect(first(d, 'dns.srv.weight')).toBe('5');
    expect(first(d, 'dns.srv.port')).toBe('5060');
    expect(first(d, 'dns.srv.target')).toBe('sip');
    expect(first(d, 'dns.caa.flags')).toBe('0x00');
    expect(first(d, 'dns.caa.issue')).toBe('ca.example');
    expect(first(d, 'dns.caa.tag')).toBe('issue');
    expect(first(d, 'dns.caa.value')).toBe('ca.example');
    expect(first(d, 'dns.svcb.svcpriority')).toBe('1');
    expect(first(d, 'dns.svcb.targetname')).toBe('<Root>');
    expect(all(d, 'dns.svcb.svcparam.key')).toBe('1|4');
    expect(first(d, 'dns.svcb.svcparam.alpn')).toBe('h2');
    expect(first(d, 'dns.svcb.svcparam.ipv4hint.ip')).toBe('192.0.2.1');
    // Only the unknown type carries dns.data; RRSIG's data (decoded by Wireshark, not by us) shows nothing.
    expect(all(d, 'dns.data')).toBe('deadbeef');
    expect(first(d, 'dns.null')).toBe('0102');
    expect(first(d, 'dns.hinfo.cpu')).toBe('I686');
    expect(first(d, 'dns.hinfo.os')).toBe('LINUX');
    expect(first(d, 'dns.aaaa')).toBe('2001:db8::1');
    expect(first(d, 'dns.ns')).toBe('');
    expect(first(d, 'dns.dname')).toBe('target');
    expect(first(d, 'dns.spf')).toBe('v=sp');
    expect(first(d, 'dns.nsec.next_domain_name')).toBe('next');
    expect(all(d, 'dns.opt.code')).toBe('10|12');
    expect(all(d, 'dns.opt.len')).toBe('8|0');
    expect(first(d, 'dns.rr.udp_payload_size')).toBe('1232');
    expect(first(d, 'dns.resp.z.do')).toBe('1');
    expect(d.dns?.answers.map((r) => `${dnsTypeName(r.type)} ${r.data}`)).toEqual([
      'MX 10 mail',
      'TXT "hello" "a\uFFFDb" ""',
      'SOA ns1 example.com 2024010101 7200 900 1209600 300',
      'PTR example.com',
      'CNAME example.com',
      'SRV 10 5 5060 sip',
      'CAA 0 issue "ca.example"',
      'HTTPS 1 <Root>',
      'Unknown (1530) ',
      'RRSIG ',
      'NULL ',
      'HINFO "I686" "LINUX"',
      'AAAA 2001:db8::1',
      'NS ',
      'DNAME target',
      'SPF "v=sp"',
      'NSEC next',
    ]);
  });

  it('names: root, one character, escapes, UTF-8 and what is not, dots inside labels', () => {
    const cases: [string, string, string, string][] = [
      // question name bytes, dns.qry.name, dns.qry.name.len, dns.count.labels
      ['00', '<Root>', '6', '1'],
      ['01 61 00', 'a', '0', '0'],
      ['03 61 2e 62 02 0a 09 00', 'a.b.\\n\\t', '6', '3'],
      ['04 61 ff 7f 20 00', 'a\uFFFD\\177 ', '4', '1'],
      ['03 61 5c 62 02 c3 a9 00', 'a\\b.é', '6', '2'],
    ];
    for (const [name, text, length, labels] of cases) {
      const d = message(query(`${name} 00 01 00 01`));
      expect(d.malformed, name).toBeNull();
      expect(first(d, 'dns.qry.name'), name).toBe(text);
      expect(first(d, 'dns.qry.name.len'), name).toBe(length);
      expect(first(d, 'dns.count.labels'), name).toBe(labels);
    }
  });

  it('names: a pointer forward, and a pointer to a zero byte (the root)', () => {
    // 12 34 81 80 00 01 00 01 00 00 00 00 | c0 12 00 01 00 01 (question: pointer to offset 18)
    // 03 66 77 64 00 00 01 00 01 00 00 00 10 00 04 01 02 03 04 (answer fwd A 1.2.3.4)
    const forward = message('12 34 81 80 00 01 00 01 00 00 00 00 c0 12 00 01 00 01 03 66 77 64 00 00 01 00 01 00 00 00 10 00 04 01 02 03 04');
    expect(forward.malformed).toBeNull();
    expect(first(forward, 'dns.qry.name')).toBe('fwd');
    expect(first(forward, 'dns.resp.name')).toBe('fwd');
    expect(first(forward, 'dns.a')).toBe('1.2.3.4');
    // c0 0e points at the 00 of the type that follows: an empty name.
    const root = message(query('c0 0e 00 01 00 01'));
    expect(first(root, 'dns.qry.name')).toBe('<Root>');
    expect(first(root, 'dns.qry.type')).toBe('1');
  });

  it('compression loop: a pointer to itself, and two pointers to each other', () => {
    // zeek dns-invalid-names.pcap frame 2: 22 23 01 00 00 01 00 00 00 00 00 00 | c0 0c 00 01 00 01
    const self = message('22 23 01 00 00 01 00 00 00 00 00 00 c0 0c 00 01 00 01');
    expect(self.malformed).toBeNull();
    expect(first(self, 'dns.qry.name')).toBe('<Name contains a pointer that loops>');
    expect(first(self, 'dns.qry.name.len')).toBe('36');
    expect(first(self, 'dns.count.labels')).toBe('1');
    expect(first(self, 'dns.qry.type')).toBe('1');
    // c0 0e | c0 0c: the name takes 2 bytes, so its type is read from the second pointer.
    const pair = message(query('c0 0e c0 0c 00 01'));
    expect(first(pair, 'dns.qry.name')).toBe('<Name contains a pointer that loops>');
    expect(first(pair, 'dns.qry.type')).toBe('49164');
    expect(first(pair, 'dns.qry.class')).toBe('0x0001');
  });

  it('label too long: 254 characters are "<Name too long>", 253 are kept', () => {
    const label = (length: number): string => `${length.toString(16)} ${'61 '.repeat(length)}`;
    const long = message(query(`${label(63)} ${label(63)} ${label(63)} ${label(62)} 00 00 01 00 01`));
    expect(long.malformed).toBeNull();
    expect(first(long, 'dns.qry.name')).toBe('<Name too long>');
    expect(first(long, 'dns.qry.name.len')).toBe('15');
    expect(first(long, 'dns.count.labels')).toBe('1');
    const longest = message(query(`${label(63)} ${label(63)} ${label(63)} ${label(61)} 00 00 01 00 01`));
    expect(first(longest, 'dns.qry.name')).toBe(`${'a'.repeat(63)}.${'a'.repeat(63)}.${'a'.repeat(63)}.${'a'.repeat(61)}`);
    expect(first(longest, 'dns.qry.name.len')).toBe('253');
    expect(first(longest, 'dns.count.labels')).toBe('4');
  });

  it('label types: extended labels (RFC 6891 section 5), bitstrings, the reserved 0b10', () => {
    // 01 61 42: '<Unknown extended label>' ends the name after the 0x42; its type is read right after it.
    const unknown = message(query('01 61 42 00 01 00 01'));
    expect(first(unknown, 'dns.qry.name')).toBe('<Unknown extended label>');
    expect(first(unknown, 'dns.qry.name.len')).toBe('24');
    expect(first(unknown, 'dns.qry.type')).toBe('1');
    expect(unknown.malformed).toBeNull();
    // 42 first: Wireshark refuses a name of one byte.
    expect(message(query('42 00 01 00 01')).malformed).toMatchObject({ code: 'bad-value', layer: 'dns', offset: 12 });
    // 80 00: the reserved label type.
    const reserved = message(query('80 00 00 01 00 01'));
    expect(reserved.malformed).toMatchObject({ code: 'bad-value', layer: 'dns', offset: 12 });
    expect(first(reserved, 'dns.qry.name')).toBe('');
    // 41 08 ab | 01 61 00: the bitstring '\[xab/8]' fills the buffer but not the name length (2: '.a'), so
    // Wireshark shows the first two characters of it.
    const bitstring = message(query('41 08 ab 01 61 00 00 01 00 01'));
    expect(first(bitstring, 'dns.qry.name')).toBe('\\[');
    expect(first(bitstring, 'dns.qry.name.len')).toBe('2');
    // 41 10 ab cd 00: a name of a bitstring only has no length at all: malformed.
    expect(message(query('41 10 ab cd 00 00 01 00 01')).malformed?.code).toBe('bad-value');
  });

  it('truncated: header cut, fields up to the cut', () => {
    const threeBytes = message('12 34 01');
    expect(threeBytes.protocols).toEqual(['dns']);
    expect(fieldNames(threeBytes, 'dns')).toEqual([]);
    expect(threeBytes.malformed).toMatchObject({ code: 'bad-length', layer: 'dns', offset: 3 });
    const fiveBytes = message('12 34 01 00 00');
    expect(first(fiveBytes, 'dns.id')).toBe('0x1234');
    expect(first(fiveBytes, 'dns.flags')).toBe('0x0100');
    expect(first(fiveBytes, 'dns.count.queries')).toBe('');
    // The same cut by the capture (the frame was longer on the wire) is truncated, not malformed.
    expect(message('12 34 01 00 00', decodeDns, 60).malformed).toMatchObject({ code: 'truncated', layer: 'dns' });
  });

  it('counts larger than the message: what is there, then malformed at the end', () => {
    const d = message(query('01 61 00 00 01 00 01', '0005 0000 0000 0000'));
    expect(all(d, 'dns.qry.name')).toBe('a');
    expect(first(d, 'dns.count.queries')).toBe('5');
    expect(d.malformed).toMatchObject({ code: 'bad-length', layer: 'dns', offset: 19 });
    expect(d.dns?.questions).toHaveLength(1);
    // 65535 answers announced, none there: one failed read, no allocation by the count.
    const bogus = message('12 34 81 80 00 00 ff ff 00 00 00 00');
    expect(first(bogus, 'dns.count.answers')).toBe('65535');
    expect(bogus.dns?.answers).toEqual([]);
    expect(bogus.malformed?.code).toBe('bad-length');
  });

  it('impossible length: record data past the message shows nothing of the record', () => {
    // A record with RDLENGTH 4 and 2 bytes: c0 0c 00 01 00 01 00 00 00 10 00 04 01 02
    const past = message(query('01 61 00 00 01 00 01 c0 0c 00 01 00 01 00 00 00 10 00 04 01 02', '0001 0001 0000 0000'));
    expect(first(past, 'dns.resp.name')).toBe('');
    expect(past.malformed).toMatchObject({ code: 'bad-length', layer: 'dns', offset: 33 });
    // RDLENGTH 2 within the message: the record shows, its A address (4 bytes) cannot be read.
    const short = message(query('01 61 00 00 01 00 01 c0 0c 00 01 00 01 00 00 00 10 00 02 01 02', '0001 0001 0000 0000'));
    expect(first(short, 'dns.resp.name')).toBe('a');
    expect(first(short, 'dns.resp.len')).toBe('2');
    expect(first(short, 'dns.a')).toBe('');
    expect(short.malformed?.code).toBe('bad-length');
    // TXT 01 61 62: "a", then a length byte 0x62 whose string runs past the end.
    const txt = message(query('01 61 00 00 01 00 01 c0 0c 00 10 00 01 00 00 00 10 00 03 01 61 62', '0001 0001 0000 0000'));
    expect(all(txt, 'dns.txt.length')).toBe('1|98');
    expect(all(txt, 'dns.txt')).toBe('a');
    expect(txt.malformed?.code).toBe('bad-length');
  });

  it('EDNS option running past its record: code and length shown, data not', () => {
    const d = message(OPT_BAD_LENGTH);
    expect(first(d, 'dns.qry.name')).toBe('example.com');
    expect(first(d, 'dns.resp.name')).toBe('<Root>');
    expect(first(d, 'dns.resp.len')).toBe('1');
    expect(first(d, 'dns.opt.code')).toBe('192');
    expect(first(d, 'dns.opt.len')).toBe('3072');
    expect(first(d, 'dns.opt.data')).toBe('');
    expect(d.malformed?.code).toBe('bad-length');
  });

  it('mDNS: cache-flush bit split from the class; the QU bit of questions (RFC 6762)', () => {
    const response = message(MDNS_RESPONSE, decodeMdns);
    expect(response.malformed).toBeNull();
    expect(response.protocols).toEqual(['mdns']);
    expect(first(response, 'mdns')).toBe('Multicast Domain Name System (response)');
    expect(all(response, 'dns.resp.class')).toBe('0x0001|0x0001|0x0001|0x0001');
    expect(all(response, 'dns.resp.cache_flush')).toBe('1|1|1|1');
    expect(all(response, 'dns.aaaa')).toBe('2001:6f8:102d:0:a9d2:1782:1995:b63b|2001:6f8:102d:0:2d0:9ff:fee3:e8de|2001:6f8:102d:0:1033:c4c:7e57:b19e');
    expect(response.dns?.answers[0]).toEqual({ name: 'linux.local', type: 13, class: 1, ttl: 120, data: '"I686" "LINUX"' });
    // 00 00 00 00 00 02 ... | _http._tcp.local PTR class 8001 (QU) | c0 0c TXT class 0001 (QM)
    const questions = message('00 00 00 00 00 02 00 00 00 00 00 00 05 5f 68 74 74 70 04 5f 74 63 70 05 6c 6f 63 61 6c 00 00 0c 80 01 c0 0c 00 10 00 01', decodeMdns);
    expect(all(questions, 'dns.qry.name')).toBe('_http._tcp.local|_http._tcp.local');
    expect(all(questions, 'dns.qry.class')).toBe('0x0001|0x0001');
    expect(all(questions, 'dns.qry.qu')).toBe('1|0');
  });

  it('LLMNR: conflict and tentative bits (RFC 4795 section 2.1.1)', () => {
    // 12 34 | 85 00 (QR, C, T) | 1 question, 1 answer | host A IN | c0 0c A IN 30 192.168.0.1
    const d = message('12 34 85 00 00 01 00 01 00 00 00 00 04 68 6f 73 74 00 00 01 00 01 c0 0c 00 01 00 01 00 00 00 1e 00 04 c0 a8 00 01', decodeLlmnr);
    expect(d.protocols).toEqual(['llmnr']);
    expect(first(d, 'llmnr')).toBe('Link-local Multicast Name Resolution (response)');
    expect(fieldNames(d, 'dns.flags')).toEqual([
      'dns.flags', 'dns.flags.response', 'dns.flags.opcode', 'dns.flags.conflict', 'dns.flags.truncated',
      'dns.flags.tentative', 'dns.flags.rcode',
    ]);
    expect(first(d, 'dns.flags.conflict')).toBe('1');
    expect(first(d, 'dns.flags.tentative')).toBe('1');
    expect(first(d, 'dns.a')).toBe('192.168.0.1');
  });

  it('never throws on damaged messages (seeded byte flips and cuts of real and crafted messages)', () => {
    let state = 0x2545f491;
    const random = (limit: number): number => {
      // xorshift32: reproducible from its seed.
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) % limit;
    };
    for (const original of [QUERY, RESPONSE, EVERY_TYPE, MDNS_RESPONSE, OPT_BAD_LENGTH].map(hex)) {
      for (let round = 0; round < 400; round++) {
        const bytes = original.slice(0, original.length - random(8));
        for (let flips = random(4) + 1; flips > 0; flips--) bytes[random(bytes.length)] = random(256);
        for (const decoder of [decodeDns, decodeMdns, decodeLlmnr]) {
          const d = emptyDissection(bytes);
          expect(() => decoder(d, { source: 0, offset: 0, end: bytes.length, embedded: false })).not.toThrow();
        }
      }
    }
  });

  it('fast path: the repr without a tree', () => {
    const bytes = hex(RESPONSE);
    const d = emptyDissection(bytes, { withTree: false });
    decodeDns(d, { source: 0, offset: 0, end: bytes.length, embedded: false });
    expect(d.tree.roots).toEqual([]);
    expect(d.dns?.answers.map((r) => r.data)).toEqual(['192.139.46.66', '198.199.88.104']);
  });
});

describe('decodeDnsOverTcp', () => {
  const MESSAGE = '12 34 01 00 00 01 00 00 00 00 00 00 01 61 00 00 01 00 01';

  /** 10.0.0.1:1234 -> 10.0.0.2:53, PSH+ACK, with `payload`; `captured` bytes of the packet kept. */
  function segment(payload: string, captured?: number): Dissection {
    const body = hex(`04 d2 00 35 00 00 00 01 00 00 00 02 50 18 ff ff 00 00 00 00 ${payload}`);
    const total = 20 + body.length;
    const packet = new Uint8Array(total);
    packet.set(hex(`45 00 ${(total >> 8).toString(16).padStart(2, '0')} ${(total & 0xff).toString(16).padStart(2, '0')} 00 01 00 00 40 06 00 00 0a 00 00 01 0a 00 00 02`));
    packet.set(body, 20);
    return decodePacket(packet.subarray(0, captured ?? total), 'tcp', { originalLength: total });
  }

  it('parse: the length prefix, then the message', () => {
    const d = segment(`00 13 ${MESSAGE}`);
    expect(d.malformed).toBeNull();
    expect(d.protocols).toEqual(['tcp', 'dns']);
    expect(fieldNames(d, 'dns').slice(0, 3)).toEqual(['dns', 'dns.length', 'dns.id']);
    expect(first(d, 'dns.length')).toBe('19');
    expect(first(d, 'dns.qry.name')).toBe('a');
    expect(d.dns?.transport).toBe('tcp');
  });

  it('two messages in one segment: both decoded, dns listed once, the repr of the first', () => {
    const d = segment(`00 13 ${MESSAGE} 00 13 ${MESSAGE.replace('12 34', 'ab cd')}`);
    expect(d.protocols).toEqual(['tcp', 'dns']);
    expect(all(d, 'dns.length')).toBe('19|19');
    expect(all(d, 'dns.id')).toBe('0x1234|0xabcd');
    expect(d.dns?.id).toBe(0x1234);
  });

  it('a message continued in a later segment waits: nothing decoded here', () => {
    // 00 40: 64 bytes announced, 19 present.
    const d = segment(`00 40 ${MESSAGE}`);
    expect(d.protocols).toEqual(['tcp']);
    expect(first(d, 'dns.id')).toBe('');
    expect(d.malformed).toBeNull();
    // A whole message and one byte of the next: the first is decoded, the byte waits.
    const tail = segment(`00 13 ${MESSAGE} 00`);
    expect(all(tail, 'dns.id')).toBe('0x1234');
  });

  it('truncated: a segment cut by the capture decodes what was captured', () => {
    // 40 bytes of headers, then 00 13 12 34 01 00 00 01 00 00 of the message.
    const d = segment(`00 13 ${MESSAGE}`, 50);
    expect(d.protocols).toEqual(['tcp', 'dns']);
    expect(first(d, 'dns.length')).toBe('19');
    expect(first(d, 'dns.id')).toBe('0x1234');
    expect(first(d, 'dns.qry.name')).toBe('');
    expect(d.malformed).toMatchObject({ code: 'truncated', layer: 'dns' });
  });

  it('impossible length: a message shorter than its header is malformed', () => {
    const d = segment('00 05 12 34 01 00 00');
    expect(first(d, 'dns.length')).toBe('5');
    expect(first(d, 'dns.id')).toBe('0x1234');
    expect(d.malformed).toMatchObject({ code: 'bad-length', layer: 'dns' });
  });
});

describe('looksLikeDns (Wireshark 4.0 dissect_dns_heur)', () => {
  const check = (header: string): boolean => {
    const b = hex(`${header} 01 61 00 00 01 00 01`);
    return looksLikeDns(b, 0, b.length, b.length);
  };
  it('takes standard queries with one question and responses with believable counts', () => {
    expect(check('12 34 01 00 00 01 00 00 00 00 00 00')).toBe(true);
    expect(check('12 34 81 80 00 00 00 00 00 01 00 00')).toBe(true);
    expect(check('12 34 81 80 00 01 00 64 00 0a 00 0a')).toBe(true);
    expect(check('12 34 01 00 00 01 00 01 00 00 00 00')).toBe(false); // a query with an answer
    expect(check('12 34 09 00 00 01 00 00 00 00 00 00')).toBe(false); // opcode 1
    expect(check('12 34 81 80 00 02 00 00 00 00 00 00')).toBe(false); // two questions
    expect(check('12 34 81 80 00 01 00 65 00 00 00 00')).toBe(false); // 101 answers
    expect(check('12 34 81 80 00 01 00 00 00 0b 00 00')).toBe(false); // 11 authorities
    expect(check('12 34 01 00 00 01 00 00 00 00 00 0b')).toBe(false); // 11 additionals
    const headerOnly = hex('12 34 01 00 00 01 00 00 00 00 00 00');
    expect(looksLikeDns(headerOnly, 0, 12, 12)).toBe(false);
  });
});

describe('formatText (Wireshark 4.0 format_text)', () => {
  const text = (dump: string): string => {
    const b = hex(dump);
    return formatText(b, 0, b.length);
  };
  it('escapes ASCII controls, keeps printable ASCII and the backslash', () => {
    expect(text('41 00 42')).toBe('A\\000B');
    expect(text('07 08 09 0a 0b 0c 0d')).toBe('\\a\\b\\t\\n\\v\\f\\r');
    expect(text('1b 1f 7f')).toBe('\\033\\037\\177');
    expect(text('22 27 5c 20')).toBe('"\'\\ ');
  });
  it('decodes UTF-8, escaping what is not printable and replacing what is not valid', () => {
    expect(text('c3 a9 e0 a0 80 f0 9f 98 80 ee 80 80 e2 80 a8')).toBe('é\u0800😀\ue000\u2028');
    expect(text('c2 80')).toBe('\\u0080');
    expect(text('c2 ad e2 80 8b ef bf be cd b8 e1 bf bf')).toBe('\\u00AD\\u200B\\uFFFE\\u0378\\u1FFF');
    expect(text('f3 a0 80 81')).toBe('\\U000E0001');
    // Overlong forms are decoded, not refused.
    expect(text('c0 80 c1 bf e0 80 80')).toBe('\\u0000\\u007F\\u0000');
    // One U+FFFD per bad lead byte, per lone continuation byte, and per cut or out-of-range sequence.
    expect(text('41 80 42')).toBe('A\uFFFDB');
    expect(text('a0 80')).toBe('\uFFFD\uFFFD');
    expect(text('c3 41')).toBe('\uFFFDA');
    expect(text('e0 80 42')).toBe('\uFFFDB');
    expect(text('ed a0 80')).toBe('\uFFFD');
    expect(text('f4 90 80 80 f8 88 80 80 80 fe ff')).toBe('\uFFFD\uFFFD\uFFFD\uFFFD');
    expect(text('c3 c3 a9')).toBe('\uFFFDé');
  });
});
