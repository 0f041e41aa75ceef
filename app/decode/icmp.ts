import { defineField } from '../fields/registry';
import { finishChecksum, onesComplementSum, u16, u32 } from './bytes';
import { markMalformed, type Dissection, type LayerInput, type NextLayer } from './dissection';
import { decodeLayer } from './frame';
import { CHECKSUM_STATUS } from './ipv4';

/*
 * ICMP for IPv4 (RFC 792, with RFC 950 address masks, RFC 1256 router discovery and RFC 4884 lengths):
 *   [0] type  [1] code  [2,4) checksum over the whole message  [4,8) type-specific  [8,...) body.
 * Error messages (destination unreachable 3, source quench 4, redirect 5, time exceeded 11, parameter
 * problem 12) quote the offending datagram's IP header and first bytes; that packet is decoded into the
 * tree (never into the reprs), so tshark's first occurrence of e.g. udp.srcport in a port-unreachable
 * frame is the quoted UDP header's, as it is for us.
 */

const TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'Echo (ping) reply',
  3: 'Destination unreachable',
  4: 'Source quench (flow control)',
  5: 'Redirect',
  8: 'Echo (ping) request',
  9: 'Router advertisement',
  10: 'Router solicitation',
  11: 'Time-to-live exceeded',
  12: 'Parameter problem',
  13: 'Timestamp request',
  14: 'Timestamp reply',
  15: 'Information request',
  16: 'Information reply',
  17: 'Address mask request',
  18: 'Address mask reply',
};

const CHECKSUM_STATUS_NAMES: Readonly<Record<number, string>> = { 0: 'Bad', 1: 'Good', 2: 'Unverified' };

export const ICMP_FIELDS = {
  icmp: defineField('icmp', 'Internet Control Message Protocol', 'protocol'),
  type: defineField('icmp.type', 'Type', 'uint', { bits: 8, strings: TYPE_NAMES }),
  code: defineField('icmp.code', 'Code', 'uint', { bits: 8 }),
  checksum: defineField('icmp.checksum', 'Checksum', 'uint', { base: 'hex', bits: 16 }),
  checksumStatus: defineField('icmp.checksum.status', 'Checksum Status', 'uint', { bits: 8, strings: CHECKSUM_STATUS_NAMES }),
  unused: defineField('icmp.unused', 'Unused', 'bytes'),
  // Wireshark shows the identifier and sequence number read both ways, for stacks that send them
  // in host byte order (Windows ping did).
  ident: defineField('icmp.ident', 'Identifier (BE)', 'uint', { base: 'dec_hex', bits: 16 }),
  identLe: defineField('icmp.ident_le', 'Identifier (LE)', 'uint', { base: 'dec_hex', bits: 16 }),
  seq: defineField('icmp.seq', 'Sequence Number (BE)', 'uint', { base: 'dec_hex', bits: 16 }),
  seqLe: defineField('icmp.seq_le', 'Sequence Number (LE)', 'uint', { base: 'dec_hex', bits: 16 }),
  mtu: defineField('icmp.mtu', 'MTU of next hop', 'uint', { bits: 16 }),
  pointer: defineField('icmp.pointer', 'Pointer', 'uint', { bits: 32 }),
  length: defineField('icmp.length', 'Length', 'uint', { bits: 8 }),
  lengthOriginalDatagram: defineField('icmp.length.original_datagram', 'Length of original datagram', 'uint', { bits: 8 }),
  redirectGateway: defineField('icmp.redir_gw', 'Gateway Address', 'ipv4'),
  numAddrs: defineField('icmp.num_addrs', 'Number of addresses', 'uint', { bits: 8 }),
  addrEntrySize: defineField('icmp.addr_entry_size', 'Address entry size', 'uint', { bits: 8 }),
  lifetime: defineField('icmp.lifetime', 'Lifetime', 'uint', { bits: 16 }),
  routerAddress: defineField('icmp.router_address', 'Router address', 'ipv4'),
  prefLevel: defineField('icmp.pref_level', 'Preference level', 'int', { bits: 32 }),
  originateTimestamp: defineField('icmp.originate_timestamp', 'Originate Timestamp', 'uint', { bits: 32 }),
  receiveTimestamp: defineField('icmp.receive_timestamp', 'Receive Timestamp', 'uint', { bits: 32 }),
  transmitTimestamp: defineField('icmp.transmit_timestamp', 'Transmit Timestamp', 'uint', { bits: 32 }),
  addressMask: defineField('icmp.address_mask', 'Address Mask', 'ipv4'),
};

const TYPE_ECHO_REPLY = 0;
const TYPE_UNREACHABLE = 3;
const TYPE_SOURCE_QUENCH = 4;
const TYPE_REDIRECT = 5;
const TYPE_ECHO = 8;
const TYPE_ROUTER_ADVERTISEMENT = 9;
const TYPE_TIME_EXCEEDED = 11;
const TYPE_PARAMETER_PROBLEM = 12;
const TYPE_TIMESTAMP = 13;
const TYPE_TIMESTAMP_REPLY = 14;
const TYPE_INFO_REQUEST = 15;
const TYPE_INFO_REPLY = 16;
const TYPE_MASK_REQUEST = 17;
const TYPE_MASK_REPLY = 18;
const CODE_FRAGMENTATION_NEEDED = 4;
const HEADER_LENGTH = 8;
/**
 * Wireshark reads the first six bytes before it shows anything (type, code, checksum and the RFC 4884
 * length at byte 5), so a shorter message shows no ICMP field at all (checked with tshark 4.0).
 */
const MIN_DECODED_LENGTH = 6;
/** Headers of a quoted packet: IP, extension headers, transport; more is not real traffic. */
export const MAX_EMBEDDED_LAYERS = 8;

/** How a message's checksum fares: verified only when the whole message was captured. */
export function checksumStatus(computed: number, wholeMessage: boolean): number {
  if (!wholeMessage) return CHECKSUM_STATUS.unverified;
  return computed === 0 ? CHECKSUM_STATUS.good : CHECKSUM_STATUS.bad;
}

/**
 * Decodes a quoted packet through the pipeline's own decoders (so IPv4/IPv6, TCP and UDP headers in an
 * error appear in the tree) with embedded set: no reprs, no reassembly. The quote is cut short by design
 * (RFC 792: the IP header and 64 bits of data), so, as in tshark, what the inner decoders report as
 * truncated does not make the frame malformed.
 */
export function decodeQuotedPacket(d: Dissection, first: NextLayer): void {
  const outerIssue = d.malformed;
  let next: NextLayer | null = first;
  for (let depth = 0; next && depth < MAX_EMBEDDED_LAYERS; depth++) next = decodeLayer(d, next);
  d.malformed = outerIssue;
}

export function decodeIcmp(d: Dissection, at: LayerInput): NextLayer | null {
  const b = d.sources[at.source];
  const start = at.offset;
  const available = at.end - start;
  const t = d.tree;
  const F = ICMP_FIELDS;
  d.protocols.push('icmp');
  t.open(F.icmp, start, Math.max(available, 0));
  if (available < MIN_DECODED_LENGTH) return truncated(d, start + Math.max(available, 0));
  const type = b[start];
  const code = b[start + 1];
  t.add(F.type, start, 1, type);
  t.add(F.code, start + 1, 1, code);
  t.add(F.checksum, start + 2, 2, u16(b, start + 2));
  // The IP layer announced how long the message is; verify only when all of it was captured, and not
  // in a quoted packet (it is cut short by design).
  const announced = d.ip && !at.embedded ? d.ip.payloadLength : -1;
  const wholeMessage = !at.embedded && announced >= 0 && available >= announced;
  t.addGenerated(F.checksumStatus, checksumStatus(finishChecksum(onesComplementSum(b, start, at.end)), wholeMessage));
  if (!at.embedded) d.icmp = { version: 4, type, code };

  switch (type) {
    case TYPE_ECHO:
    case TYPE_ECHO_REPLY:
    case TYPE_TIMESTAMP:
    case TYPE_TIMESTAMP_REPLY:
    case TYPE_INFO_REQUEST:
    case TYPE_INFO_REPLY:
    case TYPE_MASK_REQUEST:
    case TYPE_MASK_REPLY:
      return decodeQuery(d, start, at.end, type);
    case TYPE_UNREACHABLE:
    case TYPE_SOURCE_QUENCH:
    case TYPE_REDIRECT:
    case TYPE_TIME_EXCEEDED:
    case TYPE_PARAMETER_PROBLEM:
      return decodeError(d, at, type, code);
    case TYPE_ROUTER_ADVERTISEMENT:
      return decodeRouterAdvertisement(d, start, at.end);
    default:
      t.close();
      return null;
  }
}

/** Echo, timestamp, information and address mask messages: identifier and sequence number, then their body. */
function decodeQuery(d: Dissection, start: number, end: number, type: number): null {
  const b = d.sources[d.tree.source];
  const t = d.tree;
  const F = ICMP_FIELDS;
  const identifier = u16(b, start + 4);
  t.add(F.ident, start + 4, 2, identifier);
  t.add(F.identLe, start + 4, 2, swap16(identifier));
  if (end - start < HEADER_LENGTH) return truncated(d, end);
  const sequence = u16(b, start + 6);
  t.add(F.seq, start + 6, 2, sequence);
  t.add(F.seqLe, start + 6, 2, swap16(sequence));
  const body = start + HEADER_LENGTH;
  if (type === TYPE_TIMESTAMP || type === TYPE_TIMESTAMP_REPLY) {
    const stamps = [F.originateTimestamp, F.receiveTimestamp, F.transmitTimestamp];
    for (let i = 0; i < stamps.length; i++) {
      if (end - (body + 4 * i) < 4) return truncated(d, end);
      t.add(stamps[i], body + 4 * i, 4, u32(b, body + 4 * i));
    }
  } else if (type === TYPE_MASK_REQUEST || type === TYPE_MASK_REPLY) {
    if (end - body < 4) return truncated(d, end);
    t.add(F.addressMask, body, 4);
  } else if ((type === TYPE_ECHO || type === TYPE_ECHO_REPLY) && end > body) {
    d.protocols.push('data');
  }
  t.close();
  return null;
}

/**
 * Error messages: the type-specific word (unused, MTU, gateway, pointer; RFC 4884's length of the quoted
 * datagram in 32-bit words for types 3, 11 and 12), then the quoted packet.
 */
function decodeError(d: Dissection, at: LayerInput, type: number, code: number): null {
  const b = d.sources[at.source];
  const t = d.tree;
  const F = ICMP_FIELDS;
  const start = at.offset;
  const end = at.end;
  const lengthWords = b[start + 5];
  const hasLength = lengthWords > 0 && (type === TYPE_UNREACHABLE || type === TYPE_TIME_EXCEEDED || type === TYPE_PARAMETER_PROBLEM);
  if (type === TYPE_UNREACHABLE && code === CODE_FRAGMENTATION_NEEDED) {
    t.add(F.unused, start + 4, 2);
    if (end - start < HEADER_LENGTH) return truncated(d, end);
    t.add(F.mtu, start + 6, 2, u16(b, start + 6));
  } else if (type === TYPE_REDIRECT) {
    if (end - start < HEADER_LENGTH) return truncated(d, end);
    t.add(F.redirectGateway, start + 4, 4);
  } else {
    if (type === TYPE_PARAMETER_PROBLEM) t.add(F.pointer, start + 4, 1, b[start + 4]);
    else if (hasLength) t.add(F.unused, start + 4, 1);
    if (hasLength) {
      t.add(F.length, start + 5, 1, lengthWords);
      t.add(F.lengthOriginalDatagram, start + 5, 1, lengthWords * 4);
    }
    if (end - start < HEADER_LENGTH) return truncated(d, end);
    if (hasLength) t.add(F.unused, start + 6, 2);
    else t.add(F.unused, start + (type === TYPE_PARAMETER_PROBLEM ? 5 : 4), type === TYPE_PARAMETER_PROBLEM ? 3 : 4);
  }
  t.close();
  const quoted = start + HEADER_LENGTH;
  // RFC 4884: with a length, the quoted datagram ends there and extensions may follow.
  const quotedEnd = hasLength ? Math.min(end, quoted + lengthWords * 4) : end;
  // A quoted packet inside a quoted packet is not followed further: that would let crafted input nest
  // decoders without bound.
  if (quotedEnd > quoted && !at.embedded) {
    decodeQuotedPacket(d, { decoder: 'ip', source: at.source, offset: quoted, end: quotedEnd, embedded: true });
  }
  return null;
}

/** RFC 1256 router advertisement: address count, entry size (in words), lifetime, then the entries. */
function decodeRouterAdvertisement(d: Dissection, start: number, end: number): null {
  const b = d.sources[d.tree.source];
  const t = d.tree;
  const F = ICMP_FIELDS;
  const count = b[start + 4];
  const entryBytes = b[start + 5] * 4;
  t.add(F.numAddrs, start + 4, 1, count);
  t.add(F.addrEntrySize, start + 5, 1, b[start + 5]);
  if (end - start < HEADER_LENGTH) return truncated(d, end);
  t.add(F.lifetime, start + 6, 2, u16(b, start + 6));
  // Each entry is an address and a preference level (8 bytes, RFC 1256 entry size 2); the count bounds the loop.
  let entry = start + HEADER_LENGTH;
  for (let i = 0; i < count && entryBytes >= 8; i++, entry += entryBytes) {
    if (end - entry < 8) return truncated(d, end);
    t.add(F.routerAddress, entry, 4);
    t.add(F.prefLevel, entry + 4, 4, u32(b, entry + 4) | 0);
  }
  t.close();
  return null;
}

function swap16(value: number): number {
  return ((value & 0xff) << 8) | (value >> 8);
}

function truncated(d: Dissection, offset: number): null {
  return markMalformed(d, { code: 'truncated', layer: 'icmp', offset, message: 'ICMP message truncated' });
}
