import { defineField, type FieldDef } from '../fields/registry';
import { formatIpv4, formatMac, u16 } from './bytes';
import { markMalformed, type Dissection, type LayerInput, type NextLayer } from './dissection';
import { ETHERTYPE_NAMES } from './ethernet';

/*
 * ARP (RFC 826) and RARP (RFC 903), which share the format:
 *   [0,2) hardware type  [2,4) protocol type  [4] hardware size  [5] protocol size  [6,8) opcode
 *   then sender hardware, sender protocol, target hardware, target protocol addresses.
 */

const HARDWARE_TYPE_NAMES: Readonly<Record<number, string>> = {
  1: 'Ethernet',
  6: 'IEEE 802 Networks',
  15: 'Frame Relay',
  16: 'ATM',
  19: 'ATM',
  20: 'Serial Line',
  24: 'IEEE 1394.1995',
  32: 'InfiniBand',
};

const OPCODE_NAMES: Readonly<Record<number, string>> = {
  1: 'request',
  2: 'reply',
  3: 'reverse request',
  4: 'reverse reply',
  8: 'inverse request',
  9: 'inverse reply',
};

export const ARP_FIELDS = {
  arp: defineField('arp', 'Address Resolution Protocol', 'protocol'),
  hwType: defineField('arp.hw.type', 'Hardware type', 'uint', { bits: 16, strings: HARDWARE_TYPE_NAMES }),
  protoType: defineField('arp.proto.type', 'Protocol type', 'uint', { base: 'hex', bits: 16, strings: ETHERTYPE_NAMES }),
  hwSize: defineField('arp.hw.size', 'Hardware size', 'uint', { bits: 8 }),
  protoSize: defineField('arp.proto.size', 'Protocol size', 'uint', { bits: 8 }),
  opcode: defineField('arp.opcode', 'Opcode', 'uint', { bits: 16, strings: OPCODE_NAMES }),
  isGratuitous: defineField('arp.isgratuitous', 'Is gratuitous', 'bool'),
  isProbe: defineField('arp.isprobe', 'Is probe', 'bool'),
  isAnnouncement: defineField('arp.isannouncement', 'Is announcement', 'bool'),
  srcHw: defineField('arp.src.hw', 'Sender hardware address', 'bytes'),
  srcHwMac: defineField('arp.src.hw_mac', 'Sender MAC address', 'ether'),
  srcProto: defineField('arp.src.proto', 'Sender protocol address', 'bytes'),
  srcProtoIpv4: defineField('arp.src.proto_ipv4', 'Sender IP address', 'ipv4'),
  dstHw: defineField('arp.dst.hw', 'Target hardware address', 'bytes'),
  dstHwMac: defineField('arp.dst.hw_mac', 'Target MAC address', 'ether'),
  dstProto: defineField('arp.dst.proto', 'Target protocol address', 'bytes'),
  dstProtoIpv4: defineField('arp.dst.proto_ipv4', 'Target IP address', 'ipv4'),
};

const FIXED_HEADER_LENGTH = 8;
/** RFC 2225 ATM ARP: its own layout (type-and-length octets for ATM numbers and subaddresses). */
const ARPHRD_ATM2225 = 19;
const ATMARP_FIXED_LENGTH = 12;
const ARPHRD_ETHER = 1;
const ARPHRD_IEEE802 = 6;
const ETHERTYPE_IPV4 = 0x0800;
/** AX.25's PID for IP, which Wireshark also reads as IPv4 addresses. */
const AX25_PID_IP = 0xcc;

/** Address text for the repr: MAC and IPv4 addresses as usual, anything else as colon-separated hex. */
function addressText(b: Uint8Array, at: number, length: number): string {
  if (length === 6) return formatMac(b, at);
  if (length === 4) return formatIpv4(b, at);
  let text = '';
  for (let i = 0; i < length; i++) text += (i ? ':' : '') + b[at + i].toString(16).padStart(2, '0');
  return text;
}

export function decodeArp(d: Dissection, at: LayerInput): NextLayer | null {
  const b = d.sources[at.source];
  const start = at.offset;
  const available = at.end - start;
  const t = d.tree;
  const F = ARP_FIELDS;
  d.protocols.push('arp');
  const declaredLength = available >= 6 ? FIXED_HEADER_LENGTH + 2 * (b[start + 4] + b[start + 5]) : FIXED_HEADER_LENGTH;
  t.open(F.arp, start, Math.max(Math.min(available, declaredLength), 0));
  if (available < FIXED_HEADER_LENGTH) {
    if (available >= 2) t.add(F.hwType, start, 2, u16(b, start));
    if (available >= 4) t.add(F.protoType, start + 2, 2, u16(b, start + 2));
    if (available >= 5) t.add(F.hwSize, start + 4, 1, b[start + 4]);
    if (available >= 6) t.add(F.protoSize, start + 5, 1, b[start + 5]);
    return truncated(d, start + Math.max(available, 0), 'ARP header');
  }
  const hardwareType = u16(b, start);
  if (hardwareType === ARPHRD_ATM2225) return decodeAtmArp(d, at);
  const protocolType = u16(b, start + 2);
  const hardwareSize = b[start + 4];
  const protocolSize = b[start + 5];
  const opcode = u16(b, start + 6);
  t.add(F.hwType, start, 2, hardwareType);
  t.add(F.protoType, start + 2, 2, protocolType);
  t.add(F.hwSize, start + 4, 1, hardwareSize);
  t.add(F.protoSize, start + 5, 1, protocolSize);
  t.add(F.opcode, start + 6, 2, opcode);
  const senderHw = start + FIXED_HEADER_LENGTH;
  const senderProto = senderHw + hardwareSize;
  const targetHw = senderProto + protocolSize;
  const targetProto = targetHw + hardwareSize;
  if (targetProto + protocolSize <= at.end) recordKind(d, opcode, b, senderProto, targetHw, targetProto, hardwareSize, protocolSize);
  const hardwareIsMac = (hardwareType === ARPHRD_ETHER || hardwareType === ARPHRD_IEEE802) && hardwareSize === 6;
  const protocolIsIpv4 = (protocolType === ETHERTYPE_IPV4 || protocolType === AX25_PID_IP) && protocolSize === 4;
  const hardwareField = (mac: FieldDef, other: FieldDef) => (hardwareIsMac ? mac : other);
  const protocolField = (ipv4: FieldDef, other: FieldDef) => (protocolIsIpv4 ? ipv4 : other);
  // Sender hardware, sender protocol, target hardware, target protocol: each recorded once captured.
  const addresses: [FieldDef, number][] = [
    [hardwareField(F.srcHwMac, F.srcHw), hardwareSize],
    [protocolField(F.srcProtoIpv4, F.srcProto), protocolSize],
    [hardwareField(F.dstHwMac, F.dstHw), hardwareSize],
    [protocolField(F.dstProtoIpv4, F.dstProto), protocolSize],
  ];
  // Wireshark reads all four addresses (for its summary) before showing any: none when one is missing.
  if (targetProto + protocolSize > at.end) return truncated(d, at.end, 'ARP addresses');
  let offset = senderHw;
  for (const [field, size] of addresses) {
    // Wireshark shows no item for a zero-length address.
    if (size > 0) t.add(field, offset, size);
    offset += size;
  }
  if (!at.embedded) {
    d.arp = {
      opcode,
      senderMac: addressText(b, senderHw, hardwareSize),
      senderIp: addressText(b, senderProto, protocolSize),
      targetMac: addressText(b, targetHw, hardwareSize),
      targetIp: addressText(b, targetProto, protocolSize),
    };
  }
  return null;
}

/**
 * RFC 2225 section 8.7 ATM ARP: hardware and protocol type, four type-and-length octets (ATM number and
 * subaddress of sender and target, low 6 bits the length) around the opcode and the protocol address
 * lengths, then the addresses. tshark adds an "atmarp" layer and reads every address before showing
 * anything, so a message cut short shows no field (tcpdump's arp-oobr.pcap). Complete messages keep
 * the type and opcode fields only: their ATM addresses are not decoded here.
 */
function decodeAtmArp(d: Dissection, at: LayerInput): null {
  const b = d.sources[at.source];
  const start = at.offset;
  const t = d.tree;
  const F = ARP_FIELDS;
  d.protocols.push('atmarp');
  if (at.end - start < ATMARP_FIXED_LENGTH) return truncated(d, at.end, 'ATM ARP header');
  const lengths = [b[start + 4], b[start + 5], b[start + 8], b[start + 9], b[start + 10], b[start + 11]];
  const total = ATMARP_FIXED_LENGTH + lengths.reduce((sum, octet, i) => sum + (i === 2 || i === 5 ? octet : octet & 0x3f), 0);
  if (at.end - start < total) return truncated(d, at.end, 'ATM ARP addresses');
  t.add(F.hwType, start, 2, u16(b, start));
  t.add(F.protoType, start + 2, 2, u16(b, start + 2));
  t.add(F.opcode, start + 6, 2, u16(b, start + 6));
  return null;
}

function allZero(b: Uint8Array, at: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (b[at + i] !== 0) return false;
  return true;
}

function sameBytes(b: Uint8Array, first: number, second: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (b[first + i] !== b[second + i]) return false;
  return true;
}

/**
 * Wireshark's generated flags, checked against tshark 4.0: gratuitous when a request or reply names the
 * same protocol address as sender and target; an RFC 5227 announcement is such a request with a zero
 * target hardware address; an RFC 5227 probe is a (non-gratuitous) request from the zero address with
 * a zero target hardware address.
 */
function recordKind(
  d: Dissection,
  opcode: number,
  b: Uint8Array,
  senderProto: number,
  targetHw: number,
  targetProto: number,
  hardwareSize: number,
  protocolSize: number,
): void {
  const F = ARP_FIELDS;
  const isRequest = opcode === 1;
  const gratuitous = (isRequest || opcode === 2) && sameBytes(b, senderProto, targetProto, protocolSize);
  const targetHwZero = allZero(b, targetHw, hardwareSize);
  if (gratuitous) d.tree.addGenerated(F.isGratuitous, true);
  if (isRequest && !gratuitous && targetHwZero && allZero(b, senderProto, protocolSize)) d.tree.addGenerated(F.isProbe, true);
  if (isRequest && gratuitous && targetHwZero) d.tree.addGenerated(F.isAnnouncement, true);
}

function truncated(d: Dissection, offset: number, what: string): null {
  return markMalformed(d, { code: 'truncated', layer: 'arp', offset, message: `${what} truncated` });
}
