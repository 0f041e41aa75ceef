import { formatIpv4, formatIpv6, formatMac } from '../decode/bytes';
import type { FieldDef } from './registry';
import type { FieldNode, Timestamp } from './tree';

/*
 * Field values as text, the way tshark 4.0 prints them. Every rule below was checked against
 * `tshark -r FILE -T fields -E occurrence=f -e FIELD` (and `-V` for the tree labels) on corpus files and on
 * crafted captures; test/app/fields/format.test.ts holds those observations.
 */

const HEX2: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * The text `tshark -T fields` prints for one field occurrence:
 * - integers in decimal, except BASE_HEX and BASE_HEX_DEC: '0x' and bits/4 digits of the storage width
 *   (FT_UINT16 -> 0x0800, FT_UINT24 -> 0x000000), regardless of the mask (tcp.flags prints 0x0002);
 *   BASE_DEC_HEX and BASE_OCT print plain decimal; value strings are not used;
 * - booleans 1 or 0; FT_NONE items 1 (present); addresses in their usual text;
 * - bytes as lower-case hex without separators;
 * - strings as stored, up to a NUL, with \b \f \n \r \t written as backslash escapes (tshark's
 *   -E escape=y); other control bytes are printed raw;
 * - relative times (frame.time_epoch is one: seconds since the epoch) as seconds.nanoseconds with 9 digits;
 *   absolute times as 'Aug  6, 2018 19:56:00.505285000 UTC' in the local time zone.
 */
export function formatFieldValue(node: FieldNode, sources: readonly Uint8Array[]): string {
  const def = node.field;
  const value = node.value;
  switch (def.type) {
    case 'protocol':
      // tshark prints the protocol item's summary line ('Domain Name System (query)'), which decoders may
      // store as the value; an item without one is printed as its bytes (tcp.options.mss: 020405b4).
      return typeof value === 'string' ? escapeFieldsText(value) : addressOrBytesText(node, sources);
    case 'label':
      // FT_NONE: "1", so that -T fields shows the item is present (epan/print.c).
      return '1';
    case 'uint':
    case 'int':
    case 'uint64':
      return def.base === 'hex' || def.base === 'hex_dec' ? hexText(integerValue(value), def) : decimalText(value);
    case 'framenum':
      return decimalText(value);
    case 'bool':
      return value ? '1' : '0';
    case 'ether':
    case 'ipv4':
    case 'ipv6':
    case 'bytes':
      return addressOrBytesText(node, sources);
    case 'string':
      return typeof value === 'string' ? escapeFieldsText(value) : '';
    case 'abs_time':
      return absoluteTimeText(timestampValue(value));
    case 'rel_time':
      return signedTimeText(timestampValue(value));
    case 'float':
      return typeof value === 'number' ? formatG(value, DOUBLE_DIGITS) : '';
  }
}

/**
 * The details-tree line of a node, close to Wireshark's: 'Time to Live: 64', 'Protocol: TCP (6)',
 * 'Identification: 0x1b68 (7016)', bit fields behind their bit pattern ('.1.. .... = Don't fragment: Set'),
 * generated fields in brackets.
 */
export function formatTreeLabel(node: FieldNode, sources: readonly Uint8Array[]): string {
  const def = node.field;
  const text = labelText(node, sources);
  const line = def.mask !== 0 && def.bits > 0 && (def.type === 'uint' || def.type === 'bool' || def.type === 'int')
    ? `${bitPattern(node)} = ${text}`
    : text;
  return node.generated ? `[${line}]` : line;
}

function labelText(node: FieldNode, sources: readonly Uint8Array[]): string {
  const def = node.field;
  const value = node.value;
  switch (def.type) {
    case 'protocol':
    case 'label':
      return typeof value === 'string' ? escapeLabelText(value) : def.label;
    case 'uint':
    case 'int':
    case 'uint64': {
      const number = labelNumberText(integerValue(value), def);
      if (!def.strings) return `${def.label}: ${number}`;
      const name = typeof value === 'number' ? def.strings[value] : undefined;
      return `${def.label}: ${name ?? 'Unknown'} (${number})`;
    }
    case 'framenum':
      return `${def.label}: ${decimalText(value)}`;
    case 'bool': {
      const name = def.strings?.[value ? 1 : 0];
      return `${def.label}: ${name ?? (def.mask !== 0 ? (value ? 'Set' : 'Not set') : value ? 'True' : 'False')}`;
    }
    case 'ether':
    case 'ipv4':
    case 'ipv6':
      return `${def.label}: ${addressOrBytesText(node, sources)}`;
    case 'bytes': {
      const shown = Math.min(node.length, LABEL_BYTES);
      const hex = hexBytes(sources[node.source], node.offset, node.offset + shown);
      return `${def.label}: ${hex}${node.length > shown ? '…' : ''}`;
    }
    case 'string':
      return `${def.label}: ${typeof value === 'string' ? escapeLabelText(value) : ''}`;
    case 'abs_time':
      return `${def.label}: ${absoluteTimeText(timestampValue(value))}`;
    case 'rel_time':
      return `${def.label}: ${signedTimeText(timestampValue(value))} seconds`;
    case 'float':
      return `${def.label}: ${typeof value === 'number' ? formatG(value, DOUBLE_DIGITS) : ''}`;
  }
}

/** Wireshark shows at most this many bytes of a byte field in the tree, then an ellipsis. */
const LABEL_BYTES = 36;
/** DBL_DIG: Wireshark prints doubles with %.15g. */
const DOUBLE_DIGITS = 15;

function integerValue(value: FieldNode['value']): number | bigint {
  if (typeof value === 'number' || typeof value === 'bigint') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return 0;
}

function decimalText(value: FieldNode['value']): string {
  return typeof value === 'number' || typeof value === 'bigint' ? String(value) : '';
}

/** 0x and bits/4 digits of the storage width; negative values in two's complement of that width. */
function hexText(value: number | bigint, def: FieldDef): string {
  const bits = def.bits > 0 ? def.bits : def.type === 'uint64' ? 64 : 32;
  return `0x${unsignedHex(value, bits).padStart(Math.ceil(bits / 4), '0')}`;
}

function unsignedHex(value: number | bigint, bits: number): string {
  if (typeof value === 'bigint') return BigInt.asUintN(bits, value).toString(16);
  return value < 0 ? BigInt.asUintN(bits, BigInt(value)).toString(16) : value.toString(16);
}

/**
 * Numbers in tree labels follow the base; hex digits come from the mask width when there is a mask
 * (tcp.flags: 'Flags: 0x002'), else from the storage width.
 */
function labelNumberText(value: number | bigint, def: FieldDef): string {
  const bits = def.bits > 0 ? def.bits : def.type === 'uint64' ? 64 : 32;
  const digits = Math.ceil((def.mask !== 0 ? maskWidth(def.mask) : bits) / 4);
  const hex = `0x${unsignedHex(value, bits).padStart(digits, '0')}`;
  switch (def.base) {
    case 'dec':
      return String(value);
    case 'hex':
      return hex;
    case 'oct':
      return value === 0 || value === 0n ? '0' : `0${value.toString(8)}`;
    case 'dec_hex':
      return `${value} (${hex})`;
    case 'hex_dec':
      return `${hex} (${value})`;
  }
}

function maskShift(mask: number): number {
  let shift = 0;
  while (shift < 32 && ((mask >>> shift) & 1) === 0) shift++;
  return shift;
}

function maskWidth(mask: number): number {
  let width = 0;
  for (let rest = mask >>> maskShift(mask); rest !== 0; rest >>>= 1) width++;
  return width;
}

/** Wireshark's bit pattern of a masked field: '.1.. ....', the field's bits shown, a space every 4 bits. */
function bitPattern(node: FieldNode): string {
  const def = node.field;
  const raw = def.type === 'bool'
    ? (node.value ? def.mask : 0)
    : (Number(integerValue(node.value)) * 2 ** maskShift(def.mask)) % 2 ** 32;
  let pattern = '';
  for (let bit = def.bits - 1; bit >= 0; bit--) {
    const weight = 2 ** bit;
    const inMask = Math.floor(def.mask / weight) % 2 === 1;
    pattern += inMask ? (Math.floor(raw / weight) % 2 === 1 ? '1' : '0') : '.';
    if (bit % 4 === 0 && bit > 0) pattern += ' ';
  }
  return pattern;
}

function addressOrBytesText(node: FieldNode, sources: readonly Uint8Array[]): string {
  if (typeof node.value === 'string') return node.value;
  const bytes = sources[node.source];
  if (!bytes) return '';
  switch (node.field.type) {
    case 'ether':
      return node.offset + 6 <= bytes.length ? formatMac(bytes, node.offset) : '';
    case 'ipv4':
      return node.offset + 4 <= bytes.length ? formatIpv4(bytes, node.offset) : '';
    case 'ipv6':
      return node.offset + 16 <= bytes.length ? formatIpv6(bytes, node.offset) : '';
    default:
      return hexBytes(bytes, node.offset, node.offset + node.length);
  }
}

function hexBytes(bytes: Uint8Array | undefined, start: number, end: number): string {
  if (!bytes) return '';
  let text = '';
  for (let i = start; i < end && i < bytes.length; i++) text += HEX2[bytes[i]];
  return text;
}

const FIELDS_ESCAPES: Readonly<Record<string, string>> = { '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * tshark writes field strings as C strings (so a NUL ends them) and, with its default -E escape=y,
 * replaces \b \f \n \r \t by backslash escapes; quotes, backslashes and other control bytes stay raw.
 */
export function escapeFieldsText(text: string): string {
  const nul = text.indexOf('\0');
  const cut = nul < 0 ? text : text.slice(0, nul);
  return /[\b\f\n\r\t]/.test(cut) ? cut.replace(/[\b\f\n\r\t]/g, (c) => FIELDS_ESCAPES[c]) : cut;
}

const LABEL_ESCAPES: Readonly<Record<number, string>> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r' };
/** g_unichar_isprint is false for control, format, unassigned and surrogate code points. */
const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cn}\p{Cs}]/u;

/**
 * Wireshark's format_text (used for tree labels and for DNS names): printable characters as they are,
 * ASCII control characters as C escapes (\n, or octal \001), other non-printable characters as \uXXXX.
 */
export function escapeLabelText(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code >= 0x20 && code < 0x7f) out += char;
    else if (code < 0x80) out += LABEL_ESCAPES[code] ?? `\\${code.toString(8).padStart(3, '0')}`;
    else if (!NOT_PRINTABLE.test(char)) out += char;
    else if (code <= 0xffff) out += `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += `\\U${code.toString(16).toUpperCase().padStart(8, '0')}`;
  }
  return out;
}

function timestampValue(value: FieldNode['value']): Timestamp {
  return typeof value === 'object' && value !== null ? value : { seconds: 0, nanos: 0 };
}

/**
 * Wireshark's display_signed_time: seconds, '.', nanoseconds in 9 digits. Durations follow Wireshark's
 * nstime convention (seconds and nanoseconds carry the same sign: -0.5 s is {0, -500000000}); a negative
 * nanosecond part with non-negative seconds puts the sign in front. Out-of-range nanoseconds from damaged
 * files are printed as they are, as tshark does ('1418145370.1000000000').
 */
export function signedTimeText(time: Timestamp): string {
  let nanos = time.nanos;
  let sign = '';
  if (nanos < 0) {
    nanos = -nanos;
    if (time.seconds >= 0) sign = '-';
  }
  return `${sign}${time.seconds}.${String(nanos).padStart(9, '0')}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** Dates JavaScript can represent (±8.64e15 ms); beyond them (damaged timestamps) the time is shown in UTC. */
const MAX_DATE_SECONDS = 8.64e12;

/**
 * tshark's FT_ABSOLUTE_TIME text in the local time zone: 'Aug  6, 2018 19:56:00.505285000 UTC'
 * (strftime '%b %e, %Y %H:%M:%S', 9 digits of nanoseconds, the zone's abbreviation). The calendar is
 * computed here, not by Date, so far-off timestamps (year 586524 in a corpus file) still print.
 */
export function absoluteTimeText(time: Timestamp): string {
  const { offsetSeconds, zone } = localZone(time.seconds);
  const local = time.seconds + offsetSeconds;
  const days = Math.floor(local / 86400);
  const secondsOfDay = local - days * 86400;
  const { year, month, day } = civilFromDays(days);
  const hh = String(Math.floor(secondsOfDay / 3600)).padStart(2, '0');
  const mm = String(Math.floor((secondsOfDay % 3600) / 60)).padStart(2, '0');
  const ss = String(secondsOfDay % 60).padStart(2, '0');
  const nanos = time.nanos < 0 ? String(time.nanos) : String(time.nanos).padStart(9, '0');
  return `${MONTHS[month - 1]} ${String(day).padStart(2, ' ')}, ${year} ${hh}:${mm}:${ss}.${nanos} ${zone}`;
}

function localZone(seconds: number): { offsetSeconds: number; zone: string } {
  if (!(Math.abs(seconds) < MAX_DATE_SECONDS)) return { offsetSeconds: 0, zone: 'UTC' };
  const date = new Date(seconds * 1000);
  const zone = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' })
    .formatToParts(date)
    .find((part) => part.type === 'timeZoneName')?.value ?? 'UTC';
  return { offsetSeconds: -date.getTimezoneOffset() * 60, zone };
}

/** Proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's days_from_civil, inverted). */
function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** C's %.{precision}g. */
function formatG(value: number, precision: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const [mantissa, exponentText] = value.toExponential(precision - 1).split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= precision) {
    const digits = Math.abs(exponent) < 10 ? `0${Math.abs(exponent)}` : String(Math.abs(exponent));
    return `${trimZeros(mantissa)}e${exponent < 0 ? '-' : '+'}${digits}`;
  }
  return trimZeros(value.toFixed(precision - 1 - exponent));
}

function trimZeros(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/**
 * Finds the first occurrence of each of a fixed list of fields in frames' trees (tshark's -E occurrence=f:
 * the first in tree order, which is the order decoders added them). Built once per command, used per frame.
 * A field listed twice is found for its last position only and the earlier ones stay empty, as tshark
 * prints `-e ip.src -e ip.ttl -e ip.src` ('\t64\t192.168.1.10').
 */
export class FirstOccurrences {
  /** Field id -> position in the output, -1 when not asked for (ids are small and dense). */
  private readonly slotById: Int32Array;
  private readonly distinct: number;
  private missing = 0;

  constructor(readonly fields: readonly FieldDef[]) {
    this.slotById = new Int32Array(Math.max(0, ...fields.map((def) => def.id)) + 1).fill(-1);
    fields.forEach((def, slot) => (this.slotById[def.id] = slot));
    this.distinct = new Set(fields.map((def) => def.id)).size;
  }

  /** One entry per requested field: its first node, or null when the frame has none. */
  find(roots: readonly FieldNode[]): (FieldNode | null)[] {
    const found = new Array<FieldNode | null>(this.fields.length).fill(null);
    this.missing = this.distinct;
    this.visit(roots, found);
    return found;
  }

  /** Depth-first in tree order; true once every field has been found. */
  private visit(nodes: readonly FieldNode[], found: (FieldNode | null)[]): boolean {
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i];
      const id = node.field.id;
      const slot = id >= 0 && id < this.slotById.length ? this.slotById[id] : -1;
      if (slot >= 0 && found[slot] === null) {
        found[slot] = node;
        if (--this.missing === 0) return true;
      }
      if (node.children !== null && this.visit(node.children, found)) return true;
    }
    return false;
  }
}

/** Every occurrence of a field in a tree, in tree order. */
export function fieldOccurrences(roots: readonly FieldNode[], def: FieldDef): FieldNode[] {
  const out: FieldNode[] = [];
  const visit = (nodes: readonly FieldNode[]) => {
    for (const node of nodes) {
      if (node.field.id === def.id) out.push(node);
      if (node.children) visit(node.children);
    }
  };
  visit(roots);
  return out;
}
