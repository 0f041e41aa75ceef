import { seqGe, seqGt, seqLe } from './seq';
import { DOUBLE_ZERO } from '../decode/bytes';

/*
 * Round-trip time of one direction of data, as its sender would measure it, from two kinds of samples:
 * - ACK samples under Karn's rule (RFC 6298 section 3): a segment that was retransmitted is never timed,
 *   and an ACK yields a sample only when it covers the end of a timed segment for the first time;
 * - timestamp samples (RFC 7323 section 4.1): an ACK echoing TSval v measures from the first segment
 *   that carried v (echoes of retransmitted segments are still valid: TSval is not reused).
 * The smoothed estimate, variation and RTO follow RFC 6298 section 2; the minimum is kept for models
 * (CUBIC/HyStart/BBR) that want it. Times are nanoseconds of capture time.
 */

/** RFC 6298 section 2.4 minimum RTO (1 s); Linux uses 200 ms (TCP_RTO_MIN), pass it when modelling Linux. */
export const RFC6298_MIN_RTO_NS = 1_000_000_000;
/** RFC 6298 section 2.4: "a maximum value MAY be placed on RTO provided it is at least 60 seconds". */
const MAX_RTO_NS = 60_000_000_000;
/** Clock granularity G of RFC 6298 section 2: the capture clock resolves 1 µs or better. */
const CLOCK_GRANULARITY_NS = 1_000;
/** Timed segments and TSvals remembered per direction: more outstanding than this is not timed. */
const MAX_TIMED = 4096;

export type RttSampleSource = 'ack' | 'timestamp';

export interface RttSample {
  /** Frame of the acknowledgment that produced the sample. */
  frame: number;
  /** When the acknowledgment was seen, ns. */
  atNs: number;
  rttNs: number;
  source: RttSampleSource;
}

/** A class whose numbers are doubles from the first one: sequence numbers pass 2^31 and times are large. */
class TimedSegment {
  end = DOUBLE_ZERO;
  sentNs = DOUBLE_ZERO;
  retransmitted = false;

  constructor(end: number, sentNs: number, retransmitted: boolean) {
    this.end = end;
    this.sentNs = sentNs;
    this.retransmitted = retransmitted;
  }
}

export interface RttEstimate {
  /** Latest smoothed RTT, variation and RTO, ns (null before the first sample). */
  srttNs: number | null;
  rttvarNs: number | null;
  rtoNs: number;
  minRttNs: number | null;
  /** Mean of all samples, and queueing delay: mean RTT minus the minimum (time spent waiting in queues). */
  meanRttNs: number | null;
  queueingDelayNs: number | null;
  samples: number;
}

const NO_SAMPLES: readonly RttSample[] = Object.freeze([]);

export class RttEstimator {
  srttNs: number | null = null;
  rttvarNs: number | null = null;
  /** RFC 6298 section 2.1: before any measurement, RTO is 1 second. */
  rtoNs = 1_000_000_000;
  minRttNs: number | null = null;
  samples = 0;
  private sumRttNs = DOUBLE_ZERO;
  /**
   * Outstanding data segments in sequence order, for ACK samples (Karn's rule): timed[timedHead..]. ACKs
   * remove from the front; moving the head rather than splicing keeps that constant time per ACK.
   */
  private timed: TimedSegment[] = [];
  private timedHead = 0;
  /** Highest sequence number ever sent: a segment starting below it is a retransmission. */
  private highestSent: number | null = null;
  /** TSval -> when it was first sent, in sending order (created with the first TSval: most streams never need it). */
  private tsSent: Map<number, number> | null = null;

  constructor(private readonly minRtoNs = RFC6298_MIN_RTO_NS) {}

  /** Forgets the `count` oldest timed segments; the array is compacted once its dead front is half of it. */
  private dropTimed(count: number): void {
    this.timedHead += count;
    if (this.timedHead === this.timed.length) {
      this.timed.length = 0;
      this.timedHead = 0;
    } else if (this.timedHead * 2 > this.timed.length) {
      this.timed = this.timed.slice(this.timedHead);
      this.timedHead = 0;
    }
  }

  /** The data sender sent [seq, end) (end includes SYN/FIN) at atNs, with TSval if present. */
  onSend(seq: number, end: number, atNs: number, tsVal: number | null): void {
    if (tsVal !== null) {
      const sent = (this.tsSent ??= new Map());
      if (!sent.has(tsVal)) {
        if (sent.size >= MAX_TIMED) sent.delete(sent.keys().next().value as number);
        sent.set(tsVal, atNs);
      }
    }
    if (end === seq) return;
    const isRetransmission = this.highestSent !== null && seqLe(end, this.highestSent);
    const overlapsSent = this.highestSent !== null && seqGt(this.highestSent, seq);
    if (isRetransmission || overlapsSent) {
      // Karn: everything this segment re-sends is no longer timed.
      for (let i = this.timedHead; i < this.timed.length; i++) {
        const t = this.timed[i];
        if (seqGt(t.end, seq) && seqLe(t.end, end)) t.retransmitted = true;
      }
    }
    if (!isRetransmission) {
      if (this.timed.length - this.timedHead >= MAX_TIMED) this.dropTimed(1);
      this.timed.push(new TimedSegment(end, atNs, overlapsSent));
      this.highestSent = end;
    }
  }

  /**
   * The receiver acknowledged up to ack (and echoed tsEcr) at atNs; returns the samples taken. When both
   * kinds exist the timestamp sample drives SRTT (RFC 7323 section 4.2: RTTM replaces Karn's timing).
   */
  onAck(frame: number, ack: number, atNs: number, tsEcr: number | null): readonly RttSample[] {
    let newest: TimedSegment | null = null;
    let covered = 0;
    for (let i = this.timedHead; i < this.timed.length; i++) {
      const t = this.timed[i];
      if (!seqGe(ack, t.end)) break;
      covered++;
      newest = t;
    }
    // Most ACKs in a capture time nothing: they share one empty answer.
    if (covered === 0) return NO_SAMPLES;
    this.dropTimed(covered);
    const out: RttSample[] = [];
    // RFC 6298 section 3: time only segments that were never retransmitted; one sample per ACK.
    if (newest && !newest.retransmitted) out.push({ frame, atNs, rttNs: Math.max(0, atNs - newest.sentNs), source: 'ack' });
    const tsSentNs = tsEcr === null || this.tsSent === null ? undefined : this.tsSent.get(tsEcr);
    if (tsSentNs !== undefined && this.tsSent) {
      out.push({ frame, atNs, rttNs: Math.max(0, atNs - tsSentNs), source: 'timestamp' });
      // Older TSvals can no longer be echoed by a new ACK. The echoed one stays: with a coarse timestamp
      // clock later segments carry it too, and re-registering it at their send time would time them too short.
      for (const key of this.tsSent.keys()) {
        if (key === tsEcr) break;
        this.tsSent.delete(key);
      }
    }
    if (out.length > 0) this.update(out[out.length - 1].rttNs);
    for (const sample of out) {
      this.minRttNs = this.minRttNs === null ? sample.rttNs : Math.min(this.minRttNs, sample.rttNs);
      this.sumRttNs += sample.rttNs;
    }
    this.samples += out.length;
    return out;
  }

  estimate(): RttEstimate {
    const meanRttNs = this.samples > 0 ? this.sumRttNs / this.samples : null;
    return {
      srttNs: this.srttNs,
      rttvarNs: this.rttvarNs,
      rtoNs: this.rtoNs,
      minRttNs: this.minRttNs,
      meanRttNs,
      queueingDelayNs: meanRttNs === null || this.minRttNs === null ? null : meanRttNs - this.minRttNs,
      samples: this.samples,
    };
  }

  /** RFC 6298 sections 2.2 and 2.3, then RTO = SRTT + max(G, 4 * RTTVAR), clamped (section 2.4). */
  private update(r: number): void {
    if (this.srttNs === null || this.rttvarNs === null) {
      this.srttNs = r;
      this.rttvarNs = r / 2;
    } else {
      this.rttvarNs = 0.75 * this.rttvarNs + 0.25 * Math.abs(this.srttNs - r);
      this.srttNs = 0.875 * this.srttNs + 0.125 * r;
    }
    this.rtoNs = Math.min(MAX_RTO_NS, Math.max(this.minRtoNs, this.srttNs + Math.max(CLOCK_GRANULARITY_NS, 4 * this.rttvarNs)));
  }
}
