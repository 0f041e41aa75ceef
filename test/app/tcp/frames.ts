import type { RawFrame } from '../../../app/capture/types';

/*
 * Ethernet / IPv4 / TCP (or UDP) frames built from a few numbers, for feeding the real decoding pipeline.
 * Checksums are left zero (the decoders then report them unverified or bad; the analysis ignores both).
 */

export interface TcpFrameSpec {
  src?: string;
  dst?: string;
  sport?: number;
  dport?: number;
  seq: number;
  ack?: number;
  flags: number;
  window?: number;
  payload?: Uint8Array | string;
  /** Announced payload length when the capture holds less (snapshot length). */
  announced?: number;
  /** Raw option bytes (padded to 4 here). */
  options?: number[];
}

function ipv4(text: string): number[] {
  return text.split('.').map(Number);
}

function u16(n: number): number[] {
  return [(n >> 8) & 0xff, n & 0xff];
}

function u32(n: number): number[] {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

function ipHeader(protocol: number, src: string, dst: string, payloadLength: number): number[] {
  return [0x45, 0, ...u16(20 + payloadLength), 0, 1, 0x40, 0, 64, protocol, 0, 0, ...ipv4(src), ...ipv4(dst)];
}

const ETHERNET = [0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6, 0x08, 0x00];

export function tcpFrameBytes(s: TcpFrameSpec): Uint8Array {
  const payload = typeof s.payload === 'string' ? new TextEncoder().encode(s.payload) : (s.payload ?? new Uint8Array(0));
  const options = [...(s.options ?? [])];
  while (options.length % 4 !== 0) options.push(1);
  const headerLength = 20 + options.length;
  const tcp = [
    ...u16(s.sport ?? 40000), ...u16(s.dport ?? 80), ...u32(s.seq >>> 0), ...u32((s.ack ?? 0) >>> 0),
    (headerLength / 4) << 4, s.flags & 0xff, ...u16(s.window ?? 65535), 0, 0, 0, 0, ...options,
  ];
  const ip = ipHeader(6, s.src ?? '10.0.0.1', s.dst ?? '10.0.0.2', headerLength + (s.announced ?? payload.length));
  return Uint8Array.from([...ETHERNET, ...ip, ...tcp, ...payload]);
}

export function udpFrameBytes(src: string, sport: number, dst: string, dport: number, payload: number[] = [1, 2, 3, 4]): Uint8Array {
  const udp = [...u16(sport), ...u16(dport), ...u16(8 + payload.length), 0, 0, ...payload];
  return Uint8Array.from([...ETHERNET, ...ipHeader(17, src, dst, udp.length), ...udp]);
}

/** A RawFrame at `ms` milliseconds after 1.7e9 s; `announced` extra bytes count on the wire but are not captured. */
export function rawFrame(number: number, ms: number, data: Uint8Array, uncaptured = 0): RawFrame {
  const ns = Math.round(ms * 1e6);
  return {
    number,
    linkType: 1,
    interfaceId: 0,
    tsSeconds: 1_700_000_000 + Math.floor(ns / 1e9),
    tsNanos: ns % 1_000_000_000,
    originalLength: data.length + uncaptured,
    data,
    fileOffset: 0,
  };
}

export const WINDOW_SCALE = (shift: number) => [3, 3, shift];
export const MSS = (mss: number) => [2, 4, ...u16(mss)];
export const SACK = (...blocks: [number, number][]) => [5, 2 + blocks.length * 8, ...blocks.flatMap(([l, r]) => [...u32(l), ...u32(r)])];
