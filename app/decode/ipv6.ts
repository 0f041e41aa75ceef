import { defineField, type FieldDef } from '../fields/registry';
import { formatIpv6, onesComplementSum, u16, u32 } from './bytes';
import { markMalformed, type Dissection, type LayerInput, type NextLayer } from './dissection';
import { recordReassembly, type ReassemblyFields } from './defrag';
import { IP_PROTOCOL_NAMES, ipProtocolDecoder, reportedRemaining } from './ipv4';

/*
 * IPv6 (RFC 8200 section 3) and its extension headers (section 4):
 *   [0,4) version (4 bits) | traffic class (8) | flow label (20)   [4,6) payload length   [6] next header
 *   [7] hop limit   [8,24) source   [24,40) destination
 * Hop-by-Hop (0), Destination Options (60) and Routing (43) headers start with next header and a length
 * in 8-octet units not counting the first 8; the Fragment header (44) is 8 octets; No Next Header (59)
 * ends the chain. Wireshark shows each extension header as a protocol of its own nested in the IPv6 tree
 * (ipv6.hopopts, ipv6.routing, ipv6.fraghdr, ipv6.dstopts); ipv6.nxt is the fixed header's value.
 */

const OPTION_ACTION_NAMES: Readonly<Record<number, string>> = {
  0: 'Skip and continue',
  1: 'Discard packet',
  2: 'Discard packet and send ICMP Parameter Problem',
  3: 'Discard packet and send ICMP Parameter Problem for unicast addresses',
};

const OPTION_TYPE_NAMES: Readonly<Record<number, string>> = {
  0x00: 'Pad1',
  0x01: 'PadN',
  0x05: 'Router Alert',
  0xc2: 'Jumbo Payload',
};

const ROUTING_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'Source Route',
  2: 'Type 2 Routing',
  3: 'RPL Source Route',
  4: 'Segment Routing',
};

export const IPV6_FIELDS = {
  ipv6: defineField('ipv6', 'Internet Protocol Version 6', 'protocol'),
  version: defineField('ipv6.version', 'Version', 'uint', { bits: 8 }),
  tclass: defineField('ipv6.tclass', 'Traffic Class', 'uint', { base: 'hex', bits: 32, mask: 0x0ff00000 }),
  dscp: defineField('ipv6.tclass.dscp', 'Differentiated Services Codepoint', 'uint', { bits: 32, mask: 0x0fc00000 }),
  ecn: defineField('ipv6.tclass.ecn', 'Explicit Congestion Notification', 'uint', { bits: 32, mask: 0x00300000 }),
  flow: defineField('ipv6.flow', 'Flow Label', 'uint', { base: 'hex', bits: 24, mask: 0x0fffff }),
  plen: defineField('ipv6.plen', 'Payload Length', 'uint', { bits: 16 }),
  nxt: defineField('ipv6.nxt', 'Next Header', 'uint', { bits: 8, strings: IP_PROTOCOL_NAMES }),
  hlim: defineField('ipv6.hlim', 'Hop Limit', 'uint', { bits: 8 }),
  src: defineField('ipv6.src', 'Source Address', 'ipv6'),
  dst: defineField('ipv6.dst', 'Destination Address', 'ipv6'),
  /** The MAC address in a modified EUI-64 interface identifier (RFC 4291 appendix A), as Wireshark shows it. */
  srcSlaacMac: defineField('ipv6.src_slaac_mac', 'Source SLAAC MAC', 'ether'),
  dstSlaacMac: defineField('ipv6.dst_slaac_mac', 'Destination SLAAC MAC', 'ether'),
  opt: defineField('ipv6.opt', 'IPv6 Option', 'label'),
  optType: defineField('ipv6.opt.type', 'Type', 'uint', { base: 'hex', bits: 8, strings: OPTION_TYPE_NAMES }),
  optTypeAction: defineField('ipv6.opt.type.action', 'Action', 'uint', { bits: 8, mask: 0xc0, strings: OPTION_ACTION_NAMES }),
  optTypeChange: defineField('ipv6.opt.type.change', 'May Change', 'bool', { bits: 8, mask: 0x20 }),
  optTypeRest: defineField('ipv6.opt.type.rest', 'Low-Order Bits', 'uint', { base: 'hex', bits: 8, mask: 0x1f }),
  optLength: defineField('ipv6.opt.length', 'Length', 'uint', { bits: 8 }),
  optPad1: defineField('ipv6.opt.pad1', 'Pad1', 'label'),
  optPadN: defineField('ipv6.opt.padn', 'PadN', 'bytes'),
  optRouterAlert: defineField('ipv6.opt.router_alert', 'Router Alert', 'uint', { bits: 16 }),
  optJumbo: defineField('ipv6.opt.jumbo', 'Payload Length', 'uint', { bits: 32 }),
  optUnknown: defineField('ipv6.opt.unknown', 'Unknown Option Payload', 'bytes'),
};

/** The fields an options header (Hop-by-Hop or Destination Options) records under its own name. */
interface OptionsHeaderFields {
  readonly protocol: FieldDef;
  readonly nxt: FieldDef;
  readonly len: FieldDef;
  readonly lenOct: FieldDef;
}

function optionsHeaderFields(name: string, label: string): OptionsHeaderFields {
  return {
    protocol: defineField(name, label, 'protocol'),
    nxt: defineField(`${name}.nxt`, 'Next Header', 'uint', { bits: 8, strings: IP_PROTOCOL_NAMES }),
    len: defineField(`${name}.len`, 'Length', 'uint', { bits: 8 }),
    lenOct: defineField(`${name}.len_oct`, 'Length', 'uint', { bits: 16 }),
  };
}

export const IPV6_HOPOPTS_FIELDS = optionsHeaderFields('ipv6.hopopts', 'IPv6 Hop-by-Hop Option');
export const IPV6_DSTOPTS_FIELDS = optionsHeaderFields('ipv6.dstopts', 'Destination Options for IPv6');

export const IPV6_ROUTING_FIELDS = {
  routing: defineField('ipv6.routing', 'Routing Header for IPv6', 'protocol'),
  nxt: defineField('ipv6.routing.nxt', 'Next Header', 'uint', { bits: 8, strings: IP_PROTOCOL_NAMES }),
  len: defineField('ipv6.routing.len', 'Length', 'uint', { bits: 8 }),
  lenOct: defineField('ipv6.routing.len_oct', 'Length', 'uint', { bits: 16 }),
  type: defineField('ipv6.routing.type', 'Type', 'uint', { bits: 8, strings: ROUTING_TYPE_NAMES }),
  segLeft: defineField('ipv6.routing.segleft', 'Segments Left', 'uint', { bits: 8 }),
  srcReserved: defineField('ipv6.routing.src.reserved', 'Reserved', 'bytes'),
  srcAddr: defineField('ipv6.routing.src.addr', 'Address', 'ipv6'),
  srhLastEntry: defineField('ipv6.routing.srh.last_entry', 'Last Entry', 'uint', { bits: 8 }),
  srhFlags: defineField('ipv6.routing.srh.flags', 'Flags', 'uint', { base: 'hex', bits: 8 }),
  srhTag: defineField('ipv6.routing.srh.tag', 'Tag', 'bytes'),
  srhAddr: defineField('ipv6.routing.srh.addr', 'Address', 'ipv6'),
  unknownData: defineField('ipv6.routing.unknown_data', 'Type-Specific Data', 'bytes'),
};

export const IPV6_FRAGMENT_HEADER_FIELDS = {
  fraghdr: defineField('ipv6.fraghdr', 'Fragment Header for IPv6', 'protocol'),
  nxt: defineField('ipv6.fraghdr.nxt', 'Next header', 'uint', { bits: 8, strings: IP_PROTOCOL_NAMES }),
  reservedOctet: defineField('ipv6.fraghdr.reserved_octet', 'Reserved octet', 'uint', { base: 'hex', bits: 8 }),
  /** In 8-octet units, as the header carries it. */
  offset: defineField('ipv6.fraghdr.offset', 'Offset', 'uint', { bits: 16, mask: 0xfff8 }),
  reservedBits: defineField('ipv6.fraghdr.reserved_bits', 'Reserved bits', 'uint', { bits: 16, mask: 0x0006 }),
  more: defineField('ipv6.fraghdr.more', 'More Fragments', 'bool', { bits: 16, mask: 0x0001 }),
  ident: defineField('ipv6.fraghdr.ident', 'Identification', 'uint', { base: 'hex', bits: 32 }),
};

export const IPV6_REASSEMBLY_FIELDS: ReassemblyFields = {
  fragments: defineField('ipv6.fragments', 'IPv6 Fragments', 'label'),
  fragment: defineField('ipv6.fragment', 'IPv6 Fragment', 'framenum'),
  fragmentError: defineField('ipv6.fragment.error', 'Defragmentation error', 'framenum'),
  overlap: defineField('ipv6.fragment.overlap', 'Fragment overlap', 'bool'),
  overlapConflict: defineField('ipv6.fragment.overlap.conflict', 'Conflicting data in fragment overlap', 'bool'),
  multipleTails: defineField('ipv6.fragment.multipletails', 'Multiple tail fragments found', 'bool'),
  tooLong: defineField('ipv6.fragment.toolongfragment', 'Fragment too long', 'bool'),
  count: defineField('ipv6.fragment.count', 'Fragment count', 'uint', { bits: 32 }),
  reassembledLength: defineField('ipv6.reassembled.length', 'Reassembled IPv6 length', 'uint', { bits: 32 }),
  reassembledData: defineField('ipv6.reassembled.data', 'Reassembled IPv6 data', 'bytes'),
};

const HEADER_LENGTH = 40;
const FRAGMENT_HEADER_LENGTH = 8;
const NEXT_HOP_BY_HOP = 0;
const NEXT_ROUTING = 43;
const NEXT_FRAGMENT = 44;
const NEXT_NONE = 59;
const NEXT_DESTINATION_OPTIONS = 60;
const OPTION_PAD1 = 0x00;
const OPTION_PADN = 0x01;
const OPTION_ROUTER_ALERT = 0x05;
const OPTION_JUMBO = 0xc2;
const MAX_PAYLOAD_LENGTH = 65535;
/**
 * Extension headers followed before giving up. RFC 8200 4.1 allows each at most once or twice, and real
 * chains are short; the bound keeps a crafted chain of thousands of empty headers cheap.
 */
const MAX_EXTENSION_HEADERS = 16;

/** Where the extension header chain stands: which bytes, and where the upper-layer payload ends. */
interface ChainPosition {
  source: number;
  offset: number;
  /** End of the captured payload in `source`. */
  end: number;
  /** End of the payload as announced (payload length, or the reassembled length) in `source`. */
  announcedEnd: number;
  next: number;
}

export function decodeIpv6(d: Dissection, at: LayerInput): NextLayer | null {
  const b = d.sources[at.source];
  const start = at.offset;
  const available = at.end - start;
  const t = d.tree;
  const F = IPV6_FIELDS;
  if (available < 1) {
    d.protocols.push('ipv6');
    return truncated(d, start, 'IPv6 header');
  }
  const version = b[start] >> 4;
  t.open(F.ipv6, start, Math.min(HEADER_LENGTH + extensionChainLength(b, start, at.end), available));
  t.add(F.version, start, 1, version);
  if (version !== 6) {
    // Wireshark's IPv6 dissector refuses the packet: tshark lists no ipv6 layer for it.
    return markMalformed(d, { code: 'bad-value', layer: 'ipv6', offset: start, message: `bogus IPv6 version ${version}` });
  }
  d.protocols.push('ipv6');
  if (available < 4) return truncated(d, start + available, 'IPv6 header');
  const firstWord = u32(b, start);
  t.open(F.tclass, start, 4, (firstWord >>> 20) & 0xff);
  t.add(F.dscp, start, 4, (firstWord >>> 22) & 0x3f);
  t.add(F.ecn, start, 4, (firstWord >>> 20) & 0x03);
  t.close();
  t.add(F.flow, start + 1, 3, firstWord & 0xfffff);
  if (available < 6) return truncated(d, start + available, 'IPv6 header');
  const payloadLength = u16(b, start + 4);
  t.add(F.plen, start + 4, 2, payloadLength);
  if (available < 7) return truncated(d, start + available, 'IPv6 header');
  const firstNext = b[start + 6];
  t.add(F.nxt, start + 6, 1, firstNext);
  if (available < 8) return truncated(d, start + available, 'IPv6 header');
  const hopLimit = b[start + 7];
  t.add(F.hlim, start + 7, 1, hopLimit);
  if (available < 24) return truncated(d, start + available, 'IPv6 header');
  t.add(F.src, start + 8, 16);
  if (available < HEADER_LENGTH) return truncated(d, start + available, 'IPv6 header');
  t.add(F.dst, start + 24, 16);
  recordSlaacMac(d, b, start + 8, F.srcSlaacMac);
  recordSlaacMac(d, b, start + 24, F.dstSlaacMac);

  // RFC 8200 3: the payload length counts the extension headers. Bytes past the frame are not there
  // (tshark warns and decodes what is); a zero length may become a jumbo length in the Hop-by-Hop header.
  const reportedPayload = reportedRemaining(d, at, start) - HEADER_LENGTH;
  const payloadStart = start + HEADER_LENGTH;
  // RFC 2675: a zero payload length with a Hop-by-Hop header may announce a jumbo payload there, so
  // that header is read from the captured bytes; without the option the payload stays empty.
  const maybeJumbo = payloadLength === 0 && firstNext === NEXT_HOP_BY_HOP;
  const chain: ChainPosition = {
    source: at.source,
    offset: payloadStart,
    end: maybeJumbo ? at.end : Math.min(payloadStart + payloadLength, at.end),
    announcedEnd: payloadStart + Math.min(payloadLength, reportedPayload),
    next: firstNext,
  };
  if (!at.embedded) {
    d.ip = {
      version: 6,
      src: formatIpv6(b, start + 8),
      dst: formatIpv6(b, start + 24),
      protocol: firstNext,
      ttl: hopLimit,
      payloadLength: chain.announcedEnd - chain.offset,
      reassembled: false,
      fragment: false,
      pseudoHeaderAddressSum: onesComplementSum(b, start + 8, start + HEADER_LENGTH),
    };
  }
  const upper = followExtensionHeaders(d, at, start, chain, payloadLength, reportedPayload);
  t.close();
  if (!upper) return null;
  if (d.ip && !at.embedded) {
    d.ip.protocol = chain.next;
    d.ip.payloadLength = Math.max(chain.announcedEnd - chain.offset, 0);
  }
  if (chain.next === NEXT_NONE) {
    if (chain.end > chain.offset) d.protocols.push('data');
    return null;
  }
  const decoder = ipProtocolDecoder(chain.next);
  if (!decoder) return null;
  return { decoder, source: chain.source, offset: chain.offset, end: chain.end, embedded: at.embedded };
}

/**
 * Decodes extension headers from `chain` on, advancing it to the upper-layer header. Returns false when
 * the packet ends inside the chain (malformed, or a fragment that did not complete its datagram).
 */
function followExtensionHeaders(
  d: Dissection,
  at: LayerInput,
  start: number,
  chain: ChainPosition,
  payloadLength: number,
  reportedPayload: number,
): boolean {
  for (let count = 0; count < MAX_EXTENSION_HEADERS; count++) {
    switch (chain.next) {
      case NEXT_HOP_BY_HOP:
      case NEXT_DESTINATION_OPTIONS: {
        const isHopByHop = chain.next === NEXT_HOP_BY_HOP;
        const isFirst = chain.offset === start + HEADER_LENGTH && chain.source === at.source;
        const jumbo = decodeOptionsHeader(d, chain, isHopByHop ? IPV6_HOPOPTS_FIELDS : IPV6_DSTOPTS_FIELDS);
        if (jumbo === false) return false;
        if (payloadLength === 0 && isHopByHop && isFirst) {
          // RFC 2675 3: a Jumbo Payload length is above 65535. Without one the packet has no payload and
          // tshark goes no further than this header.
          if (jumbo === null || jumbo <= MAX_PAYLOAD_LENGTH) {
            markMalformed(d, {
              code: 'bad-length',
              layer: 'ipv6',
              offset: start + 4,
              message: 'IPv6 payload length 0 with a Hop-by-Hop header but no valid Jumbo Payload option',
            });
            return false;
          }
          // A jumbo length beyond the frame is decoded as far as the bytes go (tshark warns, no more).
          const payloadStart = start + HEADER_LENGTH;
          chain.end = Math.min(payloadStart + jumbo, at.end);
          chain.announcedEnd = payloadStart + Math.min(jumbo, reportedPayload);
        }
        break;
      }
      case NEXT_ROUTING:
        if (!decodeRoutingHeader(d, chain)) return false;
        break;
      case NEXT_FRAGMENT:
        if (!decodeFragmentHeader(d, at, start, chain, payloadLength)) return false;
        break;
      default:
        return true;
    }
  }
  markMalformed(d, {
    code: 'loop',
    layer: 'ipv6',
    offset: chain.offset,
    message: `more than ${MAX_EXTENSION_HEADERS} IPv6 extension headers`,
  });
  return false;
}

/** Length in bytes of the extension header at `offset` whose type is `next`, or null for an upper layer. */
function extensionHeaderLength(b: Uint8Array, next: number, offset: number): number | null {
  switch (next) {
    case NEXT_HOP_BY_HOP:
    case NEXT_ROUTING:
    case NEXT_DESTINATION_OPTIONS:
      return (b[offset + 1] + 1) * 8;
    case NEXT_FRAGMENT:
      return FRAGMENT_HEADER_LENGTH;
    default:
      return null;
  }
}

/**
 * Bytes of extension headers that follow the fixed header in this buffer (through a fragment header,
 * after which the rest may be in the reassembled datagram): the IPv6 node spans them, as in Wireshark.
 */
function extensionChainLength(b: Uint8Array, start: number, end: number): number {
  if (end - start < HEADER_LENGTH) return 0;
  let next = b[start + 6];
  let offset = start + HEADER_LENGTH;
  for (let count = 0; count < MAX_EXTENSION_HEADERS && end - offset >= 2; count++) {
    const length = extensionHeaderLength(b, next, offset);
    if (length === null) break;
    next = b[offset];
    offset += length;
    if (next === NEXT_FRAGMENT && length === FRAGMENT_HEADER_LENGTH) break;
  }
  return Math.min(offset, end) - start - HEADER_LENGTH;
}

function recordSlaacMac(d: Dissection, b: Uint8Array, address: number, field: FieldDef): void {
  // Modified EUI-64: ff:fe in the middle of the interface identifier, the universal/local bit inverted.
  if (b[address + 11] !== 0xff || b[address + 12] !== 0xfe) return;
  const mac = [b[address + 8] ^ 0x02, b[address + 9], b[address + 10], b[address + 13], b[address + 14], b[address + 15]];
  d.tree.add(field, address + 8, 8, mac.map((byte) => byte.toString(16).padStart(2, '0')).join(':'));
}

/** Reads the common start of an extension header; false (and malformed) when it was not captured whole. */
function headerCaptured(d: Dissection, chain: ChainPosition, length: number, name: string): boolean {
  if (chain.end - chain.offset >= length) return true;
  markMalformed(d, {
    code: 'truncated',
    layer: 'ipv6',
    offset: chain.end,
    message: `${name} header needs ${length} bytes, ${Math.max(chain.end - chain.offset, 0)} there`,
  });
  return false;
}

/**
 * Hop-by-Hop or Destination Options header (RFC 8200 4.3, 4.6): TLV options, Pad1 being a lone zero byte.
 * Returns the Jumbo Payload length when there is one, null when not, false when the header is cut short.
 * An option running past the header's end ends the options (malformed); the chain goes on after the
 * header. The loop advances at least one byte per option.
 */
function decodeOptionsHeader(d: Dissection, chain: ChainPosition, H: OptionsHeaderFields): number | false | null {
  const b = d.sources[chain.source];
  const t = d.tree;
  const F = IPV6_FIELDS;
  const start = chain.offset;
  const name = H.protocol.name;
  d.protocols.push(name);
  if (chain.end - start < 2) {
    t.open(H.protocol, start, Math.max(chain.end - start, 0));
    if (chain.end - start >= 1) t.add(H.nxt, start, 1, b[start]);
    t.close();
    headerCaptured(d, chain, 2, name);
    return false;
  }
  const length = (b[start + 1] + 1) * 8;
  t.open(H.protocol, start, Math.min(length, chain.end - start));
  t.add(H.nxt, start, 1, b[start]);
  t.add(H.len, start + 1, 1, b[start + 1]);
  t.add(H.lenOct, start + 1, 1, length);
  if (!headerCaptured(d, chain, length, name)) {
    t.close();
    return false;
  }
  const end = start + length;
  let jumbo: number | null = null;
  let offset = start + 2;
  while (offset < end) {
    const type = b[offset];
    if (type === OPTION_PAD1) {
      t.open(F.opt, offset, 1);
      t.add(F.optType, offset, 1, type);
      t.add(F.optPad1, offset, 1);
      t.close();
      offset += 1;
      continue;
    }
    const optionLength = end - offset >= 2 ? b[offset + 1] : -1;
    if (optionLength < 0 || offset + 2 + optionLength > end) {
      // The header's own length still holds, so the chain goes on after it (as in tshark).
      markMalformed(d, { code: 'bad-length', layer: name, offset, message: `IPv6 option 0x${type.toString(16)} runs past the end of its header` });
      break;
    }
    t.open(F.opt, offset, 2 + optionLength);
    t.open(F.optType, offset, 1, type);
    t.add(F.optTypeAction, offset, 1, type >> 6);
    t.add(F.optTypeChange, offset, 1, (type & 0x20) !== 0);
    t.add(F.optTypeRest, offset, 1, type & 0x1f);
    t.close();
    t.add(F.optLength, offset + 1, 1, optionLength);
    const value = offset + 2;
    if (type === OPTION_PADN) t.add(F.optPadN, value, optionLength);
    else if (type === OPTION_ROUTER_ALERT && optionLength === 2) t.add(F.optRouterAlert, value, 2, u16(b, value));
    else if (type === OPTION_JUMBO && optionLength === 4) {
      jumbo = u32(b, value);
      t.add(F.optJumbo, value, 4, jumbo);
    } else if (optionLength > 0) t.add(F.optUnknown, value, optionLength);
    t.close();
    offset = value + optionLength;
  }
  t.close();
  chain.next = b[start];
  chain.offset = end;
  return jumbo;
}

/** Routing header (RFC 8200 4.4); types 0 (RFC 2460, deprecated by RFC 5095) and 4 (SRH, RFC 8754) in detail. */
function decodeRoutingHeader(d: Dissection, chain: ChainPosition): boolean {
  const b = d.sources[chain.source];
  const t = d.tree;
  const R = IPV6_ROUTING_FIELDS;
  const start = chain.offset;
  d.protocols.push('ipv6.routing');
  if (chain.end - start < 4) {
    t.open(R.routing, start, Math.max(chain.end - start, 0));
    if (chain.end - start >= 1) t.add(R.nxt, start, 1, b[start]);
    t.close();
    return headerCaptured(d, chain, 4, 'ipv6.routing');
  }
  const length = (b[start + 1] + 1) * 8;
  const type = b[start + 2];
  t.open(R.routing, start, Math.min(length, chain.end - start));
  t.add(R.nxt, start, 1, b[start]);
  t.add(R.len, start + 1, 1, b[start + 1]);
  t.add(R.lenOct, start + 1, 1, length);
  t.add(R.type, start + 2, 1, type);
  t.add(R.segLeft, start + 3, 1, b[start + 3]);
  if (!headerCaptured(d, chain, length, 'ipv6.routing')) {
    t.close();
    return false;
  }
  const end = start + length;
  if (type === 0) {
    t.add(R.srcReserved, start + 4, 4);
    for (let address = start + 8; address + 16 <= end; address += 16) t.add(R.srcAddr, address, 16);
  } else if (type === 4) {
    t.add(R.srhLastEntry, start + 4, 1, b[start + 4]);
    t.add(R.srhFlags, start + 5, 1, b[start + 5]);
    t.add(R.srhTag, start + 6, 2);
    for (let address = start + 8; address + 16 <= end; address += 16) t.add(R.srhAddr, address, 16);
  } else if (length > 4) {
    t.add(R.unknownData, start + 4, length - 4);
  }
  t.close();
  chain.next = b[start];
  chain.offset = end;
  return true;
}

/**
 * Fragment header (RFC 8200 4.5). An atomic fragment (offset 0, M clear; RFC 6946) is just passed through.
 * A fragment captured whole goes to reassembly (outside ICMP errors); the one that completes the datagram
 * moves the chain onto the reassembled bytes, where the rest of the headers follow. Any other fragment is
 * shown as data, the first one too (Wireshark's IPv6 dissector, unlike its IPv4 one, does not decode a
 * first fragment it could not add).
 */
function decodeFragmentHeader(d: Dissection, at: LayerInput, start: number, chain: ChainPosition, payloadLength: number): boolean {
  const b = d.sources[chain.source];
  const t = d.tree;
  const H = IPV6_FRAGMENT_HEADER_FIELDS;
  const headerStart = chain.offset;
  d.protocols.push('ipv6.fraghdr');
  const captured = chain.end - headerStart;
  t.open(H.fraghdr, headerStart, Math.max(Math.min(FRAGMENT_HEADER_LENGTH, captured), 0));
  // Wireshark reads the whole header before showing any of it (tcpdump's ip6_frag_asan.pcap).
  if (captured < FRAGMENT_HEADER_LENGTH) {
    t.close();
    return headerCaptured(d, chain, FRAGMENT_HEADER_LENGTH, 'ipv6.fraghdr');
  }
  const offsetAndFlags = u16(b, headerStart + 2);
  const more = (offsetAndFlags & 0x0001) !== 0;
  t.add(H.nxt, headerStart, 1, b[headerStart]);
  t.add(H.reservedOctet, headerStart + 1, 1, b[headerStart + 1]);
  t.add(H.offset, headerStart + 2, 2, offsetAndFlags >> 3);
  t.add(H.reservedBits, headerStart + 2, 2, (offsetAndFlags >> 1) & 0x03);
  t.add(H.more, headerStart + 2, 2, more);
  const ident = u32(b, headerStart + 4);
  t.add(H.ident, headerStart + 4, 4, ident);
  t.close();
  const next = b[headerStart];
  const fragmentOffset = offsetAndFlags & 0xfff8;
  chain.offset = headerStart + FRAGMENT_HEADER_LENGTH;
  chain.next = next;
  if (fragmentOffset === 0 && !more) return true;

  const payloadStart = chain.offset;
  if (d.ip && !at.embedded) {
    d.ip.protocol = next;
    d.ip.payloadLength = Math.max(chain.announcedEnd - payloadStart, 0);
  }
  // Reassembly needs the fragment whole: all the bytes the payload length announces, captured, in the
  // frame's own buffer (a fragment header inside a reassembled datagram is not reassembled again).
  const declaredEnd = start + HEADER_LENGTH + payloadLength;
  if (!at.embedded && chain.source === at.source && declaredEnd > payloadStart && declaredEnd <= at.end) {
    const key = `${formatIpv6(b, start + 8)}>${formatIpv6(b, start + 24)}:${ident}`;
    const result = d.state.ipv6Fragments.add(key, d.frame.number, fragmentOffset, b.subarray(payloadStart, declaredEnd), more);
    if (result.status === 'complete') {
      const source = recordReassembly(d, IPV6_REASSEMBLY_FIELDS, result.datagram);
      const length = result.datagram.data.length;
      if (d.ip) d.ip.reassembled = true;
      d.tree.source = source;
      chain.source = source;
      chain.offset = 0;
      chain.end = length;
      chain.announcedEnd = length;
      return true;
    }
  }
  if (d.ip && !at.embedded) d.ip.fragment = true;
  if (chain.end > payloadStart) d.protocols.push('data');
  return false;
}

function truncated(d: Dissection, offset: number, what: string): null {
  return markMalformed(d, { code: 'truncated', layer: 'ipv6', offset, message: `${what} truncated` });
}
