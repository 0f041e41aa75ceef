import { allFields, fieldByName } from '../fields/registry';
import type { FieldDef, FieldType } from '../fields/registry';

/*
 * How the filter sees the registry's fields. Wireshark adds hidden fields for both directions of an
 * address or port (ip.addr next to ip.src and again next to ip.dst, tcp.port next to tcp.srcport and
 * tcp.dstport). Decoding them into the tree would show them in the details view, so the filter resolves
 * them here instead: ip.addr reads the ip.src and ip.dst nodes in tree order, which gives the same
 * occurrences in the same order as Wireshark's hidden nodes (count(ip.addr) == 2, ICMP-embedded headers
 * included). Where a decoder records such a field too, as Wireshark shows it (eth.addr, tcp.port,
 * udp.port: always beside each of its parts, with the same value), the filter still reads the parts, so
 * the field index (./columns.ts) need not hold the same values twice.
 */
const BOTH_DIRECTIONS: Readonly<Record<string, readonly string[]>> = {
  'eth.addr': ['eth.dst', 'eth.src'],
  'ip.addr': ['ip.src', 'ip.dst'],
  'ipv6.addr': ['ipv6.src', 'ipv6.dst'],
  'tcp.port': ['tcp.srcport', 'tcp.dstport'],
  'udp.port': ['udp.srcport', 'udp.dstport'],
};

/*
 * Fields whose filter type in Wireshark 4.0 differs from the registry's type. frame.time_epoch is an
 * FT_RELATIVE_TIME (seconds since the epoch) in 4.0, so tshark reads `frame.time_epoch > 1367526033.5`
 * and rejects a date string; the registry keeps 'abs_time' for its formatting.
 */
const FILTER_TYPES: Readonly<Record<string, FieldType>> = {
  'frame.time_epoch': 'rel_time',
};

/** A name the filter can read: one registry field, or a both-direction alias over several. */
export interface FilterField {
  name: string;
  type: FieldType;
  /** Storage width of integers, for range checks and messages. */
  bits: number;
  strings: Readonly<Record<number, string>> | null;
  /** The registry fields whose nodes are this field's occurrences. */
  defs: readonly FieldDef[];
}

export function resolveField(name: string): FilterField | null {
  const parts = BOTH_DIRECTIONS[name]?.map((part) => fieldByName(part));
  if (parts && parts.every((part) => part !== undefined)) {
    const first = parts[0];
    return { name, type: first.type, bits: first.bits, strings: first.strings, defs: parts };
  }
  const def = fieldByName(name);
  return def ? { name, type: FILTER_TYPES[name] ?? def.type, bits: def.bits, strings: def.strings, defs: [def] } : null;
}

/** Every name the filter accepts, for the filter bar's suggestions. */
export function filterFieldNames(): string[] {
  const names = new Set(allFields().map((def) => def.name));
  for (const [alias, parts] of Object.entries(BOTH_DIRECTIONS)) {
    if (parts.every((part) => names.has(part))) names.add(alias);
  }
  return [...names].sort();
}
