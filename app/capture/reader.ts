import { PCAP_MAGIC_MICROS, PCAP_MAGIC_NANOS, PcapReader } from './pcap';
import { PCAPNG_BLOCK_SHB, PcapngReader } from './pcapng';
import type { CaptureReader, CaptureSink } from './types';

const MAGIC_LENGTH = 4;

/**
 * A reader for either format: it holds the first four bytes until it has them, picks the classic pcap
 * reader (a1b2c3d4 or a1b23c4d, either byte order) or the pcapng one (a Section Header Block starts with
 * 0a0d0d0a), then forwards every byte to it. Anything else is one problem: not a pcap or pcapng file.
 */
export function createCaptureReader(sink: CaptureSink): CaptureReader {
  return new SniffingReader(sink);
}

class SniffingReader implements CaptureReader {
  private inner: CaptureReader | null = null;
  private readonly prefix = new Uint8Array(MAGIC_LENGTH);
  private prefixLength = 0;
  private refused = false;

  constructor(private readonly sink: CaptureSink) {}

  get format(): 'pcap' | 'pcapng' | null {
    return this.inner === null ? null : this.inner.format;
  }

  push(chunk: Uint8Array): void {
    if (this.inner !== null) {
      this.inner.push(chunk);
      return;
    }
    if (this.refused) return;
    const take = Math.min(MAGIC_LENGTH - this.prefixLength, chunk.length);
    this.prefix.set(chunk.subarray(0, take), this.prefixLength);
    this.prefixLength += take;
    if (this.prefixLength < MAGIC_LENGTH) return;
    const inner = this.readerFor(this.prefix);
    if (inner === null) {
      this.refused = true;
      const hex = Array.from(this.prefix, (b) => b.toString(16).padStart(2, '0')).join(' ');
      this.sink.problem({ offset: 0, message: `This is not a pcap or pcapng file (it starts with ${hex}).` });
      return;
    }
    this.inner = inner;
    inner.push(this.prefix);
    if (take < chunk.length) inner.push(chunk.subarray(take));
  }

  end(): void {
    if (this.inner !== null) {
      this.inner.end();
      return;
    }
    if (this.refused) return;
    this.refused = true;
    this.sink.problem({
      offset: 0,
      message:
        this.prefixLength === 0
          ? 'The file is empty.'
          : `The file is too short to be a pcap or pcapng file (${this.prefixLength} bytes).`,
    });
  }

  private readerFor(magic: Uint8Array): CaptureReader | null {
    const view = new DataView(magic.buffer, magic.byteOffset, MAGIC_LENGTH);
    const bigEndian = view.getUint32(0, false);
    const littleEndian = view.getUint32(0, true);
    if (bigEndian === PCAPNG_BLOCK_SHB) return new PcapngReader(this.sink);
    for (const magicNumber of [PCAP_MAGIC_MICROS, PCAP_MAGIC_NANOS]) {
      if (bigEndian === magicNumber || littleEndian === magicNumber) return new PcapReader(this.sink);
    }
    return null;
  }
}
