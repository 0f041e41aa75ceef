import { describe, expect, it } from 'vitest';
import { fieldOccurrences } from '../../../app/fields/format';
import { fieldByName } from '../../../app/fields/registry';
import { decode, decodeAll, first, firsts, hex, values } from './networkFixtures';

/*
 * IPv6 and its extension headers. Corpus frames are named; crafted frames (2001:db8::1 -> 2001:db8::2)
 * were checked with tshark 4.0, whose output the expectations copy.
 */

const ETH = '020000000002 020000000001 86dd';
/** Fixed header from 2001:db8::1 to 2001:db8::2, hop limit 64; payload length and next header filled in. */
function fixedHeader(payloadLength: number, next: number): string {
  const plen = payloadLength.toString(16).padStart(4, '0');
  const nxt = next.toString(16).padStart(2, '0');
  return `60000000 ${plen} ${nxt} 40 20010db8000000000000000000000001 20010db8000000000000000000000002`;
}
/** UDP 1234 -> 53, length 32, with its checksum for the addresses above. */
const UDP = '04d2 0035 0020 cf62 5151515151515151 5151515151515151 5151515151515151';

describe('IPv6', () => {
  it('parse: fixed header with an atomic fragment header (zeek ipv6-http-atomic-frag.pcap frame 13)', () => {
    // next header 44; fragment header: next 6, offset 0, M 0, id 0 — decoded straight through to TCP
    const d = decode(hex(`
      aa 00 04 00 0a 04 00 10 18 95 31 6a 86 dd 60 00
      00 00 00 1c 2c 40 20 01 0d b8 00 01 00 00 00 00
      00 00 00 00 00 02 20 01 0d b8 00 01 00 00 00 00
      00 00 00 00 00 01 06 00 00 00 00 00 00 00 e9 2e
      00 50 69 81 79 05 00 00 00 00 50 02 20 00 68 66
      00 00`));
    expect(firsts(d, [
      'ipv6.version', 'ipv6.tclass', 'ipv6.flow', 'ipv6.plen', 'ipv6.nxt', 'ipv6.hlim', 'ipv6.src', 'ipv6.dst',
      'ipv6.fraghdr.nxt', 'ipv6.fraghdr.reserved_octet', 'ipv6.fraghdr.offset', 'ipv6.fraghdr.more', 'ipv6.fraghdr.ident',
    ])).toEqual({
      'ipv6.version': '6', 'ipv6.tclass': '0x00000000', 'ipv6.flow': '0x000000', 'ipv6.plen': '28', 'ipv6.nxt': '44',
      'ipv6.hlim': '64', 'ipv6.src': '2001:db8:1::2', 'ipv6.dst': '2001:db8:1::1', 'ipv6.fraghdr.nxt': '6',
      'ipv6.fraghdr.reserved_octet': '0x00', 'ipv6.fraghdr.offset': '0', 'ipv6.fraghdr.more': '0',
      'ipv6.fraghdr.ident': '0x00000000',
    });
    expect(d.protocols).toEqual(['eth', 'ethertype', 'ipv6', 'ipv6.fraghdr', 'tcp']);
    // ipv6.nxt is the fixed header's; the repr names the transport and its payload after the extension.
    expect(d.ip).toMatchObject({ version: 6, protocol: 6, ttl: 64, payloadLength: 20, fragment: false, reassembled: false });
    // The IPv6 node spans the extension headers, which nest inside it.
    const ipv6 = d.tree.roots[2];
    expect([ipv6.offset, ipv6.length]).toEqual([14, 48]);
    expect(ipv6.children?.map((node) => node.field.name)).toContain('ipv6.fraghdr');
  });

  it('parse: hop-by-hop options (zeek ipv6-http-atomic-frag.pcap frame 23)', () => {
    // 06 00 | 01 04 00 00 00 00 (PadN of 4)
    const d = decode(hex(`
      aa 00 04 00 0a 04 00 10 18 95 31 6a 86 dd 60 00
      00 00 00 1c 00 40 20 01 0d b8 00 01 00 00 00 00
      00 00 00 00 00 02 20 01 0d b8 00 01 00 00 00 00
      00 00 00 00 00 01 06 00 01 04 00 00 00 00 6b 01
      00 50 51 5f ab e1 00 00 00 00 50 02 20 00 cb d9
      00 00`));
    expect(firsts(d, [
      'ipv6.nxt', 'ipv6.hopopts.nxt', 'ipv6.hopopts.len', 'ipv6.hopopts.len_oct', 'ipv6.opt.type', 'ipv6.opt.type.action',
      'ipv6.opt.length', 'ipv6.opt.padn',
    ])).toEqual({
      'ipv6.nxt': '0', 'ipv6.hopopts.nxt': '6', 'ipv6.hopopts.len': '0', 'ipv6.hopopts.len_oct': '8', 'ipv6.opt.type': '0x01',
      'ipv6.opt.type.action': '0', 'ipv6.opt.length': '4', 'ipv6.opt.padn': '00000000',
    });
    expect(d.protocols).toEqual(['eth', 'ethertype', 'ipv6', 'ipv6.hopopts', 'tcp']);
    expect(d.ip?.payloadLength).toBe(20);
  });

  it('parse: destination options (zeek ipv6-http-atomic-frag.pcap frame 4)', () => {
    const d = decode(hex(`
      aa 00 04 00 0a 04 00 10 18 95 31 6a 86 dd 60 00
      00 00 00 1c 3c 40 20 01 0d b8 00 01 00 00 00 00
      00 00 00 00 00 02 20 01 0d b8 00 01 00 00 00 00
      00 00 00 00 00 01 06 00 01 04 00 00 00 00 90 57
      00 50 e3 1e bd 4e 00 00 00 00 50 02 20 00 03 57
      00 00`));
    expect(firsts(d, ['ipv6.nxt', 'ipv6.dstopts.nxt', 'ipv6.dstopts.len_oct', 'ipv6.opt.padn'])).toEqual({
      'ipv6.nxt': '60', 'ipv6.dstopts.nxt': '6', 'ipv6.dstopts.len_oct': '8', 'ipv6.opt.padn': '00000000',
    });
    expect(d.protocols).toEqual(['eth', 'ethertype', 'ipv6', 'ipv6.dstopts', 'tcp']);
  });

  it('parse: type 0 routing header (tcpdump ipv6-routing-header.pcap frame 2)', () => {
    const d = decode(hex(`
      00 13 c4 c7 84 f0 00 12 3f ae 22 f7 86 dd 60 00
      00 00 00 30 2b 05 22 00 00 00 00 00 02 44 02 12
      3f ff fe ae 22 f7 22 00 00 00 00 00 02 11 00 02
      00 00 00 00 00 02 3a 04 00 02 00 00 00 00 22 00
      00 00 00 00 02 10 00 02 00 00 00 00 00 04 22 00
      00 00 00 00 02 40 00 02 00 00 00 00 00 04 80 00
      d3 7b 00 00 00 00`));
    expect(firsts(d, [
      'ipv6.routing.nxt', 'ipv6.routing.len', 'ipv6.routing.len_oct', 'ipv6.routing.type', 'ipv6.routing.segleft',
      'ipv6.routing.src.reserved', 'icmpv6.type', 'ipv6.src_slaac_mac',
    ])).toEqual({
      'ipv6.routing.nxt': '58', 'ipv6.routing.len': '4', 'ipv6.routing.len_oct': '40', 'ipv6.routing.type': '0',
      'ipv6.routing.segleft': '2', 'ipv6.routing.src.reserved': '00000000', 'icmpv6.type': '128',
      'ipv6.src_slaac_mac': '00:12:3f:ae:22:f7',
    });
    expect(values(d, 'ipv6.routing.src.addr')).toEqual(['2200::210:2:0:0:4', '2200::240:2:0:0:4']);
    expect(d.protocols).toEqual(['eth', 'ethertype', 'ipv6', 'ipv6.routing', 'icmpv6']);
  });

  it('parse: segment routing header', () => {
    const d = decode(hex(`${ETH} ${fixedHeader(56, 43)} 11 02 04 00 00 00 0000 20010db8000000000000000000000009 ${UDP}`));
    expect(firsts(d, ['ipv6.routing.type', 'ipv6.routing.srh.last_entry', 'ipv6.routing.srh.flags', 'ipv6.routing.srh.tag', 'ipv6.routing.srh.addr'])).toEqual({
      'ipv6.routing.type': '4', 'ipv6.routing.srh.last_entry': '0', 'ipv6.routing.srh.flags': '0x00', 'ipv6.routing.srh.tag': '0000',
      'ipv6.routing.srh.addr': '2001:db8::9',
    });
    expect(d.protocols.slice(2, 5)).toEqual(['ipv6', 'ipv6.routing', 'udp']);
  });

  it('no next header: what follows is data', () => {
    const d = decode(hex(`${ETH} ${fixedHeader(8, 59)} 747261696c696e67`));
    expect(d.protocols).toEqual(['eth', 'ethertype', 'ipv6', 'data']);
    expect(d.ip).toMatchObject({ protocol: 59, payloadLength: 8 });
  });

  it('unknown next header ends the layers without being malformed', () => {
    const d = decode(hex(`${ETH} ${fixedHeader(8, 253)} 6162636465666768`));
    expect(d.protocols).toEqual(['eth', 'ethertype', 'ipv6']);
    expect(d.malformed).toBeNull();
  });

  it('SLAAC: the MAC in a modified EUI-64 interface identifier', () => {
    const d = decode(hex(`${ETH} 60000000 0000 3b 40 fe80000000000000021122fffe334455 fe800000000000000000000000000001`));
    expect(firsts(d, ['ipv6.src_slaac_mac', 'ipv6.dst_slaac_mac'])).toEqual({ 'ipv6.src_slaac_mac': '00:11:22:33:44:55', 'ipv6.dst_slaac_mac': '' });
  });

  it('truncated: fixed header cut after the source (zeek trunc/ip6-trunc.pcap)', () => {
    const d = decode(hex(`
      ff ff ff ff ff ff 00 00 00 00 00 00 86 dd 60 00
      00 00 00 14 00 40 20 01 04 f8 00 04 00 07 02 e0
      81 ff fe 52 ff ff 20 01 04 f8 00 04 00 07 02 e0`), { originalLength: 74 });
    expect(firsts(d, ['ipv6.plen', 'ipv6.src', 'ipv6.dst'])).toEqual({
      'ipv6.plen': '20', 'ipv6.src': '2001:4f8:4:7:2e0:81ff:fe52:ffff', 'ipv6.dst': '',
    });
    expect(d.malformed).toMatchObject({ code: 'truncated', layer: 'ipv6', offset: 48 });
    expect(d.ip).toBeNull();
  });

  it('truncated: an extension header past the end of the frame (zeek trunc/ip6-ext-trunc.pcap)', () => {
    const d = decode(hex(`
      ff ff ff ff ff ff 00 00 00 00 00 00 86 dd 60 00
      00 00 00 14 00 40 20 01 04 f8 00 04 00 07 02 e0
      81 ff fe 52 ff ff 20 01 04 f8 00 04 00 07 02 e0
      81 ff fe 52 9a 6b`));
    expect(d.protocols).toEqual(['eth', 'ethertype', 'ipv6', 'ipv6.hopopts']);
    expect(first(d, 'ipv6.hopopts.nxt')).toBe('');
    expect(d.malformed).toMatchObject({ code: 'truncated', layer: 'ipv6', offset: 54 });
  });

  it('impossible length: a payload length beyond the frame decodes what is there (tshark only warns)', () => {
    const d = decode(hex(`${ETH} ${fixedHeader(200, 17)} ${UDP}`));
    expect(first(d, 'ipv6.plen')).toBe('200');
    expect(d.ip?.payloadLength).toBe(32);
    expect(d.protocols.slice(2, 4)).toEqual(['ipv6', 'udp']);
  });

  it('malformed options: an option past its header marks the layer, the chain goes on', () => {
    // hop-by-hop: next 17, length 0 (8 bytes), option 01 08 claims 8 bytes where 4 are left
    const d = decode(hex(`${ETH} ${fixedHeader(40, 0)} 11 00 01 08 00000000 ${UDP}`));
    expect(d.protocols).toEqual(['eth', 'ethertype', 'ipv6', 'ipv6.hopopts', 'udp', 'dns']);
    expect(d.malformed).toMatchObject({ code: 'bad-length', layer: 'ipv6.hopopts', offset: 56 });
  });

  it('bounds a chain of extension headers', () => {
    const headers = '3c00010400000000'.repeat(20);
    const d = decode(hex(`${ETH} ${fixedHeader(160, 60)} ${headers}`));
    expect(values(d, 'ipv6.dstopts.nxt')).toHaveLength(16);
    expect(d.malformed).toMatchObject({ code: 'loop', layer: 'ipv6' });
  });
});

describe('IPv6 jumbograms (RFC 2675)', () => {
  it('a zero payload length takes the Jumbo Payload option\'s length', () => {
    // hop-by-hop: next 58, option c2 04 00010000 (65536); the frame has only the first bytes
    const frame = hex(`${ETH} ${fixedHeader(0, 0)} 3a00 c204 00010000 8000 0000 0042 0001 70696e67`);
    const d = decode(frame, { originalLength: 14 + 40 + 65536 });
    expect(firsts(d, ['ipv6.plen', 'ipv6.opt.jumbo', 'icmpv6.type'])).toEqual({ 'ipv6.plen': '0', 'ipv6.opt.jumbo': '65536', 'icmpv6.type': '128' });
    expect(d.ip?.payloadLength).toBe(65528);
  });

  it('a zero payload length without a valid jumbo length stops after the hop-by-hop header', () => {
    // tshark shows no field of the header either: it limits the packet to 40 bytes before decoding it.
    const d = decode(hex(`${ETH} ${fixedHeader(0, 0)} 3a00 c204 00000014 8000 4530 0042 0001 70696e67`));
    expect(d.protocols).toEqual(['eth', 'ethertype', 'ipv6', 'ipv6.hopopts']);
    expect(d.malformed).toMatchObject({ code: 'bad-length', layer: 'ipv6', offset: 18 });
  });

  it('a zero payload length without hop-by-hop header: an empty payload', () => {
    const d = decode(hex(`${ETH} ${fixedHeader(0, 59)} 0102030405060708`));
    expect(d.ip?.payloadLength).toBe(0);
    expect(d.protocols).toEqual(['eth', 'ethertype', 'ipv6']);
  });
});

describe('IPv6 fragments', () => {
  /** Fragment header: next header, offset in bytes, M flag, identification. */
  function fragmentHeader(next: number, offset: number, more: boolean, ident: number): string {
    const field = (offset | (more ? 1 : 0)).toString(16).padStart(4, '0');
    return `${next.toString(16).padStart(2, '0')}00 ${field} ${ident.toString(16).padStart(8, '0')}`;
  }
  const udp = hex(UDP);
  const udpHex = (from: number, to: number) => Array.from(udp.subarray(from, to), (b) => b.toString(16).padStart(2, '0')).join('');

  it('reassembles in order and decodes the datagram on the last fragment', () => {
    const frames = [
      hex(`${ETH} ${fixedHeader(24, 44)} ${fragmentHeader(17, 0, true, 0x1234)} ${udpHex(0, 16)}`),
      hex(`${ETH} ${fixedHeader(24, 44)} ${fragmentHeader(17, 16, false, 0x1234)} ${udpHex(16, 32)}`),
    ];
    const [fragment, last] = decodeAll(frames);
    expect(fragment.protocols).toEqual(['eth', 'ethertype', 'ipv6', 'ipv6.fraghdr', 'data']);
    expect(fragment.ip).toMatchObject({ fragment: true, protocol: 17, payloadLength: 16 });
    expect(firsts(fragment, ['ipv6.fraghdr.offset', 'ipv6.fraghdr.more', 'ipv6.fraghdr.ident'])).toEqual({
      'ipv6.fraghdr.offset': '0', 'ipv6.fraghdr.more': '1', 'ipv6.fraghdr.ident': '0x00001234',
    });
    expect(last.protocols).toEqual(['eth', 'ethertype', 'ipv6', 'ipv6.fraghdr', 'udp', 'dns']);
    expect(firsts(last, ['ipv6.fraghdr.offset', 'ipv6.reassembled.length', 'ipv6.fragment.count'])).toEqual({
      'ipv6.fraghdr.offset': '2', 'ipv6.reassembled.length': '32', 'ipv6.fragment.count': '2',
    });
    expect(values(last, 'ipv6.fragment')).toEqual(['1', '2']);
    expect(last.ip).toMatchObject({ reassembled: true, fragment: false, protocol: 17, payloadLength: 32 });
    expect(last.sources[1]).toEqual(udp);
  });

  it('headers after the fragment header are decoded from the reassembled bytes', () => {
    // destination options (next 17, PadN 4) then UDP, split after 24 bytes
    const inner = hex(`1100 0104 00000000 ${UDP}`);
    const part = (from: number, to: number) => Array.from(inner.subarray(from, to), (b) => b.toString(16).padStart(2, '0')).join('');
    const [, last] = decodeAll([
      hex(`${ETH} ${fixedHeader(32, 44)} ${fragmentHeader(60, 0, true, 0x99)} ${part(0, 24)}`),
      hex(`${ETH} ${fixedHeader(24, 44)} ${fragmentHeader(60, 24, false, 0x99)} ${part(24, 40)}`),
    ]);
    expect(last.protocols).toEqual(['eth', 'ethertype', 'ipv6', 'ipv6.fraghdr', 'ipv6.dstopts', 'udp', 'dns']);
    expect(firsts(last, ['ipv6.reassembled.length', 'ipv6.dstopts.nxt'])).toEqual({ 'ipv6.reassembled.length': '40', 'ipv6.dstopts.nxt': '17' });
    expect(last.ip).toMatchObject({ protocol: 17, payloadLength: 32 });
    // The destination options node points into the reassembled buffer, at its start.
    const [dstopts] = fieldOccurrences(last.tree.roots, fieldByName('ipv6.dstopts.nxt')!);
    expect([dstopts.source, dstopts.offset, dstopts.length]).toEqual([1, 0, 1]);
  });

  it('a duplicate of the last fragment after completion starts a datagram that never completes', () => {
    const last = hex(`${ETH} ${fixedHeader(24, 44)} ${fragmentHeader(17, 16, false, 0x1234)} ${udpHex(16, 32)}`);
    const decoded = decodeAll([hex(`${ETH} ${fixedHeader(24, 44)} ${fragmentHeader(17, 0, true, 0x1234)} ${udpHex(0, 16)}`), last, last]);
    expect(decoded.map((d) => d.ip?.reassembled)).toEqual([false, true, false]);
    expect(decoded[2].protocols.at(-1)).toBe('data');
  });

  it('a fragment cut by the capture is data, the first one too', () => {
    const frame = hex(`${ETH} ${fixedHeader(24, 44)} ${fragmentHeader(17, 0, true, 0x1234)} ${udpHex(0, 16)}`);
    const d = decode(frame.subarray(0, frame.length - 4), { originalLength: frame.length });
    expect(d.protocols).toEqual(['eth', 'ethertype', 'ipv6', 'ipv6.fraghdr', 'data']);
    expect(d.state.ipv6Fragments.size).toBe(0);
  });

  it('truncated: a fragment header cut short shows none of its fields (tcpdump ip6_frag_asan.pcap)', () => {
    const d = decode(hex(`
      c0 ce ff a0 00 04 00 00 29 49 ff 75 86 dd 65 1b
      21 00 6a 00 2c 10 04 52 00 22 00 19 00 00 04 1a
      e4 ff 10 ff 48 4d 22 43 00 80 14 00 01 00 00 19
      ff ff ff ff ff fb 0b ff 00 00 01 00`), { originalLength: 262144 });
    expect(d.protocols).toEqual(['eth', 'ethertype', 'ipv6', 'ipv6.fraghdr']);
    expect(first(d, 'ipv6.fraghdr.offset')).toBe('');
    expect(d.malformed).toMatchObject({ code: 'truncated', layer: 'ipv6' });
  });
});
