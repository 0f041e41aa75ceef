import type { RowColour } from '../api/types';
import { formatIpv6, formatMac } from '../decode/bytes';
import type { Dissection, DnsRecord, DnsRepr, TcpRepr } from '../decode/dissection';
import { dnsTypeName } from '../decode/dns';
import { fieldByName } from '../fields/registry';
import { walkFields, type FieldNode } from '../fields/tree';

/*
 * The packet list's text columns (Source, Destination, Protocol, Info), written the way tshark's
 * default one-line output writes them for the protocols we decode. Nothing here is compared with
 * tshark field by field (that is the `fields` command's job); it follows `tshark -r FILE` closely so
 * the list reads like Wireshark's. Names of values (DNS types, ICMP types) come from the field
 * registry, so the decoders' value strings are the one source.
 */

/** Per-frame TCP facts from the conversation analysis: what the Info column needs beyond the header. */
export interface TcpRowFacts {
  /** Raw sequence numbers that read as 0 in this direction and in the other one (tshark's relative numbers). */
  seqBase: number;
  ackBase: number;
  /** Window multiplier of this direction (tcp.window_size_scalefactor); -1 when unknown (the raw window is shown). */
  windowMultiplier: number;
  /** Analysis notes shown before the ports, e.g. 'TCP Retransmission', 'TCP Dup ACK 6#1'. */
  notes: string[];
  /** A note that makes the row 'bad-tcp' (any tcp.analysis flag but window update and keep-alive). */
  problem: boolean;
}

export interface RowText {
  source: string;
  destination: string;
  info: string;
}

/** tshark's Protocol column for our protocol names; the last (innermost) one in frame.protocols wins. */
const COLUMN_NAMES: Readonly<Record<string, string>> = {
  eth: 'Ethernet',
  vlan: '802.1Q',
  sll: 'SLL',
  sll2: 'SLL2',
  null: 'NULL',
  arp: 'ARP',
  ip: 'IPv4',
  ipv6: 'IPv6',
  icmp: 'ICMP',
  icmpv6: 'ICMPv6',
  udp: 'UDP',
  tcp: 'TCP',
  dns: 'DNS',
};

export function protocolColumn(d: Dissection): string {
  // A fragment that did not complete a datagram carries no transport header (tshark: 'IPv4').
  if (d.ip?.fragment) return d.ip.version === 4 ? 'IPv4' : 'IPv6';
  // The headers an ICMP error quotes add their names to frame.protocols, not to the column.
  if (d.icmp) return d.icmp.version === 4 ? 'ICMP' : 'ICMPv6';
  for (let i = d.protocols.length - 1; i >= 0; i--) {
    const name = COLUMN_NAMES[d.protocols[i]];
    if (name) return name;
  }
  return d.sources[0].length === 0 && d.frame.originalLength === 0 ? 'Frame' : `Link type ${d.frame.linkType}`;
}

/** ICMP types that report an error about another packet (RFC 792, RFC 4443 section 2.1). */
const ICMP_ERRORS = new Set([3, 4, 5, 11, 12]);
const ICMPV6_ERRORS = new Set([1, 2, 3, 4]);

/** Wireshark's default colouring rules, first match wins (see RowColour). */
export function rowColour(d: Dissection, tcpProblem: boolean): RowColour {
  if (d.malformed) return 'malformed';
  if (d.tcp) {
    if (tcpProblem) return 'bad-tcp';
    if (d.tcp.flags & 0x004) return 'tcp-rst';
  }
  if (d.icmp && (d.icmp.version === 4 ? ICMP_ERRORS : ICMPV6_ERRORS).has(d.icmp.type)) return 'icmp-error';
  if (d.tcp && d.tcp.flags & 0x003) return 'tcp-syn-fin';
  if (d.arp) return 'arp';
  if (d.icmp) return 'icmp';
  if (d.dns) return 'dns';
  if (d.tcp) return 'tcp';
  if (d.udp) return 'udp';
  return 'other';
}

/** Source, Destination and Info of a frame decoded with its field tree. */
export function rowText(d: Dissection, tcp: TcpRowFacts | null): RowText {
  const source = d.ip?.src ?? d.eth?.src ?? '';
  const destination = d.ip?.dst ?? d.eth?.dst ?? '';
  let info = infoText(d, tcp);
  if (d.malformed) info = info ? `${info} [Malformed Packet: ${d.malformed.message}]` : `[Malformed Packet: ${d.malformed.message}]`;
  return { source, destination, info };
}

function infoText(d: Dissection, tcp: TcpRowFacts | null): string {
  if (d.dns) return dnsInfo(d.dns);
  if (d.tcp) return tcpInfo(d, d.tcp, tcp);
  if (d.udp) return `${d.udp.srcPort} → ${d.udp.dstPort} Len=${Math.max(0, d.udp.length - 8)}`;
  if (d.icmp) return d.icmp.version === 4 ? icmpInfo(d) : icmpv6Info(d);
  if (d.arp) return arpInfo(d);
  if (d.ip?.fragment) {
    const offset = firstValue(d, 'ip.frag_offset');
    const id = firstValue(d, 'ip.id');
    const protocol = valueName('ip.proto', d.ip.protocol);
    const where = typeof offset === 'number' ? `, off=${offset}` : '';
    const ident = typeof id === 'number' ? `, ID=${id.toString(16).padStart(4, '0')}` : '';
    return `Fragmented IP protocol (proto=${protocol} ${d.ip.protocol}${where}${ident})`;
  }
  if (d.ip) return `${valueName(d.ip.version === 4 ? 'ip.proto' : 'ipv6.nxt', d.ip.protocol)} (${d.ip.protocol})`;
  if (d.eth) return `EtherType 0x${d.eth.etherType.toString(16).padStart(4, '0')}`;
  if (d.protocols.length === 0) return `Link type ${d.frame.linkType} is not decoded`;
  return '';
}

/** tshark's order of flag names in the Info column, lowest bit first (tcp.flags). */
const TCP_FLAG_NAMES = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR', 'AE'];

function tcpInfo(d: Dissection, t: TcpRepr, facts: TcpRowFacts | null): string {
  const flags = TCP_FLAG_NAMES.filter((_, bit) => t.flags & (1 << bit));
  const seqBase = facts?.seqBase ?? 0;
  const ackBase = facts?.ackBase ?? 0;
  const parts = [`${t.srcPort} → ${t.dstPort} [${flags.length ? flags.join(', ') : '<None>'}]`, `Seq=${relative(t.seq, seqBase)}`];
  if (t.flags & 0x010) parts.push(`Ack=${relative(t.ack, ackBase)}`);
  const multiplier = facts && facts.windowMultiplier > 0 ? facts.windowMultiplier : 1;
  // RFC 7323 section 2.2: the window of a SYN segment is never scaled.
  parts.push(`Win=${t.flags & 0x002 ? t.window : t.window * multiplier}`, `Len=${t.payloadLength}`);
  if (t.flags & 0x020) parts.push(`Urg=${t.urgentPointer}`);
  parts.push(...tcpOptionsInfo(d, ackBase));
  const notes = facts?.notes.map((note) => `[${note}] `).join('') ?? '';
  return notes + parts.join(' ');
}

/** Options in the order they appear in the segment, as tshark lists them. */
function tcpOptionsInfo(d: Dissection, ackBase: number): string[] {
  const out: string[] = [];
  const options = findNode(d.tree.roots, 'tcp.options');
  if (!options?.children) return out;
  for (const node of walkFields(options.children)) {
    const value = node.value;
    switch (node.field.name) {
      case 'tcp.options.mss_val':
        out.push(`MSS=${String(value)}`);
        break;
      case 'tcp.options.sack_perm':
        out.push('SACK_PERM');
        break;
      case 'tcp.options.wscale.multiplier':
        out.push(`WS=${String(value)}`);
        break;
      case 'tcp.options.timestamp.tsval':
        out.push(`TSval=${String(value)}`);
        break;
      case 'tcp.options.timestamp.tsecr':
        out.push(`TSecr=${String(value)}`);
        break;
      case 'tcp.options.sack_le':
        if (typeof value === 'number') out.push(`SLE=${relative(value, ackBase)}`);
        break;
      case 'tcp.options.sack_re':
        if (typeof value === 'number') out.push(`SRE=${relative(value, ackBase)}`);
        break;
    }
  }
  return out;
}

function relative(raw: number, base: number): number {
  return (raw - base) >>> 0;
}

const DNS_OPCODES: Readonly<Record<number, string>> = {
  0: 'Standard query',
  1: 'Inverse query',
  2: 'Server status request',
  4: 'Zone change notification',
  5: 'Dynamic update',
};

function dnsInfo(dns: DnsRepr): string {
  const parts = [`${DNS_OPCODES[dns.opcode] ?? `Unknown operation (${dns.opcode})`}${dns.response ? ' response' : ''}`];
  parts.push(`0x${dns.id.toString(16).padStart(4, '0')}`);
  if (dns.response && dns.rcode !== 0) parts.push(valueName('dns.flags.rcode', dns.rcode));
  for (const question of dns.questions) parts.push(`${dnsTypeName(question.type)} ${question.name || '<Root>'}`);
  for (const record of [...dns.answers, ...dns.authorities, ...dns.additionals]) parts.push(dnsRecordInfo(record));
  return parts.join(' ');
}

function dnsRecordInfo(record: DnsRecord): string {
  const type = dnsTypeName(record.type);
  // OPT (RFC 6891) is a pseudo-record and TXT data can be long: tshark names both only. SOA shows its
  // primary server only.
  if (record.type === 41 || record.type === 16) return type;
  const data = record.type === 6 ? record.data.split(' ')[0] : record.data;
  return data ? `${type} ${data}` : type;
}


function icmpInfo(d: Dissection): string {
  const icmp = d.icmp;
  if (!icmp) return '';
  const type = valueName('icmp.type', icmp.type);
  if (icmp.type === 0 || icmp.type === 8) {
    const id = firstValue(d, 'icmp.ident');
    const seq = firstValue(d, 'icmp.seq');
    const seqLe = firstValue(d, 'icmp.seq_le');
    const fields: string[] = [];
    if (typeof id === 'number') fields.push(`id=0x${id.toString(16).padStart(4, '0')}`);
    if (typeof seq === 'number') fields.push(`seq=${seq}${typeof seqLe === 'number' ? `/${seqLe}` : ''}`);
    if (d.ip) fields.push(`ttl=${d.ip.ttl}`);
    // tshark pads "request"/"reply" to one width before the fields.
    return `${icmp.type === 8 ? 'Echo (ping) request ' : 'Echo (ping) reply   '} ${fields.join(', ')}`;
  }
  const codeName = (icmp.type === 3 ? UNREACHABLE_CODES : icmp.type === 11 ? TIME_EXCEEDED_CODES : {})[icmp.code];
  return codeName ? `${type} (${codeName})` : type;
}

/** RFC 792 (and RFC 1812 section 5.2.7.1) codes of Destination unreachable, as Wireshark names them. */
const UNREACHABLE_CODES: Readonly<Record<number, string>> = {
  0: 'Network unreachable',
  1: 'Host unreachable',
  2: 'Protocol unreachable',
  3: 'Port unreachable',
  4: 'Fragmentation needed',
  5: 'Source route failed',
  6: 'Destination network unknown',
  7: 'Destination host unknown',
  9: 'Network administratively prohibited',
  10: 'Host administratively prohibited',
  13: 'Communication administratively filtered',
};

const TIME_EXCEEDED_CODES: Readonly<Record<number, string>> = {
  0: 'Time to live exceeded in transit',
  1: 'Fragment reassembly time exceeded',
};

/** RFC 4443 section 3.1 codes of Destination Unreachable, as Wireshark names them. */
const ICMPV6_UNREACHABLE_CODES: Readonly<Record<number, string>> = {
  0: 'no route to destination',
  1: 'Administratively prohibited',
  2: 'Beyond scope of source address',
  3: 'Address unreachable',
  4: 'Port unreachable',
  5: 'Source address failed ingress/egress policy',
  6: 'Reject route to destination',
};

/** RFC 4443 section 3.3. */
const ICMPV6_TIME_EXCEEDED_CODES: Readonly<Record<number, string>> = {
  0: 'hop limit exceeded in transit',
  1: 'fragment reassembly time exceeded',
};

function icmpv6Info(d: Dissection): string {
  const icmp = d.icmp;
  if (!icmp) return '';
  const type = valueName('icmpv6.type', icmp.type);
  if (icmp.type === 128 || icmp.type === 129) {
    const id = firstValue(d, 'icmpv6.echo.identifier');
    const seq = firstValue(d, 'icmpv6.echo.sequence_number');
    const fields: string[] = [];
    if (typeof id === 'number') fields.push(`id=0x${id.toString(16).padStart(4, '0')}`);
    if (typeof seq === 'number') fields.push(`seq=${seq}`);
    if (d.ip) fields.push(`hop limit=${d.ip.ttl}`);
    return `${type} ${fields.join(', ')}`;
  }
  if (icmp.type === 135 || icmp.type === 136) return neighborDiscoveryInfo(d, icmp.type, type);
  if (icmp.type === 133 || icmp.type === 134) {
    const link = firstNode(d, 'icmpv6.opt.linkaddr');
    const bytes = link ? d.sources[link.source] : undefined;
    return link && bytes && link.length === 6 ? `${type} from ${formatMac(bytes, link.offset)}` : type;
  }
  const codeName = (icmp.type === 1 ? ICMPV6_UNREACHABLE_CODES : icmp.type === 3 ? ICMPV6_TIME_EXCEEDED_CODES : {})[icmp.code];
  return codeName ? `${type} (${codeName})` : type;
}

/**
 * RFC 4861 section 4.3 / 4.4: 'Neighbor Solicitation for T from MAC' and
 * 'Neighbor Advertisement T (rtr, sol, ovr) is at MAC', the MAC from the link-layer address option.
 */
function neighborDiscoveryInfo(d: Dissection, icmpType: number, typeName: string): string {
  const solicitation = icmpType === 135;
  const target = firstNode(d, solicitation ? 'icmpv6.nd.ns.target_address' : 'icmpv6.nd.na.target_address');
  const targetBytes = target ? d.sources[target.source] : undefined;
  if (!target || !targetBytes || target.length !== 16) return typeName;
  let text = `${typeName} ${solicitation ? 'for ' : ''}${formatIpv6(targetBytes, target.offset)}`;
  if (!solicitation) {
    const flags = ['icmpv6.nd.na.flag.r', 'icmpv6.nd.na.flag.s', 'icmpv6.nd.na.flag.o']
      .map((name, i) => (firstValue(d, name) === true ? ['rtr', 'sol', 'ovr'][i] : null))
      .filter((flag) => flag !== null);
    if (flags.length > 0) text += ` (${flags.join(', ')})`;
  }
  const link = firstNode(d, 'icmpv6.opt.linkaddr');
  const linkBytes = link ? d.sources[link.source] : undefined;
  if (link && linkBytes && link.length === 6) text += `${solicitation ? ' from ' : ' is at '}${formatMac(linkBytes, link.offset)}`;
  return text;
}

function arpInfo(d: Dissection): string {
  const arp = d.arp;
  if (!arp) return '';
  if (arp.senderIp === arp.targetIp) return `Gratuitous ARP for ${arp.senderIp} (${arp.opcode === 1 ? 'Request' : 'Reply'})`;
  if (arp.opcode === 1) return `Who has ${arp.targetIp}? Tell ${arp.senderIp}`;
  if (arp.opcode === 2) return `${arp.senderIp} is at ${arp.senderMac}`;
  return valueName('arp.opcode', arp.opcode);
}

function valueName(field: string, value: number): string {
  return fieldByName(field)?.strings?.[value] ?? `Unknown (${value})`;
}

function firstNode(d: Dissection, name: string): FieldNode | undefined {
  return findNode(d.tree.roots, name);
}

function firstValue(d: Dissection, name: string): FieldNode['value'] | undefined {
  return firstNode(d, name)?.value;
}

function findNode(nodes: readonly FieldNode[], name: string): FieldNode | undefined {
  for (const node of walkFields(nodes)) if (node.field.name === name) return node;
  return undefined;
}
