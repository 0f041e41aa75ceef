import { describe, expect, it } from 'vitest';
import { decode, first, firsts, hex, values } from './networkFixtures';

/*
 * ICMP for IPv4. Corpus frames are named; the others are crafted IPv4 packets 10.0.0.1 -> 10.0.0.2 in
 * Ethernet, whose tshark 4.0 output the expectations copy.
 */

const ETH = '020000000002 020000000001 0800';
const eth = (ipPacket: string) => hex(`${ETH} ${ipPacket}`);

describe('ICMP', () => {
  it('parse: echo request (zeek linux_dlt_sll2.pcap frame 1)', () => {
    // 08 00 | 66 b4 | ident 00 08 | seq 00 01 | 56 bytes of data
    const d = decode(hex(`
      08 00 00 00 00 00 00 01 03 04 00 06 00 00 00 00
      00 00 00 00 45 00 00 54 af 8c 40 00 40 01 07 1a
      c0 00 02 01 c0 00 02 01 08 00 66 b4 00 08 00 01
      e9 bd f9 62 00 00 00 00 e2 4e 0d 00 00 00 00 00
      10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f
      20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d 2e 2f
      30 31 32 33 34 35 36 37`), { linkType: 276 });
    expect(firsts(d, ['icmp.type', 'icmp.code', 'icmp.checksum', 'icmp.checksum.status', 'icmp.ident', 'icmp.ident_le', 'icmp.seq', 'icmp.seq_le'])).toEqual({
      'icmp.type': '8', 'icmp.code': '0', 'icmp.checksum': '0x66b4', 'icmp.checksum.status': '1',
      'icmp.ident': '8', 'icmp.ident_le': '2048', 'icmp.seq': '1', 'icmp.seq_le': '256',
    });
    expect(d.icmp).toEqual({ version: 4, type: 8, code: 0 });
    expect(d.protocols).toEqual(['sll', 'ethertype', 'ip', 'icmp', 'data']);
  });

  it('parse: echo reply without data has no data layer', () => {
    const d = decode(eth('4500001c12340000400154ab0a0000010a000002 0000fffd00010001'));
    expect(firsts(d, ['icmp.type', 'icmp.checksum.status', 'icmp.ident', 'icmp.seq'])).toEqual({
      'icmp.type': '0', 'icmp.checksum.status': '1', 'icmp.ident': '1', 'icmp.seq': '1',
    });
    expect(d.protocols).toEqual(['eth', 'ethertype', 'ip', 'icmp']);
  });

  it('bad checksum: status 0', () => {
    const d = decode(eth('4500002412340000400154a30a0000010a000002 0800dead123400076162636465666768'));
    expect(firsts(d, ['icmp.checksum', 'icmp.checksum.status'])).toEqual({ 'icmp.checksum': '0xdead', 'icmp.checksum.status': '0' });
  });

  it('truncated by the capture: checksum unverified (zeek trunc/icmp-payload-trunc.pcap frame 1)', () => {
    const d = decode(hex(`
      00 10 db 88 d2 ef 00 00 00 00 00 00 08 00 45 00
      00 54 ed c0 00 00 40 01 57 41 0a 00 00 01 4a 7d
      e1 29 08 00 24 8d d9 b3 00 00 4f c5 37 ad 00 0a
      87 3f 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14 15
      16 17 18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25`), { originalLength: 98 });
    expect(firsts(d, ['icmp.type', 'icmp.checksum.status', 'icmp.ident', 'icmp.seq'])).toEqual({
      'icmp.type': '8', 'icmp.checksum.status': '2', 'icmp.ident': '55731', 'icmp.seq': '0',
    });
    expect(d.malformed).toBeNull();
  });

  it('truncated: header cut after the identifier (zeek trunc/icmp-header-trunc.pcap frame 1)', () => {
    const d = decode(hex(`
      00 10 db 88 d2 ef 00 00 00 00 00 00 08 00 45 00
      00 54 59 c4 00 00 40 01 2b da 0a 00 00 01 c0 00
      2b 0a 08 00 d9 db 69 df`), { originalLength: 98 });
    expect(firsts(d, ['icmp.type', 'icmp.checksum', 'icmp.checksum.status', 'icmp.ident', 'icmp.seq'])).toEqual({
      'icmp.type': '8', 'icmp.checksum': '0xd9db', 'icmp.checksum.status': '2', 'icmp.ident': '27103', 'icmp.seq': '',
    });
    expect(d.malformed).toMatchObject({ code: 'truncated', layer: 'icmp', offset: 40 });
  });

  // tshark reads six bytes before it shows any ICMP field; shorter messages show none.
  it.each([
    ['4 bytes of echo', '4500001812340000400154af0a0000010a000002 0800e5c4', ''],
    ['5 bytes of echo', '4500001912340000400154ae0a0000010a000002 0800e5c412', ''],
    ['6 bytes of echo', '4500001a12340000400154ad0a0000010a000002 0800e5c41234', '8'],
    ['4 bytes of unreachable', '4500001812340000400154af0a0000010a000002 0303fcfc', ''],
    ['6 bytes of unreachable', '4500001a12340000400154ad0a0000010a000002 0303fcfc0000', '3'],
  ])('truncated: %s', (_name, packet, type) => {
    const d = decode(eth(packet));
    expect(first(d, 'icmp.type')).toBe(type);
    expect(d.protocols.at(-1)).toBe('icmp');
    expect(d.malformed).toMatchObject({ code: 'truncated', layer: 'icmp' });
  });

  it('parse: timestamp reply', () => {
    const d = decode(eth('45000028123400004001549f0a0000010a000002 0e00efa40001000200000064000000c80000012c'));
    expect(firsts(d, ['icmp.ident', 'icmp.seq', 'icmp.originate_timestamp', 'icmp.receive_timestamp', 'icmp.transmit_timestamp'])).toEqual({
      'icmp.ident': '1', 'icmp.seq': '2', 'icmp.originate_timestamp': '100', 'icmp.receive_timestamp': '200', 'icmp.transmit_timestamp': '300',
    });
  });

  it('parse: address mask reply', () => {
    const d = decode(eth('4500002012340000400154a70a0000010a000002 1200eefb00010002ffffff00'));
    expect(first(d, 'icmp.address_mask')).toBe('255.255.255.0');
  });

  it('parse: router advertisement', () => {
    const d = decode(eth('4500002412340000400154a30a0000010a000002 0900e4f4010207080a00000100000000'));
    expect(firsts(d, ['icmp.num_addrs', 'icmp.addr_entry_size', 'icmp.lifetime', 'icmp.router_address', 'icmp.pref_level'])).toEqual({
      'icmp.num_addrs': '1', 'icmp.addr_entry_size': '2', 'icmp.lifetime': '1800', 'icmp.router_address': '10.0.0.1', 'icmp.pref_level': '0',
    });
  });

  it('parse: unknown type shows the common header only', () => {
    const d = decode(eth('4500001e12340000400154a90a0000010a000002 64001d7f010203047a7a'));
    expect(firsts(d, ['icmp.type', 'icmp.checksum.status', 'icmp.ident'])).toEqual({ 'icmp.type': '100', 'icmp.checksum.status': '1', 'icmp.ident': '' });
    expect(d.protocols.at(-1)).toBe('icmp');
  });
});

describe('ICMP errors and the packets they quote', () => {
  /** Quoted: IPv4 10.0.0.2 -> 10.0.0.3, UDP 5353 -> 33434 (length 40), first 8 bytes of it. */
  const QUOTED_UDP = '4500003c12340000401154790a0000020a000003 14e9829a00281234';

  it('parse: port unreachable quoting IPv4 and UDP (tcpdump icmp-cksum-oobr-1.pcap)', () => {
    const d = decode(hex(`
      00 04 00 01 00 06 00 16 3e 27 78 a2 00 00 08 00
      45 72 36 57 25 00 00 00 40 01 67 ea 3e dc 1f f7
      3e e1 f5 73 03 03 90 c2 00 00 00 00 45 a0 35 a0
      75 66 00 00 72 11 3f 1f 3e e1 f5 73 3e dc 1f f7
      23 95 04 03 00 8c df e7 81 c8 04 0c 63 78 da 45
      46 2e 71 d4 73 ff ff ff 39 35 86 db 00 00 05 42
      00 03 79 b8 7f 18 11 de 00 00 00 01 00 00 05 a0
      00 00 00 36 03 cc bb c0 00 00 00 1a 81 ca 00 0c
      63 78 da 45 01 71 31 36 33 39 35 31 33 35 39 39
      2d 34 36 38 64 30 63 61 32 40 38 35 2e 31 37 38
      2e 31 2e 36 33 06 05 53 49 50 50 53 00 00 00 00
      81 cb 00 06 63 78 da 45 10 73 65 73 73 69 6f 6e
      20 73 68 75 74 64 6f 77 6e 00 00 00`), { linkType: 113 });
    expect(firsts(d, ['icmp.type', 'icmp.code', 'icmp.checksum', 'icmp.checksum.status', 'icmp.unused', 'ip.src'])).toEqual({
      'icmp.type': '3', 'icmp.code': '3', 'icmp.checksum': '0x90c2', 'icmp.checksum.status': '0', 'icmp.unused': '00000000',
      'ip.src': '62.220.31.247',
    });
    // The quoted header is in the tree after the outer one; tshark's first udp.srcport is the quoted one.
    expect(values(d, 'ip.src')).toEqual(['62.220.31.247', '62.225.245.115']);
    expect(values(d, 'ip.checksum.status')[1]).toBe('2');
    expect(first(d, 'udp.srcport')).toBe('9109');
    expect(d.protocols.slice(0, 6)).toEqual(['sll', 'ethertype', 'ip', 'icmp', 'ip', 'udp']);
    // Reprs describe the outer packet only.
    expect(d.ip).toMatchObject({ src: '62.220.31.247', protocol: 1 });
    expect(d.udp).toBeNull();
  });

  it('parse: fragmentation needed carries the next-hop MTU', () => {
    const d = decode(eth(`45000038123400004001548f0a0000010a000002 03044da400000578 ${QUOTED_UDP}`));
    expect(firsts(d, ['icmp.code', 'icmp.unused', 'icmp.mtu', 'icmp.checksum.status'])).toEqual({
      'icmp.code': '4', 'icmp.unused': '0000', 'icmp.mtu': '1400', 'icmp.checksum.status': '1',
    });
    expect(d.protocols).toEqual(['eth', 'ethertype', 'ip', 'icmp', 'ip', 'udp']);
  });

  it('parse: parameter problem pointer', () => {
    const d = decode(eth(`45000038123400004001548f0a0000010a000002 0c00362014000000 ${QUOTED_UDP}`));
    expect(firsts(d, ['icmp.pointer', 'icmp.unused'])).toEqual({ 'icmp.pointer': '20', 'icmp.unused': '000000' });
  });

  it('parse: redirect gateway', () => {
    const d = decode(eth(`45000038123400004001548f0a0000010a000002 050146210a0000fe ${QUOTED_UDP}`));
    expect(first(d, 'icmp.redir_gw')).toBe('10.0.0.254');
    expect(values(d, 'ip.dst')).toEqual(['10.0.0.2', '10.0.0.3']);
  });

  it('parse: RFC 4884 length of the quoted datagram (time exceeded)', () => {
    const d = decode(eth(`4500004012340000400154870a0000010a000002 0b002b1900070000 ${QUOTED_UDP} 0000000020000000`));
    expect(values(d, 'icmp.unused')).toEqual(['00', '0000']);
    expect(firsts(d, ['icmp.length', 'icmp.length.original_datagram'])).toEqual({ 'icmp.length': '7', 'icmp.length.original_datagram': '28' });
  });

  it('parse: time exceeded quoting TCP', () => {
    const d = decode(eth('45000038123400004001548f0a0000010a0000020b002806000000004500002812340000400654980a0000020a00000301bbc73801020304'));
    expect(d.protocols).toEqual(['eth', 'ethertype', 'ip', 'icmp', 'ip', 'tcp']);
    expect(values(d, 'ip.proto')).toEqual(['1', '6']);
  });

  it('truncated quote: the quoted packet cut short is not malformed, as in tshark', () => {
    const d = decode(eth('4500002612340000400154a10a0000010a000002 0303657b00000000 4500003c123400004011'));
    expect(d.protocols).toEqual(['eth', 'ethertype', 'ip', 'icmp', 'ip']);
    expect(values(d, 'ip.len')).toEqual(['38', '60']);
    expect(d.malformed).toBeNull();
  });

  it('an error without a quote is just the header', () => {
    const d = decode(eth('4500001c12340000400154ab0a0000010a000002 0303fcfc00000000'));
    expect(first(d, 'icmp.checksum.status')).toBe('1');
    expect(d.protocols).toEqual(['eth', 'ethertype', 'ip', 'icmp']);
  });

  // A knowing difference: tshark follows the quote of a quoted error too (icmp:ip:icmp:ip); we stop at the
  // second ICMP header so that crafted input cannot nest decoders without bound. The quoted ICMP's
  // checksum is unverified in both.
  it('a quoted ICMP error is not followed into its own quote', () => {
    const innerError = '4500003812340000400154 8f 0a0000020a000003 0303000000000000 4500001c000000004011 0000 0a0000030a000004';
    const d = decode(eth(`4500005012340000400154 77 0a0000010a000002 0303000000000000 ${innerError}`));
    expect(values(d, 'icmp.type')).toEqual(['3', '3']);
    expect(values(d, 'icmp.checksum.status')[1]).toBe('2');
    expect(values(d, 'ip.src')).toEqual(['10.0.0.1', '10.0.0.2']);
  });
});
