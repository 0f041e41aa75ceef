import type { Dissection } from '../decode/dissection';
import { endpointText } from '../refstack/fromAnalyzer';
import type { TcpSegmentEvent } from '../tcp/analyzer';

/**
 * One TCP segment of a stream as the handshake diagram needs it: the header values of the decoded frame
 * (raw numbers, options) next to what the TCP analyzer made of them (direction, relative numbers, scaled
 * window, Wireshark's analysis flags). Plain data: it crosses IPC unchanged.
 */
export interface DiagramSegment {
  frame: number;
  /** 0 when endpoint A (the source of the stream's first packet) sent it, 1 for B. */
  direction: 0 | 1;
  /** Capture time since the stream's first packet, ns. */
  timeNs: number;
  /** The 12 flag bits of tcp.flags. */
  flags: number;
  /** Raw 32-bit sequence and acknowledgment numbers (tcp.seq_raw, tcp.ack_raw). */
  seqRaw: number;
  ackRaw: number;
  /** Relative sequence number (tcp.seq) and acknowledgment number (tcp.ack; null without the ACK flag). */
  seq: number;
  ack: number | null;
  /** tcp.len. */
  len: number;
  /** The window field as sent, and scaled by the sender's shift when the handshake showed it (tcp.window_size). */
  windowRaw: number;
  window: number;
  mss: number | null;
  windowScale: number | null;
  sackPermitted: boolean;
  /** SACK blocks relative to the peer's initial sequence number: [left0, right0, ...]. */
  sack: readonly number[];
  tsVal: number | null;
  tsEcr: number | null;
  /** TcpAnalysisFlag bits (app/tcp/analysis.ts). */
  analysisFlags: number;
}

/** The stream a diagram is drawn for: its endpoints and when it starts. */
export interface DiagramStream {
  stream: number;
  /** 'ip:port' ('[v6]:port') of endpoint A (the first packet's source) and B. */
  a: string;
  b: string;
  /** Capture time of the stream's first packet. */
  startSeconds: number;
  startNanos: number;
}

/** The diagram's view of one analysed segment: the analyzer's event plus the frame it came from. */
export function diagramSegment(event: TcpSegmentEvent, d: Dissection): DiagramSegment | null {
  const tcp = d.tcp;
  if (!tcp) return null;
  const options = tcp.options;
  return {
    frame: event.frame,
    direction: event.direction,
    timeNs: event.timeNs,
    flags: event.flags,
    seqRaw: tcp.seq,
    ackRaw: tcp.ack,
    seq: event.seq,
    ack: event.ack,
    len: event.payloadLength,
    windowRaw: tcp.window,
    window: event.window ?? tcp.window,
    mss: options.mss,
    windowScale: options.windowScale,
    sackPermitted: options.sackPermitted,
    sack: event.sack,
    tsVal: options.tsVal,
    tsEcr: options.tsEcr,
    analysisFlags: event.analysisFlags,
  };
}

/**
 * The stream of an analysed segment, from the first segment seen of it: its endpoints by direction and
 * its start time (the event's time less its offset into the stream).
 */
export function diagramStream(event: TcpSegmentEvent, d: Dissection): DiagramStream | null {
  const ip = d.ip;
  const tcp = d.tcp;
  if (!ip || !tcp) return null;
  const src = endpointText(ip.version, ip.src, tcp.srcPort);
  const dst = endpointText(ip.version, ip.dst, tcp.dstPort);
  // Seconds and nanoseconds apart: epoch nanoseconds do not fit a double exactly.
  const offsetSeconds = Math.floor(event.timeNs / 1e9);
  let startSeconds = event.tsSeconds - offsetSeconds;
  let startNanos = event.tsNanos - (event.timeNs - offsetSeconds * 1e9);
  if (startNanos < 0) {
    startNanos += 1e9;
    startSeconds--;
  }
  return { stream: event.stream, a: event.direction === 0 ? src : dst, b: event.direction === 0 ? dst : src, startSeconds, startNanos };
}
