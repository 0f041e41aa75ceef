import type { Timestamp } from '../fields/tree';

/*
 * Unquoted literals as Wireshark 4.0's ftypes read them (epan/ftypes/ftype-*.c *_from_literal). Each
 * parser returns null when the text is not a value of its type; the compiler words the error.
 */

/** An address literal; prefix is the CIDR length (32 or 128 when none was written). */
export interface AddressLiteral {
  bytes: Uint8Array;
  prefix: number;
}

/**
 * Integers as strtoull with base 0 reads them, plus Wireshark's 0b binary prefix: 80, 0x50, 0120 (octal),
 * 0b1010000. "08" is not a number (an invalid octal digit), as in tshark.
 */
export function parseInteger(text: string): bigint | null {
  if (/^[1-9][0-9]*$/.test(text) || text === '0') return BigInt(text);
  if (/^0[xX][0-9a-fA-F]+$/.test(text)) return BigInt(text);
  if (/^0[bB][01]+$/.test(text)) return BigInt(text);
  if (/^0[0-7]+$/.test(text)) return BigInt(`0o${text.slice(1)}`);
  return null;
}

/** Decimal floats, with or without fraction and exponent (strtod, without hex floats, inf and nan). */
export function parseFloatLiteral(text: string): number | null {
  if (!/^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$/.test(text)) return null;
  return Number(text);
}

/**
 * A duration in seconds, as ftype-time.c's relative_val_from_literal: digits with an optional fraction of at
 * most 9 digits (no exponent, no hex). Exact to the nanosecond.
 */
export function parseSeconds(text: string): Timestamp | null {
  const match = /^([0-9]+)(?:\.([0-9]{1,9}))?$/.exec(text);
  if (!match) return null;
  return { seconds: Number(match[1]), nanos: Number((match[2] ?? '').padEnd(9, '0')) };
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * An absolute time as ftype-time.c accepts it: "Nov 12, 1999 08:55:44.123" or "2011-07-04 12:34:56" (also
 * with 'T', without seconds' fraction or without the time), in local time unless it ends with Z or UTC.
 */
export function parseAbsoluteTime(text: string): Timestamp | null {
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?)?\s*(Z|UTC)?$/.exec(text.trim());
  const named = /^([A-Za-z]{3})\s+(\d{1,2}),\s*(\d{4})(?:\s+(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?)?\s*(Z|UTC)?$/.exec(text.trim());
  let parts: [number, number, number, number, number, number, string, boolean];
  if (iso) {
    parts = [Number(iso[1]), Number(iso[2]) - 1, Number(iso[3]), Number(iso[4] ?? 0), Number(iso[5] ?? 0), Number(iso[6] ?? 0), iso[7] ?? '', !!iso[8]];
  } else if (named) {
    const month = MONTHS.indexOf(named[1].toLowerCase());
    if (month < 0) return null;
    parts = [Number(named[3]), month, Number(named[2]), Number(named[4] ?? 0), Number(named[5] ?? 0), Number(named[6] ?? 0), named[7] ?? '', !!named[8]];
  } else {
    return null;
  }
  const [year, month, day, hours, minutes, seconds, fraction, utc] = parts;
  if (month > 11 || day < 1 || day > 31 || hours > 23 || minutes > 59 || seconds > 60) return null;
  const millis = utc ? Date.UTC(year, month, day, hours, minutes, seconds) : new Date(year, month, day, hours, minutes, seconds).getTime();
  if (!Number.isFinite(millis)) return null;
  return { seconds: Math.floor(millis / 1000), nanos: Number(fraction.padEnd(9, '0')) };
}

/**
 * Byte strings as wsutil's hex_str_to_bytes reads them: hex pairs separated by ':', '-' or '.' (one kind
 * per literal), or run together ("080027"); a lone digit is one byte ("8" is 08). A leading ':' is allowed
 * (":08:00", to keep a byte string from reading as a number).
 */
export function parseBytes(text: string): Uint8Array | null {
  const body = text.startsWith(':') ? text.slice(1) : text;
  const separator = /[:.-]/.exec(body)?.[0];
  let groups: string[];
  if (separator) {
    groups = body.split(separator);
    if (!groups.every((group) => /^[0-9a-fA-F]{2}$/.test(group))) return null;
  } else {
    if (!/^[0-9a-fA-F]+$/.test(body)) return null;
    groups = body.match(/[0-9a-fA-F]{1,2}/g) ?? [];
  }
  return Uint8Array.from(groups, (group) => parseInt(group, 16));
}

/** MAC addresses: six bytes as aa:bb:cc:dd:ee:ff, aa-bb-..., aa.bb...., aabb.ccdd.eeff or aabbccddeeff. */
export function parseEther(text: string): Uint8Array | null | 'short' | 'long' {
  const dotQuad = /^([0-9a-fA-F]{4})\.([0-9a-fA-F]{4})\.([0-9a-fA-F]{4})$/.exec(text);
  const bytes = dotQuad ? parseBytes(dotQuad.slice(1).join('')) : parseBytes(text);
  if (!bytes) return null;
  if (bytes.length < 6) return 'short';
  if (bytes.length > 6) return 'long';
  return bytes;
}

/** Dotted-quad IPv4 with an optional /prefix; 'prefix' when the prefix is above 32. */
export function parseIpv4(text: string): AddressLiteral | null | 'prefix' {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(text);
  if (!match) return null;
  const octets = match.slice(1, 5).map(Number);
  if (octets.some((octet) => octet > 255)) return null;
  const prefix = match[5] === undefined ? 32 : Number(match[5]);
  if (prefix > 32) return 'prefix';
  return { bytes: Uint8Array.from(octets), prefix };
}

/** RFC 4291 section 2.2 text forms (with '::' and an embedded dotted quad), with an optional /prefix. */
export function parseIpv6(text: string): AddressLiteral | null | 'prefix' {
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  let prefix = 128;
  if (slash >= 0) {
    if (!/^\d{1,3}$/.test(text.slice(slash + 1))) return null;
    prefix = Number(text.slice(slash + 1));
    if (prefix > 128) return 'prefix';
  }
  const bytes = ipv6Bytes(address);
  return bytes ? { bytes, prefix } : null;
}

function ipv6Bytes(text: string): Uint8Array | null {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || !text.includes(':')) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groups = (half: string): number[] | null => {
    if (half === '') return [];
    const words: number[] = [];
    const parts = half.split(':');
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      if (i === parts.length - 1 && part.includes('.')) {
        const v4 = parseIpv4(part);
        if (!v4 || v4 === 'prefix' || v4.prefix !== 32) return null;
        words.push((v4.bytes[0] << 8) | v4.bytes[1], (v4.bytes[2] << 8) | v4.bytes[3]);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(part)) {
        words.push(parseInt(part, 16));
      } else {
        return null;
      }
    }
    return words;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const words = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  words.forEach((word, i) => {
    bytes[2 * i] = word >> 8;
    bytes[2 * i + 1] = word & 0xff;
  });
  return bytes;
}
