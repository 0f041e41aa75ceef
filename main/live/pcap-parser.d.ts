/** Types for pcap-parser 0.2.1 (plain JavaScript): only what main/live/pcapStream.ts uses. */
declare module 'pcap-parser' {
  import type { EventEmitter } from 'node:events';

  /** What the parser reads: a readable stream, or anything with these members (it uses no others). */
  export interface PcapParserInput {
    pause(): unknown;
    resume(): unknown;
    on(event: 'data', listener: (chunk: Buffer) => void): unknown;
    on(event: 'error', listener: (error: Error) => void): unknown;
    on(event: 'end', listener: () => void): unknown;
  }

  export interface PcapGlobalHeader {
    magicNumber: number;
    majorVersion: number;
    minorVersion: number;
    gmtOffset: number;
    timestampAccuracy: number;
    snapshotLength: number;
    /** The whole 32-bit network field (the FCS bits included). */
    linkLayerType: number;
  }

  export interface PcapPacketHeader {
    timestampSeconds: number;
    timestampMicroseconds: number;
    capturedLength: number;
    originalLength: number;
  }

  export interface PcapPacket {
    header: PcapPacketHeader;
    /** A view into the parser's buffer. */
    data: Buffer;
  }

  export interface PcapParser extends EventEmitter {
    on(event: 'globalHeader', listener: (header: PcapGlobalHeader) => void): this;
    on(event: 'packet', listener: (packet: PcapPacket) => void): this;
    on(event: 'error', listener: (error: Error) => void): this;
    on(event: 'end', listener: () => void): this;
  }

  export function parse(input: string | PcapParserInput): PcapParser;
  const pcapParser: { parse: typeof parse };
  export default pcapParser;
}
