import { describe, expect, it } from 'vitest';
import { decode, first, firsts, hex, values } from './networkFixtures';

/*
 * IPv4 header decoding. Expected text is what tshark 4.0 prints for the same bytes (with
 * -o ip.check_checksum:TRUE for the checksum status, which tshark leaves unverified by default).
 */

const ETH = 'ffffffffffff 001122334455 0800';

describe('IPv4', () => {
  it('parse: every header field (tcpdump time_2038.pcap frame 1)', () => {
    // 45 | 00 | 0054 | 59cd | 0000 | 40 | 11 | 94ae | c0a8010b | d157f912, then UDP/DNS
    const d = decode(hex(`
      00 11 22 33 44 66 00 11 22 33 44 55 08 00 45 00
      00 54 59 cd 00 00 40 11 94 ae c0 a8 01 0b d1 57
      f9 12 ab be 00 35 00 40 78 24 59 34 01 20 00 01
      00 00 00 00 00 01 03 77 77 77 07 74 63 70 64 75
      6d 70 03 6f 72 67 00 00 01 00 01 00 00 29 10 00
      00 00 00 00 00 0c 00 0a 00 08 42 f5 d0 09 96 f9
      0b 13`));
    expect(firsts(d, [
      'ip.version', 'ip.hdr_len', 'ip.dsfield', 'ip.dsfield.dscp', 'ip.dsfield.ecn', 'ip.len', 'ip.id', 'ip.flags',
      'ip.flags.rb', 'ip.flags.df', 'ip.flags.mf', 'ip.frag_offset', 'ip.ttl', 'ip.proto', 'ip.checksum',
      'ip.checksum.status', 'ip.checksum_calculated', 'ip.src', 'ip.dst',
    ])).toEqual({
      'ip.version': '4', 'ip.hdr_len': '20', 'ip.dsfield': '0x00', 'ip.dsfield.dscp': '0', 'ip.dsfield.ecn': '0',
      'ip.len': '84', 'ip.id': '0x59cd', 'ip.flags': '0x00', 'ip.flags.rb': '0', 'ip.flags.df': '0', 'ip.flags.mf': '0',
      'ip.frag_offset': '0', 'ip.ttl': '64', 'ip.proto': '17', 'ip.checksum': '0x94ae', 'ip.checksum.status': '1',
      'ip.checksum_calculated': '0x94ae', 'ip.src': '192.168.1.11', 'ip.dst': '209.87.249.18',
    });
    expect(d.ip).toMatchObject({
      version: 4, src: '192.168.1.11', dst: '209.87.249.18', protocol: 17, ttl: 64, payloadLength: 64,
      reassembled: false, fragment: false,
    });
    const ip = d.tree.roots[2];
    expect([ip.field.name, ip.offset, ip.length]).toEqual(['ip', 14, 20]);
    expect(d.protocols.slice(2, 4)).toEqual(['ip', 'udp']);
    expect(d.malformed).toBeNull();
  });

  it('parse: flags as tshark prints them (DF set: 0x02)', () => {
    const d = decode(hex(`${ETH} 4500001c 0000 4000 4011 0000 0a000001 0a000002 0001000200080000`));
    expect(firsts(d, ['ip.flags', 'ip.flags.df', 'ip.flags.mf', 'ip.frag_offset'])).toEqual({
      'ip.flags': '0x02', 'ip.flags.df': '1', 'ip.flags.mf': '0', 'ip.frag_offset': '0',
    });
  });

  it('bad checksum: status 0 and the checksum it should have been', () => {
    const d = decode(hex(`${ETH} 4500001c 0000 4000 4011 dead 0a000001 0a000002 0001000200080000`));
    expect(firsts(d, ['ip.checksum', 'ip.checksum.status', 'ip.checksum_calculated'])).toEqual({
      'ip.checksum': '0xdead', 'ip.checksum.status': '0', 'ip.checksum_calculated': '0x26cf',
    });
  });

  it('truncated: options cut by the capture hide ip.dst (zeek ipv4-internally-truncated-header.pcap)', () => {
    // IHL 15 (60 bytes) but the capture stops after 20 header bytes
    const d = decode(hex(`
      d4 04 ff ea c8 f0 78 31 c1 c6 3f c2 08 00 4f 00
      00 72 6d ec 00 00 40 06 bc 7e a3 fd 30 b7 c0 96
      bb 2b`), { originalLength: 134 });
    expect(firsts(d, ['ip.hdr_len', 'ip.len', 'ip.src', 'ip.dst'])).toEqual({
      'ip.hdr_len': '60', 'ip.len': '114', 'ip.src': '163.253.48.183', 'ip.dst': '',
    });
    expect(d.malformed).toMatchObject({ code: 'truncated', layer: 'ip', offset: 34 });
    expect(d.ip).toBeNull();
  });

  it('truncated: fields before the cut stay', () => {
    const d = decode(hex(`${ETH} 4500001c 1234 4000 40`), { originalLength: 42 });
    expect(firsts(d, ['ip.len', 'ip.id', 'ip.flags.df', 'ip.ttl', 'ip.proto'])).toEqual({
      'ip.len': '28', 'ip.id': '0x1234', 'ip.flags.df': '1', 'ip.ttl': '64', 'ip.proto': '',
    });
    expect(d.malformed).toMatchObject({ code: 'truncated', layer: 'ip', offset: 23 });
  });

  it('impossible length: IHL below 5 (tcpdump ipv4_invalid_hdr_length.pcap)', () => {
    const d = decode(hex(`
      c0 d6 82 36 03 2b f0 4d a2 3d 5d a3 08 00 44 00
      00 54 f1 a6 00 00 40 11 45 94 8c d3 09 ce 2d 21
      7f 9c 98 b7 00 35 00 40 6e cb 92 aa 01 20 00 01`), { originalLength: 98 });
    expect(firsts(d, ['ip.version', 'ip.hdr_len', 'ip.len', 'ip.src'])).toEqual({
      'ip.version': '4', 'ip.hdr_len': '16', 'ip.len': '', 'ip.src': '',
    });
    expect(d.malformed).toMatchObject({ code: 'bad-length', layer: 'ip', offset: 14 });
  });

  it('impossible length: total length below the header (pcapplusplus ipv4-malformed.pcap frame 1)', () => {
    const d = decode(hex(`
      44 6d 57 4b ed 0b 00 80 48 49 11 64 08 00 45 00
      00 0b 47 09 40 00 80 06 2f cc c0 a8 01 04 c0 a8
      01 03 08 0d 01 bb ad 5b cb ca 19 2d a0 64 50 18`), { originalLength: 217 });
    expect(firsts(d, ['ip.len', 'ip.id', 'ip.src'])).toEqual({ 'ip.len': '11', 'ip.id': '', 'ip.src': '' });
    expect(d.protocols).toEqual(['eth', 'ethertype', 'ip']);
    expect(d.malformed).toMatchObject({ code: 'bad-length', layer: 'ip', offset: 16 });
  });

  it('bad version (pcapplusplus ipv4-malformed.pcap frame 2)', () => {
    const d = decode(hex(`
      00 00 5e 00 01 02 80 4e 70 2c 4b 28 08 00 55 04
      00 10 a2 b7 40 01 41 07 0e 87 e4 13 8e c1 8c 40
      6b 16 ea 59 01 bb 77 4b 3a 3d b7 1a 92 c0 8b 50
      24 71 72 c5 81 24 01 21 ad 48 31 ea 57 da f7 1b
      2d ee`));
    expect(firsts(d, ['ip.version', 'ip.hdr_len'])).toEqual({ 'ip.version': '5', 'ip.hdr_len': '' });
    expect(d.malformed).toMatchObject({ code: 'bad-value', layer: 'ip', offset: 14 });
  });

  it('zero total length is taken as TSO: the frame\'s length (zeek ip-bogus-header-len.pcap)', () => {
    const d = decode(hex(`
      00 00 00 00 00 02 00 00 00 00 00 01 08 00 45 03
      00 00 25 2c 00 00 00 01 00 01 76 b5 90 c2 88 ff
      73 74 61 74 65 ff 00 00 00 ff 00 00 00 00 00 00
      00 00 00 00 00 00 00 00 00 00 00 00`));
    expect(firsts(d, ['ip.len', 'ip.ttl', 'icmp.type', 'icmp.code'])).toEqual({
      'ip.len': '46', 'ip.ttl': '0', 'icmp.type': '97', 'icmp.code': '116',
    });
    expect(d.ip?.payloadLength).toBe(26);
  });

  it('payload: ends at the total length, not at the Ethernet padding', () => {
    // ICMP echo of 8 bytes in a 60-byte frame: the checksum verifies over the 8 bytes only
    const d = decode(hex(`${ETH} 4500001c 0001 0000 4001 66de 0a000001 0a000002 0800f7fe00010000 000000000000000000000000000000000000`));
    expect(d.ip?.payloadLength).toBe(8);
    expect(first(d, 'icmp.checksum.status')).toBe('1');
    expect(d.protocols).toEqual(['eth', 'ethertype', 'ip', 'icmp']);
  });

  it('payload: a snapshot length cut does not change the announced length', () => {
    const frame = hex(`${ETH} 45000064 0001 0000 4011 0000 0a000001 0a000002 0001000200500000`);
    const d = decode(frame, { originalLength: 14 + 100 });
    expect(d.ip?.payloadLength).toBe(80);
    expect(first(d, 'ip.len')).toBe('100');
  });

  it('payload: a total length beyond the frame counts only what the frame reports', () => {
    const d = decode(hex(`${ETH} 45000400 0001 0000 4011 0000 0a000001 0a000002 0001000200500000`));
    expect(first(d, 'ip.len')).toBe('1024');
    expect(d.ip?.payloadLength).toBe(8);
    expect(d.malformed).toBeNull();
  });
});

describe('IPv4 options', () => {
  it('parse: router alert, then end of list', () => {
    // IHL 6: 94 04 00 00 (router alert, value 0); IGMP follows
    const d = decode(hex(`${ETH} 46000020 0000 4000 0102 0000 0a000001 e0000016 94040000 2200fa0200000001`));
    expect(values(d, 'ip.opt.type')).toEqual(['148']);
    expect(firsts(d, ['ip.opt.type.copy', 'ip.opt.type.class', 'ip.opt.type.number', 'ip.opt.len', 'ip.opt.ra', 'ip.dst'])).toEqual({
      'ip.opt.type.copy': '1', 'ip.opt.type.class': '0', 'ip.opt.type.number': '20', 'ip.opt.len': '4', 'ip.opt.ra': '0',
      'ip.dst': '224.0.0.22',
    });
    expect(values(d, 'ip.options.routeralert')).toHaveLength(1);
    expect(d.malformed).toBeNull();
  });

  it('parse: NOPs, and EOL ends the list', () => {
    const d = decode(hex(`${ETH} 47000024 0000 4000 4011 0000 0a000001 0a000002 01010000 ffffffff 0001000200080000`));
    expect(values(d, 'ip.opt.type')).toEqual(['1', '1', '0']);
    expect(d.malformed).toBeNull();
  });

  it('malformed options: an impossible length ends the options, the payload is still decoded', () => {
    // 07 00: record route with length 0
    const d = decode(hex(`${ETH} 46000024 0000 4000 4001 0000 0a000001 0a000002 07000000 0800f7fe00010000`));
    expect(values(d, 'ip.opt.type')).toEqual([]);
    expect(d.malformed).toMatchObject({ code: 'bad-length', layer: 'ip', offset: 34 });
    expect(first(d, 'icmp.type')).toBe('8');
  });

  it('malformed options: a length past the header', () => {
    const d = decode(hex(`${ETH} 46000024 0000 4000 4001 0000 0a000001 0a000002 01071234 0800f7fe00010000`));
    expect(values(d, 'ip.opt.type')).toEqual(['1']);
    expect(d.malformed).toMatchObject({ code: 'bad-length', layer: 'ip', offset: 35 });
  });

  it('source route under way: the header holds the current hop, ip.dst is the route\'s last address', () => {
    // 83 0b 04 | 0a0000fe 0a0000fd | 00: loose source route, pointer at the first address
    const d = decode(hex(`${ETH} 48000028 0000 0000 4011 0000 0a000001 0a000002 830b040a0000fe0a0000fd00 0001000200080000`));
    expect(firsts(d, ['ip.cur_rt', 'ip.dst', 'ip.opt.ptr'])).toEqual({ 'ip.cur_rt': '10.0.0.2', 'ip.dst': '10.0.0.253', 'ip.opt.ptr': '4' });
    expect(d.ip?.dst).toBe('10.0.0.253');
  });

  // Crafted loose source routes (length, pointer) checked with tshark 4.0: which address it shows as ip.dst.
  it.each([
    [11, 12, '10.0.0.2', ''],
    [11, 8, '10.0.0.253', '10.0.0.2'],
    [11, 5, '10.0.0.2', ''],
    [11, 3, '10.0.0.2', ''],
    [8, 4, '', '10.0.0.2'],
  ])('source route of length %i, pointer %i: ip.dst %s, ip.cur_rt %s', (length, pointer, dst, currentHop) => {
    const route = [0x83, length, pointer, 10, 0, 0, 254, 10, 0, 0, 253, 0].slice(0, 12);
    route[1] = length;
    const options = route.map((byte) => byte.toString(16).padStart(2, '0')).join('');
    const d = decode(hex(`${ETH} 48000028 0000 0000 4011 0000 0a000001 0a000002 ${options} 0001000200080000`));
    expect(firsts(d, ['ip.dst', 'ip.cur_rt'])).toEqual({ 'ip.dst': dst, 'ip.cur_rt': currentHop });
  });

  it('truncated: an EOL captured before the cut still lets ip.dst show', () => {
    const d = decode(hex(`${ETH} 46000024 0000 4000 4011 0000 0a000001 0a000002 00`), { originalLength: 50 });
    expect(first(d, 'ip.dst')).toBe('10.0.0.2');
    expect(d.malformed).toMatchObject({ code: 'truncated', layer: 'ip', offset: 35 });
  });
});
