import { describe, expect, it } from 'vitest';
import { decode, first, firsts, hex } from './networkFixtures';

/* Linux cooked captures, v1 (LINKTYPE_LINUX_SLL 113) and v2 (LINKTYPE_LINUX_SLL2 276); values as tshark 4.0. */

const SLL = 113;
const SLL2 = 276;

describe('Linux SLL', () => {
  it('parse: ARP over SLL (zeek linuxsll-arp.pcap frame 1)', () => {
    // pkttype 1 (broadcast) | hatype 1 | halen 6 | cc:2d:e0:26:19:99 + 2 unused | protocol 0x0806 | ARP
    const d = decode(hex(`
      00 01 00 01 00 06 cc 2d e0 26 19 99 00 00 08 06
      00 01 08 00 06 04 00 01 cc 2d e0 26 19 99 c0 a8
      16 01 00 00 00 00 00 00 c0 a8 16 a0 00 00 00 00
      00 00 00 00 00 00 00 00 00 00 00 00 00 00`), { linkType: SLL });
    expect(firsts(d, ['sll.pkttype', 'sll.hatype', 'sll.halen', 'sll.src.eth', 'sll.unused', 'sll.etype', 'arp.opcode'])).toEqual({
      'sll.pkttype': '1',
      'sll.hatype': '1',
      'sll.halen': '6',
      'sll.src.eth': 'cc:2d:e0:26:19:99',
      'sll.unused': '0000',
      'sll.etype': '0x0806',
      'arp.opcode': '1',
    });
    expect(d.protocols).toEqual(['sll', 'ethertype', 'arp']);
    expect(d.malformed).toBeNull();
  });

  it('parse: no link-layer address (tcpdump tcp-handshake-nano.pcap frame 1, PPP hatype)', () => {
    // pkttype 4 (sent by us) | hatype 512 | halen 0 | 8 unused bytes | 0x0800 | IPv4/TCP
    const d = decode(hex(`
      00 04 02 00 00 00 00 00 00 00 00 00 00 00 08 00
      45 00 00 3c 29 a9 40 00 40 06 db 5f 83 9b d7 45
      89 74 51 5e b6 40 00 50 2f 84 2a cb 00 00 00 00
      a0 02 6a 40 50 c4 00 00 02 04 05 50 04 02 08 0a
      43 6a 03 62 00 00 00 00 01 03 03 07`), { linkType: SLL });
    expect(firsts(d, ['sll.pkttype', 'sll.hatype', 'sll.halen', 'sll.src.eth', 'sll.unused', 'sll.etype', 'ip.src'])).toEqual({
      'sll.pkttype': '4',
      'sll.hatype': '512',
      'sll.halen': '0',
      'sll.src.eth': '',
      'sll.unused': '0000000000000000',
      'sll.etype': '0x0800',
      'ip.src': '131.155.215.69',
    });
  });

  it('truncated: the fixed fields that were captured stay', () => {
    const d = decode(hex('00 00 00 01 00 06 cc 2d e0'), { linkType: SLL });
    expect(firsts(d, ['sll.pkttype', 'sll.hatype', 'sll.halen', 'sll.src.eth'])).toEqual({
      'sll.pkttype': '0',
      'sll.hatype': '1',
      'sll.halen': '6',
      'sll.src.eth': '',
    });
    expect(d.malformed).toMatchObject({ code: 'truncated', layer: 'sll', offset: 9 });
  });

  it('parse: a Linux protocol type below 1536 is sll.ltype (802.2 goes to LLC)', () => {
    const d = decode(hex('0000 0001 0006 001122334455 0000 0004 4242 03 0000'), { linkType: SLL });
    expect(firsts(d, ['sll.ltype', 'sll.etype', 'llc.dsap'])).toEqual({ 'sll.ltype': '0x0004', 'sll.etype': '', 'llc.dsap': '0x42' });
    expect(d.protocols).toEqual(['sll', 'llc']);
  });
});

describe('Linux SLL2', () => {
  it('parse: IPv4 ICMP echo (zeek linux_dlt_sll2.pcap frame 1)', () => {
    // protocol 0x0800 | reserved | ifindex 1 | hatype 772 | pkttype 0 | halen 6 | address | IPv4/ICMP
    const d = decode(hex(`
      08 00 00 00 00 00 00 01 03 04 00 06 00 00 00 00
      00 00 00 00 45 00 00 54 af 8c 40 00 40 01 07 1a
      c0 00 02 01 c0 00 02 01 08 00 66 b4 00 08 00 01
      e9 bd f9 62 00 00 00 00 e2 4e 0d 00 00 00 00 00
      10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f
      20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d 2e 2f
      30 31 32 33 34 35 36 37`), { linkType: SLL2 });
    expect(firsts(d, ['sll.etype', 'sll.ifindex', 'sll.hatype', 'sll.pkttype', 'sll.halen', 'sll.src.eth', 'icmp.type'])).toEqual({
      'sll.etype': '0x0800',
      'sll.ifindex': '1',
      'sll.hatype': '772',
      'sll.pkttype': '0',
      'sll.halen': '6',
      'sll.src.eth': '00:00:00:00:00:00',
      'icmp.type': '8',
    });
    // Wireshark lists the protocol first, the rest in header order.
    const names = d.tree.roots[1].children?.map((node) => node.field.name);
    expect(names).toEqual(['sll.etype', 'sll.ifindex', 'sll.hatype', 'sll.pkttype', 'sll.halen', 'sll.src.eth', 'sll.unused']);
    expect(d.protocols.slice(0, 3)).toEqual(['sll', 'ethertype', 'ip']);
  });

  it('parse: RARP EtherType goes to the ARP decoder (zeek linux_dlt_sll2.pcap frame 6)', () => {
    const d = decode(hex(`
      80 35 00 00 00 00 00 1a 00 01 04 06 8e 36 06 44
      ac af 00 00 00 01 08 00 06 04 00 03 8e 36 06 44
      ac af c0 00 02 01 00 00 00 00 00 00 c0 00 02 02`), { linkType: SLL2 });
    expect(firsts(d, ['sll.etype', 'sll.pkttype', 'arp.opcode', 'arp.dst.proto_ipv4'])).toEqual({
      'sll.etype': '0x8035',
      'sll.pkttype': '4',
      'arp.opcode': '3',
      'arp.dst.proto_ipv4': '192.0.2.2',
    });
    expect(d.protocols).toEqual(['sll', 'ethertype', 'arp']);
  });

  it('parse: 802.2 frames (pcapplusplus Sll2PacketLLC.pcap, STP)', () => {
    const d = decode(hex(`
      00 04 00 00 00 00 00 03 00 01 02 06 e0 1c fc d3
      b1 e1 00 00 42 42 03 00 00 02 02 3e 80 00 4c 5e
      0c 3e c6 dd 00 00 4e 38 80 00 e0 1c fc d3 b1 df
      80 02 03 00 14 00 02 00 0f 00 00 20 20 20 20 20
      20 20`), { linkType: SLL2 });
    expect(firsts(d, ['sll.ltype', 'sll.ifindex', 'sll.pkttype', 'sll.src.eth', 'llc.dsap'])).toEqual({
      'sll.ltype': '0x0004',
      'sll.ifindex': '3',
      'sll.pkttype': '2',
      'sll.src.eth': 'e0:1c:fc:d3:b1:e1',
      'llc.dsap': '0x42',
    });
    expect(d.protocols).toEqual(['sll', 'llc']);
  });

  it('truncated: fields up to the cut stay', () => {
    const d = decode(hex('08 00 00 00 00 00 00 01 03 04 00'), { linkType: SLL2 });
    expect(firsts(d, ['sll.etype', 'sll.ifindex', 'sll.hatype', 'sll.pkttype', 'sll.halen'])).toEqual({
      'sll.etype': '0x0800',
      'sll.ifindex': '1',
      'sll.hatype': '772',
      'sll.pkttype': '0',
      'sll.halen': '',
    });
    expect(d.malformed).toMatchObject({ code: 'truncated', layer: 'sll', offset: 11 });
    expect(first(d, 'ip.version')).toBe('');
  });
});
