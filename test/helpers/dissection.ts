import { onesComplementSum, formatIpv4, formatIpv6, u16 } from '../../app/decode/bytes';
import { newDissection, type Dissection, type LayerDecoder, type LayerInput, type NextLayer } from '../../app/decode/dissection';
import { decodeDns, decodeDnsOverTcp, decodeLlmnr, decodeMdns } from '../../app/decode/dns';
import { newCaptureState } from '../../app/decode/frame';
import { decodeTcp } from '../../app/decode/tcp';
import { decodeUdp } from '../../app/decode/udp';
import { fieldOccurrences, formatFieldValue } from '../../app/fields/format';
import { fieldByName } from '../../app/fields/registry';
import { FieldTree } from '../../app/fields/tree';

/*
 * Dissections for the transport and DNS decoder tests: one IP packet (IPv4, or IPv6 without extension
 * headers) whose d.ip is filled the way the network decoders fill it, so that the UDP, TCP and DNS decoders
 * run on their own, without the link and network decoders; and field values as `tshark -T fields` prints
 * them.
 */

/** Bytes from a hexdump: hex digit pairs; whitespace and anything after '|' on a line are ignored. */
export function hex(dump: string): Uint8Array {
  const digits = dump
    .split('\n')
    .map((line) => line.split('|')[0])
    .join('')
    .replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(digits)) throw new Error(`not a hexdump: ${dump}`);
  return Uint8Array.from(digits.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}

export interface PacketOptions {
  /** The packet is quoted in an ICMP error: d.ip stays null and the layers decode as embedded. */
  embedded?: boolean;
  /** Bytes the frame had on the wire, when the capture cut it short (defaults to the bytes given). */
  originalLength?: number;
  withTree?: boolean;
}

/** An empty dissection of `data` (one frame, no layers decoded). */
export function emptyDissection(data: Uint8Array, options: PacketOptions = {}): Dissection {
  return newDissection(
    {
      number: 1,
      linkType: 101,
      interfaceId: 0,
      tsSeconds: 1_700_000_000,
      tsNanos: 0,
      originalLength: options.originalLength ?? data.length,
      capturedLength: data.length,
    },
    [data],
    new FieldTree(options.withTree ?? true),
    newCaptureState(),
  );
}

/**
 * A dissection of an IP packet and where its transport layer starts: after the IPv4 header (its IHL) or
 * the 40-byte IPv6 header, up to what the header's length covers of the captured bytes.
 */
export function ipPacket(packet: Uint8Array, options: PacketOptions = {}): { d: Dissection; at: LayerInput } {
  const d = emptyDissection(packet, options);
  const version = packet[0] >> 4;
  const headerLength = version === 4 ? (packet[0] & 0x0f) * 4 : 40;
  const announced = version === 4 ? u16(packet, 2) - headerLength : u16(packet, 4);
  // What the wire carried of the payload, as the network decoders compute it.
  const onWire = (options.originalLength ?? packet.length) - headerLength;
  const payloadLength = Math.min(announced, onWire);
  if (!options.embedded) {
    const addresses = version === 4 ? 12 : 8;
    const addressLength = version === 4 ? 4 : 16;
    d.ip = {
      version: version === 4 ? 4 : 6,
      src: version === 4 ? formatIpv4(packet, 12) : formatIpv6(packet, 8),
      dst: version === 4 ? formatIpv4(packet, 16) : formatIpv6(packet, 24),
      protocol: version === 4 ? packet[9] : packet[6],
      ttl: version === 4 ? packet[8] : packet[7],
      payloadLength,
      reassembled: false,
      fragment: false,
      pseudoHeaderAddressSum: onesComplementSum(packet, addresses, addresses + 2 * addressLength),
    };
  }
  const end = Math.min(headerLength + announced, packet.length);
  return { d, at: { source: 0, offset: headerLength, end, embedded: options.embedded ?? false } };
}

const DECODERS: Readonly<Record<string, LayerDecoder>> = {
  udp: decodeUdp,
  tcp: decodeTcp,
  dns: decodeDns,
  mdns: decodeMdns,
  llmnr: decodeLlmnr,
  'dns-tcp': decodeDnsOverTcp,
};

/** Runs `decoder` at `at`, then every layer it hands on, as the frame pipeline does; returns the last hand-on. */
export function runLayers(d: Dissection, decoder: string, at: LayerInput): NextLayer | null {
  let next: NextLayer | null = { decoder, ...at };
  for (let depth = 0; next && DECODERS[next.decoder] && depth < 8; depth++) {
    d.tree.source = next.source;
    d.tree.closeAll();
    next = DECODERS[next.decoder](d, next);
  }
  return next;
}

/** Decodes an IP packet's transport layer ('udp' or 'tcp') and what follows it. */
export function decodePacket(packet: Uint8Array, transport: 'udp' | 'tcp', options: PacketOptions = {}): Dissection {
  const { d, at } = ipPacket(packet, options);
  runLayers(d, transport, at);
  return d;
}

/** Every occurrence of a field, as tshark -T fields prints each. */
export function values(d: Dissection, name: string): string[] {
  const def = fieldByName(name);
  if (!def) throw new Error(`no field ${name}`);
  return fieldOccurrences(d.tree.roots, def).map((node) => formatFieldValue(node, d.sources));
}

/** The first occurrence (tshark's -E occurrence=f), or '' when absent. */
export function first(d: Dissection, name: string): string {
  return values(d, name)[0] ?? '';
}

/** Names of the fields in tree order (depth first), to check what a decoder shows and in which order. */
export function fieldNames(d: Dissection, prefix = ''): string[] {
  const names: string[] = [];
  const walk = (nodes: Dissection['tree']['roots']): void => {
    for (const node of nodes) {
      if (node.field.name.startsWith(prefix)) names.push(node.field.name);
      if (node.children) walk(node.children);
    }
  };
  walk(d.tree.roots);
  return names;
}
