import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import pcapParser, { type PcapPacket, type PcapParserInput } from 'pcap-parser';
import { maxCapturedLength } from '../../app/capture/records';
import type { CaptureProblem, CaptureSink } from '../../app/capture/types';

/*
 * The live pipe: classic pcap as `dumpcap -P -w -` and `tcpdump -w -` write it, parsed by pcap-parser
 * behind a guard. pcap-parser (0.2.1) buffers until a record's announced caplen has arrived, so one bogus
 * caplen (0xffffffff) makes it buffer the rest of the stream without end; it also reads only microsecond
 * files and accepts any version 2.x or x.4. The guard frames the same stream ahead of it, checks the file
 * header and every record header with our reader's rules (app/capture/pcap.ts: wiretap's per-link-type
 * maximum, reserved link-type bits), and on a bad one stops: it destroys the source (the helper's stdout,
 * so the helper gets EPIPE and ends) and reports the problem. pcap-parser only ever sees checked headers:
 * header bytes are withheld until the whole header is present and passes.
 *
 * The guard also hands every checked byte, in order, to a tap (the spool that keeps the capture on disk)
 * before the parser sees it, and lets the tap cut the bytes at record boundaries (ring-buffer files start
 * with a whole record).
 */

const FILE_HEADER_LENGTH = 24;
const RECORD_HEADER_LENGTH = 16;
const MAGIC_MICROS = 0xa1b2c3d4;
const MAGIC_NANOS = 0xa1b23c4d;
const PCAPNG_SHB = 0x0a0d0d0a;
const LINKTYPE_RESERVED_BITS = 0x03ff0000;
/** Work on the stream between two turns of the event loop (see yieldToEventLoop). */
const DEFAULT_YIELD_AFTER_MS = 20;

/** Receives the stream's bytes after the guard checked them and before pcap-parser parses them. */
export interface PcapStreamTap {
  /**
   * The stream reached a record boundary at this offset: every byte before it belongs to the file header
   * (24 bytes) or to whole records, and the next record, if one comes, starts here. Returning true makes
   * the guard hand over the bytes before it now, so that the next piece starts at the boundary.
   */
  boundary(streamOffset: number): boolean;
  /** The next bytes of the stream, in order. */
  bytes(piece: Uint8Array): void;
}

type Phase = 'file-header' | 'record-header' | 'record-data' | 'stopped';

/**
 * Stands between a readable source and pcap-parser, which reads it as its input stream (pcap-parser uses
 * only pause, resume and the data/error/end events). Every event is delivered synchronously, so the tap,
 * the parser and the frames keep the order of the bytes.
 */
export class PcapCaplenGuard extends EventEmitter implements PcapParserInput {
  /** Why the stream stopped being readable, once it did (a bad header, or an end inside a record). */
  problem: CaptureProblem | null = null;
  /** The link type from the file header, once it passed. */
  linkType: number | null = null;
  /** Bytes handed on so far (checked, and given to the tap and the parser). */
  deliveredBytes = 0;

  private phase: Phase = 'file-header';
  /** Bytes still needed to complete the current header or record data. */
  private needed = FILE_HEADER_LENGTH;
  /** The header being collected; its bytes are withheld until it is whole and checked. */
  private readonly header = Buffer.alloc(FILE_HEADER_LENGTH);
  private headerLength = 0;
  private littleEndian = true;
  private maxCaptured = 0;
  /** Stream offset of the first byte of the next chunk. */
  private streamOffset = 0;
  /** Stream offset of the record whose header is being collected. */
  private recordStart = 0;

  /** Milliseconds spent on chunks since the source last paused for the event loop. */
  private busyMs = 0;

  constructor(
    private readonly source: Readable,
    private readonly tap: PcapStreamTap | null = null,
    private readonly yieldAfterMs = DEFAULT_YIELD_AFTER_MS,
  ) {
    super();
    source.on('data', (chunk: Buffer) => {
      const started = performance.now();
      this.scan(chunk);
      this.busyMs += performance.now() - started;
      if (this.busyMs >= this.yieldAfterMs && this.phase !== 'stopped') this.yieldToEventLoop();
    });
    source.on('end', () => this.end());
    source.on('error', (error: Error) => {
      if (this.phase !== 'stopped') this.emit('error', error);
    });
    source.pause();
  }

  pause(): this {
    this.source.pause();
    return this;
  }

  resume(): this {
    if (this.phase !== 'stopped') this.source.resume();
    return this;
  }

  /**
   * Lets timers and other I/O run. libuv reads a busy pipe up to 32 times per poll (2 MiB, some 20 000
   * frames of analysis) before anything else runs, which would make progress updates come in bursts; a
   * short pause every yieldAfterMs of work keeps them steady. The bytes wait in the pipe meanwhile (and
   * the helper's kernel buffer behind it), so nothing is lost while the reader keeps up on average.
   */
  private yieldToEventLoop(): void {
    this.busyMs = 0;
    this.source.pause();
    setImmediate(() => {
      if (this.phase !== 'stopped') this.source.resume();
    });
  }

  private scan(chunk: Buffer): void {
    if (this.phase === 'stopped') return;
    const chunkStart = this.streamOffset;
    this.streamOffset += chunk.length;
    let at = 0;
    /** Start of the bytes of this chunk not yet handed on. */
    let pieceStart = 0;
    while (at < chunk.length) {
      if (this.phase === 'record-data') {
        const take = Math.min(this.needed, chunk.length - at);
        at += take;
        this.needed -= take;
        if (this.needed === 0) pieceStart = this.startRecord(chunk, chunkStart + at, pieceStart, at);
        continue;
      }
      const take = Math.min(this.needed, chunk.length - at);
      chunk.copy(this.header, this.headerLength, at, at + take);
      this.headerLength += take;
      this.needed -= take;
      at += take;
      /** Where the header starts in this chunk: negative when it began in an earlier one (withheld there). */
      const headerStart = at - this.headerLength;
      if (this.needed > 0) {
        // The chunk ends inside the header: hand on what precedes it, withhold the rest.
        this.deliver(chunk.subarray(pieceStart, Math.max(pieceStart, headerStart)));
        return;
      }
      const problem = this.phase === 'file-header' ? this.checkFileHeader() : this.checkRecordHeader();
      if (problem !== null) {
        this.deliver(chunk.subarray(pieceStart, Math.max(pieceStart, headerStart)));
        this.stop(problem);
        return;
      }
      if (headerStart < 0) {
        // Nothing of this chunk was handed on yet: the withheld part of the header goes first.
        this.deliver(Buffer.from(this.header.subarray(0, -headerStart)));
      }
      if (this.phase === 'file-header') {
        this.phase = 'record-header';
        this.needed = RECORD_HEADER_LENGTH;
        this.headerLength = 0;
        pieceStart = this.startRecord(chunk, chunkStart + at, pieceStart, at);
      } else {
        this.phase = 'record-data';
        this.needed = this.capturedLength();
        this.headerLength = 0;
        if (this.needed === 0) pieceStart = this.startRecord(chunk, chunkStart + at, pieceStart, at);
      }
    }
    this.deliver(chunk.subarray(pieceStart));
  }

  /** A record starts at stream offset `offset` (chunk[at]); returns the new start of the pending piece. */
  private startRecord(chunk: Buffer, offset: number, pieceStart: number, at: number): number {
    this.phase = 'record-header';
    this.needed = RECORD_HEADER_LENGTH;
    this.headerLength = 0;
    this.recordStart = offset;
    if (this.tap === null || !this.tap.boundary(offset)) return pieceStart;
    this.deliver(chunk.subarray(pieceStart, at));
    return at;
  }

  private deliver(piece: Buffer): void {
    if (piece.length === 0) return;
    this.deliveredBytes += piece.length;
    this.tap?.bytes(piece);
    this.emit('data', piece);
  }

  private checkFileHeader(): CaptureProblem | null {
    const bigEndian = this.header.readUInt32BE(0);
    const littleEndian = this.header.readUInt32LE(0);
    if (bigEndian === PCAPNG_SHB) {
      return { offset: 0, message: 'The capture stream is pcapng; the live pipe reads classic pcap (dumpcap -P, tcpdump -w -).' };
    }
    if (bigEndian === MAGIC_NANOS || littleEndian === MAGIC_NANOS) {
      return { offset: 0, message: 'The capture stream has nanosecond timestamps; the live pipe reads microsecond pcap (dumpcap -P, tcpdump -w -).' };
    }
    if (bigEndian !== MAGIC_MICROS && littleEndian !== MAGIC_MICROS) {
      const hex = Array.from(this.header.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
      return { offset: 0, message: `This is not a pcap or pcapng file (it starts with ${hex}).` };
    }
    this.littleEndian = littleEndian === MAGIC_MICROS;
    const major = this.read16(4);
    const minor = this.read16(6);
    if (major !== 2 || minor !== 4) {
      return { offset: 0, message: `Unsupported pcap version ${major}.${minor} on the live pipe: only 2.4, which libpcap writes, is read there.` };
    }
    const network = this.read32(20);
    const reserved = network & LINKTYPE_RESERVED_BITS;
    if (reserved !== 0) {
      const hex = (n: number) => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
      return { offset: 0, message: `The pcap link-layer type field ${hex(network)} has reserved bits set (${hex(reserved)}).` };
    }
    this.linkType = network & 0xffff;
    this.maxCaptured = maxCapturedLength(this.linkType);
    return null;
  }

  private checkRecordHeader(): CaptureProblem | null {
    const captured = this.capturedLength();
    if (captured <= this.maxCaptured) return null;
    return {
      offset: this.recordStart,
      message:
        `The record at byte ${this.recordStart} announces ${captured} captured bytes, more than the ` +
        `${this.maxCaptured} allowed for link type ${this.linkType}: the file is damaged from there on.`,
    };
  }

  private capturedLength(): number {
    return this.read32(8);
  }

  private read16(at: number): number {
    return this.littleEndian ? this.header.readUInt16LE(at) : this.header.readUInt16BE(at);
  }

  private read32(at: number): number {
    return this.littleEndian ? this.header.readUInt32LE(at) : this.header.readUInt32BE(at);
  }

  /** Stops for good: the source is destroyed (nothing more is read from it) and the parser sees the end. */
  private stop(problem: CaptureProblem): void {
    this.phase = 'stopped';
    this.problem = problem;
    this.source.destroy();
    this.emit('end');
  }

  private end(): void {
    if (this.phase === 'stopped') return;
    const problem = this.endProblem();
    this.phase = 'stopped';
    this.problem = problem;
    this.emit('end');
  }

  /** Why the stream ended where it did, when that is not between two records (same sentences as pcap.ts). */
  private endProblem(): CaptureProblem | null {
    switch (this.phase) {
      case 'file-header':
        if (this.headerLength === 0) return { offset: 0, message: 'The file is empty.' };
        if (this.headerLength < 4) return { offset: 0, message: `The file is too short to be a pcap or pcapng file (${this.headerLength} bytes).` };
        return { offset: 0, message: `The file ends inside the pcap file header: ${this.headerLength} of ${FILE_HEADER_LENGTH} bytes present.` };
      case 'record-header':
        if (this.headerLength === 0) return null;
        return {
          offset: this.recordStart,
          message: `The file ends inside the record header at byte ${this.recordStart}: ${this.headerLength} of ${RECORD_HEADER_LENGTH} bytes present.`,
        };
      case 'record-data': {
        const announced = this.capturedLength();
        return {
          offset: this.recordStart,
          message: `The last record, at byte ${this.recordStart}, is cut off: ${announced} captured bytes announced, ${announced - this.needed} present.`,
        };
      }
      case 'stopped':
        return null;
    }
  }
}

export interface PcapStreamResult {
  /** Link type of the stream, null when its header never arrived or was refused. */
  linkType: number | null;
  /** pcap snaplen from the file header (0 when unknown). */
  snapLength: number;
  frames: number;
  /** Bytes of the stream that were checked and parsed. */
  bytes: number;
  /** The stream's problem (also given to sink.problem), if it had one. */
  problem: CaptureProblem | null;
}

/**
 * Reads a classic pcap stream (a helper's stdout) through the guard and pcap-parser into `sink`, one
 * RawFrame per record, as our own reader would produce them (numbers, file offsets, timestamps). Resolves
 * when the stream ends or the guard stops it; rejects only when the source itself fails.
 */
export function readPcapStream(source: Readable, sink: CaptureSink, tap: PcapStreamTap | null = null): Promise<PcapStreamResult> {
  const guard = new PcapCaplenGuard(source, tap);
  const parser = pcapParser.parse(guard);
  let linkType = 0;
  let snapLength = 0;
  let frames = 0;
  let nextOffset = FILE_HEADER_LENGTH;
  parser.on('globalHeader', (header) => {
    // The guard already checked this header; the low 16 bits are the link type (the rest: FCS length).
    linkType = header.linkLayerType & 0xffff;
    snapLength = header.snapshotLength;
  });
  parser.on('packet', (packet: PcapPacket) => {
    const { timestampSeconds, timestampMicroseconds, originalLength } = packet.header;
    const fileOffset = nextOffset;
    nextOffset += RECORD_HEADER_LENGTH + packet.data.length;
    // An out-of-range fraction is carried into the seconds, as app/capture/pcap.ts does.
    const carry = Math.floor(timestampMicroseconds / 1_000_000);
    sink.frame({
      number: ++frames,
      linkType,
      interfaceId: 0,
      tsSeconds: timestampSeconds + carry,
      tsNanos: (timestampMicroseconds % 1_000_000) * 1000,
      originalLength,
      data: packet.data,
      fileOffset,
    });
  });
  return new Promise((resolve, reject) => {
    parser.on('error', reject);
    parser.on('end', () => {
      if (guard.problem) sink.problem(guard.problem);
      resolve({ linkType: guard.linkType, snapLength, frames, bytes: guard.deliveredBytes, problem: guard.problem });
    });
  });
}
