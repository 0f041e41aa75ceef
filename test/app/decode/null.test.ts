import { describe, expect, it } from 'vitest';
import { nullHeaderValue } from '../../../app/decode/null';
import { decode, first, firsts, hex } from './networkFixtures';

/* BSD loopback (NULL 0, LOOP 108) and headerless IP (RAW 101, IPV4 228, IPV6 229); values as tshark 4.0. */

const NULL = 0;
const LOOP = 108;
const RAW = 101;
const IPV4 = 228;
const IPV6 = 229;

/** A minimal IPv4/UDP packet (10.0.0.1 -> 10.0.0.2) to follow the loopback headers. */
const IPV4_UDP = '4500001c123400004011 5496 0a000001 0a000002 0001000200080000';

describe('NULL and LOOP', () => {
  it('parse: NULL written little-endian (zeek udp-multiple-source-ports.pcap frame 1)', () => {
    // family 02 00 00 00 (AF_INET in the writer's byte order), then IPv4/UDP
    const d = decode(hex(`
      02 00 00 00 45 00 00 21 96 ed 00 00 40 11 e5 dc
      7f 00 00 01 7f 00 00 01 75 2e 32 c8 00 0d eb 74
      31 32 33 34 0a`), { linkType: NULL });
    expect(firsts(d, ['null.family', 'null.type', 'ip.src'])).toEqual({ 'null.family': '2', 'null.type': '', 'ip.src': '127.0.0.1' });
    expect(d.protocols.slice(0, 3)).toEqual(['null', 'ip', 'udp']);
  });

  it('parse: Darwin AF_INET6 = 30 (pcapplusplus NullLoopback.pcap frame 1, first 64 bytes)', () => {
    const d = decode(hex(`
      1e 00 00 00 60 00 00 00 01 b3 06 40 00 00 00 00
      00 00 00 00 00 00 00 00 00 00 00 01 00 00 00 00
      00 00 00 00 00 00 00 00 00 00 00 01 c2 e0 00 51
      58 5d b6 86 61 6b e7 64 80 18 23 d7 01 bb 00 00`), { linkType: NULL, originalLength: 479 });
    expect(firsts(d, ['null.family', 'ipv6.src', 'ipv6.nxt'])).toEqual({ 'null.family': '30', 'ipv6.src': '::1', 'ipv6.nxt': '6' });
    expect(d.protocols.slice(0, 2)).toEqual(['null', 'ipv6']);
  });

  // The writer's byte order is unknown; tshark 4.0 read every one of these headers as listed (crafted
  // captures, `tshark -T fields -e null.family -e null.type`).
  it.each([
    ['02000000', { family: 2 }],
    ['00000002', { family: 2 }],
    ['1e000000', { family: 30 }],
    ['0000001e', { family: 30 }],
    ['00000800', { type: 0x0800 }],
    ['00080000', { type: 0x0800 }],
    ['08000000', { family: 8 }],
    ['86dd0000', { type: 0xdd86 }],
    ['0000dd86', { type: 0xdd86 }],
    ['00001c00', { type: 0x1c00 }],
    ['00020000', { family: 2 }],
  ])('reads the family of NULL header %s as tshark does', (header, want) => {
    const value = nullHeaderValue(hex(header), 0);
    if ('family' in want) expect(value).toBe(want.family);
    else expect(value & 0xffff).toBe(want.type);
    const d = decode(hex(header + IPV4_UDP), { linkType: NULL });
    expect(first(d, 'null.family')).toBe('family' in want ? String(want.family) : '');
    expect(first(d, 'null.type')).toBe('type' in want ? `0x${want.type.toString(16).padStart(4, '0')}` : '');
  });

  it('parse: LOOP is network byte order, no guessing', () => {
    const d = decode(hex('00000002' + IPV4_UDP), { linkType: LOOP });
    expect(first(d, 'null.family')).toBe('2');
    expect(first(d, 'ip.dst')).toBe('10.0.0.2');
    const swapped = decode(hex('02000000' + IPV4_UDP), { linkType: LOOP });
    expect(first(swapped, 'null.family')).toBe('33554432');
    expect(first(swapped, 'ip.dst')).toBe('');
  });

  it('truncated: fewer than 4 bytes', () => {
    const d = decode(hex('020000'), { linkType: NULL });
    expect(first(d, 'null.family')).toBe('');
    expect(d.malformed).toMatchObject({ code: 'truncated', layer: 'null', offset: 3 });
  });
});

describe('raw IP', () => {
  it('parse: LINKTYPE_RAW takes the version from the first nibble (tcpdump LINKTYPE_RAW_ipv4.pcap)', () => {
    const d = decode(hex(`
      45 00 00 39 00 01 00 00 40 11 a6 95 c0 a8 01 64
      09 09 09 09 30 39 00 35 00 25 19 76 12 34 01 00
      00 01 00 00 00 00 00 00 07 65 78 61 6d 70 6c 65
      03 63 6f 6d 00 00 01 00 01`), { linkType: RAW });
    expect(firsts(d, ['ip.src', 'ip.dst'])).toEqual({ 'ip.src': '192.168.1.100', 'ip.dst': '9.9.9.9' });
    expect(d.protocols.slice(0, 2)).toEqual(['raw', 'ip']);
  });

  it('parse: LINKTYPE_RAW with IPv6', () => {
    const d = decode(hex('6000000000003b40' + '20010db8000000000000000000000001' + '20010db8000000000000000000000002'), { linkType: RAW });
    expect(d.protocols).toEqual(['raw', 'ipv6']);
    expect(first(d, 'ipv6.nxt')).toBe('59');
  });

  it('parse: LINKTYPE_IPV4 holding IPv6 goes on to IPv6 after an ip layer (tcpdump LINKTYPE_IPV4_invalid.pcap)', () => {
    const d = decode(hex(`
      60 00 00 00 00 25 11 40 20 01 0d b8 00 00 00 00
      00 00 00 00 00 00 00 01 26 20 00 fe 00 00 00 00
      00 00 00 00 00 00 00 09 30 39 00 35 00 25 98 b3
      12 34 01 00 00 01 00 00 00 00 00 00 07 65 78 61
      6d 70 6c 65 03 63 6f 6d 00 00 01 00 01`), { linkType: IPV4 });
    expect(d.protocols.slice(0, 3)).toEqual(['ip', 'ipv6', 'udp']);
    expect(firsts(d, ['ip.version', 'ipv6.src'])).toEqual({ 'ip.version': '', 'ipv6.src': '2001:db8::1' });
  });

  it('bad version: LINKTYPE_IPV6 holding IPv4 is a bogus IPv6 header (tcpdump LINKTYPE_IPV6_invalid.pcap)', () => {
    const d = decode(hex(`
      45 00 00 39 00 01 00 00 40 11 a6 95 c0 a8 01 64
      09 09 09 09 30 39 00 35 00 25 19 76 12 34 01 00
      00 01 00 00 00 00 00 00 07 65 78 61 6d 70 6c 65
      03 63 6f 6d 00 00 01 00 01`), { linkType: IPV6 });
    expect(first(d, 'ipv6.version')).toBe('4');
    expect(first(d, 'ip.src')).toBe('');
    // tshark lists no layer for it.
    expect(d.protocols).toEqual([]);
    expect(d.malformed).toMatchObject({ code: 'bad-value', layer: 'ipv6', offset: 0 });
  });

  it('LINKTYPE_RAW with another version: raw only', () => {
    const d = decode(hex('50 00 00 14'), { linkType: RAW });
    expect(d.protocols).toEqual(['raw']);
    expect(d.malformed).toBeNull();
  });
});
