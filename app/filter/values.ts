import type { FieldType } from '../fields/registry';
import type { FieldNode, Timestamp } from '../fields/tree';
import type { Dissection } from '../decode/dissection';

/*
 * Runtime values of the filter, one representation per kind of Wireshark ftype, and the orderings
 * tshark 4.0 uses for them (epan/ftypes/ftype-*.c cmp_order).
 */

export type ValueKind = 'integer' | 'bool' | 'float' | 'bytes' | 'address' | 'string' | 'time' | 'none';

/** An IPv4 or IPv6 address with the prefix length its comparisons mask to (full length for fields). */
export interface AddressValue {
  bytes: Uint8Array;
  prefix: number;
}

/** integer: number | bigint; bool: 0 | 1; float: number; bytes: Uint8Array; address; string; time. */
export type Value = number | bigint | Uint8Array | AddressValue | string | Timestamp;

/** What a filter operand's type is: a registry type, or a byte slice of one. */
export type OperandType = FieldType | 'slice';

export function kindOf(type: OperandType): ValueKind {
  switch (type) {
    case 'uint':
    case 'uint64':
    case 'int':
    case 'framenum':
      return 'integer';
    case 'bool':
      return 'bool';
    case 'float':
      return 'float';
    case 'ether':
    case 'bytes':
    case 'protocol':
    case 'slice':
      return 'bytes';
    case 'ipv4':
    case 'ipv6':
      return 'address';
    case 'string':
      return 'string';
    case 'abs_time':
    case 'rel_time':
      return 'time';
    case 'label':
      return 'none';
  }
}

/** Wireshark's names of the ftypes, as its error messages print them. */
export function typeName(type: OperandType, bits: number): string {
  const bytes = bits / 8;
  const width = bits > 0 ? ` (${bytes} ${bytes === 1 ? 'byte' : 'bytes'})` : '';
  switch (type) {
    case 'uint':
    case 'uint64':
      return `Unsigned integer${width}`;
    case 'int':
      return `Signed integer${width}`;
    case 'framenum':
      return 'Frame number';
    case 'bool':
      return 'Boolean';
    case 'float':
      return 'Floating point (double-precision)';
    case 'ether':
      return 'Ethernet or other MAC address';
    case 'bytes':
    case 'slice':
      return 'Byte sequence';
    case 'protocol':
      return 'Protocol';
    case 'ipv4':
      return 'IPv4 address';
    case 'ipv6':
      return 'IPv6 address';
    case 'string':
      return 'Character string';
    case 'abs_time':
      return 'Date and time';
    case 'rel_time':
      return 'Time offset';
    case 'label':
      return 'Label';
  }
}

const EMPTY = new Uint8Array(0);

/**
 * The value of one node. Bytes-valued nodes (value null) read their source; a protocol's value runs from
 * its start to the end of its source, as Wireshark's protocol fvalue holds the rest of the tvb (so `ip
 * contains "GET"` finds the payload although len(ip) is the header length).
 */
export function nodeValue(d: Dissection, node: FieldNode, type: FieldType): Value | null {
  switch (type) {
    case 'bool':
      return node.value === true || (typeof node.value === 'number' && node.value !== 0) ? 1 : 0;
    case 'ether':
    case 'bytes':
      return nodeBytes(d, node, node.offset + node.length);
    case 'protocol':
      return nodeBytes(d, node, d.sources[node.source]?.length ?? 0);
    case 'ipv4':
    case 'ipv6':
      return { bytes: nodeBytes(d, node, node.offset + node.length), prefix: type === 'ipv4' ? 32 : 128 };
    case 'label':
      return null;
    default:
      return node.value === null || typeof node.value === 'boolean' ? null : node.value;
  }
}

function nodeBytes(d: Dissection, node: FieldNode, end: number): Uint8Array {
  return d.sources[node.source]?.subarray(node.offset, end) ?? EMPTY;
}

/** len() of a node: see valueLength. */
export function nodeLength(node: FieldNode, type: FieldType, bits: number): number {
  return valueLength(type, bits, typeof node.value === 'string' ? node.value : null, node.length);
}

/**
 * len() as Wireshark's fvalue_length gives it: strings count their UTF-8 bytes, integers their storage
 * width, everything else its bytes in the packet (byteLength).
 */
export function valueLength(type: FieldType, bits: number, value: Value | null, byteLength: number): number {
  if (type === 'string' && typeof value === 'string') return utf8.encode(value).length;
  if ((kindOf(type) === 'integer' || type === 'bool') && bits > 0) return bits / 8;
  return byteLength;
}

const utf8 = new TextEncoder();

/** The bytes a slice, contains or matches sees: addresses and strings as bytes, bytes as they are. */
export function valueBytes(value: Value): Uint8Array | null {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') return utf8.encode(value);
  if (typeof value === 'object' && 'bytes' in value) return value.bytes;
  return null;
}

export type Order = (a: Value, b: Value) => number;

function compareNumbers(a: Value, b: Value): number {
  const x = a as number | bigint;
  const y = b as number | bigint;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Byte sequences order by length first, then bytes (ftype-bytes.c cmp_order). */
function compareBytes(a: Value, b: Value): number {
  const x = a as Uint8Array;
  const y = b as Uint8Array;
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
  return 0;
}

/** Addresses compare under the shorter of the two prefixes, so 10.1.2.3 == 10.0.0.0/8 (ftype-ipv4.c). */
function compareAddresses(a: Value, b: Value): number {
  const x = a as AddressValue;
  const y = b as AddressValue;
  const prefix = Math.min(x.prefix, y.prefix);
  for (let i = 0; i < x.bytes.length && i < y.bytes.length; i++) {
    const bits = Math.max(0, Math.min(8, prefix - 8 * i));
    const mask = (0xff << (8 - bits)) & 0xff;
    const p = x.bytes[i] & mask;
    const q = y.bytes[i] & mask;
    if (p !== q) return p < q ? -1 : 1;
  }
  return 0;
}

function compareStrings(a: Value, b: Value): number {
  const x = a as string;
  const y = b as string;
  return x < y ? -1 : x > y ? 1 : 0;
}

function compareTimes(a: Value, b: Value): number {
  const x = a as Timestamp;
  const y = b as Timestamp;
  if (x.seconds !== y.seconds) return x.seconds < y.seconds ? -1 : 1;
  return x.nanos < y.nanos ? -1 : x.nanos > y.nanos ? 1 : 0;
}

export function orderOf(kind: ValueKind): Order {
  switch (kind) {
    case 'integer':
    case 'bool':
    case 'float':
      return compareNumbers;
    case 'bytes':
      return compareBytes;
    case 'address':
      return compareAddresses;
    case 'string':
      return compareStrings;
    case 'time':
      return compareTimes;
    case 'none':
      throw new Error('labels have no order');
  }
}

/** Whether needle occurs in haystack (both byte sequences). */
export function containsBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  if (needle.length === 0) return true;
  const last = haystack.length - needle.length;
  outer: for (let i = 0; i <= last; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** Bytes as a string of code points 0-255, for regular expressions over raw bytes. */
export function latin1(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 8192) text += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return text;
}
