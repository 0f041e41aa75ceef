import { describe, expect, it } from 'vitest';
import { decode, first, firsts, hex, values } from './networkFixtures';

/* ARP (RFC 826), RARP (RFC 903) and what tshark 4.0 shows for them. */

const ARP_FIELDS = [
  'arp.hw.type', 'arp.proto.type', 'arp.hw.size', 'arp.proto.size', 'arp.opcode',
  'arp.src.hw_mac', 'arp.src.proto_ipv4', 'arp.dst.hw_mac', 'arp.dst.proto_ipv4',
];

describe('ARP', () => {
  it('parse: request (arkime cloudshark-arp.pcap frame 1)', () => {
    // hw 1, proto 0x0800, sizes 6/4, op 1; 00:1a:6b:6c:0c:cc 10.10.10.2 -> 00:00:00:00:00:00 10.10.10.1
    const d = decode(hex(`
      ff ff ff ff ff ff 00 1a 6b 6c 0c cc 08 06 00 01
      08 00 06 04 00 01 00 1a 6b 6c 0c cc 0a 0a 0a 02
      00 00 00 00 00 00 0a 0a 0a 01 00 00 00 00 00 00
      00 00 00 00 00 00 00 00 00 00 00 00`));
    expect(firsts(d, ARP_FIELDS)).toEqual({
      'arp.hw.type': '1',
      'arp.proto.type': '0x0800',
      'arp.hw.size': '6',
      'arp.proto.size': '4',
      'arp.opcode': '1',
      'arp.src.hw_mac': '00:1a:6b:6c:0c:cc',
      'arp.src.proto_ipv4': '10.10.10.2',
      'arp.dst.hw_mac': '00:00:00:00:00:00',
      'arp.dst.proto_ipv4': '10.10.10.1',
    });
    expect(d.arp).toEqual({
      opcode: 1,
      senderMac: '00:1a:6b:6c:0c:cc',
      senderIp: '10.10.10.2',
      targetMac: '00:00:00:00:00:00',
      targetIp: '10.10.10.1',
    });
    expect(d.protocols).toEqual(['eth', 'ethertype', 'arp']);
    expect(first(d, 'arp.isgratuitous')).toBe('');
    // Offsets are absolute in the frame.
    const arp = d.tree.roots[2];
    expect([arp.field.name, arp.offset, arp.length]).toEqual(['arp', 14, 28]);
    expect(arp.children?.map((node) => [node.field.name, node.offset, node.length])).toEqual([
      ['arp.hw.type', 14, 2], ['arp.proto.type', 16, 2], ['arp.hw.size', 18, 1], ['arp.proto.size', 19, 1],
      ['arp.opcode', 20, 2], ['arp.src.hw_mac', 22, 6], ['arp.src.proto_ipv4', 28, 4],
      ['arp.dst.hw_mac', 32, 6], ['arp.dst.proto_ipv4', 38, 4],
    ]);
  });

  it('parse: reply (arkime cloudshark-arp.pcap frame 2)', () => {
    const d = decode(hex(`
      00 1a 6b 6c 0c cc 00 1d 09 f0 92 ab 08 06 00 01
      08 00 06 04 00 02 00 1d 09 f0 92 ab 0a 0a 0a 01
      00 1a 6b 6c 0c cc 0a 0a 0a 02`));
    expect(firsts(d, ['arp.opcode', 'arp.src.hw_mac', 'arp.dst.hw_mac', 'arp.dst.proto_ipv4'])).toEqual({
      'arp.opcode': '2',
      'arp.src.hw_mac': '00:1d:09:f0:92:ab',
      'arp.dst.hw_mac': '00:1a:6b:6c:0c:cc',
      'arp.dst.proto_ipv4': '10.10.10.2',
    });
  });

  it('parse: gratuitous announcement (tcpdump arp-oobr.pcap frame 14)', () => {
    const d = decode(hex(`
      ff ff ff ff ff ff 00 1f 29 da f8 fb 08 06 00 01
      08 00 06 04 00 01 00 1f 29 da f8 fb c0 a8 00 25
      00 00 00 00 00 00 c0 a8 00 25 00 00 00 00 00 00
      00 00 00 00 00 00 00 00 00 00 00 00`));
    expect(firsts(d, ['arp.isgratuitous', 'arp.isprobe', 'arp.isannouncement'])).toEqual({
      'arp.isgratuitous': '1',
      'arp.isprobe': '',
      'arp.isannouncement': '1',
    });
  });

  // Crafted requests/replies checked one by one with tshark 4.0: which generated flags it adds.
  it.each([
    ['probe: request from 0.0.0.0, zero target MAC', 1, '00000000', '000000000000', 'c0a80001', [false, true, false]],
    ['gratuitous request with a target MAC', 1, 'c0a80001', 'aabbccddeeff', 'c0a80001', [true, false, false]],
    ['gratuitous reply', 2, 'c0a80001', '000000000000', 'c0a80001', [true, false, false]],
    ['reverse request is never gratuitous', 3, 'c0a80001', '000000000000', 'c0a80001', [false, false, false]],
    ['request from 0.0.0.0 with a target MAC is no probe', 1, '00000000', 'aabbccddeeff', 'c0a80001', [false, false, false]],
    ['zero sender and target: gratuitous announcement, not a probe', 1, '00000000', '000000000000', '00000000', [true, false, true]],
  ] as const)('%s', (_name, opcode, senderIp, targetMac, targetIp, [gratuitous, probe, announcement]) => {
    const d = decode(hex(`ffffffffffff 001122334455 0806 0001 0800 06 04 000${opcode} 001122334455 ${senderIp} ${targetMac} ${targetIp}`));
    expect(firsts(d, ['arp.isgratuitous', 'arp.isprobe', 'arp.isannouncement'])).toEqual({
      'arp.isgratuitous': gratuitous ? '1' : '',
      'arp.isprobe': probe ? '1' : '',
      'arp.isannouncement': announcement ? '1' : '',
    });
  });

  it('parse: other address sizes are bytes (tcpdump arp-too-long-tha.pcap, hardware size 14)', () => {
    const d = decode(hex(`
      30 30 30 30 30 30 30 30 30 30 30 30 88 a8 30 30
      08 06 30 30 08 00 0e 04 00 01 30 30 30 30 30 30
      30 30 30 30 30 30 30 30 30 30 30 30 30 30 30 30
      30 30 30 30 30 30 30 30 30 30 30 30 30 30 30 30`), { originalLength: 262144 });
    expect(firsts(d, ['arp.hw.type', 'arp.src.hw_mac', 'arp.src.hw', 'arp.src.proto_ipv4', 'arp.dst.proto_ipv4', 'arp.isgratuitous'])).toEqual({
      'arp.hw.type': '12336',
      'arp.src.hw_mac': '',
      'arp.src.hw': '3030303030303030303030303030',
      'arp.src.proto_ipv4': '48.48.48.48',
      'arp.dst.proto_ipv4': '48.48.48.48',
      'arp.isgratuitous': '1',
    });
    expect(d.arp?.senderMac).toBe('30:30:30:30:30:30:30:30:30:30:30:30:30:30');
  });

  it('truncated: addresses that do not all fit show none (tcpdump arp-oobr.pcap frame 47)', () => {
    // protocol size 36: the addresses need 84 bytes, 32 are there
    const d = decode(hex(`
      ff ff ff ff ff ff 00 1f 29 da 2d 79 08 06 00 01
      08 00 06 24 00 01 00 1f 29 da 2d 79 c0 a8 01 68
      00 00 00 00 00 00 c0 a8 01 01 00 00 00 00 00 00
      00 00 00 00 00 00 00 00 00 00 00 00`));
    expect(first(d, 'arp.opcode')).toBe('1');
    expect(values(d, 'arp.src.hw_mac')).toEqual([]);
    expect(d.malformed).toMatchObject({ code: 'truncated', layer: 'arp', offset: 60 });
    expect(d.arp).toBeNull();
  });

  it('truncated: fixed header cut short keeps what was captured', () => {
    const d = decode(hex('ffffffffffff 001122334455 0806 0001 0800 06'));
    expect(firsts(d, ['arp.hw.type', 'arp.proto.type', 'arp.hw.size', 'arp.proto.size', 'arp.opcode'])).toEqual({
      'arp.hw.type': '1',
      'arp.proto.type': '0x0800',
      'arp.hw.size': '6',
      'arp.proto.size': '',
      'arp.opcode': '',
    });
    expect(d.malformed).toMatchObject({ code: 'truncated', layer: 'arp', offset: 19 });
  });

  it('impossible length: ATM ARP longer than the frame shows no field (tcpdump arp-oobr.pcap frame 1166)', () => {
    const d = decode(hex(`
      ff ff ff ff ff ff 00 1f 29 da 2d 79 08 06 00 13
      08 00 06 04 00 01 00 1f 29 da 2d 79 c0 a8 01 68
      00 00 00 00 00 00 c0 a8 01 01 00 00 00 00 00 00
      00 00 00 00 00 00 00 00 00 00 00 00`));
    expect(d.protocols).toEqual(['eth', 'ethertype', 'arp', 'atmarp']);
    expect(first(d, 'arp.opcode')).toBe('');
    expect(d.malformed).toMatchObject({ code: 'truncated', layer: 'arp' });
  });
});
