import { defineField, type FieldDef } from '../fields/registry';
import { u16, u32 } from './bytes';
import { markMalformed, type Dissection, type LayerInput, type NextLayer } from './dissection';
import { ETHERTYPE_NAMES, decodeLlc, etherTypeDecoder } from './ethernet';

/*
 * Linux "cooked" capture headers (https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html and
 * LINKTYPE_LINUX_SLL2.html), written for captures on the "any" device.
 *
 * SLL (113), 16 bytes:
 *   [0,2) packet type  [2,4) ARPHRD_ type  [4,6) address length  [6,14) address (padded)  [14,16) protocol
 * SLL2 (276), 20 bytes:
 *   [0,2) protocol  [2,4) reserved  [4,8) interface index  [8,10) ARPHRD_ type  [10] packet type
 *   [11] address length  [12,20) address (padded)
 * The protocol is an EtherType when above 1536, else a Linux ETH_P_ value ("yes, 1536 - that's how
 * Linux does it", as Wireshark's packet-sll.c says).
 */

const PACKET_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'Unicast to us',
  1: 'Broadcast',
  2: 'Multicast',
  3: 'Unicast to another host',
  4: 'Sent by us',
};

/** The ARPHRD_ values seen in practice (Linux include/uapi/linux/if_arp.h). */
const HARDWARE_TYPE_NAMES: Readonly<Record<number, string>> = {
  1: 'Ethernet',
  512: 'PPP',
  768: 'IPIP',
  769: 'IPv6-in-IPv4',
  772: 'Loopback',
  776: 'IPv6-in-IPv4',
  778: 'GRE',
  823: 'IPv6 GRE',
  65534: 'None',
};

/** Linux ETH_P_ protocol values below 1536 (include/uapi/linux/if_ether.h). */
const LINUX_PROTOCOL_NAMES: Readonly<Record<number, string>> = {
  0x0001: 'Novell 802.3 frames without 802.2 LLC header',
  0x0003: 'Ethernet',
  0x0004: '802.2 LLC frames',
  0x000c: 'CAN',
  0x000d: 'CAN FD',
};

export const SLL_FIELDS = {
  sll: defineField('sll', 'Linux cooked capture', 'protocol'),
  pktType: defineField('sll.pkttype', 'Packet type', 'uint', { bits: 16, strings: PACKET_TYPE_NAMES }),
  haType: defineField('sll.hatype', 'Link-layer address type', 'uint', { bits: 16, strings: HARDWARE_TYPE_NAMES }),
  haLen: defineField('sll.halen', 'Link-layer address length', 'uint', { bits: 16 }),
  srcEth: defineField('sll.src.eth', 'Source', 'ether'),
  srcIpv4: defineField('sll.src.ipv4', 'Source', 'ipv4'),
  srcOther: defineField('sll.src.other', 'Source', 'bytes'),
  unused: defineField('sll.unused', 'Unused', 'bytes'),
  lType: defineField('sll.ltype', 'Protocol', 'uint', { base: 'hex', bits: 16, strings: LINUX_PROTOCOL_NAMES }),
  greType: defineField('sll.gretype', 'Protocol', 'uint', { base: 'hex', bits: 16, strings: ETHERTYPE_NAMES }),
  eType: defineField('sll.etype', 'Protocol', 'uint', { base: 'hex', bits: 16, strings: ETHERTYPE_NAMES }),
  ifIndex: defineField('sll.ifindex', 'Interface index', 'uint', { bits: 32 }),
};

const SLL_HEADER_LENGTH = 16;
const SLL2_HEADER_LENGTH = 20;
const ADDRESS_FIELD_LENGTH = 8;
const MAX_LINUX_PROTOCOL = 1536;
const LINUX_PROTOCOL_802_2 = 0x0004;
const ARPHRD_IPGRE = 778;

/** LINKTYPE_LINUX_SLL. */
export function decodeSll(d: Dissection, at: LayerInput): NextLayer | null {
  const b = d.sources[at.source];
  const start = at.offset;
  const available = at.end - start;
  const t = d.tree;
  const F = SLL_FIELDS;
  d.protocols.push('sll');
  t.open(F.sll, start, Math.min(SLL_HEADER_LENGTH, Math.max(available, 0)));
  if (available < SLL_HEADER_LENGTH) {
    // Keep the fixed fields that were captured; the address and protocol need the whole header.
    if (available >= 2) t.add(F.pktType, start, 2, u16(b, start));
    if (available >= 4) t.add(F.haType, start + 2, 2, u16(b, start + 2));
    if (available >= 6) t.add(F.haLen, start + 4, 2, u16(b, start + 4));
    return truncated(d, start, available, SLL_HEADER_LENGTH, 'SLL');
  }
  const hardwareType = u16(b, start + 2);
  t.add(F.pktType, start, 2, u16(b, start));
  t.add(F.haType, start + 2, 2, hardwareType);
  t.add(F.haLen, start + 4, 2, u16(b, start + 4));
  recordAddress(d, start + 6, u16(b, start + 4));
  return recordProtocol(d, at, start + 14, hardwareType, start + SLL_HEADER_LENGTH);
}

/** LINKTYPE_LINUX_SLL2. */
export function decodeSll2(d: Dissection, at: LayerInput): NextLayer | null {
  const b = d.sources[at.source];
  const start = at.offset;
  const available = at.end - start;
  const t = d.tree;
  const F = SLL_FIELDS;
  d.protocols.push('sll');
  t.open(F.sll, start, Math.min(SLL2_HEADER_LENGTH, Math.max(available, 0)));
  if (available < 2) return truncated(d, start, available, SLL2_HEADER_LENGTH, 'SLL2');
  const protocol = u16(b, start);
  // The protocol field's name depends on the hardware type further on: look ahead when it was captured.
  const hardwareType = available >= 10 ? u16(b, start + 8) : 0;
  // Wireshark shows the protocol first, then the rest in header order (the reserved field is not shown).
  t.add(protocolFieldFor(protocol, hardwareType), start, 2, protocol);
  if (available >= 8) t.add(F.ifIndex, start + 4, 4, u32(b, start + 4));
  if (available >= 10) t.add(F.haType, start + 8, 2, hardwareType);
  if (available >= 11) t.add(F.pktType, start + 10, 1, b[start + 10]);
  if (available >= 12) t.add(F.haLen, start + 11, 1, b[start + 11]);
  if (available < SLL2_HEADER_LENGTH) return truncated(d, start, available, SLL2_HEADER_LENGTH, 'SLL2');
  recordAddress(d, start + 12, b[start + 11]);
  t.close();
  return nextAfterProtocol(d, at, protocol, hardwareType, start + SLL2_HEADER_LENGTH);
}

/** The 8-byte address field: the address as its type (by length, as Wireshark does), then the unused rest. */
function recordAddress(d: Dissection, at: number, addressLength: number): void {
  const t = d.tree;
  const F = SLL_FIELDS;
  const shown = Math.min(addressLength, ADDRESS_FIELD_LENGTH);
  if (addressLength === 4) t.add(F.srcIpv4, at, 4);
  else if (addressLength === 6) t.add(F.srcEth, at, 6);
  else if (shown > 0) t.add(F.srcOther, at, shown);
  if (shown < ADDRESS_FIELD_LENGTH) t.add(F.unused, at + shown, ADDRESS_FIELD_LENGTH - shown);
}

function protocolFieldFor(protocol: number, hardwareType: number): FieldDef {
  if (protocol <= MAX_LINUX_PROTOCOL) return SLL_FIELDS.lType;
  return hardwareType === ARPHRD_IPGRE ? SLL_FIELDS.greType : SLL_FIELDS.eType;
}

function recordProtocol(d: Dissection, at: LayerInput, fieldAt: number, hardwareType: number, payload: number): NextLayer | null {
  const protocol = u16(d.sources[at.source], fieldAt);
  d.tree.add(protocolFieldFor(protocol, hardwareType), fieldAt, 2, protocol);
  d.tree.close();
  return nextAfterProtocol(d, at, protocol, hardwareType, payload);
}

function nextAfterProtocol(d: Dissection, at: LayerInput, protocol: number, hardwareType: number, payload: number): NextLayer | null {
  if (protocol <= MAX_LINUX_PROTOCOL) {
    return protocol === LINUX_PROTOCOL_802_2 ? decodeLlc(d, { source: at.source, offset: payload, end: at.end, embedded: false }) : null;
  }
  // On GRE tunnels the protocol is a GRE protocol type, looked up without the "ethertype" layer; the
  // values we decode (IPv4, IPv6) are EtherTypes there too.
  if (hardwareType !== ARPHRD_IPGRE) d.protocols.push('ethertype');
  const decoder = etherTypeDecoder(protocol);
  return decoder ? { decoder, source: at.source, offset: payload, end: at.end, embedded: false } : null;
}

function truncated(d: Dissection, start: number, available: number, needed: number, name: string): null {
  return markMalformed(d, {
    code: 'truncated',
    layer: 'sll',
    offset: start + Math.max(available, 0),
    message: `${name} header needs ${needed} bytes, ${Math.max(available, 0)} captured`,
  });
}
