import { seqDiff, seqGt } from './seq';
import { DOUBLE_ZERO } from '../decode/bytes';

/**
 * Little's law for one direction of a connection: the time-average of the bytes in flight
 * (snd_nxt - snd_una as the capture shows them) beside what throughput x mean RTT predicts. When the
 * two disagree, the RTT samples or the vantage point are telling a different story than the flight size.
 */
export interface FlightSummary {
  /** Time-weighted mean of snd_nxt - snd_una over the direction's active period, bytes. */
  meanBytesInFlight: number;
  /** Bytes newly acknowledged per second over the same period. */
  throughputBytesPerSecond: number;
  /** Mean of the RTT samples (ns), and throughput x mean RTT (bytes): Little's L = lambda x W. */
  meanRttNs: number | null;
  littlesLawBytes: number | null;
}

export class FlightTracker {
  /**
   * Highest relative sequence number sent (snd_nxt) and highest acknowledged (snd_una), valid once sent /
   * acked are set. Plain numbers with flags rather than number | null: a nullable field holds a boxed number,
   * and these change on every segment.
   */
  private sent = false;
  private acked = false;
  private sndNxt = DOUBLE_ZERO;
  private sndUna = DOUBLE_ZERO;
  /** Integral of bytes in flight over time (byte·ns) from the first send to the last event. */
  private byteNs = DOUBLE_ZERO;
  private firstNs = DOUBLE_ZERO;
  private lastNs = DOUBLE_ZERO;
  private bytesAcked = DOUBLE_ZERO;

  /** The direction sent up to `end` (relative, SYN/FIN included) at atNs. */
  onSend(end: number, atNs: number): void {
    this.advanceClock(atNs);
    if (!this.sent) {
      this.sent = true;
      this.sndNxt = end;
      this.firstNs = atNs;
    } else if (seqGt(end, this.sndNxt)) {
      this.sndNxt = end;
    }
  }

  /** The peer acknowledged up to `ack` (relative to this direction's base) at atNs. */
  onAck(ack: number, atNs: number): void {
    if (!this.sent) return;
    this.advanceClock(atNs);
    if (!this.acked) {
      this.acked = true;
      this.sndUna = ack;
    } else if (seqGt(ack, this.sndUna)) {
      this.bytesAcked += seqDiff(this.sndUna, ack);
      this.sndUna = ack;
    }
  }

  summary(meanRttNs: number | null): FlightSummary {
    const spanNs = this.sent ? this.lastNs - this.firstNs : 0;
    const throughput = spanNs > 0 ? this.bytesAcked / (spanNs / 1e9) : 0;
    return {
      meanBytesInFlight: spanNs > 0 ? this.byteNs / spanNs : 0,
      throughputBytesPerSecond: throughput,
      meanRttNs,
      littlesLawBytes: meanRttNs === null ? null : (throughput * meanRttNs) / 1e9,
    };
  }

  private advanceClock(atNs: number): void {
    if (atNs <= this.lastNs) return;
    if (this.sent && this.acked) this.byteNs += Math.max(0, seqDiff(this.sndUna, this.sndNxt)) * (atNs - this.lastNs);
    this.lastNs = atNs;
  }
}
