import type { RawFrame } from './types';

/*
 * Writers for classic pcap and pcapng: the inverse of pcap.ts and pcapng.ts, so a saved capture reads back
 * with the same frames, timestamps and bytes (in our readers and in tshark). Bytes out, no I/O: the caller
 * writes start() once, then record() for every frame, in order.
 *
 * Both formats are written little-endian. Classic pcap holds one link type (its file header names it);
 * pcapng gets one Interface Description Block per described interface, and each frame's interfaceId
 * indexes them (draft-ietf-opsawg-pcapng section 4.2: interface ids count IDBs in order).
 */

export type CaptureFormat = 'pcap' | 'pcapng';

export interface InterfaceDescription {
  /** LINKTYPE_* of the frames captured on it. */
  linkType: number;
  /** Maximum captured length per frame (pcap snaplen, pcapng IDB SnapLen). */
  snapLength: number;
  /** pcapng if_name, e.g. 'eth0' (classic pcap has no place for it). */
  name?: string;
  /** pcapng if_description. */
  description?: string;
}

export interface CaptureWriterOptions {
  /** Classic pcap takes exactly one. */
  interfaces: readonly InterfaceDescription[];
  /**
   * Units of the written timestamps: 'micro' (pcap magic a1b2c3d4, pcapng if_tsresol 6) or 'nano'
   * (a1b23c4d, if_tsresol 9). Nanoseconds below a microsecond are dropped by 'micro'.
   */
  resolution: 'micro' | 'nano';
  /** pcapng shb_userappl, e.g. 'Wirelens 0.1.0'. */
  application?: string;
}

/** The parts of a frame a file keeps. */
export type FrameToWrite = Pick<RawFrame, 'interfaceId' | 'tsSeconds' | 'tsNanos' | 'originalLength' | 'data'>;

export interface CaptureWriter {
  readonly format: CaptureFormat;
  /** The file's leading bytes: the pcap file header, or the pcapng Section Header Block and the IDBs. */
  start(): Uint8Array;
  /** One frame's record (pcap record header + data, or a pcapng Enhanced Packet Block). */
  record(frame: FrameToWrite): Uint8Array;
}

export function createCaptureWriter(format: CaptureFormat, options: CaptureWriterOptions): CaptureWriter {
  return format === 'pcap' ? new PcapWriter(options) : new PcapngWriter(options);
}

const PCAP_MAGIC_MICROS = 0xa1b2c3d4;
const PCAP_MAGIC_NANOS = 0xa1b23c4d;
const PCAP_FILE_HEADER_LENGTH = 24;
const PCAP_RECORD_HEADER_LENGTH = 16;

class PcapWriter implements CaptureWriter {
  readonly format = 'pcap' as const;
  private readonly link: InterfaceDescription;
  private readonly nanos: boolean;

  constructor(options: CaptureWriterOptions) {
    if (options.interfaces.length !== 1) {
      throw new RangeError(`a classic pcap file holds frames of one interface, not ${options.interfaces.length}; save as pcapng`);
    }
    this.link = options.interfaces[0];
    this.nanos = options.resolution === 'nano';
  }

  start(): Uint8Array {
    const bytes = new Uint8Array(PCAP_FILE_HEADER_LENGTH);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, this.nanos ? PCAP_MAGIC_NANOS : PCAP_MAGIC_MICROS, true);
    view.setUint16(4, 2, true);
    view.setUint16(6, 4, true);
    // thiszone and sigfigs stay 0, as every writer since libpcap 0.4 leaves them.
    view.setUint32(16, this.link.snapLength, true);
    view.setUint32(20, this.link.linkType, true);
    return bytes;
  }

  record(frame: FrameToWrite): Uint8Array {
    if (frame.interfaceId !== 0) throw new RangeError(`frame of interface ${frame.interfaceId} in a classic pcap file of one interface; save as pcapng`);
    const bytes = new Uint8Array(PCAP_RECORD_HEADER_LENGTH + frame.data.length);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, frame.tsSeconds, true);
    view.setUint32(4, this.nanos ? frame.tsNanos : Math.floor(frame.tsNanos / 1000), true);
    view.setUint32(8, frame.data.length, true);
    view.setUint32(12, frame.originalLength, true);
    bytes.set(frame.data, PCAP_RECORD_HEADER_LENGTH);
    return bytes;
  }
}

const BLOCK_SHB = 0x0a0d0d0a;
const BLOCK_IDB = 0x00000001;
const BLOCK_EPB = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const OPT_ENDOFOPT = 0;
const OPT_SHB_USERAPPL = 4;
const OPT_IF_NAME = 2;
const OPT_IF_DESCRIPTION = 3;
const OPT_IF_TSRESOL = 9;
/** Block type + total length before the body, total length again after it. */
const BLOCK_FRAMING = 12;
const EPB_FIXED_BODY = 20;

class PcapngWriter implements CaptureWriter {
  readonly format = 'pcapng' as const;
  private readonly unitsPerSecond: bigint;
  private readonly nanosPerUnit: bigint;

  constructor(private readonly options: CaptureWriterOptions) {
    const nanos = options.resolution === 'nano';
    this.unitsPerSecond = nanos ? 1_000_000_000n : 1_000_000n;
    this.nanosPerUnit = nanos ? 1n : 1000n;
  }

  start(): Uint8Array {
    const encoder = new TextEncoder();
    const shbOptions = this.options.application === undefined ? [] : [option(OPT_SHB_USERAPPL, encoder.encode(this.options.application))];
    // Section length -1: not given (section 4.1), so the file can be written in one pass.
    const shbBody = concat([u32(BYTE_ORDER_MAGIC), u16(1), u16(0), u32(0xffffffff), u32(0xffffffff), optionList(shbOptions)]);
    const blocks = [block(BLOCK_SHB, shbBody)];
    const tsresol = this.options.resolution === 'nano' ? 9 : 6;
    for (const description of this.options.interfaces) {
      const idbOptions = [option(OPT_IF_TSRESOL, Uint8Array.of(tsresol))];
      if (description.name !== undefined) idbOptions.unshift(option(OPT_IF_NAME, encoder.encode(description.name)));
      if (description.description !== undefined) idbOptions.push(option(OPT_IF_DESCRIPTION, encoder.encode(description.description)));
      blocks.push(block(BLOCK_IDB, concat([u16(description.linkType), u16(0), u32(description.snapLength), optionList(idbOptions)])));
    }
    return concat(blocks);
  }

  record(frame: FrameToWrite): Uint8Array {
    if (frame.interfaceId >= this.options.interfaces.length) {
      throw new RangeError(`frame of interface ${frame.interfaceId}, but only ${this.options.interfaces.length} interface(s) described`);
    }
    const captured = frame.data.length;
    const total = BLOCK_FRAMING + EPB_FIXED_BODY + padded(captured);
    const bytes = new Uint8Array(total);
    const view = new DataView(bytes.buffer);
    const units = BigInt(frame.tsSeconds) * this.unitsPerSecond + BigInt(frame.tsNanos) / this.nanosPerUnit;
    view.setUint32(0, BLOCK_EPB, true);
    view.setUint32(4, total, true);
    view.setUint32(8, frame.interfaceId, true);
    view.setUint32(12, Number(units >> 32n), true);
    view.setUint32(16, Number(units & 0xffffffffn), true);
    view.setUint32(20, captured, true);
    view.setUint32(24, frame.originalLength, true);
    bytes.set(frame.data, 28);
    view.setUint32(total - 4, total, true);
    return bytes;
  }
}

function padded(length: number): number {
  return (length + 3) & ~3;
}

function u16(value: number): Uint8Array {
  const bytes = new Uint8Array(2);
  new DataView(bytes.buffer).setUint16(0, value, true);
  return bytes;
}

function u32(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value, true);
  return bytes;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** One option: code, length, value padded to 32 bits (section 3.5). */
function option(code: number, value: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(4 + padded(value.length));
  const view = new DataView(bytes.buffer);
  view.setUint16(0, code, true);
  view.setUint16(2, value.length, true);
  bytes.set(value, 4);
  return bytes;
}

/** The options, closed by opt_endofopt; nothing at all when there are none. */
function optionList(options: readonly Uint8Array[]): Uint8Array {
  return options.length === 0 ? new Uint8Array(0) : concat([...options, option(OPT_ENDOFOPT, new Uint8Array(0))]);
}

function block(type: number, body: Uint8Array): Uint8Array {
  const total = BLOCK_FRAMING + body.length;
  return concat([u32(type), u32(total), body, u32(total)]);
}
