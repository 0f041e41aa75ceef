import { defineField } from '../fields/registry';
import { finishChecksum, formatIpv4, onesComplementSum, sumWithoutChecksumField, u16 } from './bytes';
import { markMalformed, type Dissection, type LayerInput, type NextLayer } from './dissection';
import { recordReassembly, type ReassemblyFields } from './defrag';

/*
 * IPv4 (RFC 791 section 3.1):
 *   [0] version (4 bits) | IHL (4 bits, in 32-bit words)   [1] DS field (RFC 2474) + ECN (RFC 3168)
 *   [2,4) total length   [4,6) identification   [6,8) flags (3 bits) | fragment offset (13 bits, 8-byte units)
 *   [8] TTL  [9] protocol  [10,12) header checksum  [12,16) source  [16,20) destination  [20,IHL*4) options
 *
 * The checks and their order follow Wireshark's dissect_ip_v4 (verified against tshark 4.0 on the corpus):
 * a version other than 4 or 6, an IHL below 5 and a total length below the header length end the
 * layer after the field that shows the problem; a total length of 0 is taken as TCP segmentation
 * offload and replaced by the bytes the frame reports.
 */

/** IANA protocol numbers, named as Wireshark names them. */
export const IP_PROTOCOL_NAMES: Readonly<Record<number, string>> = {
  0: 'IPv6 Hop-by-Hop Option',
  1: 'ICMP',
  2: 'IGMP',
  4: 'IPIP',
  6: 'TCP',
  17: 'UDP',
  41: 'IPv6',
  43: 'IPv6 Routing',
  44: 'IPv6 Fragment',
  47: 'Generic Routing Encapsulation',
  50: 'Encap Security Payload',
  51: 'Authentication Header',
  58: 'ICMPv6',
  59: 'IPv6 No Next Header',
  60: 'IPv6 Destination Options',
  89: 'OSPF IGP',
  103: 'PIM',
  112: 'Virtual Router Redundancy Protocol',
  132: 'SCTP',
  136: 'UDPLite',
};

const CHECKSUM_STATUS_NAMES: Readonly<Record<number, string>> = { 0: 'Bad', 1: 'Good', 2: 'Unverified' };

/** Wireshark's ip.checksum.status values (its PROTO_CHECKSUM_E_*). */
export const CHECKSUM_STATUS = { bad: 0, good: 1, unverified: 2 } as const;

const OPTION_CLASS_NAMES: Readonly<Record<number, string>> = {
  0: 'Control',
  1: 'Reserved for future use',
  2: 'Debugging and measurement',
  3: 'Reserved for future use',
};

export const IPV4_FIELDS = {
  ip: defineField('ip', 'Internet Protocol Version 4', 'protocol'),
  version: defineField('ip.version', 'Version', 'uint', { bits: 8 }),
  hdrLen: defineField('ip.hdr_len', 'Header Length', 'uint', { bits: 8 }),
  dsfield: defineField('ip.dsfield', 'Differentiated Services Field', 'uint', { base: 'hex', bits: 8 }),
  dscp: defineField('ip.dsfield.dscp', 'Differentiated Services Codepoint', 'uint', { bits: 8, mask: 0xfc }),
  ecn: defineField('ip.dsfield.ecn', 'Explicit Congestion Notification', 'uint', { bits: 8, mask: 0x03 }),
  len: defineField('ip.len', 'Total Length', 'uint', { bits: 16 }),
  id: defineField('ip.id', 'Identification', 'uint', { base: 'hex_dec', bits: 16 }),
  flags: defineField('ip.flags', 'Flags', 'uint', { base: 'hex', bits: 8, mask: 0xe0 }),
  flagsRb: defineField('ip.flags.rb', 'Reserved bit', 'bool', { bits: 8, mask: 0x80 }),
  flagsDf: defineField('ip.flags.df', "Don't fragment", 'bool', { bits: 8, mask: 0x40 }),
  flagsMf: defineField('ip.flags.mf', 'More fragments', 'bool', { bits: 8, mask: 0x20 }),
  /** In 8-byte units, as the header carries it (tshark shows the raw field). */
  fragOffset: defineField('ip.frag_offset', 'Fragment Offset', 'uint', { bits: 16, mask: 0x1fff }),
  ttl: defineField('ip.ttl', 'Time to Live', 'uint', { bits: 8 }),
  proto: defineField('ip.proto', 'Protocol', 'uint', { bits: 8, strings: IP_PROTOCOL_NAMES }),
  checksum: defineField('ip.checksum', 'Header Checksum', 'uint', { base: 'hex', bits: 16 }),
  checksumStatus: defineField('ip.checksum.status', 'Header checksum status', 'uint', { bits: 8, strings: CHECKSUM_STATUS_NAMES }),
  checksumCalculated: defineField('ip.checksum_calculated', 'Calculated Checksum', 'uint', { base: 'hex', bits: 16 }),
  src: defineField('ip.src', 'Source Address', 'ipv4'),
  dst: defineField('ip.dst', 'Destination Address', 'ipv4'),
  /** The header's destination while a source route is under way (the final one is in the option). */
  curRt: defineField('ip.cur_rt', 'Current Route', 'ipv4'),
  /** Heading of the options (Wireshark shows it as text without a field name). */
  options: defineField('ip.options', 'Options', 'label'),
  optionUnknown: defineField('ip.options.unknown', 'Unknown option', 'label'),
  optType: defineField('ip.opt.type', 'Type', 'uint', { bits: 8 }),
  optTypeCopy: defineField('ip.opt.type.copy', 'Copy on fragmentation', 'bool', { bits: 8, mask: 0x80 }),
  optTypeClass: defineField('ip.opt.type.class', 'Class', 'uint', { bits: 8, mask: 0x60, strings: OPTION_CLASS_NAMES }),
  optTypeNumber: defineField('ip.opt.type.number', 'Number', 'uint', { bits: 8, mask: 0x1f }),
  optLen: defineField('ip.opt.len', 'Length', 'uint', { bits: 8 }),
  optPtr: defineField('ip.opt.ptr', 'Pointer', 'uint', { bits: 8 }),
  optRouterAlert: defineField('ip.opt.ra', 'Router Alert', 'uint', { bits: 16 }),
};

/** Option kinds Wireshark names (its ip.options.* protocols), by type octet (IANA "ip-parameters"). */
const OPTION_KINDS: Readonly<Record<number, { name: string; label: string }>> = {
  0: { name: 'eol', label: 'End of Options List (EOL)' },
  1: { name: 'nop', label: 'No-Operation (NOP)' },
  7: { name: 'record_route', label: 'Record Route' },
  11: { name: 'mtu_probe', label: 'MTU Probe' },
  12: { name: 'mtu_reply', label: 'MTU Reply' },
  25: { name: 'qs', label: 'Quick-Start' },
  68: { name: 'timestamp', label: 'Time Stamp' },
  82: { name: 'traceroute', label: 'Traceroute' },
  130: { name: 'security', label: 'Security' },
  131: { name: 'route', label: 'Loose Source Route' },
  133: { name: 'ext_security', label: 'Extended Security' },
  134: { name: 'cipso', label: 'Commercial Security' },
  136: { name: 'sid', label: 'Stream ID' },
  137: { name: 'source_route', label: 'Strict Source Route' },
  148: { name: 'routeralert', label: 'Router Alert' },
  149: { name: 'sdb', label: 'Selective Directed Broadcast' },
};

const OPTION_FIELDS = new Map(
  Object.entries(OPTION_KINDS).map(([type, kind]) => [
    Number(type),
    defineField(`ip.options.${kind.name}`, `IP Option - ${kind.label}`, 'protocol'),
  ]),
);

export const IPV4_REASSEMBLY_FIELDS: ReassemblyFields = {
  fragments: defineField('ip.fragments', 'IPv4 Fragments', 'bytes'),
  fragment: defineField('ip.fragment', 'IPv4 Fragment', 'framenum'),
  fragmentError: defineField('ip.fragment.error', 'Defragmentation error', 'framenum'),
  overlap: defineField('ip.fragment.overlap', 'Fragment overlap', 'bool'),
  overlapConflict: defineField('ip.fragment.overlap.conflict', 'Conflicting data in fragment overlap', 'bool'),
  multipleTails: defineField('ip.fragment.multipletails', 'Multiple tail fragments found', 'bool'),
  tooLong: defineField('ip.fragment.toolongfragment', 'Fragment too long', 'bool'),
  count: defineField('ip.fragment.count', 'Fragment count', 'uint', { bits: 32 }),
  reassembledLength: defineField('ip.reassembled.length', 'Reassembled IPv4 length', 'uint', { bits: 32 }),
  reassembledData: defineField('ip.reassembled.data', 'Reassembled IPv4 data', 'bytes'),
};

const MIN_HEADER_LENGTH = 20;
const OPTION_EOL = 0;
const OPTION_NOP = 1;
const OPTION_ROUTER_ALERT = 148;
const OPTION_LOOSE_SOURCE_ROUTE = 131;
const OPTION_STRICT_SOURCE_ROUTE = 137;

/**
 * Where the datagram's final destination is, as Wireshark decides before it shows ip.dst: the header's
 * destination, unless a loose or strict source route (RFC 791 3.1) still has hops to go, in which case it
 * is the route's last address ('route', its offset) and the header holds the current hop; a route whose
 * length cannot hold whole addresses shows no destination ('invalid'). Wireshark scans the options for
 * this first, so options cut short by the capture hide ip.dst ('truncated'). Checked against tshark 4.0
 * on crafted routes (every pointer and length case) and tcpdump's ip_printroute_asan.pcap.
 */
type FinalDestination = { kind: 'header' } | { kind: 'route'; offset: number } | { kind: 'invalid' } | { kind: 'truncated' };

function finalDestination(b: Uint8Array, start: number, headerLength: number, end: number): FinalDestination {
  const optionsEnd = start + headerLength;
  let offset = start + MIN_HEADER_LENGTH;
  // Every step advances by at least one byte, so at most 40 iterations.
  while (offset < optionsEnd) {
    if (offset >= end) return { kind: 'truncated' };
    const type = b[offset];
    if (type === OPTION_EOL) break;
    if (type === OPTION_NOP) {
      offset += 1;
      continue;
    }
    if (offset + 1 >= end) return { kind: 'truncated' };
    const length = b[offset + 1];
    if (length < 2) break;
    if (type === OPTION_LOOSE_SOURCE_ROUTE || type === OPTION_STRICT_SOURCE_ROUTE) {
      if (offset + 2 >= end) return { kind: 'truncated' };
      // The pointer (1-based, RFC 791) names the next address: from 4 on, on an address boundary, and
      // past the length once the route is done; any other pointer leaves the header's destination.
      const pointer = b[offset + 2];
      // The first source route decides; the options after it are not looked at.
      if (pointer < 4 || (pointer - 4) % 4 !== 0 || pointer > length) return { kind: 'header' };
      if (length < 7 || (length - 3) % 4 !== 0) return { kind: 'invalid' };
      if (offset + length > end) return { kind: 'truncated' };
      return { kind: 'route', offset: offset + length - 4 };
    }
    offset += length;
  }
  return { kind: 'header' };
}

/** The decoder for an IP protocol number (IPv4 protocol, IPv6 next header), or null where we stop. */
export function ipProtocolDecoder(protocol: number): string | null {
  switch (protocol) {
    case 1:
      return 'icmp';
    case 4:
      return 'ip';
    case 6:
      return 'tcp';
    case 17:
      return 'udp';
    case 41:
      return 'ipv6';
    case 58:
      return 'icmpv6';
    default:
      return null;
  }
}

/**
 * Bytes the frame reports from `offset` to the end of the layer: the original length for a layer that
 * runs to the end of the captured frame (what a snapshot length cut off still counts), else the layer's
 * own end. Wireshark's tvb_reported_length for the same layer.
 */
export function reportedRemaining(d: Dissection, at: LayerInput, offset: number): number {
  if (at.source === 0 && at.end >= d.frame.capturedLength) return Math.max(d.frame.originalLength, d.frame.capturedLength) - offset;
  return at.end - offset;
}

export function decodeIpv4(d: Dissection, at: LayerInput): NextLayer | null {
  const b = d.sources[at.source];
  const start = at.offset;
  const available = at.end - start;
  const t = d.tree;
  const F = IPV4_FIELDS;
  if (available < 1) {
    d.protocols.push('ip');
    return truncated(d, start, 'IPv4 header');
  }
  const version = b[start] >> 4;
  // Wireshark's "ip" dissector takes both versions; version 6 goes on to IPv6 after an "ip" layer.
  if (version === 6) {
    d.protocols.push('ip');
    return { decoder: 'ipv6', source: at.source, offset: start, end: at.end, embedded: at.embedded };
  }
  d.protocols.push('ip');
  const headerLength = (b[start] & 0x0f) * 4;
  t.open(F.ip, start, Math.min(Math.max(headerLength, 1), available));
  t.add(F.version, start, 1, version);
  if (version !== 4) {
    return markMalformed(d, { code: 'bad-value', layer: 'ip', offset: start, message: `bogus IPv4 version ${version}` });
  }
  t.add(F.hdrLen, start, 1, headerLength);
  if (headerLength < MIN_HEADER_LENGTH) {
    return markMalformed(d, {
      code: 'bad-length',
      layer: 'ip',
      offset: start,
      message: `bogus IPv4 header length ${headerLength}, must be at least ${MIN_HEADER_LENGTH}`,
    });
  }
  if (available < 2) return truncated(d, start + available, 'IPv4 header');
  const dsfield = b[start + 1];
  t.open(F.dsfield, start + 1, 1, dsfield);
  t.add(F.dscp, start + 1, 1, dsfield >> 2);
  t.add(F.ecn, start + 1, 1, dsfield & 0x03);
  t.close();
  if (available < 4) return truncated(d, start + available, 'IPv4 header');
  const reported = reportedRemaining(d, at, start);
  const lengthField = u16(b, start + 2);
  // A zero total length is what TCP segmentation offload leaves in captures: Wireshark takes the frame's.
  const totalLength = lengthField === 0 ? reported : lengthField;
  t.add(F.len, start + 2, 2, totalLength);
  if (totalLength < headerLength) {
    return markMalformed(d, {
      code: 'bad-length',
      layer: 'ip',
      offset: start + 2,
      message: `bogus IPv4 total length ${totalLength}, less than the header length ${headerLength}`,
    });
  }
  if (available < 6) return truncated(d, start + available, 'IPv4 header');
  const id = u16(b, start + 4);
  t.add(F.id, start + 4, 2, id);
  if (available < 8) return truncated(d, start + available, 'IPv4 header');
  const flagsAndOffset = u16(b, start + 6);
  const moreFragments = (flagsAndOffset & 0x2000) !== 0;
  const fragmentOffset = flagsAndOffset & 0x1fff;
  t.open(F.flags, start + 6, 1, flagsAndOffset >> 13);
  t.add(F.flagsRb, start + 6, 1, (flagsAndOffset & 0x8000) !== 0);
  t.add(F.flagsDf, start + 6, 1, (flagsAndOffset & 0x4000) !== 0);
  t.add(F.flagsMf, start + 6, 1, moreFragments);
  t.close();
  t.add(F.fragOffset, start + 6, 2, fragmentOffset);
  if (available < 9) return truncated(d, start + available, 'IPv4 header');
  const ttl = b[start + 8];
  t.add(F.ttl, start + 8, 1, ttl);
  if (available < 10) return truncated(d, start + available, 'IPv4 header');
  const protocol = b[start + 9];
  t.add(F.proto, start + 9, 1, protocol);
  if (available < 12) return truncated(d, start + available, 'IPv4 header');
  const checksum = u16(b, start + 10);
  t.add(F.checksum, start + 10, 2, checksum);
  // The checksum's status and calculated value are fields only: not summed for frames decoded without a tree.
  if (t.enabled) {
    if (available >= headerLength && !at.embedded) {
      // RFC 791: the one's complement sum over the header (checksum included) is all ones when intact.
      const withoutChecksum = sumWithoutChecksumField(b, start, start + headerLength, start + 10);
      const good = finishChecksum(withoutChecksum + checksum) === 0;
      t.addGenerated(F.checksumStatus, good ? CHECKSUM_STATUS.good : CHECKSUM_STATUS.bad);
      t.addGenerated(F.checksumCalculated, finishChecksum(withoutChecksum));
    } else {
      // Wireshark does not verify headers quoted in ICMP errors (routers may have changed them).
      t.addGenerated(F.checksumStatus, CHECKSUM_STATUS.unverified);
    }
  }
  if (available < 16) return truncated(d, start + available, 'IPv4 header');
  t.add(F.src, start + 12, 4);
  if (available < 20) return truncated(d, start + available, 'IPv4 header');
  const destination = finalDestination(b, start, headerLength, at.end);
  if (destination.kind === 'truncated') return truncated(d, at.end, 'IPv4 options');
  t.add(destination.kind === 'header' ? F.dst : F.curRt, start + 16, 4);
  const destinationOffset = destination.kind === 'route' ? destination.offset : start + 16;
  if (headerLength > MIN_HEADER_LENGTH) {
    decodeOptions(d, b, start + MIN_HEADER_LENGTH, Math.min(start + headerLength, at.end), destination.kind === 'route' ? destinationOffset : -1);
    if (available < headerLength) return truncated(d, at.end, 'IPv4 options');
  }

  const payloadStart = start + headerLength;
  const payloadEnd = Math.min(start + totalLength, at.end);
  const announcedPayload = Math.min(totalLength, reported) - headerLength;
  const isFragment = moreFragments || fragmentOffset !== 0;
  if (!at.embedded) {
    d.ip = {
      version: 4,
      src: formatIpv4(b, start + 12),
      dst: formatIpv4(b, destinationOffset),
      protocol,
      ttl,
      payloadLength: announcedPayload,
      reassembled: false,
      fragment: false,
      pseudoHeaderAddressSum: onesComplementSum(b, start + 12, start + 20),
    };
  }
  if (isFragment && !at.embedded && totalLength > headerLength && start + totalLength <= at.end) {
    // RFC 791 3.2: fragments of one datagram share source, destination, protocol and identification.
    // Wireshark's key also has the VLAN id (pinfo->vlan_id, the innermost tag).
    const vlanIds = d.eth?.vlanIds;
    const vlan = vlanIds && vlanIds.length > 0 ? vlanIds[vlanIds.length - 1] : 0;
    const key = `${formatIpv4(b, start + 12)}>${formatIpv4(b, destinationOffset)}:${id}:${protocol}:${vlan}`;
    const result = d.state.ipv4Fragments.add(key, d.frame.number, fragmentOffset * 8, b.subarray(payloadStart, payloadEnd), moreFragments);
    if (result.status === 'complete') {
      const source = recordReassembly(d, IPV4_REASSEMBLY_FIELDS, result.datagram);
      t.close();
      const length = result.datagram.data.length;
      if (d.ip) {
        d.ip.reassembled = true;
        d.ip.payloadLength = length;
      }
      return nextLayer(protocol, source, 0, length, false);
    }
    return fragmentWithoutTransport(d, payloadEnd - payloadStart);
  }
  t.close();
  // A fragment not reassembled: the first one (offset 0) still carries the upper headers, which
  // Wireshark decodes from what is there; later ones are data.
  if (isFragment && fragmentOffset !== 0) return fragmentWithoutTransport(d, payloadEnd - payloadStart);
  return nextLayer(protocol, at.source, payloadStart, payloadEnd, at.embedded);
}

/** A fragment that did not (yet) complete its datagram: tshark shows its payload as data. */
function fragmentWithoutTransport(d: Dissection, payloadLength: number): null {
  if (d.ip) d.ip.fragment = true;
  if (payloadLength > 0) d.protocols.push('data');
  return null;
}

function nextLayer(protocol: number, source: number, offset: number, end: number, embedded: boolean): NextLayer | null {
  const decoder = ipProtocolDecoder(protocol);
  return decoder ? { decoder, source, offset, end, embedded } : null;
}

/**
 * RFC 791 options: EOL ends the list, NOP is one byte, every other option is type, length (counting
 * both), value. Each is recorded with its type (and the type's copy/class/number bits) and length; the
 * node spans the option's bytes, which stay there raw. A length that is impossible or runs past the
 * header ends the options and marks the layer malformed; the payload is still decoded, as Wireshark does.
 * The loop advances at least one byte per option, so it is bounded by the 40 option bytes.
 */
function decodeOptions(d: Dissection, b: Uint8Array, start: number, end: number, routeDestination: number): void {
  const t = d.tree;
  const F = IPV4_FIELDS;
  t.open(F.options, start, end - start);
  let offset = start;
  while (offset < end) {
    const type = b[offset];
    const kind = OPTION_FIELDS.get(type) ?? F.optionUnknown;
    if (type === OPTION_EOL || type === OPTION_NOP) {
      t.open(kind, offset, 1);
      recordOptionType(d, offset, type);
      t.close();
      offset += 1;
      if (type === OPTION_EOL) break;
      continue;
    }
    if (end - offset < 2) {
      badOption(d, offset, `IPv4 option ${type} has no length byte`);
      break;
    }
    const length = b[offset + 1];
    if (length < 2 || length > end - offset) {
      badOption(d, offset, `IPv4 option ${type} length ${length} is impossible with ${end - offset} bytes of options left`);
      break;
    }
    t.open(kind, offset, length);
    recordOptionType(d, offset, type);
    t.add(F.optLen, offset + 1, 1, length);
    if (type === OPTION_ROUTER_ALERT && length === 4) t.add(F.optRouterAlert, offset + 2, 2, u16(b, offset + 2));
    if ((type === OPTION_LOOSE_SOURCE_ROUTE || type === OPTION_STRICT_SOURCE_ROUTE) && length >= 3) {
      t.add(F.optPtr, offset + 2, 1, b[offset + 2]);
      if (routeDestination > offset && routeDestination + 4 <= offset + length) t.add(F.dst, routeDestination, 4);
    }
    t.close();
    offset += length;
  }
  t.close();
}

function recordOptionType(d: Dissection, offset: number, type: number): void {
  const t = d.tree;
  const F = IPV4_FIELDS;
  t.open(F.optType, offset, 1, type);
  t.add(F.optTypeCopy, offset, 1, (type & 0x80) !== 0);
  t.add(F.optTypeClass, offset, 1, (type >> 5) & 0x03);
  t.add(F.optTypeNumber, offset, 1, type & 0x1f);
  t.close();
}

function badOption(d: Dissection, offset: number, message: string): void {
  markMalformed(d, { code: 'bad-length', layer: 'ip', offset, message });
}

function truncated(d: Dissection, offset: number, what: string): null {
  return markMalformed(d, { code: 'truncated', layer: 'ip', offset, message: `${what} truncated` });
}
