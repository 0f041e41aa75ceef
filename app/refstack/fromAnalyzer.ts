import type { Dissection } from '../decode/dissection';
import type { TcpSegmentEvent } from '../tcp/analyzer';
import { TCP_SYN, type ObservedSegment } from './events';

/**
 * The reference stack's input from our own pipeline: one TcpAnalyzer segment event plus the decoded
 * frame it came from (for the endpoints and the SYN options the event does not carry). The analyzer's
 * numbers are relative to each side's initial sequence number, which the models handle like raw ones.
 */
export function observedSegment(event: TcpSegmentEvent, d: Dissection): ObservedSegment | null {
  const ip = d.ip;
  const tcp = d.tcp;
  if (!ip || !tcp) return null;
  const options = tcp.options;
  const isSyn = (event.flags & TCP_SYN) !== 0;
  return {
    time: event.tsSeconds + event.tsNanos / 1e9,
    src: endpointText(ip.version, ip.src, tcp.srcPort),
    dst: endpointText(ip.version, ip.dst, tcp.dstPort),
    seq: event.seq,
    ack: event.ack ?? 0,
    len: event.payloadLength,
    flags: event.flags,
    // Unknown scaling (handshake not seen): the unscaled field is all there is.
    window: event.window ?? tcp.window,
    sack: event.sack,
    tsVal: event.tsVal,
    tsEcr: event.tsEcr,
    syn: isSyn ? { mss: options.mss, windowScale: options.windowScale, sackPermitted: options.sackPermitted, timestamps: options.tsVal !== null } : null,
  };
}

/** 'ip:port', or '[v6]:port' for IPv6 (DESIGN section 3). */
export function endpointText(version: 4 | 6, address: string, port: number): string {
  return version === 6 ? `[${address}]:${port}` : `${address}:${port}`;
}
