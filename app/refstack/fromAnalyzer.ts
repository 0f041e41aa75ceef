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
    src: recentEndpointText(ip.version, ip.src, tcp.srcPort),
    dst: recentEndpointText(ip.version, ip.dst, tcp.dstPort),
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

/** The texts of the last two endpoints met: a stream's segments go back and forth between two (one string each, not one per segment). */
const recentEndpoints = [
  { version: 0, address: '', port: -1, text: '' },
  { version: 0, address: '', port: -1, text: '' },
];
let nextRecentEndpoint = 0;

function recentEndpointText(version: 4 | 6, address: string, port: number): string {
  for (const e of recentEndpoints) if (e.port === port && e.address === address && e.version === version) return e.text;
  const e = recentEndpoints[nextRecentEndpoint];
  nextRecentEndpoint ^= 1;
  e.version = version;
  e.address = address;
  e.port = port;
  e.text = endpointText(version, address, port);
  return e.text;
}

/** 'ip:port', or '[v6]:port' for IPv6 (DESIGN section 3). */
export function endpointText(version: 4 | 6, address: string, port: number): string {
  return version === 6 ? `[${address}]:${port}` : `${address}:${port}`;
}
