/**
 * The one registry of fields, with Wireshark's names and types. Decoders define their fields here
 * (at module load) and record them in a FieldTree; the details view, the `fields` command and the
 * display filters all look fields up here. Formatting lives in ./format.ts.
 */
export type FieldType =
  | 'protocol' // a protocol node such as 'ip'; no value
  | 'label' // a subtree heading without a value
  | 'uint' // value: number (up to 32 bits) — 'uint64' for wider
  | 'uint64' // value: bigint
  | 'int'
  | 'bool' // value: boolean
  | 'ether' // value: null, taken from the bytes (6)
  | 'ipv4' // value: null, taken from the bytes (4)
  | 'ipv6' // value: null, taken from the bytes (16)
  | 'bytes' // value: null, taken from the bytes
  | 'string' // value: string
  | 'abs_time' // value: Timestamp
  | 'rel_time' // value: Timestamp (a duration)
  | 'float' // value: number
  | 'framenum'; // value: number, a frame number

export type Base = 'dec' | 'hex' | 'oct' | 'dec_hex' | 'hex_dec';

export interface FieldDef {
  readonly id: number;
  /** Wireshark's filter name, e.g. 'ip.ttl'. */
  readonly name: string;
  /** Label of the details tree, e.g. 'Time to Live'. */
  readonly label: string;
  readonly type: FieldType;
  /** Integer display base (Wireshark's BASE_*). */
  readonly base: Base;
  /** Storage width in bits of integer fields (FT_UINT16 -> 16): decides the digits of hex output. */
  readonly bits: number;
  /** Bit mask within the storage width, for bit fields (documentation and the hex view). */
  readonly mask: number;
  /** Names of values (Wireshark's value_string), shown in the details tree. */
  readonly strings: Readonly<Record<number, string>> | null;
}

export interface FieldOptions {
  base?: Base;
  bits?: number;
  mask?: number;
  strings?: Readonly<Record<number, string>>;
}

const fieldsByName = new Map<string, FieldDef>();
const fieldsById: FieldDef[] = [];

/** Defines a field once; defining the same name twice is a programming error. */
export function defineField(name: string, label: string, type: FieldType, options: FieldOptions = {}): FieldDef {
  if (fieldsByName.has(name)) throw new Error(`field ${name} defined twice`);
  const def: FieldDef = Object.freeze({
    id: fieldsById.length,
    name,
    label,
    type,
    base: options.base ?? 'dec',
    bits: options.bits ?? 0,
    mask: options.mask ?? 0,
    strings: options.strings ?? null,
  });
  fieldsById.push(def);
  fieldsByName.set(name, def);
  return def;
}

export function fieldByName(name: string): FieldDef | undefined {
  return fieldsByName.get(name);
}

export function fieldById(id: number): FieldDef {
  return fieldsById[id];
}

export function allFields(): readonly FieldDef[] {
  return fieldsById;
}
