import { maxCapturedLength, RecordReader, STOP } from './records';
import type { CaptureSink } from './types';

/*
 * pcapng (draft-ietf-opsawg-pcapng), read the way Wireshark 4.0's wiretap reads it, so the frames, their
 * numbers and their timestamps are tshark's:
 * - every Section Header Block starts a section with its own byte order and its own interfaces (packet
 *   blocks name interfaces by their index within the section, which is also tshark's frame.interface_id);
 * - packets come from Enhanced Packet Blocks, Simple Packet Blocks (interface 0, captured length =
 *   min(original length, snaplen of interface 0 unless 0), no timestamp) and the obsolete Packet Block;
 * - Name Resolution, Interface Statistics and Decryption Secrets blocks are checked and skipped, and so are
 *   blocks of unknown type;
 * - a block's total length is rounded up to a multiple of 4, in the header and in the trailer, before
 *   they are compared: wiretap does so because some writers left the packet padding out of the length.
 * Damage stops reading at the block where it is found, keeping every frame before it: a length below the
 * block type's minimum or above wiretap's maximum, header and trailer lengths that differ, an option or
 * name record running past its block, an option with a length its code forbids, a packet block naming an
 * interface its section does not have or holding more bytes than fit in it, an unknown byte-order magic or
 * an SHB version other than 1.0 and 1.2.
 * Known differences from tshark: custom blocks (0x00000BAD, 0x40000BAD), systemd journal and sysdig blocks
 * are records in tshark (numbered like frames, shown as 'data'); they are skipped here. Timestamps are
 * exact where wiretap's 64-bit arithmetic overflows (resolutions finer than about 2^34 units per second).
 */

export const PCAPNG_BLOCK_SHB = 0x0a0d0d0a;
const BLOCK_IDB = 0x00000001;
const BLOCK_PB = 0x00000002;
const BLOCK_SPB = 0x00000003;
const BLOCK_NRB = 0x00000004;
const BLOCK_ISB = 0x00000005;
const BLOCK_EPB = 0x00000006;
const BLOCK_DSB = 0x0000000a;
const BLOCK_CB_COPY = 0x00000bad;
const BLOCK_CB_NO_COPY = 0x40000bad;

const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
/** Type, total length and (for an SHB) the byte-order magic: enough to size any block. */
const BLOCK_PREFIX_LENGTH = 12;
/** wiretap's MAX_BLOCK_SIZE: an EPB holding a maximal D-Bus packet plus 128 KiB of options. */
const MAX_BLOCK_LENGTH = 32 + 128 * 1024 * 1024 + 131072;
/** Offset of the packet data in an EPB and in the obsolete PB. */
const PACKET_DATA_OFFSET = 28;

/** wiretap's minimum total length per block type (header, fixed part, trailer). */
function minimumBlockLength(type: number): number {
  switch (type) {
    case PCAPNG_BLOCK_SHB:
      return 28;
    case BLOCK_IDB:
      return 20;
    case BLOCK_PB:
    case BLOCK_EPB:
      return 32;
    case BLOCK_SPB:
    case BLOCK_NRB:
    case BLOCK_CB_COPY:
    case BLOCK_CB_NO_COPY:
      return 16;
    case BLOCK_DSB:
      return 20;
    case BLOCK_ISB:
      return 24;
    default:
      return 12;
  }
}

function blockName(type: number): string {
  switch (type) {
    case PCAPNG_BLOCK_SHB:
      return 'section header block';
    case BLOCK_IDB:
      return 'interface description block';
    case BLOCK_PB:
      return 'packet block';
    case BLOCK_SPB:
      return 'simple packet block';
    case BLOCK_NRB:
      return 'name resolution block';
    case BLOCK_ISB:
      return 'interface statistics block';
    case BLOCK_EPB:
      return 'enhanced packet block';
    case BLOCK_DSB:
      return 'decryption secrets block';
    case BLOCK_CB_COPY:
    case BLOCK_CB_NO_COPY:
      return 'custom block';
    default:
      return `block of type 0x${type.toString(16).padStart(8, '0')}`;
  }
}

function padded4(length: number): number {
  return length + ((4 - (length & 3)) & 3);
}

/**
 * Converts pcapng timestamps (a 64-bit count of if_tsresol units, as two 32-bit halves) into whole
 * seconds and nanoseconds, rounding down like wiretap, plus if_tsoffset seconds. Exact without BigInt for
 * resolutions below 2^37 units per second (every real one); finer ones take a BigInt path.
 */
export class TickClock {
  /** Result of the last set(): whole seconds since the epoch. */
  seconds = 0;
  /** Result of the last set(): 0..999_999_999. */
  nanos = 0;

  private readonly unitsPerSecond: number;
  private readonly unitsPerSecondBig: bigint;
  /** Whole-second quotients stay exact in doubles (units < 2^37, see set()). */
  private readonly doubleDivision: boolean;
  /** Nanoseconds per unit when it is a whole number (10^k units, k <= 9), else 0. */
  private readonly nanosPerUnit: number;
  /** rem * 1e9 / units is exact in doubles (2^k units, k <= 23). */
  private readonly exactBinaryFraction: boolean;

  /**
   * @param tsresol the if_tsresol byte (null: absent, meaning 10^6): bit 7 selects base 2 or 10, bits 0-6
   *   the negative exponent; exponents past 2^63 or 10^19 become 2^64 - 1 units, as in wiretap.
   * @param offsetSeconds if_tsoffset, added to every timestamp's seconds.
   */
  constructor(tsresol: number | null, private readonly offsetSeconds = 0) {
    const resolution = tsresol ?? 6;
    const binary = (resolution & 0x80) !== 0;
    const exponent = resolution & 0x7f;
    const valid = binary ? exponent < 64 : exponent < 20;
    this.unitsPerSecondBig = valid ? (binary ? 2n : 10n) ** BigInt(exponent) : (1n << 64n) - 1n;
    this.unitsPerSecond = Number(this.unitsPerSecondBig);
    this.doubleDivision = this.unitsPerSecondBig < 1n << 37n;
    this.nanosPerUnit = !binary && exponent <= 9 ? 10 ** (9 - exponent) : 0;
    this.exactBinaryFraction = binary && exponent <= 23;
  }

  /** Sets seconds and nanos from the timestamp's upper and lower 32 bits. */
  set(high: number, low: number): void {
    if (!this.doubleDivision) {
      this.setBig(high, low);
      return;
    }
    const units = this.unitsPerSecond;
    let wholeSeconds: number;
    let remainder: number;
    if (high < 0x100000) {
      // Below 2^52 units the count and every product below are exact doubles: one division, its floor
      // corrected by the exact remainder.
      const count = high * 0x100000000 + low;
      wholeSeconds = Math.floor(count / units);
      remainder = count - wholeSeconds * units;
      if (remainder < 0) {
        wholeSeconds--;
        remainder += units;
      } else if (remainder >= units) {
        wholeSeconds++;
        remainder -= units;
      }
    } else {
      // Long division in 16-bit digits: every partial dividend is below units * 2^16 <= 2^53, so each
      // % and / is exact.
      const highRemainder = high % units;
      let dividend = highRemainder * 0x10000 + (low >>> 16);
      const middleRemainder = dividend % units;
      const middleQuotient = (dividend - middleRemainder) / units;
      dividend = middleRemainder * 0x10000 + (low & 0xffff);
      remainder = dividend % units;
      wholeSeconds =
        ((high - highRemainder) / units) * 0x100000000 + middleQuotient * 0x10000 + (dividend - remainder) / units;
    }
    this.seconds = wholeSeconds + this.offsetSeconds;
    if (this.nanosPerUnit !== 0) this.nanos = remainder * this.nanosPerUnit;
    else if (this.exactBinaryFraction) this.nanos = Math.floor((remainder * 1e9) / units);
    else this.nanos = Number((BigInt(remainder) * 1_000_000_000n) / this.unitsPerSecondBig);
  }

  private setBig(high: number, low: number): void {
    const count = (BigInt(high) << 32n) | BigInt(low);
    const units = this.unitsPerSecondBig;
    this.seconds = Number(count / units) + this.offsetSeconds;
    this.nanos = Number(((count % units) * 1_000_000_000n) / units);
  }
}

/** One Interface Description Block of the current section. */
interface Interface {
  linkType: number;
  /** 0: no limit. */
  snapLength: number;
  maxCaptured: number;
  clock: TickClock;
}

/** Which option codes carry length rules of their own (wiretap 4.0). */
type OptionRules = 'packet' | 'interface' | 'other';

/** Option codes of custom options (RFC draft section 3.5.1): at least a 4-byte Private Enterprise Number. */
function isCustomOption(code: number): boolean {
  return code === 2988 || code === 2989 || code === 19372 || code === 19373;
}

export class PcapngReader extends RecordReader {
  readonly format = 'pcapng' as const;

  /** Byte order of the current section (each SHB sets it). */
  private littleEndian = true;
  private sectionSeen = false;
  private interfaces: Interface[] = [];
  private framesRead = 0;

  constructor(sink: CaptureSink) {
    super(sink);
  }

  protected headerLength(): number {
    return BLOCK_PREFIX_LENGTH;
  }

  protected recordLength(bytes: Uint8Array, view: DataView, at: number): number {
    const type = view.getUint32(at, this.littleEndian);
    let le = this.littleEndian;
    if (type === PCAPNG_BLOCK_SHB) {
      // The section's byte order is only known from the magic inside its own header block.
      const magic = view.getUint32(at + 8, true);
      if (magic === BYTE_ORDER_MAGIC) le = true;
      else if (view.getUint32(at + 8, false) === BYTE_ORDER_MAGIC) le = false;
      else {
        const hex = view.getUint32(at + 8, false).toString(16).padStart(8, '0');
        this.fail(this.fileOffset, `The pcapng section header at byte ${this.fileOffset} has an unknown byte-order magic 0x${hex}.`);
        return STOP;
      }
    } else if (!this.sectionSeen) {
      this.fail(this.fileOffset, 'The pcapng file does not start with a section header block.');
      return STOP;
    }
    const announced = view.getUint32(at + 4, le);
    const length = padded4(announced);
    if (length > MAX_BLOCK_LENGTH) {
      this.fail(
        this.fileOffset,
        `The pcapng ${blockName(type)} at byte ${this.fileOffset} announces ${announced} bytes, more than the ` +
          `${MAX_BLOCK_LENGTH} allowed: the file is damaged from there on.`,
      );
      return STOP;
    }
    const minimum = minimumBlockLength(type);
    if (length < minimum) {
      this.fail(
        this.fileOffset,
        `The pcapng ${blockName(type)} at byte ${this.fileOffset} is ${announced} bytes long, less than its minimum of ${minimum}.`,
      );
      return STOP;
    }
    return length;
  }

  protected handleRecord(bytes: Uint8Array, view: DataView, at: number, length: number): void {
    const type = view.getUint32(at, this.littleEndian);
    const le = type === PCAPNG_BLOCK_SHB ? view.getUint32(at + 8, true) === BYTE_ORDER_MAGIC : this.littleEndian;
    const trailer = view.getUint32(at + length - 4, le);
    if (padded4(trailer) !== length) {
      this.fail(
        this.fileOffset,
        `The pcapng ${blockName(type)} at byte ${this.fileOffset} has length ${view.getUint32(at + 4, le)} in its ` +
          `header but ${trailer} in its trailer.`,
      );
      return;
    }
    const end = at + length - 4;
    switch (type) {
      case PCAPNG_BLOCK_SHB:
        this.readSectionHeader(view, at, end, le);
        return;
      case BLOCK_IDB:
        this.readInterface(view, at, end);
        return;
      case BLOCK_EPB:
      case BLOCK_PB:
        this.readPacket(bytes, view, at, end, type);
        return;
      case BLOCK_SPB:
        this.readSimplePacket(bytes, view, at, end);
        return;
      case BLOCK_NRB:
        this.checkNameResolution(view, at, end);
        return;
      case BLOCK_ISB:
        this.checkOptions(view, at + 20, end, 'other', type);
        return;
      case BLOCK_DSB:
        this.checkDecryptionSecrets(view, at, end);
        return;
      default:
        return;
    }
  }

  protected cutShortMessage(present: number, needed: number): string {
    if (needed === 0) {
      return `The file ends inside the header of the pcapng block at byte ${this.fileOffset}: ${present} of ${BLOCK_PREFIX_LENGTH} bytes present.`;
    }
    return `The last pcapng block, at byte ${this.fileOffset}, is cut off: ${needed} bytes announced, ${present} present.`;
  }

  private readSectionHeader(view: DataView, at: number, end: number, le: boolean): void {
    const major = view.getUint16(at + 12, le);
    const minor = view.getUint16(at + 14, le);
    // Version 1.2 was written by some tools and is read as 1.0, as wiretap does.
    if (major !== 1 || (minor !== 0 && minor !== 2)) {
      this.fail(this.fileOffset, `Unsupported pcapng version ${major}.${minor} in the section header at byte ${this.fileOffset}.`);
      return;
    }
    this.littleEndian = le;
    if (!this.checkOptions(view, at + 24, end, 'other', PCAPNG_BLOCK_SHB)) return;
    this.sectionSeen = true;
    this.interfaces = [];
  }

  private readInterface(view: DataView, at: number, end: number): void {
    const le = this.littleEndian;
    if (!this.checkOptions(view, at + 16, end, 'interface', BLOCK_IDB)) return;
    let tsresol: number | null = null;
    let tsoffset: number | null = null;
    // The first if_tsresol (9, 1 byte) and if_tsoffset (14, 8 bytes) count; others are ignored, as in wiretap.
    for (let p = at + 16; p + 4 <= end; ) {
      const code = view.getUint16(p, le);
      const optionLength = view.getUint16(p + 2, le);
      if (code === 0) break;
      if (code === 9 && optionLength === 1 && tsresol === null) tsresol = view.getUint8(p + 4);
      if (code === 14 && optionLength === 8 && tsoffset === null) {
        const high = view.getInt32(le ? p + 8 : p + 4, le);
        const low = view.getUint32(le ? p + 4 : p + 8, le);
        tsoffset = high * 0x100000000 + low;
      }
      p += 4 + padded4(optionLength);
    }
    const linkType = view.getUint16(at + 8, le);
    this.interfaces.push({
      linkType,
      snapLength: view.getUint32(at + 12, le),
      maxCaptured: maxCapturedLength(linkType),
      clock: new TickClock(tsresol, tsoffset ?? 0),
    });
  }

  private readPacket(bytes: Uint8Array, view: DataView, at: number, end: number, type: number): void {
    const le = this.littleEndian;
    const enhanced = type === BLOCK_EPB;
    const interfaceId = enhanced ? view.getUint32(at + 8, le) : view.getUint16(at + 8, le);
    const captured = view.getUint32(at + 20, le);
    const dataEnd = PACKET_DATA_OFFSET + captured;
    if (at + padded4(dataEnd) > end) {
      this.fail(
        this.fileOffset,
        `The pcapng ${blockName(type)} at byte ${this.fileOffset} is too short for the ${captured} captured bytes it announces.`,
      );
      return;
    }
    const iface = this.interfaces[interfaceId];
    if (iface === undefined) {
      this.fail(this.fileOffset, this.missingInterfaceMessage(type, interfaceId));
      return;
    }
    if (captured > iface.maxCaptured) {
      this.fail(this.fileOffset, this.oversizeMessage(type, captured, iface));
      return;
    }
    if (!this.checkOptions(view, at + padded4(dataEnd), end, 'packet', type)) return;
    const clock = iface.clock;
    clock.set(view.getUint32(at + 12, le), view.getUint32(at + 16, le));
    this.sink.frame({
      number: ++this.framesRead,
      linkType: iface.linkType,
      interfaceId,
      tsSeconds: clock.seconds,
      tsNanos: clock.nanos,
      originalLength: view.getUint32(at + 24, le),
      data: bytes.subarray(at + PACKET_DATA_OFFSET, at + dataEnd),
      fileOffset: this.fileOffset,
    });
  }

  private readSimplePacket(bytes: Uint8Array, view: DataView, at: number, end: number): void {
    const iface = this.interfaces[0];
    if (iface === undefined) {
      this.fail(this.fileOffset, this.missingInterfaceMessage(BLOCK_SPB, 0));
      return;
    }
    const original = view.getUint32(at + 8, this.littleEndian);
    // The captured length is not stored: the original length, cut to the interface's snaplen (0: none).
    const captured = iface.snapLength !== 0 && original > iface.snapLength ? iface.snapLength : original;
    if (at + 12 + padded4(captured) > end) {
      this.fail(
        this.fileOffset,
        `The pcapng simple packet block at byte ${this.fileOffset} is too short for the ${captured} captured bytes it implies.`,
      );
      return;
    }
    if (captured > iface.maxCaptured) {
      this.fail(this.fileOffset, this.oversizeMessage(BLOCK_SPB, captured, iface));
      return;
    }
    // An SPB has no timestamp; wiretap reports 0 (tshark then prints no frame.time_epoch at all).
    this.sink.frame({
      number: ++this.framesRead,
      linkType: iface.linkType,
      interfaceId: 0,
      tsSeconds: 0,
      tsNanos: 0,
      originalLength: original,
      data: bytes.subarray(at + 12, at + 12 + captured),
      fileOffset: this.fileOffset,
    });
  }

  /** NRB records (type, length, value padded to 4) up to the end-of-records record, then options. */
  private checkNameResolution(view: DataView, at: number, end: number): void {
    const le = this.littleEndian;
    let p = at + 8;
    while (p < end) {
      if (end - p < 4) {
        this.fail(this.fileOffset, this.nameRecordMessage('its last record header is cut off'));
        return;
      }
      const recordType = view.getUint16(p, le);
      const recordLength = view.getUint16(p + 2, le);
      p += 4;
      if (end - p < padded4(recordLength)) {
        this.fail(this.fileOffset, this.nameRecordMessage(`a record of ${recordLength} bytes runs past its end`));
        return;
      }
      // wiretap reads the options right after the end-of-records header, whatever length it claims.
      if (recordType === 0) break;
      if (recordType === 1 || recordType === 2) {
        const addressLength = recordType === 1 ? 4 : 16;
        if (recordLength < addressLength) {
          this.fail(this.fileOffset, this.nameRecordMessage(`an address record of ${recordLength} bytes is shorter than its address`));
          return;
        }
        // Every name is NUL-terminated, the last one included.
        const namesEnd = p + recordLength;
        if (namesEnd > p + addressLength && view.getUint8(namesEnd - 1) !== 0) {
          this.fail(this.fileOffset, this.nameRecordMessage('a host name is not NUL-terminated'));
          return;
        }
      }
      p += padded4(recordLength);
    }
    this.checkOptions(view, p, end, 'other', BLOCK_NRB);
  }

  private checkDecryptionSecrets(view: DataView, at: number, end: number): void {
    const secretsLength = view.getUint32(at + 12, this.littleEndian);
    if (secretsLength > end - (at + 16)) {
      this.fail(
        this.fileOffset,
        `The pcapng decryption secrets block at byte ${this.fileOffset} announces ${secretsLength} bytes of secrets, more than it holds.`,
      );
    }
  }

  /**
   * Walks the options in [start, end) as wiretap does: stops at opt_endofopt, and fails (returning false)
   * when an option runs past the end or breaks a length rule wiretap enforces for its code.
   */
  private checkOptions(view: DataView, start: number, end: number, rules: OptionRules, type: number): boolean {
    const le = this.littleEndian;
    for (let p = start; p < end; ) {
      if (end - p < 4) return this.optionProblem(type, 'its last option header is cut off');
      const code = view.getUint16(p, le);
      const optionLength = view.getUint16(p + 2, le);
      p += 4;
      if (padded4(optionLength) > end - p) {
        return this.optionProblem(type, `option ${code} (${optionLength} bytes) runs past its end`);
      }
      if (code === 0) return true;
      const wrongLength = isCustomOption(code)
        ? optionLength < 4
        : rules === 'packet'
          ? packetOptionLengthIsWrong(code, optionLength, view, p)
          : rules === 'interface' && code === 11 && optionLength < 1;
      if (wrongLength) return this.optionProblem(type, `option ${code} has an impossible length of ${optionLength} bytes`);
      p += padded4(optionLength);
    }
    return true;
  }

  private optionProblem(type: number, what: string): false {
    this.fail(this.fileOffset, `The pcapng ${blockName(type)} at byte ${this.fileOffset} is damaged: ${what}.`);
    return false;
  }

  private nameRecordMessage(what: string): string {
    return `The pcapng name resolution block at byte ${this.fileOffset} is damaged: ${what}.`;
  }

  private missingInterfaceMessage(type: number, interfaceId: number): string {
    const count = this.interfaces.length;
    return (
      `The pcapng ${blockName(type)} at byte ${this.fileOffset} refers to interface ${interfaceId}, but its section ` +
      `describes ${count === 0 ? 'no interface' : count === 1 ? 'only 1 interface' : `only ${count} interfaces`} before it.`
    );
  }

  private oversizeMessage(type: number, captured: number, iface: Interface): string {
    return (
      `The pcapng ${blockName(type)} at byte ${this.fileOffset} announces ${captured} captured bytes, more than the ` +
      `${iface.maxCaptured} allowed for link type ${iface.linkType}: the file is damaged from there on.`
    );
  }
}

/** The EPB option length rules wiretap 4.0 enforces (flags, drop count, packet id, queue, verdict). */
function packetOptionLengthIsWrong(code: number, length: number, view: DataView, valueAt: number): boolean {
  switch (code) {
    case 2: // epb_flags
    case 6: // epb_queue
      return length !== 4;
    case 4: // epb_dropcount
    case 5: // epb_packetid
      return length !== 8;
    case 7: {
      // epb_verdict: a type byte; the Linux eBPF TC (1) and XDP (2) verdicts carry exactly 8 more bytes.
      if (length < 1) return true;
      const verdictType = view.getUint8(valueAt);
      return (verdictType === 1 || verdictType === 2) && length !== 9;
    }
    default:
      return false;
  }
}
