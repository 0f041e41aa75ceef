import { DOUBLE_ZERO, seqDiff, seqGt } from './seq';

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
  /** Highest relative sequence number sent (snd_nxt) and highest acknowledged (snd_una); null before any. */
  private sndNxt: number | null = null;
  private sndUna: number | null = null;
  /** Integral of bytes in flight over time (byte·ns) from the first send to the last event. */
  private byteNs = DOUBLE_ZERO;
  private firstNs: number | null = null;
  private lastNs = DOUBLE_ZERO;
  private bytesAcked = DOUBLE_ZERO;

  /** The direction sent up to `end` (relative, SYN/FIN included) at atNs. */
  onSend(end: number, atNs: number): void {
    this.advanceClock(atNs);
    if (this.sndNxt === null || seqGt(end, this.sndNxt)) this.sndNxt = end;
    this.firstNs ??= atNs;
  }

  /** The peer acknowledged up to `ack` (relative to this direction's base) at atNs. */
  onAck(ack: number, atNs: number): void {
    if (this.sndNxt === null) return;
    this.advanceClock(atNs);
    if (this.sndUna === null) this.sndUna = ack;
    else if (seqGt(ack, this.sndUna)) {
      this.bytesAcked += seqDiff(this.sndUna, ack);
      this.sndUna = ack;
    }
  }

  summary(meanRttNs: number | null): FlightSummary {
    const spanNs = this.firstNs === null ? 0 : this.lastNs - this.firstNs;
    const throughput = spanNs > 0 ? this.bytesAcked / (spanNs / 1e9) : 0;
    return {
      meanBytesInFlight: spanNs > 0 ? this.byteNs / spanNs : 0,
      throughputBytesPerSecond: throughput,
      meanRttNs,
      littlesLawBytes: meanRttNs === null ? null : (throughput * meanRttNs) / 1e9,
    };
  }

  private advanceClock(atNs: number): void {
    if (this.firstNs !== null && atNs > this.lastNs) this.byteNs += this.inFlight() * (atNs - this.lastNs);
    if (atNs > this.lastNs) this.lastNs = atNs;
  }

  private inFlight(): number {
    if (this.sndNxt === null || this.sndUna === null) return 0;
    return Math.max(0, seqDiff(this.sndUna, this.sndNxt));
  }
}
