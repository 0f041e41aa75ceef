import { defineField, type FieldDef } from '../fields/registry';
import { formatMac, u16 } from './bytes';
import { markMalformed, type Dissection, type LayerInput, type NextLayer } from './dissection';

/*
 * Ethernet II and IEEE 802.3 (LINKTYPE_ETHERNET), 802.1Q VLAN tags, and the 802.2 LLC / SNAP header
 * that 802.3 frames (and Linux SLL frames of protocol 0x0004) carry.
 *
 * Ethernet header (IEEE 802.3 clause 3.1.1):
 *   [0,6) destination  [6,12) source  [12,14) length (<= 1500) or EtherType (>= 0x0600)
 * 802.1Q tag (IEEE 802.1Q-2018 9.6), after a TPID of 0x8100 (or the pre-standard QinQ 0x9100):
 *   [0,2) TCI = priority (3 bits) | DEI (1 bit) | VLAN id (12 bits)   [2,4) EtherType or length
 */

/** Names of the EtherTypes we meet (Wireshark's etype_vals), shown in the details tree. */
export const ETHERTYPE_NAMES: Readonly<Record<number, string>> = {
  0x0800: 'IPv4',
  0x0806: 'ARP',
  0x8035: 'RARP',
  0x8100: '802.1Q Virtual LAN',
  0x86dd: 'IPv6',
  0x8808: 'MAC Control',
  0x8809: 'Slow Protocols',
  0x8847: 'MPLS label switched packet',
  0x8863: 'PPPoE Discovery',
  0x8864: 'PPPoE Session',
  0x888e: '802.1X Authentication',
  0x88a8: '802.1ad Provider Bridge (Q-in-Q)',
  0x88cc: '802.1 Link Layer Discovery Protocol (LLDP)',
  0x9100: 'VLAN-tagged frame (Q-in-Q)',
};

export const ETHERNET_FIELDS = {
  eth: defineField('eth', 'Ethernet II', 'protocol'),
  dst: defineField('eth.dst', 'Destination', 'ether'),
  src: defineField('eth.src', 'Source', 'ether'),
  /** Either address: Wireshark puts it under both eth.dst and eth.src. */
  addr: defineField('eth.addr', 'Address', 'ether'),
  // The LG and IG bits are the two low bits of the first octet, shown over the 24-bit OUI.
  dstLg: defineField('eth.dst.lg', 'LG bit', 'bool', { bits: 24, mask: 0x020000 }),
  dstIg: defineField('eth.dst.ig', 'IG bit', 'bool', { bits: 24, mask: 0x010000 }),
  srcLg: defineField('eth.src.lg', 'LG bit', 'bool', { bits: 24, mask: 0x020000 }),
  srcIg: defineField('eth.src.ig', 'IG bit', 'bool', { bits: 24, mask: 0x010000 }),
  type: defineField('eth.type', 'Type', 'uint', { base: 'hex', bits: 16, strings: ETHERTYPE_NAMES }),
  len: defineField('eth.len', 'Length', 'uint', { bits: 16 }),
  invalidLenType: defineField('eth.invalid_lentype', 'Invalid length/type', 'uint', { base: 'hex_dec', bits: 16 }),
};

const VLAN_PRIORITY_NAMES: Readonly<Record<number, string>> = {
  0: 'Best Effort (default)',
  1: 'Background',
  2: 'Excellent Effort',
  3: 'Critical Applications',
  4: 'Video, < 100ms latency and jitter',
  5: 'Voice, < 10ms latency and jitter',
  6: 'Internetwork Control',
  7: 'Network Control',
};

export const VLAN_FIELDS = {
  vlan: defineField('vlan', '802.1Q Virtual LAN', 'protocol'),
  priority: defineField('vlan.priority', 'Priority', 'uint', { bits: 16, mask: 0xe000, strings: VLAN_PRIORITY_NAMES }),
  dei: defineField('vlan.dei', 'DEI', 'bool', { bits: 16, mask: 0x1000 }),
  id: defineField('vlan.id', 'ID', 'uint', { bits: 16, mask: 0x0fff }),
  etype: defineField('vlan.etype', 'Type', 'uint', { base: 'hex', bits: 16, strings: ETHERTYPE_NAMES }),
  len: defineField('vlan.len', 'Length', 'uint', { bits: 16 }),
};

/** IEEE 802.1ad service tags (TPID 0x88a8): Wireshark's ieee8021ad protocol, whose type field it names ieee8021ah.etype. */
export const PROVIDER_TAG_FIELDS = {
  ieee8021ad: defineField('ieee8021ad', 'IEEE 802.1ad', 'protocol'),
  priority: defineField('ieee8021ad.priority', 'Priority', 'uint', { bits: 16, mask: 0xe000, strings: VLAN_PRIORITY_NAMES }),
  dei: defineField('ieee8021ad.dei', 'DEI', 'uint', { bits: 16, mask: 0x1000 }),
  id: defineField('ieee8021ad.id', 'ID', 'uint', { bits: 16, mask: 0x0fff }),
  etype: defineField('ieee8021ah.etype', 'Type', 'uint', { base: 'hex', bits: 16, strings: ETHERTYPE_NAMES }),
};

export const LLC_FIELDS = {
  llc: defineField('llc', 'Logical-Link Control', 'protocol'),
  dsap: defineField('llc.dsap', 'DSAP', 'uint', { base: 'hex', bits: 8 }),
  ssap: defineField('llc.ssap', 'SSAP', 'uint', { base: 'hex', bits: 8 }),
  control: defineField('llc.control', 'Control field', 'uint', { base: 'hex', bits: 16 }),
  /** The EtherType of an RFC 1042 SNAP header (OUI 00-00-00). */
  type: defineField('llc.type', 'Type', 'uint', { base: 'hex', bits: 16, strings: ETHERTYPE_NAMES }),
};

const ETHERNET_HEADER_LENGTH = 14;
const VLAN_TAG_LENGTH = 4;
/** IEEE 802.3 clause 3.2.6: values up to 1500 are a length, from 0x0600 on an EtherType. */
const MAX_802_3_LENGTH = 1500;
const MIN_ETHERTYPE = 0x0600;
const ETHERTYPE_PROVIDER_TAG = 0x88a8;
/** Service tags stacked deeper than this are not real traffic; we stop there. */
const MAX_PROVIDER_TAGS = 8;

/**
 * The decoder for an EtherType (Wireshark's "ethertype" table, for the protocols we decode), or null:
 * the frame ends there for us (tshark may go on with a protocol we do not decode).
 */
export function etherTypeDecoder(etherType: number): string | null {
  switch (etherType) {
    case 0x0800:
      return 'ip';
    case 0x86dd:
      return 'ipv6';
    case 0x0806:
    case 0x8035: // RARP has ARP's format (RFC 903); Wireshark's arp dissector takes both
      return 'arp';
    case 0x8100:
    case 0x9100:
      return 'vlan';
    default:
      return null;
  }
}

/** What follows a length/type field: the next layer for an EtherType, LLC for an 802.3 length. */
function afterLengthOrType(d: Dissection, at: LayerInput, value: number, payloadOffset: number): NextLayer | null {
  if (value >= MIN_ETHERTYPE) {
    d.protocols.push('ethertype');
    if (value === ETHERTYPE_PROVIDER_TAG) return decodeProviderTags(d, { ...at, offset: payloadOffset });
    const decoder = etherTypeDecoder(value);
    return decoder ? { decoder, source: at.source, offset: payloadOffset, end: at.end, embedded: false } : null;
  }
  // An 802.3 length: the LLC PDU ends there (the rest is padding), unless the frame was cut short.
  const end = Math.min(at.end, payloadOffset + value);
  const b = d.sources[at.source];
  // Novell "raw 802.3" puts IPX (checksum 0xffff) right after the length, without LLC.
  if (end - payloadOffset >= 2 && u16(b, payloadOffset) === 0xffff) {
    d.protocols.push('ipx');
    return null;
  }
  return decodeLlc(d, { source: at.source, offset: payloadOffset, end, embedded: false });
}

/** LINKTYPE_ETHERNET: Ethernet II or 802.3 header, then the EtherType's decoder. */
export function decodeEthernet(d: Dissection, at: LayerInput): NextLayer | null {
  const b = d.sources[at.source];
  const start = at.offset;
  const available = at.end - start;
  const t = d.tree;
  const F = ETHERNET_FIELDS;
  d.protocols.push('eth');
  t.open(F.eth, start, Math.min(ETHERNET_HEADER_LENGTH, Math.max(available, 0)));
  // Wireshark reads the length/type field first, so a header cut short shows no field at all.
  if (available < ETHERNET_HEADER_LENGTH) {
    return markMalformed(d, {
      code: 'truncated',
      layer: 'eth',
      offset: start + Math.max(available, 0),
      message: `Ethernet header needs ${ETHERNET_HEADER_LENGTH} bytes, ${Math.max(available, 0)} captured`,
    });
  }
  recordAddress(d, F.dst, F.dstLg, F.dstIg, start);
  recordAddress(d, F.src, F.srcLg, F.srcIg, start + 6);
  const lengthOrType = u16(b, start + 12);
  d.eth = { src: formatMac(b, start + 6), dst: formatMac(b, start), etherType: lengthOrType, vlanIds: [] };
  if (lengthOrType <= MAX_802_3_LENGTH) {
    t.add(F.len, start + 12, 2, lengthOrType);
    t.close();
    return afterLengthOrType(d, at, lengthOrType, start + ETHERNET_HEADER_LENGTH);
  }
  if (lengthOrType < MIN_ETHERTYPE) {
    // IEEE 802.3 clause 3.2.6 leaves 1501..1535 undefined: neither a length nor a type.
    t.add(F.invalidLenType, start + 12, 2, lengthOrType);
    // tshark shows the rest as data (and only warns).
    if (available > ETHERNET_HEADER_LENGTH) d.protocols.push('data');
    return markMalformed(d, {
      code: 'bad-value',
      layer: 'eth',
      offset: start + 12,
      message: `invalid length/type 0x${lengthOrType.toString(16).padStart(4, '0')}`,
    });
  }
  t.add(F.type, start + 12, 2, lengthOrType);
  t.close();
  return afterLengthOrType(d, at, lengthOrType, start + ETHERNET_HEADER_LENGTH);
}

/** An address with Wireshark's children: the address again as eth.addr, then its LG and IG bits. */
function recordAddress(d: Dissection, field: FieldDef, lg: FieldDef, ig: FieldDef, at: number): void {
  const t = d.tree;
  const first = d.sources[t.source][at];
  t.open(field, at, 6);
  t.add(ETHERNET_FIELDS.addr, at, 6);
  t.add(lg, at, 3, (first & 0x02) !== 0);
  t.add(ig, at, 3, (first & 0x01) !== 0);
  t.close();
}

/** One 802.1Q tag (the TPID that announced it belongs to the previous header). */
export function decodeVlan(d: Dissection, at: LayerInput): NextLayer | null {
  const b = d.sources[at.source];
  const start = at.offset;
  const available = at.end - start;
  const t = d.tree;
  const F = VLAN_FIELDS;
  d.protocols.push('vlan');
  t.open(F.vlan, start, Math.min(VLAN_TAG_LENGTH, Math.max(available, 0)));
  if (available < 2) return truncatedTag(d, 'vlan', start, available);
  const tci = u16(b, start);
  const vlanId = tci & 0x0fff;
  t.add(F.priority, start, 2, tci >> 13);
  t.add(F.dei, start, 2, (tci & 0x1000) !== 0);
  t.add(F.id, start, 2, vlanId);
  if (d.eth && !at.embedded) d.eth.vlanIds.push(vlanId);
  if (available < VLAN_TAG_LENGTH) return truncatedTag(d, 'vlan', start, available);
  const lengthOrType = u16(b, start + 2);
  if (d.eth && !at.embedded) d.eth.etherType = lengthOrType;
  if (lengthOrType <= MAX_802_3_LENGTH) {
    t.add(F.len, start + 2, 2, lengthOrType);
  } else {
    t.add(F.etype, start + 2, 2, lengthOrType);
  }
  t.close();
  return afterLengthOrType(d, at, lengthOrType, start + VLAN_TAG_LENGTH);
}

/**
 * A run of 802.1ad service tags (IEEE 802.1Q-2018 9.6 with TPID 0x88a8), decoded here in a bounded loop
 * rather than as a layer of its own; what follows the last one (usually a 0x8100 customer tag) goes on
 * through the EtherType table.
 */
function decodeProviderTags(d: Dissection, at: LayerInput): NextLayer | null {
  const b = d.sources[at.source];
  const t = d.tree;
  const F = PROVIDER_TAG_FIELDS;
  let start = at.offset;
  for (let depth = 0; depth < MAX_PROVIDER_TAGS; depth++) {
    const available = at.end - start;
    d.protocols.push('ieee8021ad');
    t.open(F.ieee8021ad, start, Math.min(VLAN_TAG_LENGTH, Math.max(available, 0)));
    if (available < 2) return truncatedTag(d, 'ieee8021ad', start, available);
    const tci = u16(b, start);
    const vlanId = tci & 0x0fff;
    // Wireshark shows priority and DEI over the first byte only.
    t.add(F.priority, start, 1, tci >> 13);
    t.add(F.dei, start, 1, (tci >> 12) & 1);
    t.add(F.id, start, 2, vlanId);
    if (d.eth) d.eth.vlanIds.push(vlanId);
    if (available < VLAN_TAG_LENGTH) return truncatedTag(d, 'ieee8021ad', start, available);
    const lengthOrType = u16(b, start + 2);
    if (d.eth) d.eth.etherType = lengthOrType;
    t.add(F.etype, start + 2, 2, lengthOrType);
    t.close();
    start += VLAN_TAG_LENGTH;
    if (lengthOrType !== ETHERTYPE_PROVIDER_TAG) return afterLengthOrType(d, at, lengthOrType, start);
    d.protocols.push('ethertype');
  }
  return markMalformed(d, { code: 'loop', layer: 'ieee8021ad', offset: start, message: `more than ${MAX_PROVIDER_TAGS} stacked 802.1ad tags` });
}

function truncatedTag(d: Dissection, layer: string, start: number, available: number): null {
  return markMalformed(d, {
    code: 'truncated',
    layer,
    offset: start + Math.max(available, 0),
    message: `VLAN tag needs ${VLAN_TAG_LENGTH} bytes, ${Math.max(available, 0)} captured`,
  });
}

/** SNAP (RFC 1042): DSAP = SSAP = 0xAA, UI control 0x03, then a 3-byte OUI and a 2-byte protocol id. */
const SNAP_SAP = 0xaa;
const SNAP_HEADER_LENGTH = 8;

/**
 * IEEE 802.2 LLC header. We follow only RFC 1042 SNAP (OUI 00-00-00), whose protocol id is an EtherType;
 * other SAPs (STP, NetBIOS, ...) end the frame for us, as the brief's scope says.
 */
export function decodeLlc(d: Dissection, at: LayerInput): NextLayer | null {
  const b = d.sources[at.source];
  const start = at.offset;
  const available = at.end - start;
  const t = d.tree;
  const F = LLC_FIELDS;
  d.protocols.push('llc');
  if (available < 3) {
    t.open(F.llc, start, Math.max(available, 0));
    if (available >= 1) t.add(F.dsap, start, 1, b[start]);
    if (available >= 2) t.add(F.ssap, start + 1, 1, b[start + 1]);
    return markMalformed(d, { code: 'truncated', layer: 'llc', offset: start + Math.max(available, 0), message: 'LLC header truncated' });
  }
  const dsap = b[start];
  const ssap = b[start + 1];
  const control = b[start + 2];
  // Unnumbered frames (low bits 11) have a 1-byte control field, I and S frames a 2-byte one (802.2 5.2).
  const controlLength = (control & 0x03) === 0x03 ? 1 : 2;
  const isSnap = dsap === SNAP_SAP && ssap === SNAP_SAP && control === 0x03;
  const headerLength = isSnap ? SNAP_HEADER_LENGTH : 2 + controlLength;
  t.open(F.llc, start, Math.min(headerLength, available));
  t.add(F.dsap, start, 1, dsap);
  t.add(F.ssap, start + 1, 1, ssap);
  if (controlLength === 2 && available < 4) {
    return markMalformed(d, { code: 'truncated', layer: 'llc', offset: start + available, message: 'LLC control field truncated' });
  }
  t.add(F.control, start + 2, controlLength, controlLength === 1 ? control : u16(b, start + 2));
  if (!isSnap) return null;
  if (available < SNAP_HEADER_LENGTH) {
    return markMalformed(d, { code: 'truncated', layer: 'llc', offset: start + available, message: 'SNAP header truncated' });
  }
  const oui = (b[start + 3] << 16) | (b[start + 4] << 8) | b[start + 5];
  if (oui !== 0) return null;
  const etherType = u16(b, start + 6);
  t.add(F.type, start + 6, 2, etherType);
  t.close();
  const decoder = etherTypeDecoder(etherType);
  return decoder ? { decoder, source: at.source, offset: start + SNAP_HEADER_LENGTH, end: at.end, embedded: at.embedded } : null;
}
