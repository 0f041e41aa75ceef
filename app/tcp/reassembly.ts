import { seqAdd, seqDiff, seqGt, seqLe, seqLt } from './seq';

/*
 * One direction of a TCP connection rebuilt as a byte stream, in sequence order, with what is missing
 * marked as gaps of N bytes. Policy:
 * - First copy wins: bytes already delivered are never replaced. A segment overlapping delivered data
 *   contributes only what lies beyond it (retransmissions, TSO re-segmentation); overlapping bytes are
 *   counted, and those that differ from the delivered copy (while it is still in the history window)
 *   are counted as conflicts.
 * - Out-of-order segments wait in a bounded buffer and are delivered once contiguous; when several could
 *   continue the stream the earliest arrival goes first (as Wireshark's follow does), the others then
 *   contribute only what lies beyond it.
 * - A gap is declared when the bytes cannot come any more: the capture cut a segment short (snaplen),
 *   the peer acknowledged past the edge while later data waits (the receiver had bytes we never saw;
 *   Wireshark's follow does the same), the buffer limit was reached, or the stream ended with data waiting.
 * - SYN and FIN occupy sequence space but carry no bytes (RFC 9293 section 3.4); data on a SYN is data.
 * Sequence numbers are 32-bit and compared with seq.ts, so streams longer than 4 GiB wrap correctly as
 * long as less than 2 GiB is outstanding.
 */

export interface StreamChunk {
  /** Frame whose segment (or acknowledgment, for a gap) produced this chunk. */
  frame: number;
  /** Position of the first byte in the direction's stream (0 = first byte after the initial sequence number). */
  offset: number;
  /** The bytes, or null for a gap. */
  bytes: Uint8Array | null;
  /** bytes.length, or the size of the gap. */
  length: number;
}

export interface ReassemblyStats {
  deliveredBytes: number;
  gapBytes: number;
  gaps: number;
  /** Segments whose bytes had all been delivered before (retransmissions, keep-alives). */
  duplicateSegments: number;
  /** Bytes received again, and those that differed from the first copy (as far as the history reaches). */
  overlapBytes: number;
  conflictBytes: number;
  /** Segments that arrived ahead of the edge and had to wait. */
  outOfOrderSegments: number;
  /** Largest amount of data waiting at once. */
  maxBufferedBytes: number;
}

export interface ReassemblyLimits {
  /** Bytes allowed to wait for a hole to fill (default 4 MiB); beyond it the hole becomes a gap. */
  maxBufferedBytes?: number;
  /** Segments allowed to wait (default 4096). */
  maxBufferedSegments?: number;
  /** Delivered bytes kept to detect conflicting retransmissions (default 64 KiB; 0 = none). */
  historyBytes?: number;
}

interface WaitingSegment {
  frame: number;
  /** Arrival order among waiting segments. */
  arrival: number;
  seq: number;
  /** Announced length (may exceed the captured bytes). */
  length: number;
  bytes: Uint8Array;
}

export class StreamReassembler {
  /** Sequence number of the next byte expected (valid once started). */
  private nextSeq = 0;
  private started = false;
  /** Bytes of the stream before nextSeq, delivered or declared missing. */
  private position = 0;
  /**
   * Segments ahead of the edge, sorted by sequence number, from index waitingHead on: the ones delivered
   * from the front are skipped rather than shifted out (thousands may wait, and a filled hole delivers
   * them one by one), and the array is compacted once mostly skipped.
   */
  private waiting: WaitingSegment[] = [];
  private waitingHead = 0;
  private waitingBytes = 0;
  private arrivals = 0;
  private readonly history: Uint8Array;
  /** Bytes written to the history ring so far (its last byte is stream position position - 1). */
  private historyFill = 0;
  readonly stats: ReassemblyStats = {
    deliveredBytes: 0,
    gapBytes: 0,
    gaps: 0,
    duplicateSegments: 0,
    overlapBytes: 0,
    conflictBytes: 0,
    outOfOrderSegments: 0,
    maxBufferedBytes: 0,
  };
  private readonly maxBufferedBytes: number;
  private readonly maxBufferedSegments: number;

  constructor(
    private readonly emit: (chunk: StreamChunk) => void,
    limits: ReassemblyLimits = {},
  ) {
    this.maxBufferedBytes = limits.maxBufferedBytes ?? 4 * 1024 * 1024;
    this.maxBufferedSegments = limits.maxBufferedSegments ?? 4096;
    this.history = new Uint8Array(limits.historyBytes ?? 64 * 1024);
  }

  /** The stream position of the next expected byte: what has been delivered plus declared gaps. */
  get streamPosition(): number {
    return this.position;
  }

  /**
   * One segment. seq is the raw sequence number of its first byte *after* a SYN (pass seq + 1 for a SYN);
   * length is the payload length announced by the headers; bytes are the captured ones (a prefix).
   */
  segment(frame: number, seq: number, length: number, bytes: Uint8Array): void {
    seq >>>= 0;
    if (!this.started) {
      this.started = true;
      this.nextSeq = seq;
    }
    if (length <= 0) return;
    const captured = bytes.length > length ? bytes.subarray(0, length) : bytes;
    if (seqGt(seq, this.nextSeq)) {
      this.wait({ frame, arrival: this.arrivals++, seq, length, bytes: captured.slice() });
      return;
    }
    this.accept(frame, seq, length, captured);
    this.drain();
  }

  /** The peer acknowledged everything before ack: a hole before waiting data can no longer be filled. */
  acknowledge(frame: number, ack: number): void {
    if (!this.started || this.waitingCount === 0) return;
    ack >>>= 0;
    const lowest = this.waiting[this.waitingHead].seq;
    if (seqGt(ack, lowest)) {
      this.gap(frame, seqDiff(this.nextSeq, lowest));
      this.nextSeq = lowest;
      this.drain();
    }
  }

  /** End of the stream: whatever waits is delivered, with gaps for the holes before it. */
  finish(frame: number): void {
    while (this.waitingCount > 0) {
      const lowest = this.waiting[this.waitingHead].seq;
      if (seqGt(lowest, this.nextSeq)) {
        this.gap(frame, seqDiff(this.nextSeq, lowest));
        this.nextSeq = lowest;
      }
      this.drain();
    }
  }

  /** Delivers the part of [seq, seq+length) at or beyond nextSeq (seq <= nextSeq). */
  private accept(frame: number, seq: number, length: number, bytes: Uint8Array): void {
    const end = seqAdd(seq, length);
    const skip = seqDiff(seq, this.nextSeq);
    if (!seqGt(end, this.nextSeq)) {
      this.stats.duplicateSegments++;
      this.compareOverlap(seq, bytes, length);
      return;
    }
    if (skip > 0) this.compareOverlap(seq, bytes, skip);
    const fresh = bytes.subarray(Math.min(skip, bytes.length));
    const freshLength = length - skip;
    if (fresh.length > 0) this.deliver(frame, fresh);
    // The capture cut the segment short: the rest of it exists but was never seen.
    if (freshLength > fresh.length) this.gap(frame, freshLength - fresh.length);
    this.nextSeq = end;
  }

  private wait(segment: WaitingSegment): void {
    this.stats.outOfOrderSegments++;
    let at = this.waiting.length;
    while (at > this.waitingHead && seqLt(segment.seq, this.waiting[at - 1].seq)) at--;
    this.waiting.splice(at, 0, segment);
    this.waitingBytes += segment.bytes.length;
    this.stats.maxBufferedBytes = Math.max(this.stats.maxBufferedBytes, this.waitingBytes);
    // Bounded memory: rather than wait forever for a hole, declare it and move on.
    while (this.waitingCount > this.maxBufferedSegments || this.waitingBytes > this.maxBufferedBytes) {
      const lowest = this.waiting[this.waitingHead].seq;
      if (seqGt(lowest, this.nextSeq)) {
        this.gap(segment.frame, seqDiff(this.nextSeq, lowest));
        this.nextSeq = lowest;
      }
      this.drain();
    }
  }

  private get waitingCount(): number {
    return this.waiting.length - this.waitingHead;
  }

  /** Delivers waiting segments that have become contiguous. */
  private drain(): void {
    const waiting = this.waiting;
    while (this.waitingCount > 0 && seqLe(waiting[this.waitingHead].seq, this.nextSeq)) {
      // Among the segments starting at or before the edge, the earliest arrival goes first.
      let best = this.waitingHead;
      for (let i = best + 1; i < waiting.length && seqLe(waiting[i].seq, this.nextSeq); i++) {
        if (waiting[i].arrival < waiting[best].arrival) best = i;
      }
      const segment = waiting[best];
      if (best === this.waitingHead) this.waitingHead++;
      else waiting.splice(best, 1);
      this.waitingBytes -= segment.bytes.length;
      this.accept(segment.frame, segment.seq, segment.length, segment.bytes);
    }
    if (this.waitingHead * 2 > waiting.length) {
      waiting.splice(0, this.waitingHead);
      this.waitingHead = 0;
    }
  }

  private deliver(frame: number, view: Uint8Array): void {
    // A copy: the segment's bytes are a view into a frame buffer that its reader may reuse.
    const bytes = view.slice();
    this.emit({ frame, offset: this.position, bytes, length: bytes.length });
    this.position += bytes.length;
    this.stats.deliveredBytes += bytes.length;
    this.remember(bytes);
  }

  private gap(frame: number, length: number): void {
    if (length <= 0) return;
    this.emit({ frame, offset: this.position, bytes: null, length });
    this.position += length;
    this.stats.gapBytes += length;
    this.stats.gaps++;
    // The history no longer lines up with stream positions across a gap.
    this.historyFill = 0;
  }

  private remember(bytes: Uint8Array): void {
    const size = this.history.length;
    if (size === 0) return;
    // Only the last `size` bytes can stay; they go in with at most two copies, split at the ring's end.
    const skipped = Math.max(0, bytes.length - size);
    const kept = bytes.subarray(skipped);
    const at = (this.historyFill + skipped) % size;
    const beforeEnd = Math.min(kept.length, size - at);
    this.history.set(kept.subarray(0, beforeEnd), at);
    this.history.set(kept.subarray(beforeEnd), 0);
    this.historyFill += bytes.length;
  }

  /** Counts re-sent bytes [seq, seq+count) that are already delivered, and those differing from the first copy. */
  private compareOverlap(seq: number, bytes: Uint8Array, count: number): void {
    this.stats.overlapBytes += count;
    const size = this.history.length;
    // Stream position of the segment's first byte, relative to the history's end.
    const behind = seqDiff(seq, this.nextSeq);
    for (let i = 0; i < Math.min(count, bytes.length); i++) {
      const back = behind - i; // how many bytes before the edge this byte sits
      if (back <= 0 || back > Math.min(size, this.historyFill)) continue;
      const stored = this.history[(this.historyFill - back) % size];
      if (stored !== bytes[i]) this.stats.conflictBytes++;
    }
  }
}
