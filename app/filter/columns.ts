import type { Dissection } from '../decode/dissection';
import { fieldByName } from '../fields/registry';
import type { FieldDef } from '../fields/registry';
import type { FieldNode, Timestamp } from '../fields/tree';
import type { CompiledFilter, FilterPlan } from './compile';
import type { Occurrences } from './occurrences';
import { nodeValue, valueLength } from './values';
import type { Value } from './values';

/*
 * The field index: the occurrences of chosen fields of every frame, kept in typed arrays while the capture
 * is first read, so that a filter over those fields runs over a million frames without reading or
 * decoding any (the columnar counterpart of a frame's tree; ./occurrences.ts). Filters that read another
 * field, or protocols' bytes, need the trees (CompiledFilter.matches over re-decoded frames).
 *
 * Layout: one list per field of (frame number, value) pairs in frame order, so a filter only walks the
 * lists of its own fields. Integers of at most 32 bits and booleans (0/1) are stored directly in 8, 16 or
 * 32 bits; times as the index of a (seconds, nanoseconds) pair; anything else (addresses, strings, wider or
 * signed numbers) as the index of an interned object; protocols and labels keep presence only. Fields in
 * most frames once keep no frame numbers (OccurrenceList). Occurrence order between fields is not kept:
 * no operator of the language depends on it (layer selection, #, is not implemented).
 */

/**
 * The fields indexed by default: what analysts filter on most. Both-direction names (ip.addr, tcp.port) are
 * not listed: the filter reads them from src and dst (./fields.ts). Left out, as rarely filtered on for what
 * they cost in every frame (a million-frame capture's index is ~108 MB with them, ~80 MB without):
 * frame.time_epoch (16 bytes a frame: times are kept apart), frame.cap_len, frame.interface_id, tcp.nxtseq.
 */
export const DEFAULT_INDEXED_FIELDS: readonly string[] = [
  'frame', 'frame.number', 'frame.len',
  'eth', 'eth.src', 'eth.dst', 'eth.type', 'vlan', 'vlan.id', 'sll', 'sll.pkttype', 'null',
  'arp', 'arp.opcode', 'arp.src.hw_mac', 'arp.src.proto_ipv4', 'arp.dst.proto_ipv4',
  'ip', 'ip.src', 'ip.dst', 'ip.proto', 'ip.ttl', 'ip.len', 'ip.id', 'ip.flags.df', 'ip.flags.mf', 'ip.frag_offset',
  'ipv6', 'ipv6.src', 'ipv6.dst', 'ipv6.nxt', 'ipv6.plen', 'ipv6.hlim', 'ipv6.fraghdr.offset',
  'icmp', 'icmp.type', 'icmp.code', 'icmpv6', 'icmpv6.type', 'icmpv6.code',
  'udp', 'udp.srcport', 'udp.dstport', 'udp.length', 'udp.stream',
  'tcp', 'tcp.srcport', 'tcp.dstport', 'tcp.flags', 'tcp.flags.syn', 'tcp.flags.ack', 'tcp.flags.fin', 'tcp.flags.reset',
  'tcp.flags.push', 'tcp.window_size_value', 'tcp.len', 'tcp.options.mss_val',
  'tcp.stream', 'tcp.seq', 'tcp.ack', 'tcp.window_size',
  'tcp.analysis', 'tcp.analysis.flags', 'tcp.analysis.retransmission', 'tcp.analysis.fast_retransmission',
  'tcp.analysis.spurious_retransmission', 'tcp.analysis.out_of_order', 'tcp.analysis.lost_segment',
  'tcp.analysis.ack_lost_segment', 'tcp.analysis.duplicate_ack', 'tcp.analysis.duplicate_ack_num',
  'tcp.analysis.zero_window', 'tcp.analysis.window_full', 'tcp.analysis.window_update', 'tcp.analysis.keep_alive',
  'tcp.analysis.bytes_in_flight', 'tcp.analysis.ack_rtt', 'tcp.analysis.acks_frame',
  'dns', 'dns.id', 'dns.flags.response', 'dns.flags.rcode', 'dns.qry.name', 'dns.qry.type', 'dns.count.answers',
  'dns.a', 'dns.aaaa', 'dns.cname',
];

const INITIAL_OCCURRENCES = 64;
/**
 * Frames between compactions while frames are added: lists that switched to the sparse layout (a frame
 * without the field, or with it twice) go back to the filled one when that is smaller, so an index being
 * built is not twice the size of the trimmed one.
 */
const COMPACT_FRAMES = 1 << 16;

/** How a field's values are stored: times are rarely equal, so they are kept apart rather than interned. */
type Storage = 'number' | 'presence' | 'time' | 'object';

function storageOf(def: FieldDef): Storage {
  switch (def.type) {
    case 'uint':
    case 'framenum':
      return def.bits > 0 && def.bits <= 32 ? 'number' : 'object';
    case 'bool':
      return 'number';
    case 'label':
    case 'protocol':
      return 'presence';
    case 'abs_time':
    case 'rel_time':
      return 'time';
    default:
      return 'object';
  }
}

type ValueArray = Uint8Array | Uint16Array | Uint32Array;

/** What equal values of a field share: the node's value, or its bytes as a number (up to six) or hex. */
type InternKey = number | bigint | string | boolean;

/**
 * The occurrences of one field, by index i: frameAt(i) ascending, values[i] (none for presence), has(i).
 * Three layouts, chosen for size:
 * - dense: while the k-th occurrence is in frame k (frame.len, eth.src in an Ethernet capture), frame
 *   numbers are implicit;
 * - sparse: frame numbers stored, any number of occurrences per frame;
 * - filled (after trim(), for fields in most frames at most once: ip.src in a mostly-IPv4 capture): index i
 *   is frame i + 1 and a bitmap says which frames have the field.
 * Values use the narrowest array their width allows.
 */
class OccurrenceList {
  /** Sparse layout: the frame of each occurrence. */
  frames: Uint32Array | null = null;
  /** Filled layout: bit i set when frame i + 1 has the field. */
  present: Uint8Array | null = null;
  values: ValueArray | null;
  /** Occurrences (slots, in the filled layout). */
  count = 0;

  constructor(
    readonly storage: Storage,
    bits: number,
    /** Frames expected in all (0: unknown): growth stops there rather than doubling past it. */
    private readonly expectedFrames: number,
  ) {
    if (storage === 'presence') this.values = null;
    else if (storage === 'number' && bits <= 8) this.values = new Uint8Array(INITIAL_OCCURRENCES);
    else if (storage === 'number' && bits <= 16) this.values = new Uint16Array(INITIAL_OCCURRENCES);
    else this.values = new Uint32Array(INITIAL_OCCURRENCES);
  }

  frameAt(i: number): number {
    return this.frames ? this.frames[i] : i + 1;
  }

  has(i: number): boolean {
    return this.present === null || ((this.present[i >>> 3] >>> (i & 7)) & 1) === 1;
  }

  push(frame: number, value: number): void {
    if (this.present) {
      if (frame > this.count) return this.pushFilled(frame, value);
      this.toSparse();
    }
    if (!this.frames && frame !== this.count + 1) {
      this.frames = new Uint32Array(Math.max(INITIAL_OCCURRENCES, this.count * 2));
      for (let i = 0; i < this.count; i++) this.frames[i] = i + 1;
    }
    this.reserve(this.count + 1);
    if (this.frames) this.frames[this.count] = frame;
    if (this.values) this.values[this.count] = value;
    this.count++;
  }

  /** Gives back the room kept for growth, and fills the list if that is smaller (frames: the frames read). */
  trim(frames: number): void {
    this.compact(frames);
    if (this.frames) this.frames = fitted(this.frames, this.count);
    if (this.values) this.values = fitted(this.values, this.count);
    if (this.present) this.present = fitted(this.present, Math.ceil(this.count / 8));
  }

  /** Switches a sparse list to the filled layout when that is smaller (frames: the frames read). */
  compact(frames: number): void {
    if (!this.frames) return;
    const width = this.values?.BYTES_PER_ELEMENT ?? 0;
    if (frames * width + Math.ceil(frames / 8) < this.count * (4 + width) && this.fillable()) this.toFilled();
  }

  get memoryBytes(): number {
    return (this.frames?.byteLength ?? 0) + (this.values?.byteLength ?? 0) + (this.present?.byteLength ?? 0);
  }

  private pushFilled(frame: number, value: number): void {
    this.reserve(frame);
    const present = this.present as Uint8Array;
    // Frames between the last one and this one lack the field: their bits stay clear.
    if (this.values) this.values[frame - 1] = value;
    present[(frame - 1) >>> 3] |= 1 << ((frame - 1) & 7);
    this.count = frame;
  }

  /** At most one occurrence per frame (the frames strictly ascend). */
  private fillable(): boolean {
    const frames = this.frames as Uint32Array;
    for (let i = 1; i < this.count; i++) if (frames[i] === frames[i - 1]) return false;
    return true;
  }

  private toFilled(): void {
    const frames = this.frames as Uint32Array;
    const slots = this.count > 0 ? frames[this.count - 1] : 0;
    const present = new Uint8Array(Math.ceil(Math.max(slots, INITIAL_OCCURRENCES) / 8));
    const values = this.values ? new (this.values.constructor as new (length: number) => ValueArray)(Math.max(slots, INITIAL_OCCURRENCES)) : null;
    for (let i = 0; i < this.count; i++) {
      const slot = frames[i] - 1;
      present[slot >>> 3] |= 1 << (slot & 7);
      if (values && this.values) values[slot] = this.values[i];
    }
    this.frames = null;
    this.present = present;
    this.values = values;
    this.count = slots;
  }

  private toSparse(): void {
    const present = this.present as Uint8Array;
    let occurrences = 0;
    for (let i = 0; i < this.count; i++) if (this.has(i)) occurrences++;
    const frames = new Uint32Array(Math.max(INITIAL_OCCURRENCES, occurrences * 2));
    const values = this.values ? new (this.values.constructor as new (length: number) => ValueArray)(frames.length) : null;
    let k = 0;
    for (let i = 0; i < this.count; i++) {
      if (!((present[i >>> 3] >>> (i & 7)) & 1)) continue;
      frames[k] = i + 1;
      if (values && this.values) values[k] = this.values[i];
      k++;
    }
    this.present = null;
    this.frames = frames;
    this.values = values;
    this.count = occurrences;
  }

  /** Room for `size` occurrences (or slots) in every array of the layout. */
  private reserve(size: number): void {
    // Doubling, but not past the frames expected when that is enough (a field occurs about once a frame).
    const capacity = (length: number) => Math.max(size, size <= this.expectedFrames ? Math.min(length * 2, this.expectedFrames) : length * 2);
    if (this.values && size > this.values.length) this.values = grown(this.values, capacity(this.values.length));
    if (this.frames && size > this.frames.length) this.frames = grown(this.frames, capacity(this.frames.length));
    if (this.present && Math.ceil(size / 8) > this.present.length) this.present = grown(this.present, Math.ceil(capacity(this.present.length * 8) / 8));
  }
}

export class FieldColumns {
  /** The indexed fields; lists[i] holds the occurrences of fields[i]. */
  readonly fields: readonly FieldDef[];
  readonly lists: readonly OccurrenceList[];
  /** Frames added; frame numbers are 1..frames. */
  frames = 0;
  private readonly codes = new Map<number, number>();
  /** Registry field id -> code + 1 (0: not indexed), for the per-node lookup while frames are added. */
  private readonly codeById: Int32Array;
  private readonly objects: Value[] = [];
  /** Per field: interned objects by a key read straight from the node (no allocation when known). */
  private readonly interned: Map<InternKey, number>[];
  /** Per field: the key interned last (undefined before any) and its object. */
  private readonly lastKeys: (InternKey | undefined)[];
  private readonly lastObjects: Uint32Array;
  /** Time values: seconds and nanoseconds at the index a 'time' occurrence stores. */
  private timeSeconds = new Float64Array(0);
  private timeNanos = new Uint32Array(0);
  private times = 0;

  /**
   * Names the registry does not know are skipped (a decoder that is not loaded defines none). With
   * `expectedFrames` (the capture's frame count, when known), lists grow up to it rather than past it.
   */
  constructor(names: readonly string[] = DEFAULT_INDEXED_FIELDS, expectedFrames = 0) {
    this.fields = names.map((name) => fieldByName(name)).filter((def): def is FieldDef => def !== undefined);
    this.fields.forEach((def, code) => this.codes.set(def.id, code));
    this.codeById = new Int32Array(Math.max(0, ...this.fields.map((def) => def.id + 1)));
    this.fields.forEach((def, code) => (this.codeById[def.id] = code + 1));
    this.interned = this.fields.map(() => new Map());
    this.lastKeys = this.fields.map(() => undefined);
    this.lastObjects = new Uint32Array(this.fields.length);
    this.lists = this.fields.map((def) => new OccurrenceList(storageOf(def), def.type === 'bool' ? 8 : def.bits, expectedFrames));
  }

  /** Adds the next frame, from its field tree, after the TCP analysis annotated it (tcp.stream, tcp.analysis.*). */
  add(d: Dissection): void {
    this.frames++;
    this.collect(d, d.tree.roots);
    if (this.frames % COMPACT_FRAMES === 0) for (const list of this.lists) list.compact(this.frames);
  }

  /** Gives back the room kept for growth, once the capture is read (adding more frames still works). */
  trim(): void {
    for (const list of this.lists) list.trim(this.frames);
    this.timeSeconds = this.timeSeconds.slice(0, this.times);
    this.timeNanos = this.timeNanos.slice(0, this.times);
  }

  /** Whether the index holds every field the filter reads (else the filter needs re-decoded trees). */
  covers(filter: CompiledFilter): boolean {
    return !filter.needsTree && filter.fields.every((def) => this.codes.has(def.id));
  }

  /** The numbers of the frames in [first, last] the filter accepts; the filter must be covered. */
  select(filter: CompiledFilter, first = 1, last = this.frames): Uint32Array {
    if (!this.covers(filter)) throw new Error(`the field index does not cover the filter ${filter.text}`);
    const from = Math.max(1, first);
    const to = Math.min(last, this.frames);
    if (from > to) return new Uint32Array(0);
    const slotCodes = filter.slots.map((slot) => slot.defs.map((def) => this.codes.get(def.id) as number));
    const selected = this.evaluate(filter.plan, slotCodes, from, to);
    let count = 0;
    for (let i = 0; i < selected.length; i++) count += selected[i];
    const frames = new Uint32Array(count);
    for (let i = 0, k = 0; i < selected.length; i++) if (selected[i]) frames[k++] = from + i;
    return frames;
  }

  /** The frames of [from, to] a plan accepts, as one byte per frame (1: accepted). */
  private evaluate(plan: FilterPlan, slotCodes: readonly (readonly number[])[], from: number, to: number): Uint8Array {
    switch (plan.kind) {
      case 'and':
      case 'or': {
        const left = this.evaluate(plan.left, slotCodes, from, to);
        const right = this.evaluate(plan.right, slotCodes, from, to);
        if (plan.kind === 'and') for (let i = 0; i < left.length; i++) left[i] &= right[i];
        else for (let i = 0; i < left.length; i++) left[i] |= right[i];
        return left;
      }
      case 'not': {
        const operand = this.evaluate(plan.operand, slotCodes, from, to);
        for (let i = 0; i < operand.length; i++) operand[i] ^= 1;
        return operand;
      }
      case 'exists': {
        const present = new Uint8Array(to - from + 1);
        for (const code of slotCodes[plan.slot]) {
          const list = this.lists[code];
          for (let i = firstAtOrAfter(list, from); i < list.count && list.frameAt(i) <= to; i++) if (list.has(i)) present[list.frameAt(i) - from] = 1;
        }
        return present;
      }
      case 'test':
        return this.evaluateTest(plan.test, plan.all, slotCodes[plan.slot], from, to);
      case 'row': {
        const selected = new Uint8Array(to - from + 1);
        const row = new ColumnRow(slotCodes, this, from);
        for (let n = from; n <= to; n++) {
          row.frame = n;
          if (plan.predicate(row)) selected[n - from] = 1;
        }
        return selected;
      }
    }
  }

  /**
   * A per-value test over a field's lists. Interned values are tested once each, however often they occur.
   * all: frames with a value where no value fails.
   */
  private evaluateTest(test: (value: Value) => boolean, all: boolean, codes: readonly number[], from: number, to: number): Uint8Array {
    const passed = new Uint8Array(to - from + 1);
    const failed = all ? new Uint8Array(to - from + 1) : null;
    const outcome = new Int8Array(this.objects.length).fill(-1);
    for (const code of codes) {
      const list = this.lists[code];
      const values = list.values;
      if (!values) continue;
      const storage = list.storage;
      for (let i = firstAtOrAfter(list, from); i < list.count && list.frameAt(i) <= to; i++) {
        if (!list.has(i)) continue;
        const stored = values[i];
        let ok: boolean;
        if (storage === 'object') {
          if (outcome[stored] < 0) outcome[stored] = test(this.objects[stored]) ? 1 : 0;
          ok = outcome[stored] === 1;
        } else {
          ok = test(this.value(code, stored));
        }
        const at = list.frameAt(i) - from;
        if (ok) passed[at] = 1;
        else if (failed) failed[at] = 1;
      }
    }
    // With all, a frame with a passing value also needs no failing one.
    if (failed) for (let i = 0; i < passed.length; i++) passed[i] &= failed[i] ^ 1;
    return passed;
  }

  /** Bytes held by the lists and times (capacity), not counting interned objects. */
  get memoryBytes(): number {
    return this.lists.reduce((sum, list) => sum + list.memoryBytes, 0) + this.timeSeconds.byteLength + this.timeNanos.byteLength;
  }

  /** A stored value as the filter reads it. */
  value(code: number, stored: number): Value {
    switch (this.lists[code].storage) {
      case 'number':
        return stored;
      case 'time':
        return { seconds: this.timeSeconds[stored], nanos: this.timeNanos[stored] } satisfies Timestamp;
      default:
        return this.objects[stored];
    }
  }

  private collect(d: Dissection, nodes: readonly FieldNode[]): void {
    for (const node of nodes) {
      const id = node.field.id;
      const code = id >= 0 && id < this.codeById.length ? this.codeById[id] - 1 : -1;
      if (code >= 0) this.lists[code].push(this.frames, this.stored(d, node, code));
      if (node.children) this.collect(d, node.children);
    }
  }

  private stored(d: Dissection, node: FieldNode, code: number): number {
    switch (this.lists[code].storage) {
      case 'number':
        return Number(nodeValue(d, node, this.fields[code].type) ?? 0);
      case 'presence':
        return 0;
      case 'time':
        return this.storeTime(node.value as Timestamp);
      case 'object':
        return this.intern(d, node, code);
    }
  }

  /**
   * Equal values of a field share one object: a capture repeats its addresses and names many times. The
   * key comes from the node without allocating: the value itself, or its bytes (as a number up to six).
   */
  private intern(d: Dissection, node: FieldNode, code: number): number {
    let key: InternKey;
    if (node.value === null) {
      const bytes = d.sources[node.source] ?? new Uint8Array(0);
      const start = Math.min(node.offset, bytes.length);
      const end = Math.min(node.offset + node.length, bytes.length);
      if (end - start <= 6) {
        // Read in place: a view of the bytes would be one more object per address of every frame.
        let number = 0;
        for (let i = start; i < end; i++) number = number * 256 + bytes[i];
        key = (end - start) * 2 ** 48 + number;
      } else {
        key = hex(bytes.subarray(start, end));
      }
    } else {
      // Times have their own storage, so the value is a number, bigint, string or boolean.
      key = node.value as InternKey;
    }
    // Frames in a row often repeat a value (the addresses of one conversation): no map lookup then.
    if (key === this.lastKeys[code]) return this.lastObjects[code];
    const interned = this.interned[code];
    let known = interned.get(key);
    if (known === undefined) {
      known = this.objects.length;
      this.objects.push(ownedValue(nodeValue(d, node, this.fields[code].type)));
      interned.set(key, known);
    }
    this.lastKeys[code] = key;
    this.lastObjects[code] = known;
    return known;
  }

  private storeTime(time: Timestamp): number {
    if (this.times === this.timeSeconds.length) {
      const capacity = Math.max(INITIAL_OCCURRENCES, this.times * 2);
      this.timeSeconds = grow(this.timeSeconds, new Float64Array(capacity));
      this.timeNanos = grow(this.timeNanos, new Uint32Array(capacity));
    }
    this.timeSeconds[this.times] = time.seconds;
    this.timeNanos[this.times] = time.nanos;
    return this.times++;
  }

}

/**
 * The occurrences of one frame for a compiled filter's slots, for the parts of a plan evaluated frame by
 * frame. One cursor per (slot, list) only moves forward as frames are visited in ascending order, so such
 * a part costs the length of its fields' lists plus one step per frame. Arrays handed out are reused per
 * slot (filters never keep them).
 */
class ColumnRow implements Occurrences {
  frame = 0;
  private readonly cursors: number[][];
  private readonly scratch: Value[][];
  private readonly scratchFrame: number[];

  constructor(
    private readonly slotCodes: readonly (readonly number[])[],
    private readonly columns: FieldColumns,
    first: number,
  ) {
    this.cursors = slotCodes.map((codes) => codes.map((code) => firstAtOrAfter(columns.lists[code], first)));
    this.scratch = slotCodes.map(() => []);
    this.scratchFrame = slotCodes.map(() => 0);
  }

  values(slot: number): Value[] {
    const values = this.scratch[slot];
    if (this.scratchFrame[slot] === this.frame) return values;
    values.length = 0;
    this.scratchFrame[slot] = this.frame;
    const codes = this.slotCodes[slot];
    for (let k = 0; k < codes.length; k++) {
      const list = this.columns.lists[codes[k]];
      if (!list.values) continue;
      for (let i = this.advance(slot, k); i < list.count && list.frameAt(i) === this.frame; i++) if (list.has(i)) values.push(this.columns.value(codes[k], list.values[i]));
    }
    return values;
  }

  count(slot: number): number {
    const codes = this.slotCodes[slot];
    let count = 0;
    for (let k = 0; k < codes.length; k++) {
      const list = this.columns.lists[codes[k]];
      for (let i = this.advance(slot, k); i < list.count && list.frameAt(i) === this.frame; i++) if (list.has(i)) count++;
    }
    return count;
  }

  lengths(slot: number): number[] {
    const field = this.columns.fields[this.slotCodes[slot][0]];
    return this.values(slot).map((value) => valueLength(field.type, field.bits, value, valueByteLength(value)));
  }

  /** Moves the cursor of (slot, k) to the first occurrence at or after the current frame. */
  private advance(slot: number, k: number): number {
    const list = this.columns.lists[this.slotCodes[slot][k]];
    let i = this.cursors[slot][k];
    while (i < list.count && list.frameAt(i) < this.frame) i++;
    this.cursors[slot][k] = i;
    return i;
  }
}

/** The first occurrence at or after a frame (binary search: the frames are ascending). */
function firstAtOrAfter(list: OccurrenceList, frame: number): number {
  let low = 0;
  let high = list.count;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (list.frameAt(middle) < frame) low = middle + 1;
    else high = middle;
  }
  return low;
}

function valueByteLength(value: Value): number {
  if (value instanceof Uint8Array) return value.length;
  if (typeof value === 'object' && 'prefix' in value) return value.bytes.length;
  return 0;
}

/** Node values may view the reader's buffer, which the next record overwrites: keep a copy. */
function ownedValue(value: Value | null): Value {
  if (value === null) return 0;
  if (value instanceof Uint8Array) return value.slice();
  if (typeof value === 'object' && 'prefix' in value) return { bytes: value.bytes.slice(), prefix: value.prefix };
  return value;
}

function hex(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += byte.toString(16).padStart(2, '0');
  return text;
}

function grow<T extends { set(source: ArrayLike<number>): void }>(old: ArrayLike<number>, bigger: T): T {
  bigger.set(old);
  return bigger;
}

/** The first `length` elements of an array: itself when that is all of it, else a copy that frees the rest. */
function fitted<T extends ValueArray>(array: T, length: number): T {
  return array.length === length ? array : (array.slice(0, length) as T);
}

/** A copy of a value, frame or bitmap array with room for `capacity` elements, of the same width. */
function grown<T extends ValueArray>(old: T, capacity: number): T {
  const bigger = new (old.constructor as new (length: number) => T)(capacity);
  bigger.set(old);
  return bigger;
}
