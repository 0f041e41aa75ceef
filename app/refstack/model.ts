import type { SenderEvent } from './events';

/**
 * The contract every reference sender model keeps: a state machine over the observed segments of one
 * direction, in capture order, with no clock and no I/O (`now` is the event's capture time). `step`
 * updates the model in place; models are cheap to build, so callers run one per candidate.
 */
export interface SenderModel {
  /** Stable identifier, e.g. 'linux-cubic', 'rfc5681-newreno'. */
  readonly name: string;
  step(event: SenderEvent): void;
  /** Processes anything the model still holds back; call once after the last event. */
  finish(): void;
  snapshot(): SenderSnapshot;
  stats(): ModelStats;
  /** The first violations, for diagnosis (bounded). */
  readonly violations: readonly Violation[];
}

export interface ModelStats {
  /** Packets (MSS units) the sender transmitted, retransmissions included. */
  sentPackets: number;
  /** Packets sent beyond what the model's congestion window allowed. */
  violations: number;
  /**
   * ACK-clocked transmissions the model would have allowed (by 2 packets or more) before the ACK that
   * released them: evidence that its window was too large.
   */
  underuse: number;
  /** Packets sent beyond the peer's advertised window (a receiver-side oddity, not the model's fault). */
  rwndViolations: number;
  /** Mean window (packets) the model left unused after each new-data transmission: smaller is tighter. */
  meanSpareWindow: number;
}

/** A transmission the model would not have allowed. */
export interface Violation {
  time: number;
  kind: 'cwnd';
  seq: number;
  len: number;
  /** The model's cwnd and packets in flight when it happened. */
  cwnd: number;
  inFlight: number;
}

/** The model's view of the sender after an event. Bytes, seconds, raw sequence numbers. */
export interface SenderSnapshot {
  time: number;
  sndUna: number;
  sndNxt: number;
  /** Bytes the model believes are in the network (sent, not ACKed, not SACKed, not lost, plus retransmissions). */
  inFlight: number;
  /** Bytes SACKed above snd_una. */
  sacked: number;
  /** Peer's advertised receive window, scaled, bytes. */
  rwnd: number;
  cwnd: number;
  /** null while infinite (no reduction yet). */
  ssthresh: number | null;
  /** Smoothed RTT, seconds; 0 before the first sample. */
  srtt: number;
  /** Loss-recovery state, e.g. 'open', 'recovery', 'loss'. */
  state: string;
  /** False until the handshake (or the first data segment of a capture that misses it) was seen. */
  established: boolean;
}
