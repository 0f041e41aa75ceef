/*
 * Builds pcap and pcapng files as byte arrays for tests.
 *
 *   buildPcap({ nanos: true }, [{ seconds: 1, fraction: 5, data: frameBytes }])
 *   buildPcapng([
 *     section({}, [idb({ linkType: 1, options: [tsresol(9)] }), epb({ timestamp: 1_500_000_000_000_000_000n, data })]),
 *     section({ littleEndian: false }, [idb({ linkType: 101 }), spb({ data })]),
 *   ])
 *
 * Every length field can be overridden to build damaged files; nothing is validated here.
 */

export type Bytes = Uint8Array | readonly number[];

function toBytes(b: Bytes): Uint8Array {
  return b instanceof Uint8Array ? b : Uint8Array.from(b);
}

export function concat(...parts: Bytes[]): Uint8Array {
  const arrays = parts.map(toBytes);
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

/** Little helper for fixed-layout headers: u8/u16/u32/u64 fields in one byte order. */
class Fields {
  private readonly bytes: number[] = [];
  constructor(private readonly littleEndian: boolean) {}
  u8(v: number): this {
    this.bytes.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    const b = [v & 0xff, (v >>> 8) & 0xff];
    this.bytes.push(...(this.littleEndian ? b : b.reverse()));
    return this;
  }
  u32(v: number): this {
    const b = [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
    this.bytes.push(...(this.littleEndian ? b : b.reverse()));
    return this;
  }
  u64(v: bigint): this {
    const high = Number((BigInt.asUintN(64, v) >> 32n) & 0xffffffffn);
    const low = Number(BigInt.asUintN(64, v) & 0xffffffffn);
    return this.littleEndian ? this.u32(low).u32(high) : this.u32(high).u32(low);
  }
  done(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

// ---------------------------------------------------------------- classic pcap

export interface PcapHeader {
  littleEndian?: boolean; // default true
  nanos?: boolean; // a1b23c4d magic; default false (µs)
  versionMajor?: number; // default 2
  versionMinor?: number; // default 4
  snapLength?: number; // default 262144
  /** The whole 32-bit network field (link type plus FCS / reserved bits); default 1 (Ethernet). */
  network?: number;
}

export interface PcapRecord {
  seconds?: number; // default 0
  /** Microseconds or nanoseconds per the header's magic; default 0. */
  fraction?: number;
  data: Bytes;
  /** orig_len; default data.length. */
  originalLength?: number;
  /** incl_len as written in the header; default data.length (override to announce more than present). */
  capturedLength?: number;
}

export function pcapFileHeader(h: PcapHeader = {}): Uint8Array {
  return new Fields(h.littleEndian ?? true)
    .u32(h.nanos ? 0xa1b23c4d : 0xa1b2c3d4)
    .u16(h.versionMajor ?? 2)
    .u16(h.versionMinor ?? 4)
    .u32(0)
    .u32(0)
    .u32(h.snapLength ?? 262144)
    .u32(h.network ?? 1)
    .done();
}

export function pcapRecord(r: PcapRecord, littleEndian = true): Uint8Array {
  const data = toBytes(r.data);
  const header = new Fields(littleEndian)
    .u32(r.seconds ?? 0)
    .u32(r.fraction ?? 0)
    .u32(r.capturedLength ?? data.length)
    .u32(r.originalLength ?? data.length)
    .done();
  return concat(header, data);
}

export function buildPcap(header: PcapHeader, records: PcapRecord[]): Uint8Array {
  const le = header.littleEndian ?? true;
  return concat(pcapFileHeader(header), ...records.map((r) => pcapRecord(r, le)));
}

// ---------------------------------------------------------------- pcapng

/** One option: code and value (padding is added). A function value is serialised in the section's byte order. */
export interface NgOption {
  code: number;
  value: Bytes | ((littleEndian: boolean) => Uint8Array);
  /** Option length as written; default the value's length. */
  length?: number;
}

/** A block body that is serialised in its section's byte order. */
export interface NgBlock {
  type: number;
  body(littleEndian: boolean): Uint8Array;
  /** Total length written in the header; default the real length. */
  totalLength?: number;
  /** Total length written in the trailer; default the header's. */
  trailerLength?: number;
}

export function option(code: number, value: Bytes, length?: number): NgOption {
  return { code, value, length };
}
/** A 32-bit option value (epb_flags, epb_queue) in the section's byte order. */
export function u32Option(code: number, value: number): NgOption {
  return { code, value: (le) => new Fields(le).u32(value).done() };
}
/** if_tsresol: bit 7 set = power of 2, else power of 10; the rest is the negative exponent. */
export function tsresol(value: number): NgOption {
  return { code: 9, value: [value] };
}
/** if_tsoffset: seconds added to every timestamp of the interface (signed 64 bits). */
export function tsoffset(seconds: bigint): NgOption {
  return { code: 14, value: (le) => new Fields(le).u64(seconds).done() };
}

function pad4(b: Uint8Array): Uint8Array {
  const padding = (4 - (b.length % 4)) % 4;
  return padding === 0 ? b : concat(b, new Uint8Array(padding));
}

function serialiseOptions(options: NgOption[] | undefined, le: boolean): Uint8Array {
  if (!options || options.length === 0) return new Uint8Array(0);
  const parts = options.map((o) => {
    const value = typeof o.value === 'function' ? o.value(le) : toBytes(o.value);
    return concat(new Fields(le).u16(o.code).u16(o.length ?? value.length).done(), pad4(value));
  });
  return concat(...parts, new Fields(le).u16(0).u16(0).done());
}

/** Any block with a raw body (already in the right byte order); for unknown, NRB, ISB, custom or damaged blocks. */
export function rawBlock(type: number, body: Bytes, lengths: { totalLength?: number; trailerLength?: number } = {}): NgBlock {
  return { type, body: () => toBytes(body), ...lengths };
}

export function idb(b: { linkType?: number; snapLength?: number; options?: NgOption[] } = {}): NgBlock {
  return {
    type: 1,
    body: (le) =>
      concat(new Fields(le).u16(b.linkType ?? 1).u16(0).u32(b.snapLength ?? 0).done(), serialiseOptions(b.options, le)),
  };
}

export interface NgPacket {
  interfaceId?: number;
  /** Units of the interface's if_tsresol since the epoch; default 0. */
  timestamp?: bigint;
  data: Bytes;
  originalLength?: number;
  /** Captured length as written; default data.length. */
  capturedLength?: number;
  options?: NgOption[];
}

export function epb(p: NgPacket): NgBlock {
  return {
    type: 6,
    body: (le) => {
      const data = toBytes(p.data);
      const ts = p.timestamp ?? 0n;
      return concat(
        new Fields(le)
          .u32(p.interfaceId ?? 0)
          .u32(Number(ts >> 32n))
          .u32(Number(ts & 0xffffffffn))
          .u32(p.capturedLength ?? data.length)
          .u32(p.originalLength ?? data.length)
          .done(),
        pad4(data),
        serialiseOptions(p.options, le),
      );
    },
  };
}

/** The obsolete Packet Block (type 2): 16-bit interface id and drop count. */
export function opb(p: NgPacket & { dropsCount?: number }): NgBlock {
  return {
    type: 2,
    body: (le) => {
      const data = toBytes(p.data);
      const ts = p.timestamp ?? 0n;
      return concat(
        new Fields(le)
          .u16(p.interfaceId ?? 0)
          .u16(p.dropsCount ?? 0)
          .u32(Number(ts >> 32n))
          .u32(Number(ts & 0xffffffffn))
          .u32(p.capturedLength ?? data.length)
          .u32(p.originalLength ?? data.length)
          .done(),
        pad4(data),
        serialiseOptions(p.options, le),
      );
    },
  };
}

/** Simple Packet Block: only the original length and the (snaplen-cut) data. */
export function spb(p: { data: Bytes; originalLength?: number }): NgBlock {
  return {
    type: 3,
    body: (le) => {
      const data = toBytes(p.data);
      return concat(new Fields(le).u32(p.originalLength ?? data.length).done(), pad4(data));
    },
  };
}

/** Name Resolution Block with IPv4 records (address, names) and the end-of-records record. */
export function nrb(records: { ipv4: Bytes; names: string[] }[]): NgBlock {
  return {
    type: 4,
    body: (le) => {
      const parts = records.map((r) => {
        const value = concat(toBytes(r.ipv4), ...r.names.map((n) => concat(new TextEncoder().encode(n), [0])));
        return concat(new Fields(le).u16(1).u16(value.length).done(), pad4(value));
      });
      return concat(...parts, new Fields(le).u16(0).u16(0).done());
    },
  };
}

/** Interface Statistics Block (no options). */
export function isb(interfaceId = 0, timestamp = 0n): NgBlock {
  return {
    type: 5,
    body: (le) => new Fields(le).u32(interfaceId).u32(Number(timestamp >> 32n)).u32(Number(timestamp & 0xffffffffn)).done(),
  };
}

export interface NgSectionHeader {
  littleEndian?: boolean; // default true
  versionMajor?: number; // default 1
  versionMinor?: number; // default 0
  options?: NgOption[];
  totalLength?: number;
  trailerLength?: number;
}

function serialiseBlock(block: NgBlock, le: boolean): Uint8Array {
  const body = block.body(le);
  const length = 12 + body.length;
  const total = block.totalLength ?? length;
  return concat(new Fields(le).u32(block.type).u32(total).done(), body, new Fields(le).u32(block.trailerLength ?? total).done());
}

/** One section: its header block in its byte order, then the blocks, serialised in the same order. */
export function section(header: NgSectionHeader, blocks: NgBlock[]): Uint8Array {
  const le = header.littleEndian ?? true;
  const shb: NgBlock = {
    type: 0x0a0d0d0a,
    body: () =>
      concat(
        new Fields(le)
          .u32(0x1a2b3c4d)
          .u16(header.versionMajor ?? 1)
          .u16(header.versionMinor ?? 0)
          .u64(-1n)
          .done(),
        serialiseOptions(header.options, le),
      ),
    totalLength: header.totalLength,
    trailerLength: header.trailerLength,
  };
  return concat(serialiseBlock(shb, le), ...blocks.map((b) => serialiseBlock(b, le)));
}

export function buildPcapng(sections: Uint8Array[]): Uint8Array {
  return concat(...sections);
}

/**
 * Bytes from a hexdump as `xxd` prints it (offset, hex groups, ASCII column) or from bare hex: the offset
 * column and everything after two spaces following the hex are ignored.
 */
export function fromHex(dump: string): Uint8Array {
  const hex = dump
    .split('\n')
    .map((line) => line.replace(/^\s*[0-9a-f]+:\s/i, '').split(/\s{2,}/)[0])
    .join('')
    .replace(/\s+/g, '');
  if (!/^([0-9a-f]{2})*$/i.test(hex)) throw new Error(`not a hexdump: ${hex.slice(0, 40)}`);
  return Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
}
