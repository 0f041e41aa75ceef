import { defineField } from '../fields/registry';
import { u32 } from './bytes';
import { markMalformed, type Dissection, type LayerInput, type NextLayer } from './dissection';
import { ETHERTYPE_NAMES, etherTypeDecoder } from './ethernet';

/*
 * BSD loopback (LINKTYPE_NULL 0, LINKTYPE_LOOP 108) and headerless IP (LINKTYPE_RAW 101, LINKTYPE_IPV4
 * 228, LINKTYPE_IPV6 229); https://www.tcpdump.org/linktypes.html.
 *
 * NULL and LOOP start with a 4-byte address family: NULL in the byte order of the machine that wrote the
 * capture (unknown to the reader), LOOP in network byte order.
 */

/** BSD AF_ values: AF_INET6 differs per BSD, hence three of them. */
const FAMILY_NAMES: Readonly<Record<number, string>> = {
  2: 'IP',
  7: 'OSI',
  16: 'Appletalk',
  23: 'Netware IPX/SPX',
  24: 'IPv6',
  28: 'IPv6',
  30: 'IPv6',
};

export const NULL_FIELDS = {
  null: defineField('null', 'Null/Loopback', 'protocol'),
  family: defineField('null.family', 'Family', 'uint', { bits: 32, strings: FAMILY_NAMES }),
  /** Some old Linux loopback captures put an EtherType there instead of a family. */
  type: defineField('null.type', 'Type', 'uint', { base: 'hex', bits: 16, strings: ETHERTYPE_NAMES }),
};

export const RAW_FIELDS = {
  raw: defineField('raw', 'Raw packet data', 'protocol'),
};

const FAMILY_LENGTH = 4;
const MAX_802_3_LENGTH = 1500;

function familyDecoder(family: number): string | null {
  switch (family) {
    case 2:
      return 'ip';
    case 24: // NetBSD, OpenBSD, BSD/OS
    case 28: // FreeBSD, DragonFly BSD
    case 30: // Darwin
      return 'ipv6';
    default:
      return null;
  }
}

function byteSwap32(value: number): number {
  return (((value & 0xff) << 24) | ((value & 0xff00) << 8) | ((value >>> 8) & 0xff00) | (value >>> 24)) >>> 0;
}

/**
 * The family of a NULL header, whose byte order is the writer's. Read as little-endian (what Wireshark
 * does on the x86 and ARM hosts it runs on), then corrected the way Wireshark's packet-null.c does:
 * AF_ values are small, so a value in the upper half means the other byte order; and an EtherType
 * (above 1500) in the upper 16 bits is what some Linux loopback captures wrote.
 */
export function nullHeaderValue(b: Uint8Array, at: number): number {
  let value = (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
  if ((value & 0xffff0000) !== 0) {
    if ((value & 0xff000000) === 0 && (value & 0x00ff0000) < 0x00060000) value >>>= 16;
    else value = byteSwap32(value);
  } else if ((value & 0xff) === 0 && (value & 0xff00) < 0x0600) {
    value >>>= 8;
  }
  return value;
}

/** LINKTYPE_NULL. */
export function decodeNull(d: Dissection, at: LayerInput): NextLayer | null {
  const start = at.offset;
  d.protocols.push('null');
  d.tree.open(NULL_FIELDS.null, start, Math.min(FAMILY_LENGTH, Math.max(at.end - start, 0)));
  if (at.end - start < FAMILY_LENGTH) return truncated(d, start, at.end - start);
  const value = nullHeaderValue(d.sources[at.source], start);
  if (value > MAX_802_3_LENGTH) {
    d.tree.add(NULL_FIELDS.type, start, FAMILY_LENGTH, value & 0xffff);
    d.tree.close();
    d.protocols.push('ethertype');
    return next(at, etherTypeDecoder(value & 0xffff), start + FAMILY_LENGTH);
  }
  d.tree.add(NULL_FIELDS.family, start, FAMILY_LENGTH, value);
  d.tree.close();
  return next(at, familyDecoder(value), start + FAMILY_LENGTH);
}

/** LINKTYPE_LOOP (OpenBSD): the family in network byte order. */
export function decodeLoop(d: Dissection, at: LayerInput): NextLayer | null {
  const start = at.offset;
  d.protocols.push('null');
  d.tree.open(NULL_FIELDS.null, start, Math.min(FAMILY_LENGTH, Math.max(at.end - start, 0)));
  if (at.end - start < FAMILY_LENGTH) return truncated(d, start, at.end - start);
  const family = u32(d.sources[at.source], start);
  d.tree.add(NULL_FIELDS.family, start, FAMILY_LENGTH, family);
  d.tree.close();
  return next(at, familyDecoder(family), start + FAMILY_LENGTH);
}

/**
 * LINKTYPE_RAW (the version nibble chooses IPv4 or IPv6; tshark adds a "raw" layer), LINKTYPE_IPV4 and
 * LINKTYPE_IPV6 (no layer of their own). LINKTYPE_IPV4 goes to the IPv4 decoder whatever the version:
 * like Wireshark's "ip" dissector it hands version 6 on to IPv6 (tcpdump's LINKTYPE_IPV4_invalid.pcap);
 * LINKTYPE_IPV6 with another version is a bogus IPv6 header, reported by the IPv6 decoder.
 */
export function decodeRawIp(d: Dissection, at: LayerInput): NextLayer | null {
  if (d.frame.linkType === 228) return next(at, 'ip', at.offset);
  if (d.frame.linkType === 229) return next(at, 'ipv6', at.offset);
  d.protocols.push('raw');
  d.tree.add(RAW_FIELDS.raw, at.offset, Math.max(at.end - at.offset, 0));
  if (at.end - at.offset < 1) {
    return markMalformed(d, { code: 'truncated', layer: 'raw', offset: at.offset, message: 'empty raw IP packet' });
  }
  const version = d.sources[at.source][at.offset] >> 4;
  if (version === 4) return next(at, 'ip', at.offset);
  if (version === 6) return next(at, 'ipv6', at.offset);
  return null;
}

function next(at: LayerInput, decoder: string | null, offset: number): NextLayer | null {
  return decoder ? { decoder, source: at.source, offset, end: at.end, embedded: false } : null;
}

function truncated(d: Dissection, start: number, available: number): null {
  return markMalformed(d, {
    code: 'truncated',
    layer: 'null',
    offset: start + Math.max(available, 0),
    message: `loopback header needs ${FAMILY_LENGTH} bytes, ${Math.max(available, 0)} captured`,
  });
}
