import { maxCapturedLength, RecordReader, STOP } from './records';
import type { CaptureSink } from './types';

/*
 * Classic pcap (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html), read the way Wireshark's
 * wiretap reads it, so the frames and their numbers are tshark's:
 * - both byte orders, microsecond (a1b2c3d4) and nanosecond (a1b23c4d) magic;
 * - versions before 2.3 (and 543.0, DG/UX) store orig_len before incl_len; 2.3 files are ambiguous and
 *   are swapped when incl_len > orig_len; major versions below 2 are refused;
 * - the link type is the low 16 bits of the header's network field; the upper bits hold the FCS length
 *   and its "present" flag, and the 10 reserved bits 0x03FF0000 must be zero (libpcap and tshark both
 *   refuse such a file);
 * - incl_len > snaplen and incl_len > orig_len are accepted as they are (tshark shows those frames);
 *   incl_len above wiretap's per-link-type maximum is damage and stops reading.
 * Not read: the pre-1999 variant record layouts (ss990417, ss990915, ss991029, Nokia), AIX's, and the
 * Ixia magics, which wiretap recognises by heuristics; such files are refused by the magic sniffing or read
 * as plain pcap.
 */

export const PCAP_MAGIC_MICROS = 0xa1b2c3d4;
export const PCAP_MAGIC_NANOS = 0xa1b23c4d;

const FILE_HEADER_LENGTH = 24;
const RECORD_HEADER_LENGTH = 16;
const LINKTYPE_RESERVED_BITS = 0x03ff0000;

/** How the orig_len/incl_len pair of a record header is ordered (see the version notes above). */
type LengthOrder = 'standard' | 'swapped' | 'swappedWhenCapturedExceedsOriginal';

export class PcapReader extends RecordReader {
  readonly format = 'pcap' as const;

  private headerSeen = false;
  private littleEndian = true;
  /** Nanoseconds per unit of the record's fraction field: 1000 (µs magic) or 1 (ns magic). */
  private nanosPerFractionUnit = 1000;
  private fractionUnitsPerSecond = 1_000_000;
  private lengthOrder: LengthOrder = 'standard';
  private linkType = 0;
  private maxCaptured = 0;
  private framesRead = 0;

  constructor(sink: CaptureSink) {
    super(sink);
  }

  protected headerLength(): number {
    return this.headerSeen ? RECORD_HEADER_LENGTH : FILE_HEADER_LENGTH;
  }

  protected recordLength(bytes: Uint8Array, view: DataView, at: number): number {
    if (!this.headerSeen) return FILE_HEADER_LENGTH;
    const captured = this.capturedLength(view, at);
    if (captured > this.maxCaptured) {
      this.fail(
        this.fileOffset,
        `The record at byte ${this.fileOffset} announces ${captured} captured bytes, more than the ` +
          `${this.maxCaptured} allowed for link type ${this.linkType}: the file is damaged from there on.`,
      );
      return STOP;
    }
    return RECORD_HEADER_LENGTH + captured;
  }

  protected handleRecord(bytes: Uint8Array, view: DataView, at: number, length: number): void {
    if (!this.headerSeen) {
      this.readFileHeader(view, at);
      return;
    }
    const le = this.littleEndian;
    const seconds = view.getUint32(at, le);
    const fraction = view.getUint32(at + 4, le);
    const original = this.originalLength(view, at);
    let tsSeconds = seconds;
    let tsNanos = fraction * this.nanosPerFractionUnit;
    if (fraction >= this.fractionUnitsPerSecond) {
      // An out-of-range fraction (fuzzed files) is carried into the seconds so the nanoseconds stay
      // within a second; tshark keeps the raw value (and wraps it at 32 bits), printing e.g. 1.1500000000.
      tsSeconds += Math.floor(fraction / this.fractionUnitsPerSecond);
      tsNanos = (fraction % this.fractionUnitsPerSecond) * this.nanosPerFractionUnit;
    }
    this.sink.frame({
      number: ++this.framesRead,
      linkType: this.linkType,
      interfaceId: 0,
      tsSeconds,
      tsNanos,
      originalLength: original,
      data: bytes.subarray(at + RECORD_HEADER_LENGTH, at + length),
      fileOffset: this.fileOffset,
    });
  }

  protected cutShortMessage(present: number, needed: number): string {
    if (!this.headerSeen) {
      return `The file ends inside the pcap file header: ${present} of ${FILE_HEADER_LENGTH} bytes present.`;
    }
    if (needed === 0) {
      return `The file ends inside the record header at byte ${this.fileOffset}: ${present} of ${RECORD_HEADER_LENGTH} bytes present.`;
    }
    return (
      `The last record, at byte ${this.fileOffset}, is cut off: ${needed - RECORD_HEADER_LENGTH} captured bytes ` +
      `announced, ${present - RECORD_HEADER_LENGTH} present.`
    );
  }

  private readFileHeader(view: DataView, at: number): void {
    const magicBigEndian = view.getUint32(at, false);
    this.littleEndian = magicBigEndian !== PCAP_MAGIC_MICROS && magicBigEndian !== PCAP_MAGIC_NANOS;
    const le = this.littleEndian;
    const magic = view.getUint32(at, le);
    if (magic === PCAP_MAGIC_NANOS) {
      this.nanosPerFractionUnit = 1;
      this.fractionUnitsPerSecond = 1_000_000_000;
    }
    const major = view.getUint16(at + 4, le);
    const minor = view.getUint16(at + 6, le);
    if (major < 2) {
      this.fail(0, `Unsupported pcap version ${major}.${minor}: only version 2 files can be read.`);
      return;
    }
    if (major === 543 || (major === 2 && minor < 3)) this.lengthOrder = 'swapped';
    else if (major === 2 && minor === 3) this.lengthOrder = 'swappedWhenCapturedExceedsOriginal';
    const network = view.getUint32(at + 20, le);
    const reserved = network & LINKTYPE_RESERVED_BITS;
    if (reserved !== 0) {
      const hex = (n: number) => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
      this.fail(0, `The pcap link-layer type field ${hex(network)} has reserved bits set (${hex(reserved)}).`);
      return;
    }
    this.linkType = network & 0xffff;
    this.maxCaptured = maxCapturedLength(this.linkType);
    this.headerSeen = true;
  }

  /** incl_len of the record header at `at`, after the version's length-order rule. */
  private capturedLength(view: DataView, at: number): number {
    const first = view.getUint32(at + 8, this.littleEndian);
    const second = view.getUint32(at + 12, this.littleEndian);
    return this.isSwapped(first, second) ? second : first;
  }

  private originalLength(view: DataView, at: number): number {
    const first = view.getUint32(at + 8, this.littleEndian);
    const second = view.getUint32(at + 12, this.littleEndian);
    return this.isSwapped(first, second) ? first : second;
  }

  private isSwapped(first: number, second: number): boolean {
    switch (this.lengthOrder) {
      case 'standard':
        return false;
      case 'swapped':
        return true;
      case 'swappedWhenCapturedExceedsOriginal':
        return first > second;
    }
  }
}
