import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import '../../app/decode/frame';
import '../../app/tcp/analyzer';
import { allFields, type FieldDef, type FieldType } from '../../app/fields/registry';
import { TSHARK, tsharkSkipReason } from '../helpers/tshark';

/*
 * The registry against tshark's own (`tshark -G fields`, `-G protocols`): every field tshark knows must be
 * printed the way tshark prints it, and -T fields formatting follows from type, hex-or-not base, storage
 * width and mask (app/fields/format.ts). Names tshark does not know (text-only subtree headings, which
 * Wireshark registers without a filter name) are listed, not failed.
 */

/** tshark's type -> our type and, for integers, the storage width. */
const TYPES: Readonly<Record<string, { type: FieldType; bits?: number }>> = {
  FT_UINT8: { type: 'uint', bits: 8 }, FT_UINT16: { type: 'uint', bits: 16 }, FT_UINT24: { type: 'uint', bits: 24 },
  FT_UINT32: { type: 'uint', bits: 32 }, FT_UINT40: { type: 'uint64', bits: 40 }, FT_UINT48: { type: 'uint64', bits: 48 },
  FT_UINT56: { type: 'uint64', bits: 56 }, FT_UINT64: { type: 'uint64', bits: 64 },
  FT_INT8: { type: 'int', bits: 8 }, FT_INT16: { type: 'int', bits: 16 }, FT_INT24: { type: 'int', bits: 24 },
  FT_INT32: { type: 'int', bits: 32 }, FT_INT64: { type: 'int', bits: 64 },
  FT_BOOLEAN: { type: 'bool' }, FT_ETHER: { type: 'ether' }, FT_IPv4: { type: 'ipv4' }, FT_IPv6: { type: 'ipv6' },
  FT_BYTES: { type: 'bytes' }, FT_UINT_BYTES: { type: 'bytes' }, FT_STRING: { type: 'string' }, FT_STRINGZ: { type: 'string' },
  FT_ABSOLUTE_TIME: { type: 'abs_time' }, FT_RELATIVE_TIME: { type: 'rel_time' }, FT_FRAMENUM: { type: 'framenum' },
  FT_NONE: { type: 'label' }, FT_PROTOCOL: { type: 'protocol' }, FT_DOUBLE: { type: 'float' }, FT_FLOAT: { type: 'float' },
};

/** Differences from `tshark -G fields` that do not change what -T fields prints, each with why. */
const SAME_OUTPUT: readonly { name: RegExp; difference: string; reason: string }[] = [
  {
    name: /^frame\.time_epoch$/,
    difference: 'type abs_time, tshark FT_RELATIVE_TIME',
    reason: 'typed abs_time in app/decode/framefields.ts; format.ts prints it as a duration',
  },
  {
    name: /^tcp\.options\./,
    difference: 'type bytes, tshark FT_PROTOCOL',
    reason: 'TCP option items: a protocol item without a summary text prints its bytes in hex, as bytes do',
  },
  {
    name: /^dns\.rr\.udp_payload_size$/,
    difference: 'base dec, tshark BASE_HEX',
    reason: 'tshark has two fields of this name and -G lists only the first (BASE_HEX, mask 0x7fff); the OPT record '
      + 'uses the decimal one (tshark printed 1232 for zeek/Traces/dns/dns-corrupt.pcap)',
  },
];

interface TsharkField {
  type: string;
  base: string;
  mask: number;
}

function tsharkRegistry(): Map<string, TsharkField> {
  const fields = new Map<string, TsharkField>();
  const run = (what: string) => spawnSync(TSHARK, ['-G', what], { encoding: 'utf8', maxBuffer: 256 << 20 }).stdout;
  for (const line of run('fields').split('\n')) {
    const [kind, , name, type, , base, mask] = line.split('\t');
    if (kind === 'F') fields.set(name, { type, base, mask: Number(mask || 0) });
  }
  for (const line of run('protocols').split('\n')) {
    const name = line.split('\t')[2];
    if (name) fields.set(name, { type: 'FT_PROTOCOL', base: '', mask: 0 });
  }
  return fields;
}

/** How our definition would print differently from tshark's, or null. */
function formattingDifference(def: FieldDef, theirs: TsharkField): string | null {
  const want = TYPES[theirs.type];
  if (!want) return `tshark type ${theirs.type} has no counterpart (ours ${def.type})`;
  if (want.type !== def.type) return `type ${def.type}, tshark ${theirs.type}`;
  const integer = def.type === 'uint' || def.type === 'int' || def.type === 'uint64';
  if (integer && def.bits !== want.bits) return `${def.bits} bits, tshark ${theirs.type}`;
  const hex = def.base === 'hex' || def.base === 'hex_dec';
  const theirHex = theirs.base === 'BASE_HEX' || theirs.base === 'BASE_HEX_DEC';
  if (integer && hex !== theirHex) return `base ${def.base}, tshark ${theirs.base}`;
  if ((integer || def.type === 'bool') && def.mask !== theirs.mask) return `mask 0x${def.mask.toString(16)}, tshark 0x${theirs.mask.toString(16)}`;
  return null;
}

const skipReason = tsharkSkipReason(false);
if (skipReason) console.log(`skipping the registry comparison with tshark: ${skipReason}`);

describe.skipIf(skipReason !== null)('the field registry matches tshark 4.0', () => {
  it('defines every field tshark knows with tshark\'s type, width, base and mask', () => {
    const theirs = tsharkRegistry();
    expect(theirs.size).toBeGreaterThan(1000);
    const differences: string[] = [];
    const unknown: string[] = [];
    for (const def of allFields()) {
      const field = theirs.get(def.name);
      if (!field) {
        unknown.push(def.name);
        continue;
      }
      const difference = formattingDifference(def, field);
      const excused = SAME_OUTPUT.some((entry) => entry.name.test(def.name) && entry.difference === difference);
      if (difference && !excused) differences.push(`${def.name}: ${difference}`);
    }
    if (unknown.length > 0) console.log(`registry names tshark does not know (text-only headings): ${unknown.join(' ')}`);
    expect(differences).toEqual([]);
  });
});
