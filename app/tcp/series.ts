import { TcpAnalysisFlag } from './analysis';

/*
 * The chart data of one TCP stream: typed columns per direction of data, ready to cross IPC and to be
 * binned per pixel. Built where the capture is read (the service) by seriesBuilder.ts from the TCP
 * analyzer's segment events and the frames they came from; plain data (typed arrays, strings, numbers).
 *
 * Conventions of every column set:
 * - time is seconds since the stream's first packet; rows are sorted by it (stable: capture order among
 *   equal times and when a capture's clock steps back);
 * - sequence numbers are in the data sender's space, relative to its initial sequence number (the first
 *   data byte after the SYN is 1) and unwrapped past 2^32, so a 5 GB transfer climbs to 5e9;
 * - NaN means "no value" (no cwnd when no model fits, no ssthresh while it is infinite).
 */

/** The data sender's segments that take sequence space (data, SYN, FIN): tcptrace's vertical bars. */
export interface SegmentColumns {
  time: Float64Array;
  /** First sequence number and the one after the segment (SYN and FIN count one). */
  seq: Float64Array;
  end: Float64Array;
  /** tcp.len. */
  len: Uint32Array;
  frame: Uint32Array;
  flags: Uint16Array;
  /** TcpAnalysisFlag bits (retransmissions, out-of-order, ...). */
  analysis: Uint16Array;
  /** Wireshark's tcp.analysis.bytes_in_flight after the segment (0 when it shows none). */
  inFlight: Float64Array;
}

/** The receiver's acknowledgments of that data, with its advertised window. */
export interface AckColumns {
  time: Float64Array;
  ack: Float64Array;
  /** Advertised window, scaled (bytes); ack + window is the right edge of what the sender may send. */
  window: Float64Array;
  frame: Uint32Array;
  flags: Uint16Array;
  analysis: Uint16Array;
}

/** SACK blocks the receiver reported, one row per block. */
export interface SackColumns {
  time: Float64Array;
  left: Float64Array;
  right: Float64Array;
  frame: Uint32Array;
}

/** The reference stack's replay of the sender (app/refstack/windows.ts), one row per change. */
export interface WindowColumns {
  time: Float64Array;
  sndUna: Float64Array;
  sndNxt: Float64Array;
  /** Bytes the model believes in flight. */
  inFlight: Float64Array;
  rwnd: Float64Array;
  /** NaN when no congestion-window model fits the sender. */
  cwnd: Float64Array;
  /** NaN while infinite (no reduction yet) or without a model. */
  ssthresh: Float64Array;
  /** Smoothed RTT of the model, seconds. */
  srtt: Float64Array;
  /** Bytes delivered per second over the last smoothed RTT. */
  deliveryRate: Float64Array;
  /** Index into DirectionSeries.states ('open', 'recovery', 'loss', ...). */
  state: Uint8Array;
}

/** Round-trip samples of the sender's data and the RFC 6298 estimator after each (app/tcp/rtt.ts). */
export interface RttColumns {
  /** When the acknowledgment that produced the sample was seen. */
  time: Float64Array;
  /** Seconds. */
  rtt: Float64Array;
  srtt: Float64Array;
  rto: Float64Array;
  /** Lowest sample so far. */
  minRtt: Float64Array;
  frame: Uint32Array;
  /** 0: ACK sample (Karn's rule), 1: timestamp echo (RFC 7323). */
  source: Uint8Array;
}

export interface DirectionSeries {
  /** 0: data sent by endpoint A (the stream's first packet's source), 1: by B. */
  direction: 0 | 1;
  /** 'ip:port' of the data sender and of its peer. */
  src: string;
  dst: string;
  segments: SegmentColumns;
  acks: AckColumns;
  sacks: SackColumns;
  windows: WindowColumns;
  states: string[];
  /** The reference model the windows come from, or 'none' when no cwnd model fits. */
  model: string;
  /** The model selection's sentence for the user. */
  verdict: string;
  rtt: RttColumns;
}

export interface StreamSeries {
  stream: number;
  /** Capture time of the stream's first packet. */
  startSeconds: number;
  startNanos: number;
  /** Seconds from the first to the last packet. */
  duration: number;
  /** The direction the client's data goes (the first SYN's sender; else A). */
  clientDirection: 0 | 1;
  /** Indexed by direction. */
  directions: [DirectionSeries, DirectionSeries];
}

const RETRANSMISSION = TcpAnalysisFlag.retransmission | TcpAnalysisFlag.fastRetransmission | TcpAnalysisFlag.spuriousRetransmission;

/** Whether a segment's analysis flags make it a retransmission of any kind. */
export function isRetransmission(analysis: number): boolean {
  return (analysis & RETRANSMISSION) !== 0;
}
