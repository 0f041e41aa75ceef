/** Byte-level helpers shared by the decoders: big-endian reads, address text, Internet checksum. */

export function u16(b: Uint8Array, at: number): number {
  return (b[at] << 8) | b[at + 1];
}

export function u32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

const HEX2: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/*
 * Texts of the MAC and IPv4 addresses seen lately, by numeric value. A capture repeats a few addresses
 * millions of times: the same address then formats to the same string object, built once, and the
 * conversation tables keyed by it hash and compare it at once. Keys are signed 32-bit values, which V8
 * keeps unboxed (an unsigned one above 2^31 would allocate a number on every lookup). Cleared when full,
 * so a scan over many addresses keeps memory bounded.
 */
const MAX_CACHED_ADDRESS_TEXTS = 1 << 16;
/** By the MAC's last four bytes; the entry says which first two bytes its text is for. */
const macTexts = new Map<number, { high: number; text: string }>();
const ipv4Texts = new Map<number, string>();

/** The 4 bytes at b[at] as a signed 32-bit integer: a key V8 keeps unboxed (see the address texts below). */
export function signed32(b: Uint8Array, at: number): number {
  return (b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3];
}

/** 'aa:bb:cc:dd:ee:ff' (Wireshark's ether format, lower case). */
export function formatMac(b: Uint8Array, at: number): string {
  const low = signed32(b, at + 2);
  const high = u16(b, at);
  let entry = macTexts.get(low);
  if (entry === undefined || entry.high !== high) {
    if (macTexts.size >= MAX_CACHED_ADDRESS_TEXTS) macTexts.clear();
    entry = { high, text: `${HEX2[b[at]]}:${HEX2[b[at + 1]]}:${HEX2[b[at + 2]]}:${HEX2[b[at + 3]]}:${HEX2[b[at + 4]]}:${HEX2[b[at + 5]]}` };
    macTexts.set(low, entry);
  }
  return entry.text;
}

export function formatIpv4(b: Uint8Array, at: number): string {
  const value = signed32(b, at);
  let text = ipv4Texts.get(value);
  if (text === undefined) {
    if (ipv4Texts.size >= MAX_CACHED_ADDRESS_TEXTS) ipv4Texts.clear();
    text = `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
    ipv4Texts.set(value, text);
  }
  return text;
}

/** RFC 5952 text: lower case, leading zeros dropped, the longest run (>= 2) of zero groups as '::'. */
export function formatIpv6(b: Uint8Array, at: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(u16(b, at + 2 * i));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) { bestStart = i; bestLength = j - i; }
    i = j;
  }
  // IPv4-mapped (::ffff:a.b.c.d) keeps the dotted quad, as Wireshark prints it.
  if (bestStart === 0 && bestLength === 5 && groups[5] === 0xffff) return `::ffff:${formatIpv4(b, at + 12)}`;
  if (bestStart < 0) return groups.map((g) => g.toString(16)).join(':');
  const head = groups.slice(0, bestStart).map((g) => g.toString(16)).join(':');
  const tail = groups.slice(bestStart + bestLength).map((g) => g.toString(16)).join(':');
  return `${head}::${tail}`;
}

/**
 * One's-complement sum of 16-bit big-endian words over [start, end) added to `initial` (not folded,
 * not complemented), so pseudo-header and payload sums can be chained; fold with finishChecksum.
 */
export function onesComplementSum(b: Uint8Array, start: number, end: number, initial = 0): number {
  let sum = initial;
  let i = start;
  for (; i + 1 < end; i += 2) sum += (b[i] << 8) | b[i + 1];
  if (i < end) sum += b[i] << 8;
  // Fold now and then so the sum never leaves the safe integer range on huge inputs.
  return sum > 0x7fffffff ? (sum & 0xffff) + Math.floor(sum / 0x10000) : sum;
}

/**
 * The one's-complement sum of [start, end) without the 2-byte checksum field at checksumAt, on top of
 * `initial` (a pseudo-header): what the sender summed. finishChecksum of it is the checksum it should have
 * written; finishChecksum of it plus the field is 0 when the field verifies.
 */
export function sumWithoutChecksumField(b: Uint8Array, start: number, end: number, checksumAt: number, initial = 0): number {
  return onesComplementSum(b, checksumAt + 2, end, onesComplementSum(b, start, checksumAt, initial));
}

/** Folds a running sum to 16 bits and complements it: 0 means a received checksum verifies. */
export function finishChecksum(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

/**
 * Zero as V8 stores a double rather than a small integer: an object field that starts with it holds doubles
 * from the first object on. Fields of sequence numbers (unsigned 32-bit) or nanoseconds pass 2^31 sooner
 * or later, and widening a field from small integer to double then throws away every optimised function
 * that reads it (and costs a recompilation of each).
 */
export const DOUBLE_ZERO = -0;
