import { describe, expect, it } from 'vitest';
import {
  absoluteTimeText,
  escapeFieldsText,
  escapeLabelText,
  fieldOccurrences,
  FirstOccurrences,
  formatFieldValue,
  formatTreeLabel,
  signedTimeText,
} from '../../../app/fields/format';
import { defineField, type FieldOptions, type FieldType } from '../../../app/fields/registry';
import { FieldTree, type FieldNode, type FieldValue } from '../../../app/fields/tree';

/*
 * Expected texts are what tshark 4.0.17 printed (-T fields -E occurrence=f, and -V for labels) for the
 * same field types, on corpus files (zeek/Traces/tcp/timestamp.pcap, arkime/pcap/v6-http.pcap,
 * tcpdump/tests/timestamp_invalid_nano.pcap, pcapplusplus/.../pcapng-example.pcapng) and on crafted
 * DNS/IPv6 captures.
 */

let fieldCount = 0;
function field(type: FieldType, options: FieldOptions = {}, label = 'Label', name?: string) {
  return defineField(name ?? `test.format.f${fieldCount++}`, label, type, options);
}

function node(def: ReturnType<typeof field>, value: FieldValue, offset = 0, length = 0, generated = false): FieldNode {
  return { field: def, source: 0, offset, length, value, generated, children: null };
}

const NO_SOURCES: Uint8Array[] = [];

describe('formatFieldValue', () => {
  it('prints decimal integers whatever the base, except hex bases', () => {
    expect(formatFieldValue(node(field('uint', { bits: 8 }), 64), NO_SOURCES)).toBe('64');
    // icmp.ident is BASE_DEC_HEX: tshark -T fields prints '0', the tree '0 (0x0000)'.
    expect(formatFieldValue(node(field('uint', { bits: 16, base: 'dec_hex' }), 1234), NO_SOURCES)).toBe('1234');
    // afs.fs.status.mode is BASE_OCT: tshark printed 493 for 0755.
    expect(formatFieldValue(node(field('uint', { bits: 32, base: 'oct' }), 0o755), NO_SOURCES)).toBe('493');
    expect(formatFieldValue(node(field('uint64', { bits: 64 }), 18446744073709551615n), NO_SOURCES)).toBe('18446744073709551615');
    expect(formatFieldValue(node(field('int', { bits: 32 }), -20), NO_SOURCES)).toBe('-20');
    expect(formatFieldValue(node(field('framenum'), 56), NO_SOURCES)).toBe('56');
  });

  it('prints hex with the digits of the storage width, not of the mask', () => {
    // eth.type FT_UINT16 -> 0x0800; ip.id BASE_HEX_DEC -> 0x3f66; tcp.flags FT_UINT16 mask 0x0fff -> 0x0002.
    expect(formatFieldValue(node(field('uint', { bits: 16, base: 'hex' }), 0x800), NO_SOURCES)).toBe('0x0800');
    expect(formatFieldValue(node(field('uint', { bits: 16, base: 'hex_dec' }), 0x3f66), NO_SOURCES)).toBe('0x3f66');
    expect(formatFieldValue(node(field('uint', { bits: 16, base: 'hex', mask: 0x0fff }), 2), NO_SOURCES)).toBe('0x0002');
    // ipv6.flow FT_UINT24 -> 0x000000; ipv6.tclass FT_UINT32 mask 0x0ff00000 -> 0x00000000; ip.dsfield FT_UINT8 -> 0x00.
    expect(formatFieldValue(node(field('uint', { bits: 24, base: 'hex', mask: 0xfffff }), 0), NO_SOURCES)).toBe('0x000000');
    expect(formatFieldValue(node(field('uint', { bits: 32, base: 'hex', mask: 0x0ff00000 }), 0), NO_SOURCES)).toBe('0x00000000');
    expect(formatFieldValue(node(field('uint', { bits: 8, base: 'hex' }), 0), NO_SOURCES)).toBe('0x00');
    expect(formatFieldValue(node(field('uint64', { bits: 64, base: 'hex' }), 0xabcn), NO_SOURCES)).toBe('0x0000000000000abc');
  });

  it('prints booleans as 1 and 0, and FT_NONE items as 1', () => {
    expect(formatFieldValue(node(field('bool', { bits: 8, mask: 0x40 }), true), NO_SOURCES)).toBe('1');
    expect(formatFieldValue(node(field('bool', { bits: 16, mask: 0x8000 }), false), NO_SOURCES)).toBe('0');
    // tcp.analysis.flags and tcp.analysis.retransmission (FT_NONE) print 1 when present.
    expect(formatFieldValue(node(field('label'), null), NO_SOURCES)).toBe('1');
  });

  it('prints addresses and bytes from the source', () => {
    // 00:0c:29:ee:6c:6f, 192.168.1.10, 2001:6f8:102d:0:999:39d7:ce98:6e1, then TCP options bytes.
    const frame = new Uint8Array([
      0x00, 0x0c, 0x29, 0xee, 0x6c, 0x6f,
      0xc0, 0xa8, 0x01, 0x0a,
      0x20, 0x01, 0x06, 0xf8, 0x10, 0x2d, 0x00, 0x00, 0x09, 0x99, 0x39, 0xd7, 0xce, 0x98, 0x06, 0xe1,
      0x02, 0x04, 0x05, 0xb4, 0x01, 0x01, 0x08, 0x0a,
    ]);
    expect(formatFieldValue(node(field('ether'), null, 0, 6), [frame])).toBe('00:0c:29:ee:6c:6f');
    expect(formatFieldValue(node(field('ipv4'), null, 6, 4), [frame])).toBe('192.168.1.10');
    expect(formatFieldValue(node(field('ipv6'), null, 10, 16), [frame])).toBe('2001:6f8:102d:0:999:39d7:ce98:6e1');
    // tcp.options -> '020405b40101080a...' (hex, no separators).
    expect(formatFieldValue(node(field('bytes'), null, 26, 8), [frame])).toBe('020405b40101080a');
    expect(formatFieldValue(node(field('bytes'), null, 26, 0), [frame])).toBe('');
  });

  it('prints an address field cut off by the capture as empty rather than reading past the bytes', () => {
    expect(formatFieldValue(node(field('ipv4'), null, 2, 4), [new Uint8Array(4)])).toBe('');
  });

  it('escapes only \\b \\f \\n \\r \\t in strings and stops at a NUL', () => {
    // dns.txt with bytes 'a\rb\vc\fd\ae\bf' printed as a\rb<VT>c\fd<BEL>e\bf; 'ab"\c' printed raw;
    // '\x01a\nb\0c' printed as <SOH>a\nb.
    const string = field('string');
    expect(formatFieldValue(node(string, 'a\rb\vc\fd\x07e\bf'), NO_SOURCES)).toBe('a\\rb\vc\\fd\x07e\\bf');
    expect(formatFieldValue(node(string, 'ab"\\c'), NO_SOURCES)).toBe('ab"\\c');
    expect(formatFieldValue(node(string, '\x01a\nb\0c'), NO_SOURCES)).toBe('\x01a\\nb');
    expect(formatFieldValue(node(string, 'q\tr\x7fs'), NO_SOURCES)).toBe('q\\tr\x7fs');
    expect(escapeFieldsText('www.example.com')).toBe('www.example.com');
  });

  it('prints frame.time_epoch and relative times as seconds.nanoseconds', () => {
    const epoch = field('rel_time', {}, 'Epoch Time', 'frame.time_epoch');
    expect(formatFieldValue(node(epoch, { seconds: 1533585360, nanos: 505285000 }), NO_SOURCES)).toBe('1533585360.505285000');
    expect(formatFieldValue(node(epoch, { seconds: 18446744073204, nanos: 126329000 }), NO_SOURCES)).toBe('18446744073204.126329000');
    const rel = field('rel_time');
    expect(formatFieldValue(node(rel, { seconds: 0, nanos: 56000 }), NO_SOURCES)).toBe('0.000056000');
    expect(formatFieldValue(node(rel, { seconds: -1229993421, nanos: 0 }), NO_SOURCES)).toBe('-1229993421.000000000');
  });

  it('prints out-of-range timestamps of damaged files as tshark does', () => {
    // timestamp_invalid_nano.pcap: a nanosecond field of 1000000000, and of 0x80000000 (read as int32).
    expect(signedTimeText({ seconds: 1418145370, nanos: 1000000000 })).toBe('1418145370.1000000000');
    expect(signedTimeText({ seconds: 1418145370, nanos: -2147483648 })).toBe('-1418145370.2147483648');
    expect(signedTimeText({ seconds: 0, nanos: -1000000000 })).toBe('-0.1000000000');
  });

  const utc = new Date(0).getTimezoneOffset() === 0 && new Date(1.5e12).getTimezoneOffset() === 0;
  it.skipIf(!utc)('prints absolute times as tshark does in UTC (run with TZ=UTC)', () => {
    // With TZ=UTC: 'Aug  6, 2018 19:56:00.505285000 UTC' and 'Jan 19, 586524 07:53:24.126329000 UTC'.
    expect(absoluteTimeText({ seconds: 1533585360, nanos: 505285000 })).toBe('Aug  6, 2018 19:56:00.505285000 UTC');
    expect(absoluteTimeText({ seconds: 168325184, nanos: 999999000 })).toBe('May  3, 1975 04:59:44.999999000 UTC');
    expect(absoluteTimeText({ seconds: 18446744073204, nanos: 126329000 })).toBe('Jan 19, 586524 07:53:24.126329000 UTC');
    const time = field('abs_time', {}, 'Arrival Time');
    expect(formatFieldValue(node(time, { seconds: 1533585360, nanos: 505285000 }), NO_SOURCES)).toBe('Aug  6, 2018 19:56:00.505285000 UTC');
  });

  it('prints doubles as %.15g', () => {
    const double = field('float');
    expect(formatFieldValue(node(double, 2), NO_SOURCES)).toBe('2');
    expect(formatFieldValue(node(double, 0.1), NO_SOURCES)).toBe('0.1');
    expect(formatFieldValue(node(double, 1e-7), NO_SOURCES)).toBe('1e-07');
    expect(formatFieldValue(node(double, 1234567890123456789), NO_SOURCES)).toBe('1.23456789012346e+18');
  });

  it('prints a protocol as its summary when the decoder stored one, else as its bytes', () => {
    const protocol = field('protocol', {}, 'Internet Protocol Version 4');
    expect(formatFieldValue(node(protocol, 'Internet Protocol Version 4, Src: 1.2.3.4, Dst: 5.6.7.8'), NO_SOURCES))
      .toBe('Internet Protocol Version 4, Src: 1.2.3.4, Dst: 5.6.7.8');
    // tshark -e tcp.options.mss (a protocol item without summary text) printed 020405a0.
    const option = field('protocol', {}, 'TCP Option - Maximum segment size');
    expect(formatFieldValue(node(option, null, 1, 4), [new Uint8Array([0x01, 0x02, 0x04, 0x05, 0xa0])])).toBe('020405a0');
  });
});

describe('formatTreeLabel', () => {
  it('shows value names and both bases as Wireshark does', () => {
    const proto = field('uint', { bits: 8, strings: { 6: 'TCP', 17: 'UDP' } }, 'Protocol');
    expect(formatTreeLabel(node(proto, 6), NO_SOURCES)).toBe('Protocol: TCP (6)');
    expect(formatTreeLabel(node(proto, 99), NO_SOURCES)).toBe('Protocol: Unknown (99)');
    expect(formatTreeLabel(node(field('uint', { bits: 8 }, 'Time to Live'), 64), NO_SOURCES)).toBe('Time to Live: 64');
    expect(formatTreeLabel(node(field('uint', { bits: 16, base: 'hex_dec' }, 'Identification'), 0x3f66), NO_SOURCES))
      .toBe('Identification: 0x3f66 (16230)');
    expect(formatTreeLabel(node(field('uint', { bits: 16, base: 'dec_hex' }, 'Identifier (BE)'), 0), NO_SOURCES))
      .toBe('Identifier (BE): 0 (0x0000)');
    expect(formatTreeLabel(node(field('uint', { bits: 16, base: 'hex', strings: { 0x800: 'IPv4' } }, 'Type'), 0x800), NO_SOURCES))
      .toBe('Type: IPv4 (0x0800)');
    expect(formatTreeLabel(node(field('uint', { bits: 32, base: 'oct' }, 'Unix Mode'), 0o555), NO_SOURCES)).toBe('Unix Mode: 0555');
  });

  it('puts bit fields behind their bit pattern, with hex digits of the mask width', () => {
    expect(formatTreeLabel(node(field('bool', { bits: 8, mask: 0x40 }, "Don't fragment"), true), NO_SOURCES))
      .toBe(".1.. .... = Don't fragment: Set");
    expect(formatTreeLabel(node(field('uint', { bits: 8, mask: 0x0f }, 'Header Length'), 5), NO_SOURCES))
      .toBe('.... 0101 = Header Length: 5');
    expect(formatTreeLabel(node(field('uint', { bits: 16, mask: 0x1fff }, 'Fragment Offset'), 0), NO_SOURCES))
      .toBe('...0 0000 0000 0000 = Fragment Offset: 0');
    expect(formatTreeLabel(node(field('uint', { bits: 16, base: 'hex', mask: 0x0fff }, 'Flags'), 0x002), NO_SOURCES))
      .toBe('.... 0000 0000 0010 = Flags: 0x002');
    expect(formatTreeLabel(node(field('uint', { bits: 32, base: 'hex', mask: 0x000fffff }, 'Flow Label'), 0), NO_SOURCES))
      .toBe('.... .... .... 0000 0000 0000 0000 0000 = Flow Label: 0x00000');
  });

  it('shows times, generated fields and escaped strings', () => {
    expect(formatTreeLabel(node(field('rel_time', {}, 'Time since request'), { seconds: 0, nanos: 156166000 }, 0, 0, true), NO_SOURCES))
      .toBe('[Time since request: 0.156166000 seconds]');
    // The DNS TXT label for bytes 'a\rb\vc\fd\ae\bf' is 'TXT: a\rb\vc\fd\ae\bf'.
    expect(formatTreeLabel(node(field('string', {}, 'TXT'), 'a\rb\vc\fd\x07e\bf'), NO_SOURCES)).toBe('TXT: a\\rb\\vc\\fd\\ae\\bf');
    expect(formatTreeLabel(node(field('bool', {}, 'Unsolicited'), true, 0, 0, true), NO_SOURCES)).toBe('[Unsolicited: True]');
  });

  it('shortens long byte fields', () => {
    const bytes = new Uint8Array(40).fill(0xab);
    expect(formatTreeLabel(node(field('bytes', {}, 'Data'), null, 0, 40), [bytes])).toBe(`Data: ${'ab'.repeat(36)}…`);
  });
});

describe('escapeLabelText', () => {
  it('escapes as Wireshark format_text', () => {
    // DNS names printed by tshark: 'x\000y.z', '\001\177', 'A\tB', '\u200B.\u0085.\uFFFE'.
    expect(escapeLabelText('x\0y.z')).toBe('x\\000y.z');
    expect(escapeLabelText('\x01\x7f')).toBe('\\001\\177');
    expect(escapeLabelText('A\tB')).toBe('A\\tB');
    expect(escapeLabelText('\u200b.\u0085.\ufffe')).toBe('\\u200B.\\u0085.\\uFFFE');
    expect(escapeLabelText('été.\ufffd')).toBe('été.\ufffd');
  });
});

describe('FirstOccurrences', () => {
  it('finds the first node of each field in tree order, and null when absent', () => {
    const outer = field('protocol', {}, 'Outer');
    const ttl = field('uint', { bits: 8 });
    const port = field('uint', { bits: 16 });
    const absent = field('uint', { bits: 16 });
    const tree = new FieldTree(true);
    tree.open(outer, 0, 20);
    tree.add(ttl, 8, 1, 64);
    tree.close();
    tree.open(outer, 20, 20);
    tree.add(ttl, 28, 1, 1);
    tree.add(port, 30, 2, 53);
    tree.close();
    const finder = new FirstOccurrences([port, ttl, absent]);
    expect(finder.find(tree.roots).map((n) => n?.value ?? null)).toEqual([53, 64, null]);
    expect(fieldOccurrences(tree.roots, ttl).map((n) => n.value)).toEqual([64, 1]);
  });

  it('fills only the last position of a field listed twice, as tshark does', () => {
    const ttl = field('uint', { bits: 8 });
    const port = field('uint', { bits: 16 });
    const tree = new FieldTree(true);
    tree.add(ttl, 8, 1, 64);
    tree.add(port, 30, 2, 53);
    // tshark -e ip.src -e ip.ttl -e ip.src -e ip.ttl -e ip.src printed '\t\t\t64\t192.168.1.10'.
    const finder = new FirstOccurrences([ttl, port, ttl, port, ttl]);
    expect(finder.find(tree.roots).map((n) => n?.value ?? null)).toEqual([null, null, null, 53, 64]);
  });
});
