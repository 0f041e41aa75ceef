import { describe, expect, it } from 'vitest';
import { decodeUdp } from '../../../app/decode/udp';
import { decodePacket, fieldNames, first, hex, ipPacket, values } from '../../helpers/dissection';

/*
 * UDP decoder. Expected values are what tshark 4.0.17 prints (-T fields) for the same bytes; checksum
 * statuses are tshark's with -o udp.check_checksum:TRUE.
 */

// tcpdump tests/dns_udp.pcap frame 1 from the IPv4 header: 192.168.1.11:43966 -> 209.87.249.18:53, a DNS
// query for www.tcpdump.org with an EDNS cookie. udp.checksum 0x7824 is correct.
//   IPv4 | 45 00 00 54 59 cd 00 00 40 11 94 ae c0 a8 01 0b d1 57 f9 12
//   UDP  | ab be 00 35 00 40 78 24              sport 43966, dport 53, length 64, checksum
//   DNS  | 59 34 01 20 00 01 00 00 00 00 00 01 03 77 77 77 07 74 63 70 64 75 6d 70 03 6f 72 67 00 00 01
//        | 00 01 00 00 29 10 00 00 00 00 00 00 0c 00 0a 00 08 42 f5 d0 09 96 f9 0b 13
const DNS_QUERY = `
  45 00 00 54 59 cd 00 00 40 11 94 ae c0 a8 01 0b
  d1 57 f9 12 ab be 00 35 00 40 78 24 59 34 01 20
  00 01 00 00 00 00 00 01 03 77 77 77 07 74 63 70
  64 75 6d 70 03 6f 72 67 00 00 01 00 01 00 00 29
  10 00 00 00 00 00 00 0c 00 0a 00 08 42 f5 d0 09
  96 f9 0b 13`;

// arkime tests/pcap/v6-http.pcap frame 7 from the IPv6 header: fe80-less 2001:6f8:102d:0:1033:c4c:7e57:b19e
// -> ff02::fb, UDP 5353 -> 5353, an mDNS response (HINFO and three AAAA). udp.checksum 0x2242 is correct.
const MDNS_RESPONSE_V6 = `
  60 00 00 00 00 8a 11 ff 20 01 06 f8 10 2d 00 00
  10 33 0c 4c 7e 57 b1 9e ff 02 00 00 00 00 00 00
  00 00 00 00 00 00 00 fb 14 e9 14 e9 00 8a 22 42
  00 00 84 00 00 00 00 04 00 00 00 00 05 6c 69 6e
  75 78 05 6c 6f 63 61 6c 00 00 0d 80 01 00 00 00
  78 00 0b 04 49 36 38 36 05 4c 49 4e 55 58 c0 0c
  00 1c 80 01 00 00 00 78 00 10 20 01 06 f8 10 2d
  00 00 a9 d2 17 82 19 95 b6 3b c0 0c 00 1c 80 01
  00 00 00 78 00 10 20 01 06 f8 10 2d 00 00 02 d0
  09 ff fe e3 e8 de c0 0c 00 1c 80 01 00 00 00 78
  00 10 20 01 06 f8 10 2d 00 00 10 33 0c 4c 7e 57
  b1 9e`;

/** An IPv4 header (10.0.0.1 -> 10.0.0.2, protocol 17) for `udpLength` bytes of UDP, then the UDP bytes. */
function ipv4Udp(udp: string, totalLength?: number): Uint8Array {
  const body = hex(udp);
  const length = totalLength ?? 20 + body.length;
  const header = hex(`45 00 ${(length >> 8).toString(16).padStart(2, '0')} ${(length & 0xff).toString(16).padStart(2, '0')} 00 01 00 00 40 11 00 00 0a 00 00 01 0a 00 00 02`);
  const packet = new Uint8Array(header.length + body.length);
  packet.set(header);
  packet.set(body, header.length);
  return packet;
}

describe('decodeUdp', () => {
  it('parse: ports, length, verified checksum, payload and the DNS layer after it', () => {
    const d = decodePacket(hex(DNS_QUERY), 'udp');
    expect(d.malformed).toBeNull();
    expect(d.protocols).toEqual(['udp', 'dns']);
    expect(first(d, 'udp.srcport')).toBe('43966');
    expect(first(d, 'udp.dstport')).toBe('53');
    expect(values(d, 'udp.port')).toEqual(['43966', '53']);
    expect(first(d, 'udp.length')).toBe('64');
    expect(first(d, 'udp.checksum')).toBe('0x7824');
    expect(first(d, 'udp.checksum_calculated')).toBe('0x7824');
    expect(first(d, 'udp.checksum.status')).toBe('1');
    expect(first(d, 'udp.payload')).toBe('593401200001000000000001037777770774637064756d70036f72670000010001000029100000000000000c000a000842f5d00996f90b13');
    expect(fieldNames(d, 'udp')).toEqual([
      'udp', 'udp.srcport', 'udp.dstport', 'udp.port', 'udp.port', 'udp.length', 'udp.checksum',
      'udp.checksum_calculated', 'udp.checksum.status', 'udp.payload',
    ]);
    expect(d.udp).toEqual({
      srcPort: 43966,
      dstPort: 53,
      length: 64,
      payloadSource: 0,
      payloadOffset: 28,
      capturedPayloadLength: 56,
      checksumStatus: 'good',
    });
    expect(first(d, 'dns.id')).toBe('0x5934');
  });

  it('parse: IPv6 pseudo-header and mDNS on port 5353', () => {
    const d = decodePacket(hex(MDNS_RESPONSE_V6), 'udp');
    expect(d.malformed).toBeNull();
    expect(d.protocols).toEqual(['udp', 'mdns']);
    expect(first(d, 'udp.checksum.status')).toBe('1');
    expect(d.udp?.checksumStatus).toBe('good');
    expect(values(d, 'dns.resp.type')).toEqual(['13', '28', '28', '28']);
  });

  it('bad checksum: status Bad with the checksum it should have been', () => {
    const packet = hex(DNS_QUERY);
    packet[packet.length - 1] ^= 0x01;
    const d = decodePacket(packet, 'udp');
    expect(first(d, 'udp.checksum.status')).toBe('0');
    // One's complement: the last payload byte moved by one, so the checksum moves by one the other way.
    expect(first(d, 'udp.checksum_calculated')).toBe('0x7825');
    expect(d.udp?.checksumStatus).toBe('bad');
    expect(d.malformed).toBeNull();
  });

  it('zero checksum: none over IPv4, illegal over IPv6 (RFC 8200 section 8.1)', () => {
    const v4 = hex(DNS_QUERY);
    v4[26] = 0;
    v4[27] = 0;
    const d4 = decodePacket(v4, 'udp');
    expect(first(d4, 'udp.checksum')).toBe('0x0000');
    expect(first(d4, 'udp.checksum.status')).toBe('3');
    expect(d4.udp?.checksumStatus).toBe('none');
    const v6 = hex(MDNS_RESPONSE_V6);
    v6[46] = 0;
    v6[47] = 0;
    const d6 = decodePacket(v6, 'udp');
    expect(first(d6, 'udp.checksum.status')).toBe('4');
    expect(d6.udp?.checksumStatus).toBe('bad');
  });

  it('truncated: fewer than 4 bytes show nothing but the layer', () => {
    // 10.0.0.1 -> 10.0.0.2, 3 bytes of UDP: ab be 00
    const d = decodePacket(ipv4Udp('ab be 00'), 'udp');
    expect(d.protocols).toEqual(['udp']);
    expect(fieldNames(d, 'udp')).toEqual([]);
    expect(d.malformed).toMatchObject({ code: 'truncated', layer: 'udp', offset: 23 });
    expect(d.udp).toBeNull();
  });

  it('truncated: the header cut after the length shows ports and length', () => {
    // The IP header announces a 64-byte datagram; the capture kept 6 bytes of it.
    const packet = ipv4Udp('ab be 00 35 00 40', 20 + 64);
    const d = decodePacket(packet, 'udp', { originalLength: 14 + 20 + 64 });
    expect(fieldNames(d, 'udp')).toEqual(['udp', 'udp.srcport', 'udp.dstport', 'udp.port', 'udp.port', 'udp.length']);
    expect(d.malformed).toMatchObject({ code: 'truncated', layer: 'udp', offset: 26 });
  });

  it('impossible length: below 8 stops after the length field', () => {
    // ab be 00 35 | 00 04 (length 4) | 00 00 | 01 02 03 04
    const d = decodePacket(ipv4Udp('ab be 00 35 00 04 00 00 01 02 03 04'), 'udp');
    expect(first(d, 'udp.length')).toBe('4');
    expect(first(d, 'udp.checksum')).toBe('');
    expect(d.malformed).toMatchObject({ code: 'bad-length', layer: 'udp', offset: 24 });
    expect(d.udp).toBeNull();
  });

  it('length beyond the IP payload: decoded, the payload ends with the IP payload', () => {
    // Length 0x40 (64) in a 12-byte datagram: 30 39 30 3a | 00 40 | 00 00 | 01 02 03 04 (ports 12345, 12346)
    const d = decodePacket(ipv4Udp('30 39 30 3a 00 40 00 00 01 02 03 04'), 'udp');
    expect(d.malformed).toBeNull();
    expect(first(d, 'udp.length')).toBe('64');
    expect(first(d, 'udp.checksum.status')).toBe('3');
    expect(first(d, 'udp.payload')).toBe('01020304');
    expect(d.udp?.capturedPayloadLength).toBe(4);
    expect(d.protocols).toEqual(['udp', 'data']);
  });

  it('snaplen cut: checksum unverified, payload what was captured', () => {
    const full = hex(DNS_QUERY);
    const d = decodePacket(full.subarray(0, 40), 'udp', { originalLength: full.length });
    expect(first(d, 'udp.checksum.status')).toBe('2');
    expect(d.udp).toMatchObject({ checksumStatus: 'unverified', capturedPayloadLength: 12 });
    expect(first(d, 'udp.payload')).toBe('593401200001000000000001');
    // DNS decodes its header and stops at the cut question name.
    expect(d.protocols).toEqual(['udp', 'dns']);
    expect(d.malformed).toMatchObject({ code: 'truncated', layer: 'dns' });
  });

  it('bytes after the length: in udp.payload, not in the layer after it', () => {
    // 30 39 30 39 | 00 0c (12) | 00 00 | 01 02 03 04 | aa bb cc dd (4 bytes more in the IP payload)
    const d = decodePacket(ipv4Udp('30 39 30 39 00 0c 00 00 01 02 03 04 aa bb cc dd'), 'udp');
    expect(first(d, 'udp.payload')).toBe('01020304aabbccdd');
    expect(d.udp?.capturedPayloadLength).toBe(4);
    expect(d.protocols).toEqual(['udp', 'data']);
  });

  it('empty datagram: no payload field and no next layer', () => {
    const d = decodePacket(ipv4Udp('30 39 00 35 00 08 00 00'), 'udp');
    expect(d.protocols).toEqual(['udp']);
    expect(first(d, 'udp.payload')).toBe('');
    expect(d.udp?.capturedPayloadLength).toBe(0);
  });

  it('ports: the lower one first; 5355 is LLMNR; a port of another protocol takes the datagram', () => {
    const payload = '00 00 00 00 00 00 00 00 00 00 00 00';
    const decoderFor = (ports: string): string | null => {
      const { d, at } = ipPacket(ipv4Udp(`${ports} 00 14 00 00 ${payload}`));
      return decodeUdp(d, at)?.decoder ?? null;
    };
    expect(decoderFor('14 e9 00 35')).toBe('dns'); // 5353 -> 53: 53 is lower
    expect(decoderFor('c0 01 14 e9')).toBe('mdns');
    expect(decoderFor('c0 01 14 eb')).toBe('llmnr');
    expect(decoderFor('00 89 14 e9')).toBeNull(); // 137 (NBNS in tshark) -> 5353
    expect(decoderFor('00 00 00 35')).toBe('dns'); // port 0 is never tried
  });

  it('heuristic: DNS on a port no dissector claims, as tshark finds dns_udp_8053.pcap', () => {
    // 43757 -> 8053 (1f 75), a standard query: 12 34 | 01 00 | 00 01 00 00 00 00 00 00 | 01 61 00 00 01 00 01
    const query = '12 34 01 00 00 01 00 00 00 00 00 00 01 61 00 00 01 00 01';
    const d = decodePacket(ipv4Udp(`aa ed 1f 75 00 1b 00 00 ${query}`), 'udp');
    expect(d.protocols).toEqual(['udp', 'dns']);
    expect(first(d, 'dns.qry.name')).toBe('a');
    // Two questions do not pass Wireshark's heuristic: the payload is data.
    const two = decodePacket(ipv4Udp(`aa ed 1f 75 00 1b 00 00 ${query.replace('00 01 00 00 00 00', '00 02 00 00 00 00')}`), 'udp');
    expect(two.protocols).toEqual(['udp', 'data']);
  });

  it('embedded in an ICMP error: fields only, no repr, no verification, no payload when none was quoted', () => {
    const quoted = hex(DNS_QUERY).subarray(0, 28);
    const d = decodePacket(quoted, 'udp', { embedded: true, originalLength: quoted.length });
    expect(first(d, 'udp.srcport')).toBe('43966');
    expect(first(d, 'udp.length')).toBe('64');
    expect(first(d, 'udp.checksum.status')).toBe('2');
    expect(d.udp).toBeNull();
    expect(d.protocols).toEqual(['udp']);
    expect(d.malformed).toBeNull();
  });

  it('fast path: no tree, same repr but the payload checksum left unverified', () => {
    const d = decodePacket(hex(DNS_QUERY), 'udp', { withTree: false });
    expect(d.tree.roots).toEqual([]);
    expect(d.udp?.checksumStatus).toBe('unverified');
    expect(d.dns?.questions).toEqual([{ name: 'www.tcpdump.org', type: 1, class: 1 }]);
  });
});
