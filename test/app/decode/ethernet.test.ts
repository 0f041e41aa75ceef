import { describe, expect, it } from 'vitest';
import { decode, first, firsts, hex, values } from './networkFixtures';

/*
 * Ethernet II / 802.3, 802.1Q and 802.1ad tags, LLC/SNAP. Expected values are what tshark 4.0 prints for
 * the same bytes (`tshark -T fields -E occurrence=f`), checked when the frames were taken from the corpus.
 */

describe('Ethernet', () => {
  it('parse: Ethernet II carrying IPv4 (tcpdump tests/time_2038.pcap frame 1)', () => {
    // dst 00:11:22:33:44:66  src 00:11:22:33:44:55  type 0x0800, then IPv4/UDP/DNS
    const d = decode(hex(`
      00 11 22 33 44 66 00 11 22 33 44 55 08 00 45 00
      00 54 59 cd 00 00 40 11 94 ae c0 a8 01 0b d1 57
      f9 12 ab be 00 35 00 40 78 24 59 34 01 20 00 01
      00 00 00 00 00 01 03 77 77 77 07 74 63 70 64 75
      6d 70 03 6f 72 67 00 00 01 00 01 00 00 29 10 00
      00 00 00 00 00 0c 00 0a 00 08 42 f5 d0 09 96 f9
      0b 13`));
    expect(firsts(d, ['eth.dst', 'eth.src', 'eth.type', 'eth.dst.lg', 'eth.dst.ig'])).toEqual({
      'eth.dst': '00:11:22:33:44:66',
      'eth.src': '00:11:22:33:44:55',
      'eth.type': '0x0800',
      'eth.dst.lg': '0',
      'eth.dst.ig': '0',
    });
    // eth.addr appears under both addresses, destination first.
    expect(values(d, 'eth.addr')).toEqual(['00:11:22:33:44:66', '00:11:22:33:44:55']);
    expect(d.protocols.slice(0, 3)).toEqual(['eth', 'ethertype', 'ip']);
    expect(d.eth).toEqual({ src: '00:11:22:33:44:55', dst: '00:11:22:33:44:66', etherType: 0x0800, vlanIds: [] });
    expect(d.malformed).toBeNull();
  });

  it('records absolute offsets and lengths', () => {
    const d = decode(hex('ffffffffffff 001122334455 0806' + '0001080006040001 001122334455 0a000001 000000000000 0a000002'));
    const eth = d.tree.roots[1];
    expect([eth.field.name, eth.offset, eth.length]).toEqual(['eth', 0, 14]);
    const type = eth.children?.find((node) => node.field.name === 'eth.type');
    expect([type?.offset, type?.length, type?.value]).toEqual([12, 2, 0x0806]);
  });

  it('truncated: a header cut short shows no field (as tshark) and is malformed', () => {
    const d = decode(hex('00 26 88 e7 8d 81 a8 20'), { originalLength: 78 });
    expect(first(d, 'eth.dst')).toBe('');
    expect(d.protocols).toEqual(['eth']);
    expect(d.malformed).toMatchObject({ code: 'truncated', layer: 'eth', offset: 8 });
    expect(d.eth).toBeNull();
  });

  it('impossible length: 1501..1535 is neither a length nor a type', () => {
    const d = decode(hex('ffffffffffff 001122334455 05f0 0000000000000000'));
    expect(first(d, 'eth.invalid_lentype')).toBe('0x05f0');
    expect(first(d, 'eth.type')).toBe('');
    expect(d.protocols).toEqual(['eth', 'data']);
    expect(d.malformed).toMatchObject({ code: 'bad-value', layer: 'eth', offset: 12 });
  });

  it('unknown EtherType ends the frame without being malformed', () => {
    // LLDP (0x88cc), which we do not decode.
    const d = decode(hex('0180c200000e 001122334455 88cc 0207040011223344'));
    expect(first(d, 'eth.type')).toBe('0x88cc');
    expect(d.protocols).toEqual(['eth', 'ethertype']);
    expect(d.malformed).toBeNull();
  });
});

describe('802.3 and LLC', () => {
  it('parse: 802.3 length, SNAP header, ARP (zeek snap-arp.pcapng frame 1)', () => {
    // length 0x0024; LLC aa aa 03; SNAP OUI 00-00-00 type 0x0806; ARP request; padding
    const d = decode(hex(`
      ff ff ff ff ff ff c2 3d 19 6c 00 01 00 24 aa aa
      03 00 00 00 08 06 00 06 08 00 06 04 00 01 c2 3d
      19 6c 00 01 0a 00 00 01 00 00 00 00 00 00 0a 00
      00 02 00 00 00 00 00 00 00 00 00 00`));
    expect(firsts(d, ['eth.len', 'eth.type', 'llc.dsap', 'llc.ssap', 'llc.control', 'llc.type', 'arp.opcode'])).toEqual({
      'eth.len': '36',
      'eth.type': '',
      'llc.dsap': '0xaa',
      'llc.ssap': '0xaa',
      'llc.control': '0x0003',
      'llc.type': '0x0806',
      'arp.opcode': '1',
    });
    expect(d.protocols).toEqual(['eth', 'llc', 'arp']);
    expect(d.malformed).toBeNull();
  });

  it('parse: other LLC SAPs stop after the LLC header, not malformed (zeek wikipedia.pcap frame 4, STP)', () => {
    const d = decode(hex(`
      01 80 c2 00 00 00 00 13 7f 4f 8e f2 00 27 42 42
      03 00 00 02 02 3c 82 d0 00 13 7f be 8c c0 00 00
      00 00 82 d0 00 13 7f be 8c c0 81 93 00 00 14 00
      02 00 0f 00 00 00 00 00 00 00 00 00`));
    expect(firsts(d, ['eth.len', 'llc.dsap', 'llc.ssap', 'llc.control'])).toEqual({
      'eth.len': '39',
      'llc.dsap': '0x42',
      'llc.ssap': '0x42',
      'llc.control': '0x0003',
    });
    expect(d.protocols).toEqual(['eth', 'llc']);
    expect(d.malformed).toBeNull();
  });

  it('truncated: LLC header cut by the 802.3 length', () => {
    const d = decode(hex('ffffffffffff 001122334455 0002 aaaa 03000000'));
    expect(first(d, 'llc.ssap')).toBe('0xaa');
    expect(d.malformed).toMatchObject({ code: 'truncated', layer: 'llc', offset: 16 });
  });
});

describe('802.1Q and 802.1ad tags', () => {
  it('VLAN stacking: two 802.1Q tags (zeek q-in-q.pcap frame 1)', () => {
    // 81 00 | 00 0d (VLAN 13) 81 00 | 00 0a (VLAN 10) 08 00 | IPv4/UDP
    const d = decode(hex(`
      ff ff ff ff ff ff 00 c0 e4 01 2c ed 81 00 00 0d
      81 00 00 0a 08 00 45 00 00 2e 47 96 00 00 40 11
      74 9e ac 13 33 25 ac 13 33 3f ba c0 ba c0 00 1a
      b9 da 81 0b 00 12 01 20 ff ff 00 ff 10 08 0a 1b
      59 1a 1b 59`));
    // tshark's eth.type is the outer TPID; vlan.id and vlan.etype with occurrence=f are the outer tag's.
    expect(firsts(d, ['eth.type', 'vlan.id', 'vlan.etype', 'ip.src'])).toEqual({
      'eth.type': '0x8100',
      'vlan.id': '13',
      'vlan.etype': '0x8100',
      'ip.src': '172.19.51.37',
    });
    expect(values(d, 'vlan.id')).toEqual(['13', '10']);
    expect(d.protocols.slice(0, 6)).toEqual(['eth', 'ethertype', 'vlan', 'ethertype', 'vlan', 'ethertype']);
    expect(d.eth).toMatchObject({ etherType: 0x0800, vlanIds: [13, 10] });
  });

  it('parse: priority and DEI (zeek http-vlan-0.pcap frame 1, priority-tagged VLAN 0)', () => {
    const d = decode(hex(`
      00 10 db 88 d2 ef c8 bc c8 96 d2 a0 81 00 b0 00
      08 00 45 00 00 40 df 8e 40 00 40 06 6d d3 8d 8e
      e4 05 c0 96 bb 2b e9 d0 00 50 fe 21 32 3a 00 00
      00 00 b0 02 ff ff 3b c0 00 00 02 04 05 b4 01 03
      03 04 01 01 08 0a 16 4a dd 20 00 00 00 00 04 02
      00 00`));
    expect(firsts(d, ['vlan.priority', 'vlan.dei', 'vlan.id', 'vlan.etype'])).toEqual({
      'vlan.priority': '5',
      'vlan.dei': '1',
      'vlan.id': '0',
      'vlan.etype': '0x0800',
    });
  });

  it('parse: 802.1ad service tag then a customer tag (tcpdump 802.1ad_QinQ.pcap frame 1)', () => {
    // 88 a8 | 00 c8 (S-VID 200) 81 00 | 07 d1 (C-VID 2001) 08 06 | ARP
    const d = decode(hex(`
      ff ff ff ff ff ff 00 20 d2 5a fb 3f 88 a8 00 c8
      81 00 07 d1 08 06 00 01 08 00 06 04 00 01 00 20
      d2 5a fb 3f ac 15 4f 61 00 00 00 00 00 00 ac 15
      4f 64 00 00 00 00 00 00 00 00 00 00 00 00 00 00`));
    expect(firsts(d, ['eth.type', 'ieee8021ad.id', 'ieee8021ah.etype', 'vlan.id', 'arp.src.proto_ipv4'])).toEqual({
      'eth.type': '0x88a8',
      'ieee8021ad.id': '200',
      'ieee8021ah.etype': '0x8100',
      'vlan.id': '2001',
      'arp.src.proto_ipv4': '172.21.79.97',
    });
    expect(d.protocols).toEqual(['eth', 'ethertype', 'ieee8021ad', 'ethertype', 'vlan', 'ethertype', 'arp']);
    expect(d.eth?.vlanIds).toEqual([200, 2001]);
  });

  it('truncated: a tag cut after its TCI keeps priority, DEI and id', () => {
    const d = decode(hex('ffffffffffff 001122334455 8100 2064'));
    expect(firsts(d, ['vlan.priority', 'vlan.id', 'vlan.etype'])).toEqual({ 'vlan.priority': '1', 'vlan.id': '100', 'vlan.etype': '' });
    expect(d.malformed).toMatchObject({ code: 'truncated', layer: 'vlan', offset: 16 });
  });

  it('bounds stacked service tags', () => {
    const tags = '88a8 0001 '.repeat(12);
    const d = decode(hex(`ffffffffffff 001122334455 ${tags} 0800`));
    expect(values(d, 'ieee8021ad.id')).toHaveLength(8);
    expect(d.malformed).toMatchObject({ code: 'loop', layer: 'ieee8021ad' });
  });
});
