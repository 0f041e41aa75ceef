/**
 * What evicted conversations leave behind, packed: per conversation key a slot in typed arrays holding its
 * stream number, which endpoint of the key is A, whether A was the client, and both sides' base sequence
 * numbers (TCP). About 100 bytes a conversation (mostly the key string in the map), so a capture with
 * millions of conversations keeps exact stream numbers without keeping their state.
 */

export interface Tombstone {
  stream: number;
  /** Endpoint A is the first of the two in the conversation key. */
  aFirstInKey: boolean;
  clientIsA: boolean;
  /** Base sequence numbers of direction 0 (from A) and 1, and whether each is known. */
  baseSeq: [number, number];
  baseSeqSet: [boolean, boolean];
}

const A_FIRST = 1;
const CLIENT_IS_A = 2;
const BASE0_SET = 4;
const BASE1_SET = 8;

export class TombstoneStore {
  private readonly slots = new Map<string, number>();
  /** Slots given back by revived conversations. */
  private readonly free: number[] = [];
  private streams = new Uint32Array(1024);
  private base0 = new Uint32Array(1024);
  private base1 = new Uint32Array(1024);
  private bits = new Uint8Array(1024);
  private used = 0;

  get size(): number {
    return this.slots.size;
  }

  set(key: string, t: Tombstone): void {
    let slot = this.slots.get(key);
    if (slot === undefined) {
      slot = this.free.pop() ?? this.used++;
      if (slot >= this.streams.length) this.grow();
      this.slots.set(key, slot);
    }
    this.streams[slot] = t.stream;
    this.base0[slot] = t.baseSeq[0];
    this.base1[slot] = t.baseSeq[1];
    this.bits[slot] =
      (t.aFirstInKey ? A_FIRST : 0) | (t.clientIsA ? CLIENT_IS_A : 0) | (t.baseSeqSet[0] ? BASE0_SET : 0) | (t.baseSeqSet[1] ? BASE1_SET : 0);
  }

  /** Removes and returns the tombstone of a key, if any. */
  take(key: string): Tombstone | null {
    const slot = this.slots.get(key);
    if (slot === undefined) return null;
    this.slots.delete(key);
    this.free.push(slot);
    const bits = this.bits[slot];
    return {
      stream: this.streams[slot],
      aFirstInKey: (bits & A_FIRST) !== 0,
      clientIsA: (bits & CLIENT_IS_A) !== 0,
      baseSeq: [this.base0[slot], this.base1[slot]],
      baseSeqSet: [(bits & BASE0_SET) !== 0, (bits & BASE1_SET) !== 0],
    };
  }

  private grow(): void {
    const size = this.streams.length * 2;
    const grown = <T extends Uint32Array | Uint8Array>(old: T, make: (n: number) => T): T => {
      const next = make(size);
      next.set(old);
      return next;
    };
    this.streams = grown(this.streams, (n) => new Uint32Array(n));
    this.base0 = grown(this.base0, (n) => new Uint32Array(n));
    this.base1 = grown(this.base1, (n) => new Uint32Array(n));
    this.bits = grown(this.bits, (n) => new Uint8Array(n));
  }
}
