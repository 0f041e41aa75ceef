import type { FieldDef } from '../fields/registry';
import type { Dissection } from './dissection';

/*
 * IP fragment reassembly (IPv4 RFC 791 section 3.2, IPv6 RFC 8200 section 4.5), shared by both versions:
 * the IP decoders build the key (source, destination, identification, ...) and hand over each fragment's
 * payload; the frame that completes a datagram gets the reassembled payload and decodes the upper layers
 * from it, as tshark does on its single pass.
 *
 * The policy follows Wireshark's reassemble.c (checked against tshark 4.0 on crafted and corpus captures),
 * because matching tshark is the point:
 * - a datagram is complete once a last fragment (more-fragments clear) fixed its length and the fragments
 *   cover [0, length) without a hole;
 * - overlaps: fragments are laid out in order of offset (arrival order among equal offsets) and each one
 *   fills only the bytes not yet filled, so the lowest offset, then the earliest arrival, wins. RFC 5722
 *   would drop the whole datagram instead (IPv6); we show what tshark shows and flag the overlap;
 * - a fragment reaching past the datagram's end is cut ("too long"); a second last fragment with another
 *   end is flagged ("multiple tails") and the first one's length stays;
 * - a completed datagram leaves the table: a later fragment with the same key starts a new datagram.
 * Unlike Wireshark, memory is bounded: at most maxDatagramBytes of fragment data per datagram (more is
 * refused), and maxBufferedBytes / maxDatagrams over the whole table (the oldest unfinished datagrams
 * are dropped first). Wireshark has no timeout either, so neither do we: captures are replayed, not live.
 */

/** A fragment of a reassembled datagram, with Wireshark's per-fragment findings. */
export interface DatagramFragment {
  readonly frame: number;
  /** Offset and length of the fragment's payload within the datagram (length as received). */
  readonly offset: number;
  readonly length: number;
  /** It overlapped bytes already placed by a fragment of lower offset (or equal offset, earlier). */
  readonly overlap: boolean;
  /** ... and its bytes there differ. */
  readonly overlapConflict: boolean;
  /** A second last fragment whose end differs from the first one's. */
  readonly multipleTails: boolean;
  /** It reaches past the datagram's end. */
  readonly tooLong: boolean;
}

export interface ReassembledDatagram {
  readonly data: Uint8Array;
  /** By offset, then arrival: the order Wireshark lists them. */
  readonly fragments: readonly DatagramFragment[];
}

export type FragmentResult =
  | { readonly status: 'incomplete' }
  | { readonly status: 'complete'; readonly datagram: ReassembledDatagram }
  | { readonly status: 'refused'; readonly reason: string };

export interface FragmentTableLimits {
  /** Fragment data kept per datagram, and the largest datagram end accepted (IPv4's total length limit). */
  readonly maxDatagramBytes: number;
  /** Fragment data kept over all unfinished datagrams. */
  readonly maxBufferedBytes: number;
  /** Unfinished datagrams kept at once. */
  readonly maxDatagrams: number;
}

export const DEFAULT_FRAGMENT_LIMITS: FragmentTableLimits = {
  maxDatagramBytes: 65535,
  maxBufferedBytes: 16 * 1024 * 1024,
  maxDatagrams: 4096,
};

interface StoredFragment {
  readonly frame: number;
  readonly offset: number;
  readonly data: Uint8Array;
  /** Set when this last fragment disagreed with the length an earlier one fixed. */
  readonly multipleTails: boolean;
}

interface PendingDatagram {
  /** Sorted by offset; among equal offsets in arrival order. */
  readonly fragments: StoredFragment[];
  /** Payload length fixed by the first last fragment, or null until one arrives. */
  totalLength: number | null;
  /** Sum of the stored fragments' lengths (duplicates included): what this datagram costs in memory. */
  storedBytes: number;
}

export class FragmentTable {
  /** Unfinished datagrams by key; Map order is insertion order, so the first entry is the oldest. */
  private readonly pending = new Map<string, PendingDatagram>();
  /** Invariant: the sum of storedBytes over `pending`. */
  private bufferedBytes = 0;

  constructor(private readonly limits: FragmentTableLimits = DEFAULT_FRAGMENT_LIMITS) {}

  /** Unfinished datagrams currently held. */
  get size(): number {
    return this.pending.size;
  }

  /** Bytes of fragment data currently held. */
  get bytes(): number {
    return this.bufferedBytes;
  }

  /**
   * Adds one fragment's payload (copied) at `offset` bytes into the datagram `key`. `more` is the
   * more-fragments flag. Returns the datagram when this fragment completed it.
   */
  add(key: string, frame: number, offset: number, payload: Uint8Array, more: boolean): FragmentResult {
    const { maxDatagramBytes } = this.limits;
    if (offset + payload.length > maxDatagramBytes) {
      return { status: 'refused', reason: `fragment ends at ${offset + payload.length}, beyond ${maxDatagramBytes} bytes` };
    }
    let datagram = this.pending.get(key);
    if (datagram && datagram.storedBytes + payload.length > maxDatagramBytes) {
      return { status: 'refused', reason: `more than ${maxDatagramBytes} bytes of fragments for one datagram` };
    }
    if (!datagram) {
      datagram = { fragments: [], totalLength: null, storedBytes: 0 };
      this.pending.set(key, datagram);
    }
    this.makeRoom(key, payload.length);

    const end = offset + payload.length;
    let multipleTails = false;
    if (!more) {
      if (datagram.totalLength === null) datagram.totalLength = end;
      else multipleTails = datagram.totalLength !== end;
    }
    const fragment: StoredFragment = { frame, offset, data: payload.slice(), multipleTails };
    const fragments = datagram.fragments;
    let insertAt = fragments.length;
    while (insertAt > 0 && fragments[insertAt - 1].offset > offset) insertAt--;
    fragments.splice(insertAt, 0, fragment);
    datagram.storedBytes += payload.length;
    this.bufferedBytes += payload.length;

    const totalLength = datagram.totalLength;
    if (totalLength === null || coveredPrefix(fragments) < totalLength) return { status: 'incomplete' };
    this.pending.delete(key);
    this.bufferedBytes -= datagram.storedBytes;
    return { status: 'complete', datagram: assemble(fragments, totalLength) };
  }

  /** Drops the oldest unfinished datagrams (never `keep`) until `incoming` more bytes fit the limits. */
  private makeRoom(keep: string, incoming: number): void {
    const { maxBufferedBytes, maxDatagrams } = this.limits;
    for (const [key, datagram] of this.pending) {
      if (this.bufferedBytes + incoming <= maxBufferedBytes && this.pending.size <= maxDatagrams) return;
      if (key === keep) continue;
      this.pending.delete(key);
      this.bufferedBytes -= datagram.storedBytes;
    }
  }
}

/** How far the fragments cover the datagram from offset 0 without a hole (sorted by offset). */
function coveredPrefix(fragments: readonly StoredFragment[]): number {
  let covered = 0;
  for (const fragment of fragments) {
    if (fragment.offset > covered) break;
    covered = Math.max(covered, fragment.offset + fragment.data.length);
  }
  return covered;
}

function sameBytes(a: Uint8Array, aStart: number, b: Uint8Array, bStart: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (a[aStart + i] !== b[bStart + i]) return false;
  return true;
}

/** Lays the fragments out in offset order, each filling only bytes not yet filled (see the policy above). */
function assemble(fragments: readonly StoredFragment[], totalLength: number): ReassembledDatagram {
  const data = new Uint8Array(totalLength);
  const described: DatagramFragment[] = [];
  let filled = 0;
  for (const fragment of fragments) {
    const length = fragment.data.length;
    let overlap = false;
    let overlapConflict = false;
    const tooLong = fragment.offset + length > totalLength;
    if (length > 0 && fragment.offset < totalLength) {
      if (fragment.offset < filled) {
        overlap = true;
        const compared = Math.min(length, filled - fragment.offset);
        overlapConflict = !sameBytes(data, fragment.offset, fragment.data, 0, compared);
      }
      // Coverage was checked, so copyStart is `filled` here; the max keeps a hole from reading backwards.
      const copyStart = Math.max(filled, fragment.offset);
      const copyEnd = Math.min(fragment.offset + length, totalLength);
      if (copyEnd > copyStart) {
        data.set(fragment.data.subarray(copyStart - fragment.offset, copyEnd - fragment.offset), copyStart);
        filled = copyEnd;
      }
    }
    described.push({
      frame: fragment.frame,
      offset: fragment.offset,
      length,
      overlap,
      overlapConflict,
      multipleTails: fragment.multipleTails,
      tooLong,
    });
  }
  return { data, fragments: described };
}

/** The field names one IP version uses for a reassembled datagram (ip.fragment..., ipv6.fragment...). */
export interface ReassemblyFields {
  readonly fragments: FieldDef;
  readonly fragment: FieldDef;
  readonly fragmentError: FieldDef;
  readonly overlap: FieldDef;
  readonly overlapConflict: FieldDef;
  readonly multipleTails: FieldDef;
  readonly tooLong: FieldDef;
  readonly count: FieldDef;
  readonly reassembledLength: FieldDef;
  readonly reassembledData: FieldDef;
}

/**
 * Adds the reassembled datagram as a new data source and records Wireshark's fragment summary in the
 * open IP subtree: the fragments (by offset), each with its findings, the count, length and data. Returns
 * the new source's index; the tree keeps pointing at the source it had.
 */
export function recordReassembly(d: Dissection, fields: ReassemblyFields, datagram: ReassembledDatagram): number {
  d.sources.push(datagram.data);
  const source = d.sources.length - 1;
  const t = d.tree;
  const previousSource = t.source;
  const length = datagram.data.length;
  t.source = source;
  t.open(fields.fragments, 0, length);
  for (const fragment of datagram.fragments) {
    // Wireshark names a fragment with a conflict, a second tail or bytes past the end "fragment.error".
    const failed = fragment.overlapConflict || fragment.multipleTails || fragment.tooLong;
    const offset = Math.min(fragment.offset, length);
    t.open(failed ? fields.fragmentError : fields.fragment, offset, Math.min(fragment.length, length - offset), fragment.frame);
    if (fragment.overlap) t.addGenerated(fields.overlap, true);
    if (fragment.overlapConflict) t.addGenerated(fields.overlapConflict, true);
    if (fragment.multipleTails) t.addGenerated(fields.multipleTails, true);
    if (fragment.tooLong) t.addGenerated(fields.tooLong, true);
    t.close();
  }
  t.addGenerated(fields.count, datagram.fragments.length);
  t.addGenerated(fields.reassembledLength, length);
  t.add(fields.reassembledData, 0, length);
  t.close();
  t.source = previousSource;
  return source;
}
