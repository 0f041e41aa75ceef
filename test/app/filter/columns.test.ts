import { describe, expect, it } from 'vitest';
import { FieldColumns } from '../../../app/filter/columns';
import { compileFilter } from '../../../app/filter/compile';
import type { CompiledFilter } from '../../../app/filter/compile';
import { dnsQuery, tcpSyn } from './fixture';

function compiled(text: string): CompiledFilter {
  const result = compileFilter(text);
  if (!result.ok) throw new Error(`${text}: ${result.error.message}`);
  return result.filter;
}

/** The fixture's frames 1 (DNS query), 2 (SYN) and 3 (the SYN again, a retransmission in stream 3), twice over. */
function frames() {
  return [dnsQuery(), tcpSyn(2), tcpSyn(3, true), dnsQuery(), tcpSyn(2), tcpSyn(3, true)].map((d, i) => {
    d.frame.number = i + 1;
    return d;
  });
}

function indexed(names?: readonly string[]): FieldColumns {
  const columns = new FieldColumns(names);
  for (const d of frames()) columns.add(d);
  return columns;
}

const COVERED = [
  'tcp', '!tcp', 'udp || tcp', 'ip.ttl == 64', 'ip.addr == 10.0.0.138', 'ip.addr != 10.0.0.138', 'ip.dst == 212.199.0.0/16',
  'tcp.port == 80', 'tcp.port != 80', 'all tcp.port > 79', 'udp.port in {53, 5353}', 'tcp.flags.syn == 1',
  'tcp.flags & 0x12 == 0x02', 'eth.src == 08:00:27:19:1c:78', 'eth.dst[0:3] == 30:46:9a', 'eth.addr == 30:46:9a:23:fb:fa',
  'dns.qry.name contains "ubuntu"', 'dns.qry.name matches "^DAISY"', 'len(dns.qry.name) == 16', 'count(ip.addr) == 2',
  'lower(dns.qry.name) == "daisy.ubuntu.com"', 'tcp.analysis.retransmission', 'tcp.analysis.flags && tcp.stream == 3',
  'tcp.stream in {1..5}', 'tcp.analysis.ack_rtt > 0.1', 'frame.number in {2, 4..5}', 'frame.len - 14 == ip.len',
  'ip.src[0] == 0a', 'ip.proto == UDP',
];

/** Over fields left out of the default list, indexed when asked for: times (frame.time_epoch) among them. */
const COVERED_WHEN_LISTED = ['frame.time_epoch > 1367526034', 'frame.time_epoch < 1367526034.1 && frame.cap_len > 60', 'frame.interface_id == 0'];
const LISTED = ['frame.time_epoch', 'frame.cap_len', 'frame.interface_id'];

describe('FieldColumns', () => {
  it.each(COVERED)('select gives what matches gives over the trees: %s', (text) => {
    const filter = compiled(text);
    const columns = indexed();
    expect(columns.covers(filter)).toBe(true);
    const byTree = frames().filter((d) => filter.matches(d)).map((d) => d.frame.number);
    expect(Array.from(columns.select(filter))).toEqual(byTree);
  });

  it.each(COVERED_WHEN_LISTED)('select gives what matches gives over fields not indexed by default: %s', (text) => {
    const filter = compiled(text);
    expect(indexed().covers(filter)).toBe(false);
    const columns = indexed(LISTED);
    expect(columns.covers(filter)).toBe(true);
    const byTree = frames().filter((d) => filter.matches(d)).map((d) => d.frame.number);
    expect(byTree.length).toBeGreaterThan(0);
    expect(Array.from(columns.select(filter))).toEqual(byTree);
  });

  it('selects within a range of frames', () => {
    expect(Array.from(indexed().select(compiled('tcp'), 3, 5))).toEqual([3, 5]);
    expect(Array.from(indexed().select(compiled('tcp'), 7, 9))).toEqual([]);
  });

  it('does not cover filters over protocol bytes, lengths of protocols or fields it does not hold', () => {
    const columns = indexed();
    expect(columns.covers(compiled('frame contains "daisy"'))).toBe(false);
    expect(columns.covers(compiled('ip[0] == 45'))).toBe(false);
    expect(columns.covers(compiled('len(ip) == 20'))).toBe(false);
    expect(columns.covers(compiled('tcp.len == 0'))).toBe(true);
    expect(columns.covers(compiled('tcp.seq_raw == 1'))).toBe(false);
    expect(indexed(['tcp', 'tcp.srcport']).covers(compiled('tcp.len == 0'))).toBe(false);
    expect(() => indexed(['tcp']).select(compiled('tcp.len == 0'))).toThrow(/does not cover/);
  });

  it('keeps values that outlive the frame buffers', () => {
    const columns = new FieldColumns();
    const d = dnsQuery();
    columns.add(d);
    d.sources[0].fill(0);
    expect(Array.from(columns.select(compiled('eth.src == 08:00:27:19:1c:78')))).toEqual([1]);
  });

  it('stores values in their width, and frame numbers only for fields not in every frame once', () => {
    const columns = new FieldColumns(['ip.ttl', 'tcp', 'udp', 'udp.srcport']);
    for (let i = 0; i < 64; i++) columns.add(tcpSyn(i + 1));
    const dns = dnsQuery();
    dns.frame.number = 65;
    columns.add(dns);
    columns.trim();
    // ip.ttl: 65 one-byte values; tcp: dense presence, nothing; udp: frame 65; udp.srcport: frame 65 and 2 bytes.
    expect(columns.memoryBytes).toBe(65 + 4 + 4 + 2);
    expect(Array.from(columns.select(compiled('ip.ttl == 64 && !udp')))).toEqual(Array.from({ length: 64 }, (_, i) => i + 1));
    expect(Array.from(columns.select(compiled('udp.srcport == 21536')))).toEqual([65]);
    columns.add(tcpSyn(66));
    expect(Array.from(columns.select(compiled('tcp'), 60))).toEqual([60, 61, 62, 63, 64, 66]);
  });

  it('fills fields that most frames have once, and keeps reading them as frames are added', () => {
    const columns = new FieldColumns(['tcp', 'tcp.srcport']);
    const numbered = (d: ReturnType<typeof dnsQuery>, n: number) => {
      d.frame.number = n;
      return d;
    };
    for (let n = 1; n <= 64; n++) columns.add(n === 10 ? numbered(dnsQuery(), n) : tcpSyn(n));
    columns.trim();
    // tcp: a 64-bit bitmap (not 63 frame numbers); tcp.srcport: 64 two-byte slots and the bitmap.
    expect(columns.memoryBytes).toBe(8 + (64 * 2 + 8));
    const allButTen = Array.from({ length: 64 }, (_, i) => i + 1).filter((n) => n !== 10);
    expect(Array.from(columns.select(compiled('tcp.srcport == 44147')))).toEqual(allButTen);
    expect(Array.from(columns.select(compiled('!tcp')))).toEqual([10]);
    columns.add(numbered(dnsQuery(), 65));
    columns.add(tcpSyn(66));
    expect(Array.from(columns.select(compiled('tcp && tcp.srcport != 1'), 60))).toEqual([60, 61, 62, 63, 64, 66]);
  });
});
