import { describe, expect, it } from 'vitest';
import { compileFilter } from '../../../app/filter/compile';
import type { CompiledFilter } from '../../../app/filter/compile';
import type { Dissection } from '../../../app/decode/dissection';
import { dnsQuery, tcpSyn } from './fixture';

function compiled(text: string): CompiledFilter {
  const result = compileFilter(text);
  if (!result.ok) throw new Error(`${text}: column ${result.error.column}: ${result.error.message}`);
  return result.filter;
}

function matching(text: string, frames: Dissection[]): number[] {
  const filter = compiled(text);
  return frames.filter((d) => filter.matches(d)).map((d) => d.frame.number);
}

/*
 * Frames 1 and 6 of example.pcap (renumbered 1 and 2, as `editcap -r example.pcap two.pcap 1 6` does); the
 * expected frames are what `tshark -r two.pcap -Y EXPR -T fields -e frame.number` printed (tshark 4.0.17).
 */
const TSHARK_TABLE: ReadonlyArray<readonly [string, number[]]> = [
  ['tcp', [2]],
  ['udp', [1]],
  ['dns', [1]],
  ['eth', [1, 2]],
  ['frame', [1, 2]],
  ['ip.ttl == 64', [1, 2]],
  ['ip.ttl eq 64', [1, 2]],
  ['ip.ttl != 64', []],
  ['ip.ttl ne 64', []],
  ['ip.ttl > 63', [1, 2]],
  ['ip.ttl gt 64', []],
  ['ip.ttl >= 64', [1, 2]],
  ['ip.ttl ge 65', []],
  ['ip.ttl < 65', [1, 2]],
  ['ip.ttl lt 64', []],
  ['ip.ttl <= 64', [1, 2]],
  ['ip.ttl le 63', []],
  ['tcp.port == 80', [2]],
  ['tcp.port != 80', []],
  ['tcp.port ~= 80', [2]],
  ['tcp.port !== 80', [2]],
  ['tcp.port === 80', []],
  ['tcp.port == 44147', [2]],
  ['udp.port == 53', [1]],
  ['udp.port in {53, 5353}', [1]],
  ['udp.port in {1..100}', [1]],
  ['tcp.port in {80 .. 90, 443}', [2]],
  ['tcp.port not in {80}', [1]],
  ['not tcp.port in {80}', [1]],
  ['all tcp.port > 79', [2]],
  ['any tcp.port != 80', [2]],
  ['tcp.port == 0x50', [2]],
  ['tcp.port == 0120', [2]],
  ['tcp.port == 0b1010000', [2]],
  ["tcp.port == 'P'", [2]],
  ['ip.proto == TCP', [2]],
  ['ip.proto == "UDP"', [1]],
  ['tcp.flags.syn', [2]],
  ['tcp.flags.syn == 1', [2]],
  ['tcp.flags.syn == 0', []],
  ['tcp.flags.syn == True', [2]],
  ['tcp.flags.syn == FALSE', []],
  ['tcp.flags.syn == Set', [2]],
  ['tcp.flags.ack == "Not set"', [2]],
  ['tcp.flags.syn == 2', [2]],
  ['tcp.flags == 0x002', [2]],
  ['tcp.flags & 0x02', [2]],
  ['tcp.flags & 0x12 == 0x12', []],
  ['tcp.flags & 0x12 == 0x02', [2]],
  ['ip.flags.df == 1', [1, 2]],
  ['ip.src == 10.0.0.6', [1, 2]],
  ['ip.addr == 10.0.0.138', [1]],
  ['ip.addr != 10.0.0.138', [2]],
  ['ip.dst == 10.0.0.0/8', [1]],
  ['ip.addr == 212.199.0.0/16', [2]],
  ['ip.dst == 212.199.202.9/32', [2]],
  ['ip.src > 10.0.0.5', [1, 2]],
  ['ip.dst > 10.0.0.0/8', [2]],
  ['ip.dst in {10.0.0.0/24, 192.168.0.0/16}', [1]],
  ['ip.dst in {10.0.0.1..10.0.0.200}', [1]],
  ['eth.src == 08:00:27:19:1c:78', [1, 2]],
  ['eth.src == 08-00-27-19-1c-78', [1, 2]],
  ['eth.src == 0800.2719.1c78', [1, 2]],
  ['eth.addr == 30:46:9a:23:fb:fa', [1, 2]],
  ['eth.dst[0:3] == 30:46:9a', [1, 2]],
  ['eth.src[:3] == 08:00:27', [1, 2]],
  ['eth.src[0-2] == 08:00:27', [1, 2]],
  ['eth.src[3:] == 19:1c:78', [1, 2]],
  ['eth.src[-3:] == 19:1c:78', [1, 2]],
  ['eth.src[-1] == 78', [1, 2]],
  ['eth.src[1,3] == 00:19', [1, 2]],
  ['eth.src[0:3,5] == 08:00:27:78', [1, 2]],
  ['eth.src[0] == 8', [1, 2]],
  ['eth.src[0] == 0x08', [1, 2]],
  ['eth.src[0:2] == 0800', [1, 2]],
  ['eth.src[6:]', []],
  ['eth.src[0:3,9]', [1, 2]],
  ['eth.src contains 27:19', [1, 2]],
  ['eth.src contains 27', [1, 2]],
  ['ip.src[0] == 0a', [1, 2]],
  ['ip.src[0] == 10', []],
  ['ip.dst[2:2] == 00:8a', [1]],
  ['frame[0:2] == 30:46', [1, 2]],
  ['frame contains "daisy"', [1]],
  ['frame contains 75:62:75', [1]],
  ['udp contains "ubuntu"', [1]],
  ['ip contains "ubuntu"', [1]],
  ['frame matches "DAISY"', [1]],
  ['frame matches "(?-i)DAISY"', []],
  ['frame matches "^\\\\x30\\\\x46"', [1, 2]],
  ['dns.qry.name == "daisy.ubuntu.com"', [1]],
  ['dns.qry.name == daisy.ubuntu.com', [1]],
  ['dns.qry.name == "DAISY.ubuntu.com"', []],
  ['dns.qry.name contains "ubuntu"', [1]],
  ['dns.qry.name contains ubuntu', [1]],
  ['dns.qry.name matches "^daisy\\\\."', [1]],
  ['dns.qry.name matches "UBUNTU"', [1]],
  ['dns.qry.name ~ "com$"', [1]],
  ['dns.qry.name matches "(?-i)UBUNTU"', []],
  ['dns.qry.name[0:5] == "daisy"', [1]],
  ['dns.qry.name[0:5] == 64:61:69:73:79', [1]],
  ['dns.qry.name > "d"', [1]],
  ['dns.qry.name in {"a".."e"}', [1]],
  ['lower(dns.qry.name) == "daisy.ubuntu.com"', [1]],
  ['upper(dns.qry.name) == "DAISY.UBUNTU.COM"', [1]],
  ['len(dns.qry.name) == 16', [1]],
  ['len(ip.src) == 4', [1, 2]],
  ['len(eth.src) == 6', [1, 2]],
  ['len(tcp.port) == 2', [2]],
  ['count(tcp.port) == 2', [2]],
  ['count(ip.addr) == 2', [1, 2]],
  ['count(udp.port) == 2', [1]],
  ['tcp.srcport != tcp.dstport', [2]],
  ['tcp.port == tcp.port', [2]],
  ['tcp.port != tcp.port', []],
  ['tcp.port !== tcp.port', [2]],
  ['ip.src == frame[26:4]', [1, 2]],
  ['eth.src == frame[6:6]', [1, 2]],
  ['frame.number == 1', [1]],
  ['frame.number in {1..5}', [1, 2]],
  ['frame.len > 74', [1]],
  ['frame.cap_len == 76', [1]],
  ['frame.time_epoch == 1367526033.491822', [1]],
  ['frame.time_epoch > 1367526034', [2]],
  ['frame.time == "May  2, 2013 20:20:33.491822000"', [1]],
  ['frame.time == "2013-05-02 20:20:33.491822"', [1]],
  ['frame.time >= "2013-05-02 20:20:34"', [2]],
  ['frame.len - 14 == ip.len', [1, 2]],
  ['frame.len - 14 == ip.len + 0', [1, 2]],
  ['ip.len * 2 > 121', [1]],
  ['{ip.len + 2} % 8 == 0', [1]],
  ['-ip.ttl == -64', [1, 2]],
  ['tcp.port > -1', []],
  ['tcp.port != -1', [2]],
  ['tcp.options.mss_val == 1460', [2]],
  ['tcp.seq_raw == 0x2e50cd6d', [2]],
  ['tcp.seq_raw > 3000000000', []],
  ['dns.id == 0x3927', [1]],
  ['dns.flags.response == 0', [1]],
  ['dns.qry.type == 1', [1]],
  ['max(tcp.srcport, tcp.dstport) == 44147', [2]],
  ['min(tcp.srcport, tcp.dstport) == 80', [2]],
  ['abs(ip.ttl) == 64', [1, 2]],
  ['tcp or udp', [1, 2]],
  ['tcp and udp', []],
  ['tcp || dns', [1, 2]],
  ['tcp && !dns', [2]],
  ['!tcp', [1]],
  ['not tcp', [1]],
  ['tcp.port == 80 or udp.port == 53 and ip.ttl == 64', [1, 2]],
  ['(tcp.port == 80 or udp.port == 53) and ip.ttl == 65', []],
  ['frame.number == 1 or frame.number == 2 and frame.number == 3', [1]],
  ['!(ip.addr == 10.0.0.6)', []],
  ['.tcp', [2]],
  ['.tcp.port == 80', [2]],
  ['udp.port == 53 && dns.qry.name contains "daisy"', [1]],
];

describe('compileFilter semantics against tshark', () => {
  const frames = [dnsQuery(), tcpSyn(2)];
  it.each(TSHARK_TABLE)('%s', (text, expected) => {
    expect(matching(text, frames)).toEqual(expected);
  });
});

describe('compileFilter over generated TCP analysis fields', () => {
  // Frame 3 is frame 2 again, flagged as a retransmission in stream 3 with an ACK RTT of 125 ms.
  const frames = [dnsQuery(), tcpSyn(2), tcpSyn(3, true)];
  it.each([
    ['tcp.analysis.flags', [3]],
    ['tcp.analysis.retransmission', [3]],
    ['!tcp.analysis.retransmission', [1, 2]],
    ['tcp && !tcp.analysis.flags', [2]],
    ['tcp.stream == 3', [3]],
    ['tcp.stream == 0', [2]],
    ['tcp.stream in {1..5}', [3]],
    ['tcp.stream != 3', [2]],
    ['tcp.analysis.ack_rtt > 0.1', [3]],
    ['tcp.analysis.ack_rtt == 0.125', [3]],
    ['tcp.analysis.ack_rtt < 0.125000001', [3]],
    ['tcp.analysis.ack_rtt > 0.125', []],
    ['tcp.analysis.ack_rtt > -1', [3]],
    ['tcp.len == 0', [2, 3]],
  ] as const)('%s', (text, expected) => {
    expect(matching(text, frames)).toEqual(expected);
  });

  it('rejects comparisons of label fields, as tshark does', () => {
    expect(compileFilter('tcp.analysis.retransmission == 1')).toEqual({
      ok: false,
      error: { column: 1, length: 27, message: 'tcp.analysis.retransmission (type=Label) cannot participate in == comparison.' },
    });
  });
});

describe('compileFilter bookkeeping', () => {
  it('lists the registry fields it reads, aliases expanded', () => {
    const names = compiled('ip.addr == 10.0.0.1 || tcp || len(dns.qry.name) > 3').fields.map((def) => def.name).sort();
    expect(names).toEqual(['dns.qry.name', 'ip.dst', 'ip.src', 'tcp']);
  });

  it('an empty filter matches every frame and reads no field', () => {
    const filter = compiled('');
    expect(filter.fields).toEqual([]);
    expect(filter.matches(dnsQuery())).toBe(true);
  });

  it('keeps no state between frames', () => {
    const filter = compiled('udp.port == 53');
    expect([dnsQuery(), tcpSyn(2), dnsQuery()].map((d) => filter.matches(d))).toEqual([true, false, true]);
  });
});
