import type { CaptureReader, CaptureSink } from './types';

/*
 * What pcap.ts and pcapng.ts share: cutting a stream of chunks into whole records, and the size limits
 * Wireshark (wiretap) applies to captured packets.
 */

/**
 * Largest captured length wiretap accepts for a link type (wtap_max_snaplen_for_encap): 128 MiB for
 * D-Bus and the USB captures, 8 MiB for EBHSCR, 256 KiB for everything else. A record announcing more is
 * treated as damage, as tshark does, before a byte of it is buffered.
 */
export function maxCapturedLength(linkType: number): number {
  switch (linkType) {
    case 231: // LINKTYPE_DBUS
    case 186: // LINKTYPE_USB_FREEBSD
    case 189: // LINKTYPE_USB_LINUX
    case 220: // LINKTYPE_USB_LINUX_MMAPPED
    case 249: // LINKTYPE_USBPCAP
    case 266: // LINKTYPE_USB_DARWIN
      return 128 * 1024 * 1024;
    case 279: // LINKTYPE_EBHSCR
      return 8 * 1024 * 1024;
    default:
      return 256 * 1024;
  }
}

/** Length of a record whose header said something impossible: reading stops (the problem is reported). */
export const STOP = -1;

const EMPTY = new Uint8Array(0);
/** A carry buffer grown past this for one large record is released once that record is done. */
const CARRY_KEEP_BYTES = 1 << 20;

/**
 * Splits pushed chunks into whole records and hands each one over exactly once. A record lying wholly
 * inside a chunk is handed over in place (a view into the caller's chunk, no copy); only a record that
 * straddles chunks is copied, into a carry buffer that grows with the bytes that actually arrived, never
 * to a size read from the file.
 *
 * Subclasses say how long the next header is, how long the record is once its header is present, and
 * what to do with a whole record.
 */
export abstract class RecordReader implements CaptureReader {
  abstract readonly format: 'pcap' | 'pcapng';

  /** File offset of the first byte not yet part of a handled record (the start of the next record). */
  protected fileOffset = 0;
  /** True once a problem was reported: nothing more is read, nothing more is reported. */
  protected stopped = false;

  /** Bytes of the record that straddles chunks, [0, carryLength) valid. */
  private carry: Uint8Array = EMPTY;
  private carryView: DataView = new DataView(EMPTY.buffer);
  private carryLength = 0;
  /** Total length of the carried record, 0 while its header is still incomplete. */
  private carryRecordLength = 0;

  protected constructor(protected readonly sink: CaptureSink) {}

  /** How many bytes of the next record are needed before recordLength can be asked. */
  protected abstract headerLength(): number;

  /**
   * Total length of the record starting at `at`, whose first headerLength() bytes are present.
   * Returns STOP after calling fail() when the header is impossible.
   */
  protected abstract recordLength(bytes: Uint8Array, view: DataView, at: number): number;

  /** Handles one whole record [at, at + length); may call fail(). */
  protected abstract handleRecord(bytes: Uint8Array, view: DataView, at: number, length: number): void;

  /** The sentence for input that ends inside a record (`needed` is 0 when even the header is incomplete). */
  protected abstract cutShortMessage(present: number, needed: number): string;

  push(chunk: Uint8Array): void {
    if (this.stopped || chunk.length === 0) return;
    let at = 0;
    if (this.carryLength > 0) {
      at = this.fillCarry(chunk);
      if (this.stopped || this.carryRecordLength === 0 || this.carryLength < this.carryRecordLength) return;
      const length = this.carryRecordLength;
      this.handleRecord(this.carry, this.carryView, 0, length);
      this.fileOffset += length;
      this.carryLength = 0;
      this.carryRecordLength = 0;
      if (this.carry.length > CARRY_KEEP_BYTES) this.setCarry(EMPTY);
      if (this.stopped) return;
    }
    const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const end = chunk.length;
    while (!this.stopped) {
      const available = end - at;
      if (available < this.headerLength()) break;
      const length = this.recordLength(chunk, view, at);
      if (length === STOP) return;
      if (available < length) break;
      this.handleRecord(chunk, view, at, length);
      this.fileOffset += length;
      at += length;
    }
    if (!this.stopped && at < end) this.startCarry(chunk, at);
  }

  end(): void {
    if (this.stopped) return;
    if (this.carryLength > 0) this.fail(this.fileOffset, this.cutShortMessage(this.carryLength, this.carryRecordLength));
    this.setCarry(EMPTY);
    this.carryLength = 0;
  }

  /** Reports the one problem of this reader and stops reading; later calls do nothing. */
  protected fail(offset: number, message: string): void {
    if (this.stopped) return;
    this.stopped = true;
    this.setCarry(EMPTY);
    this.carryLength = 0;
    this.sink.problem({ offset, message });
  }

  /** Starts carrying the incomplete record at chunk[at..]. */
  private startCarry(chunk: Uint8Array, at: number): void {
    const rest = chunk.length - at;
    this.carryLength = 0;
    this.carryRecordLength = 0;
    const header = this.headerLength();
    if (rest >= header) {
      // The header is here: size the record now so its length is checked before anything is copied.
      const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      const length = this.recordLength(chunk, view, at);
      if (length === STOP) return;
      this.carryRecordLength = length;
    }
    this.append(chunk, at, rest);
  }

  /** Moves bytes from the chunk into the carried record until it is whole; returns how many were taken. */
  private fillCarry(chunk: Uint8Array): number {
    let at = 0;
    if (this.carryRecordLength === 0) {
      const header = this.headerLength();
      const take = Math.min(header - this.carryLength, chunk.length);
      this.append(chunk, 0, take);
      at = take;
      if (this.carryLength < header) return at;
      const length = this.recordLength(this.carry, this.carryView, 0);
      if (length === STOP) return at;
      this.carryRecordLength = length;
    }
    const take = Math.min(this.carryRecordLength - this.carryLength, chunk.length - at);
    this.append(chunk, at, take);
    return at + take;
  }

  private append(chunk: Uint8Array, at: number, count: number): void {
    const needed = this.carryLength + count;
    if (needed > this.carry.length) {
      // Grow with what arrived (doubling keeps copies linear), capped by the record's known length.
      let capacity = Math.max(needed, this.carry.length * 2, 64);
      if (this.carryRecordLength > 0) capacity = Math.min(capacity, this.carryRecordLength);
      const grown = new Uint8Array(capacity);
      grown.set(this.carry.subarray(0, this.carryLength));
      this.setCarry(grown);
    }
    this.carry.set(chunk.subarray(at, at + count), this.carryLength);
    this.carryLength = needed;
  }

  private setCarry(buffer: Uint8Array): void {
    this.carry = buffer;
    this.carryView = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  }
}
