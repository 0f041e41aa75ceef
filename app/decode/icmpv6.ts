import { defineField } from '../fields/registry';
import { finishChecksum, onesComplementSum, u16, u32 } from './bytes';
import { markMalformed, type Dissection, type LayerInput, type NextLayer } from './dissection';
import { checksumStatus, decodeQuotedPacket } from './icmp';

/*
 * ICMPv6 (RFC 4443) and Neighbor Discovery (RFC 4861):
 *   [0] type  [1] code  [2,4) checksum over the IPv6 pseudo-header and the whole message (RFC 8200 8.1)
 *   [4,...) message body.
 * Errors (1 destination unreachable, 2 packet too big, 3 time exceeded, 4 parameter problem) quote as much
 * of the offending packet as fits; it is decoded into the tree like an ICMP error's. ND messages
 * (133-137) end with options: type, length in 8-octet units, value.
 */

const TYPE_NAMES: Readonly<Record<number, string>> = {
  1: 'Destination Unreachable',
  2: 'Packet Too Big',
  3: 'Time Exceeded',
  4: 'Parameter Problem',
  128: 'Echo (ping) request',
  129: 'Echo (ping) reply',
  130: 'Multicast Listener Query',
  131: 'Multicast Listener Report',
  132: 'Multicast Listener Done',
  133: 'Router Solicitation',
  134: 'Router Advertisement',
  135: 'Neighbor Solicitation',
  136: 'Neighbor Advertisement',
  137: 'Redirect',
  143: 'Multicast Listener Report Message v2',
};

const OPTION_NAMES: Readonly<Record<number, string>> = {
  1: 'Source link-layer address',
  2: 'Target link-layer address',
  3: 'Prefix information',
  4: 'Redirected header',
  5: 'MTU',
  24: 'Route Information',
  25: 'Recursive DNS Server',
  31: 'DNS Search List',
};

const CHECKSUM_STATUS_NAMES: Readonly<Record<number, string>> = { 0: 'Bad', 1: 'Good', 2: 'Unverified' };

export const ICMPV6_FIELDS = {
  icmpv6: defineField('icmpv6', 'Internet Control Message Protocol v6', 'protocol'),
  type: defineField('icmpv6.type', 'Type', 'uint', { bits: 8, strings: TYPE_NAMES }),
  code: defineField('icmpv6.code', 'Code', 'uint', { bits: 8 }),
  checksum: defineField('icmpv6.checksum', 'Checksum', 'uint', { base: 'hex', bits: 16 }),
  checksumStatus: defineField('icmpv6.checksum.status', 'Checksum Status', 'uint', { bits: 8, strings: CHECKSUM_STATUS_NAMES }),
  reserved: defineField('icmpv6.reserved', 'Reserved', 'bytes'),
  mtu: defineField('icmpv6.mtu', 'MTU', 'uint', { bits: 32 }),
  pointer: defineField('icmpv6.pointer', 'Pointer', 'uint', { bits: 32 }),
  echoIdentifier: defineField('icmpv6.echo.identifier', 'Identifier', 'uint', { base: 'hex', bits: 16 }),
  echoSequence: defineField('icmpv6.echo.sequence_number', 'Sequence', 'uint', { bits: 16 }),
  raCurHopLimit: defineField('icmpv6.nd.ra.cur_hop_limit', 'Cur hop limit', 'uint', { bits: 8 }),
  raFlag: defineField('icmpv6.nd.ra.flag', 'Flags', 'uint', { base: 'hex', bits: 8 }),
  raFlagM: defineField('icmpv6.nd.ra.flag.m', 'Managed address configuration', 'bool', { bits: 8, mask: 0x80 }),
  raFlagO: defineField('icmpv6.nd.ra.flag.o', 'Other configuration', 'bool', { bits: 8, mask: 0x40 }),
  raFlagH: defineField('icmpv6.nd.ra.flag.h', 'Home Agent', 'bool', { bits: 8, mask: 0x20 }),
  raFlagPrf: defineField('icmpv6.nd.ra.flag.prf', 'Prf (Default Router Preference)', 'uint', { bits: 8, mask: 0x18 }),
  raFlagP: defineField('icmpv6.nd.ra.flag.p', 'Proxy', 'bool', { bits: 8, mask: 0x04 }),
  raFlagRsv: defineField('icmpv6.nd.ra.flag.rsv', 'Reserved', 'uint', { bits: 8, mask: 0x03 }),
  raRouterLifetime: defineField('icmpv6.nd.ra.router_lifetime', 'Router lifetime (s)', 'uint', { bits: 16 }),
  raReachableTime: defineField('icmpv6.nd.ra.reachable_time', 'Reachable time (ms)', 'uint', { bits: 32 }),
  raRetransTimer: defineField('icmpv6.nd.ra.retrans_timer', 'Retrans timer (ms)', 'uint', { bits: 32 }),
  nsTargetAddress: defineField('icmpv6.nd.ns.target_address', 'Target Address', 'ipv6'),
  naFlag: defineField('icmpv6.nd.na.flag', 'Flags', 'uint', { base: 'hex', bits: 32 }),
  naFlagR: defineField('icmpv6.nd.na.flag.r', 'Router', 'bool', { bits: 32, mask: 0x80000000 }),
  naFlagS: defineField('icmpv6.nd.na.flag.s', 'Solicited', 'bool', { bits: 32, mask: 0x40000000 }),
  naFlagO: defineField('icmpv6.nd.na.flag.o', 'Override', 'bool', { bits: 32, mask: 0x20000000 }),
  naFlagRsv: defineField('icmpv6.nd.na.flag.rsv', 'Reserved', 'uint', { bits: 32, mask: 0x1fffffff }),
  naTargetAddress: defineField('icmpv6.nd.na.target_address', 'Target Address', 'ipv6'),
  mldrRecordCount: defineField('icmpv6.mldr.nb_mcast_records', 'Number of Multicast Address Records', 'uint', { bits: 16 }),
  rdTargetAddress: defineField('icmpv6.nd.rd.target_address', 'Target Address', 'ipv6'),
  rdDestinationAddress: defineField('icmpv6.nd.rd.destination_address', 'Destination Address', 'ipv6'),
  opt: defineField('icmpv6.opt', 'ICMPv6 Option', 'label'),
  optType: defineField('icmpv6.opt.type', 'Type', 'uint', { bits: 8, strings: OPTION_NAMES }),
  optLength: defineField('icmpv6.opt.length', 'Length', 'uint', { bits: 8 }),
  optLinkAddr: defineField('icmpv6.opt.linkaddr', 'Link-layer address', 'bytes'),
  optReserved: defineField('icmpv6.opt.reserved', 'Reserved', 'label'),
  optMtu: defineField('icmpv6.opt.mtu', 'MTU', 'uint', { bits: 32 }),
  optPrefixLength: defineField('icmpv6.opt.prefix.length', 'Prefix Length', 'uint', { bits: 8 }),
  optPrefixFlag: defineField('icmpv6.opt.prefix.flag', 'Flag', 'uint', { base: 'hex', bits: 8 }),
  optPrefixFlagL: defineField('icmpv6.opt.prefix.flag.l', 'On-link flag(L)', 'bool', { bits: 8, mask: 0x80 }),
  optPrefixFlagA: defineField('icmpv6.opt.prefix.flag.a', 'Autonomous address-configuration flag(A)', 'bool', { bits: 8, mask: 0x40 }),
  optPrefixFlagR: defineField('icmpv6.opt.prefix.flag.r', 'Router address flag(R)', 'bool', { bits: 8, mask: 0x20 }),
  optPrefixFlagReserved: defineField('icmpv6.opt.prefix.flag.reserved', 'Reserved', 'uint', { bits: 8, mask: 0x1f }),
  optPrefixValidLifetime: defineField('icmpv6.opt.prefix.valid_lifetime', 'Valid Lifetime', 'uint', { bits: 32 }),
  optPrefixPreferredLifetime: defineField('icmpv6.opt.prefix.preferred_lifetime', 'Preferred Lifetime', 'uint', { bits: 32 }),
  optPrefix: defineField('icmpv6.opt.prefix', 'Prefix', 'ipv6'),
};

const TYPE_UNREACHABLE = 1;
const TYPE_PACKET_TOO_BIG = 2;
const TYPE_TIME_EXCEEDED = 3;
const TYPE_PARAMETER_PROBLEM = 4;
const TYPE_ECHO_REQUEST = 128;
const TYPE_ECHO_REPLY = 129;
const TYPE_ROUTER_SOLICITATION = 133;
const TYPE_ROUTER_ADVERTISEMENT = 134;
const TYPE_NEIGHBOR_SOLICITATION = 135;
const TYPE_NEIGHBOR_ADVERTISEMENT = 136;
const TYPE_REDIRECT = 137;
const TYPE_MLDV2_REPORT = 143;
const OPTION_SOURCE_LINK_ADDRESS = 1;
const OPTION_TARGET_LINK_ADDRESS = 2;
const OPTION_PREFIX_INFORMATION = 3;
const OPTION_MTU = 5;
const HEADER_LENGTH = 4;
const ICMPV6_PROTOCOL = 58;

export function decodeIcmpv6(d: Dissection, at: LayerInput): NextLayer | null {
  const b = d.sources[at.source];
  const start = at.offset;
  const available = at.end - start;
  const t = d.tree;
  const F = ICMPV6_FIELDS;
  d.protocols.push('icmpv6');
  t.open(F.icmpv6, start, Math.max(available, 0));
  if (available < HEADER_LENGTH) {
    if (available >= 1) t.add(F.type, start, 1, b[start]);
    if (available >= 2) t.add(F.code, start + 1, 1, b[start + 1]);
    return truncated(d, start + Math.max(available, 0));
  }
  const type = b[start];
  const code = b[start + 1];
  t.add(F.type, start, 1, type);
  t.add(F.code, start + 1, 1, code);
  t.add(F.checksum, start + 2, 2, u16(b, start + 2));
  t.addGenerated(F.checksumStatus, verify(d, at));
  if (!at.embedded) d.icmp = { version: 6, type, code };

  const body = start + HEADER_LENGTH;
  const end = at.end;
  switch (type) {
    case TYPE_UNREACHABLE:
    case TYPE_PACKET_TOO_BIG:
    case TYPE_TIME_EXCEEDED:
    case TYPE_PARAMETER_PROBLEM: {
      if (end - body < 4) return truncated(d, end);
      if (type === TYPE_PACKET_TOO_BIG) t.add(F.mtu, body, 4, u32(b, body));
      else if (type === TYPE_PARAMETER_PROBLEM) t.add(F.pointer, body, 4, u32(b, body));
      else t.add(F.reserved, body, 4);
      t.close();
      const quoted = body + 4;
      if (end > quoted && !at.embedded) {
        decodeQuotedPacket(d, { decoder: 'ipv6', source: at.source, offset: quoted, end, embedded: true });
      }
      return null;
    }
    case TYPE_ECHO_REQUEST:
    case TYPE_ECHO_REPLY:
      if (end - body < 2) return truncated(d, end);
      t.add(F.echoIdentifier, body, 2, u16(b, body));
      if (end - body < 4) return truncated(d, end);
      t.add(F.echoSequence, body + 2, 2, u16(b, body + 2));
      t.close();
      if (end > body + 4) d.protocols.push('data');
      return null;
    case TYPE_ROUTER_SOLICITATION:
      if (end - body < 4) return truncated(d, end);
      t.add(F.reserved, body, 4);
      return decodeOptions(d, body + 4, end);
    case TYPE_ROUTER_ADVERTISEMENT: {
      if (end - body < 12) return truncated(d, end);
      const flags = b[body + 1];
      t.add(F.raCurHopLimit, body, 1, b[body]);
      t.open(F.raFlag, body + 1, 1, flags);
      t.add(F.raFlagM, body + 1, 1, (flags & 0x80) !== 0);
      t.add(F.raFlagO, body + 1, 1, (flags & 0x40) !== 0);
      t.add(F.raFlagH, body + 1, 1, (flags & 0x20) !== 0);
      t.add(F.raFlagPrf, body + 1, 1, (flags >> 3) & 0x03);
      t.add(F.raFlagP, body + 1, 1, (flags & 0x04) !== 0);
      t.add(F.raFlagRsv, body + 1, 1, flags & 0x03);
      t.close();
      t.add(F.raRouterLifetime, body + 2, 2, u16(b, body + 2));
      t.add(F.raReachableTime, body + 4, 4, u32(b, body + 4));
      t.add(F.raRetransTimer, body + 8, 4, u32(b, body + 8));
      return decodeOptions(d, body + 12, end);
    }
    case TYPE_NEIGHBOR_SOLICITATION:
      if (end - body < 20) return truncated(d, end);
      t.add(F.reserved, body, 4);
      t.add(F.nsTargetAddress, body + 4, 16);
      return decodeOptions(d, body + 20, end);
    case TYPE_NEIGHBOR_ADVERTISEMENT: {
      if (end - body < 20) return truncated(d, end);
      const flags = u32(b, body);
      t.open(F.naFlag, body, 4, flags);
      t.add(F.naFlagR, body, 4, (flags & 0x80000000) !== 0);
      t.add(F.naFlagS, body, 4, (flags & 0x40000000) !== 0);
      t.add(F.naFlagO, body, 4, (flags & 0x20000000) !== 0);
      t.add(F.naFlagRsv, body, 4, flags & 0x1fffffff);
      t.close();
      t.add(F.naTargetAddress, body + 4, 16);
      return decodeOptions(d, body + 20, end);
    }
    case TYPE_REDIRECT:
      if (end - body < 36) return truncated(d, end);
      t.add(F.reserved, body, 4);
      t.add(F.rdTargetAddress, body + 4, 16);
      t.add(F.rdDestinationAddress, body + 20, 16);
      return decodeOptions(d, body + 36, end);
    case TYPE_MLDV2_REPORT:
      // RFC 3810 5.2: reserved, record count; the records themselves are not decoded here.
      if (end - body < 4) return truncated(d, end);
      t.add(F.reserved, body, 2);
      t.add(F.mldrRecordCount, body + 2, 2, u16(b, body + 2));
      t.close();
      return null;
    default:
      t.close();
      return null;
  }
}

/** RFC 4443 2.3: the checksum covers the pseudo-header (RFC 8200 8.1) and the message, if all captured. */
function verify(d: Dissection, at: LayerInput): number {
  const ip = d.ip;
  if (at.embedded || !ip || ip.version !== 6 || ip.pseudoHeaderAddressSum === undefined) return checksumStatus(0, false);
  const length = ip.payloadLength;
  if (at.end - at.offset < length) return checksumStatus(0, false);
  const b = d.sources[at.source];
  const pseudoHeader = ip.pseudoHeaderAddressSum + (length >>> 16) + (length & 0xffff) + ICMPV6_PROTOCOL;
  return checksumStatus(finishChecksum(onesComplementSum(b, at.offset, at.offset + length, pseudoHeader)), true);
}

/**
 * ND options (RFC 4861 4.6): each at least 8 bytes, so the loop advances by 8 or more and is bounded by
 * the message length; a zero length is invalid (and would loop), which ends the options as malformed.
 */
function decodeOptions(d: Dissection, start: number, end: number): null {
  const b = d.sources[d.tree.source];
  const t = d.tree;
  const F = ICMPV6_FIELDS;
  let offset = start;
  while (end - offset >= 2) {
    const type = b[offset];
    const length = b[offset + 1] * 8;
    if (length === 0 || offset + length > end) {
      t.open(F.opt, offset, end - offset);
      t.add(F.optType, offset, 1, type);
      t.add(F.optLength, offset + 1, 1, b[offset + 1]);
      t.close();
      t.close();
      return markMalformed(d, {
        code: 'bad-length',
        layer: 'icmpv6',
        offset: offset + 1,
        message: `ICMPv6 option ${type} length ${length} does not fit the ${end - offset} bytes left`,
      });
    }
    t.open(F.opt, offset, length);
    t.add(F.optType, offset, 1, type);
    t.add(F.optLength, offset + 1, 1, b[offset + 1]);
    const value = offset + 2;
    if (type === OPTION_SOURCE_LINK_ADDRESS || type === OPTION_TARGET_LINK_ADDRESS) {
      // The address fills the option but for trailing padding; Ethernet's is 6 bytes (RFC 2464 6).
      t.add(F.optLinkAddr, value, length === 8 ? 6 : length - 2);
    } else if (type === OPTION_PREFIX_INFORMATION && length === 32) {
      const flags = b[value + 1];
      t.add(F.optPrefixLength, value, 1, b[value]);
      t.open(F.optPrefixFlag, value + 1, 1, flags);
      t.add(F.optPrefixFlagL, value + 1, 1, (flags & 0x80) !== 0);
      t.add(F.optPrefixFlagA, value + 1, 1, (flags & 0x40) !== 0);
      t.add(F.optPrefixFlagR, value + 1, 1, (flags & 0x20) !== 0);
      t.add(F.optPrefixFlagReserved, value + 1, 1, flags & 0x1f);
      t.close();
      t.add(F.optPrefixValidLifetime, value + 2, 4, u32(b, value + 2));
      t.add(F.optPrefixPreferredLifetime, value + 6, 4, u32(b, value + 6));
      t.add(F.optReserved, value + 10, 4);
      t.add(F.optPrefix, value + 14, 16);
    } else if (type === OPTION_MTU && length === 8) {
      t.add(F.optReserved, value, 2);
      t.add(F.optMtu, value + 2, 4, u32(b, value + 2));
    }
    t.close();
    offset += length;
  }
  t.close();
  if (offset < end) return truncated(d, end);
  return null;
}

function truncated(d: Dissection, offset: number): null {
  return markMalformed(d, { code: 'truncated', layer: 'icmpv6', offset, message: 'ICMPv6 message truncated' });
}
