import type { RowColour } from '../api/types';

/*
 * The columnar frame index: one typed-array column per per-frame value, grown by doubling while the
 * capture is read. It keeps what the packet list needs to page, colour and time rows, and where each
 * record is in the file so a page can be re-read and re-decoded on request; text (addresses, info
 * lines) is never stored. Per frame: 8+8+4+4+4+2+4+1+1+2+4+2 = 44 bytes, so 10 million frames take
 * about 440 MB (and half that again while a column doubles).
 */

/** Row colours in a byte; the order is RowColour's precedence. */
export const ROW_COLOURS: readonly RowColour[] = [
  'other',
  'malformed',
  'bad-tcp',
  'tcp-rst',
  'icmp-error',
  'tcp-syn-fin',
  'arp',
  'icmp',
  'dns',
  'tcp',
  'udp',
];
const COLOUR_CODES: ReadonlyMap<RowColour, number> = new Map(ROW_COLOURS.map((colour, code) => [colour, code]));

/** Frame flags kept in the index. */
export const FrameFlag = {
  malformed: 1,
  /** The frame completed a fragmented IP datagram: re-decoding it needs the earlier fragments. */
  reassembled: 2,
} as const;

/** Room for the first frames; small enough that an empty capture costs nothing. */
const INITIAL_CAPACITY = 1024;
/** At most this many distinct Protocol column names; any further name shares the last slot. */
const MAX_PROTOCOL_NAMES = 256;

export interface IndexedFrame {
  fileOffset: number;
  tsSeconds: number;
  tsNanos: number;
  originalLength: number;
  capturedLength: number;
  linkType: number;
  interfaceId: number;
  protocol: string;
  colour: RowColour;
  flags: number;
  /** TCP frames: stream * 2 + direction (0 from endpoint A, 1 from B); -1 for other frames. */
  tcpStreamDirection: number;
  /** TcpAnalysisFlag bits of a TCP frame. */
  tcpAnalysis: number;
}

export class FrameIndex {
  /** Frames indexed; frame number n (1-based) is at position n - 1 of every column. */
  count = 0;
  /** Byte offset of the record (pcap record header / pcapng block) in the file. */
  fileOffset = new Float64Array(INITIAL_CAPACITY);
  /** Whole seconds since the epoch (a double holds them exactly). */
  tsSeconds = new Float64Array(INITIAL_CAPACITY);
  /** Nanoseconds within the second. */
  tsNanos = new Uint32Array(INITIAL_CAPACITY);
  /** frame.len */
  originalLength = new Uint32Array(INITIAL_CAPACITY);
  /** frame.cap_len: the bytes to read back from the record. */
  capturedLength = new Uint32Array(INITIAL_CAPACITY);
  linkType = new Uint16Array(INITIAL_CAPACITY);
  interfaceId = new Uint32Array(INITIAL_CAPACITY);
  /** Index into protocolNames. */
  protocol = new Uint8Array(INITIAL_CAPACITY);
  /** Index into ROW_COLOURS. */
  colour = new Uint8Array(INITIAL_CAPACITY);
  /** FrameFlag bits. */
  flags = new Uint16Array(INITIAL_CAPACITY);
  /** tcp.stream * 2 + direction, or -1. */
  tcpStreamDirection = new Int32Array(INITIAL_CAPACITY);
  /** TcpAnalysisFlag bits. */
  tcpAnalysis = new Uint16Array(INITIAL_CAPACITY);
  /** Protocol column names, interned: a capture shows a handful of distinct names. */
  readonly protocolNames: string[] = [];
  private readonly protocolCodes = new Map<string, number>();
  /** True once a timestamp is seen with nanosecond detail (not a whole microsecond): times print 9 decimals. */
  nanosecondPrecision = false;

  add(frame: IndexedFrame): void {
    if (this.count === this.fileOffset.length) this.grow();
    const i = this.count++;
    this.fileOffset[i] = frame.fileOffset;
    this.tsSeconds[i] = frame.tsSeconds;
    this.tsNanos[i] = frame.tsNanos;
    this.originalLength[i] = frame.originalLength;
    this.capturedLength[i] = frame.capturedLength;
    this.linkType[i] = frame.linkType;
    this.interfaceId[i] = frame.interfaceId;
    this.protocol[i] = this.protocolCode(frame.protocol);
    this.colour[i] = COLOUR_CODES.get(frame.colour) ?? 0;
    this.flags[i] = frame.flags;
    this.tcpStreamDirection[i] = frame.tcpStreamDirection;
    this.tcpAnalysis[i] = frame.tcpAnalysis;
    if (frame.tsNanos % 1000 !== 0) this.nanosecondPrecision = true;
  }

  protocolName(i: number): string {
    return this.protocolNames[this.protocol[i]];
  }

  rowColour(i: number): RowColour {
    return ROW_COLOURS[this.colour[i]];
  }

  /** Bytes held by the columns (capacity, not count). */
  get memoryBytes(): number {
    return this.columns().reduce((sum, column) => sum + column.byteLength, 0);
  }

  private protocolCode(name: string): number {
    const known = this.protocolCodes.get(name);
    if (known !== undefined) return known;
    if (this.protocolNames.length === MAX_PROTOCOL_NAMES) return MAX_PROTOCOL_NAMES - 1;
    const code = this.protocolNames.length;
    this.protocolNames.push(name);
    this.protocolCodes.set(name, code);
    return code;
  }

  private columns(): ArrayBufferView[] {
    return [
      this.fileOffset,
      this.tsSeconds,
      this.tsNanos,
      this.originalLength,
      this.capturedLength,
      this.linkType,
      this.interfaceId,
      this.protocol,
      this.colour,
      this.flags,
      this.tcpStreamDirection,
      this.tcpAnalysis,
    ];
  }

  private grow(): void {
    const capacity = this.fileOffset.length * 2;
    this.fileOffset = grown(this.fileOffset, new Float64Array(capacity));
    this.tsSeconds = grown(this.tsSeconds, new Float64Array(capacity));
    this.tsNanos = grown(this.tsNanos, new Uint32Array(capacity));
    this.originalLength = grown(this.originalLength, new Uint32Array(capacity));
    this.capturedLength = grown(this.capturedLength, new Uint32Array(capacity));
    this.linkType = grown(this.linkType, new Uint16Array(capacity));
    this.interfaceId = grown(this.interfaceId, new Uint32Array(capacity));
    this.protocol = grown(this.protocol, new Uint8Array(capacity));
    this.colour = grown(this.colour, new Uint8Array(capacity));
    this.flags = grown(this.flags, new Uint16Array(capacity));
    this.tcpStreamDirection = grown(this.tcpStreamDirection, new Int32Array(capacity));
    this.tcpAnalysis = grown(this.tcpAnalysis, new Uint16Array(capacity));
  }
}

function grown<T extends { set(source: ArrayLike<number>): void }>(old: ArrayLike<number>, bigger: T): T {
  bigger.set(old);
  return bigger;
}
