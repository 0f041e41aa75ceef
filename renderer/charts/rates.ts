import type { DirectionSeries } from './series';

/*
 * Throughput and goodput of one direction, averaged over a trailing window the user picks:
 * - throughput: payload bytes the sender put on the wire (retransmissions included) per second;
 * - goodput: bytes the receiver newly acknowledged (the cumulative ACK's advance) per second.
 * The value at a row's time is the amount in (t - window, t] divided by the window, as Wireshark's
 * moving-average throughput graph does (the first window of the stream reads low).
 */

/** Amount per second over the trailing window, at each row's time (times sorted ascending). */
export function movingRate(time: ArrayLike<number>, amount: ArrayLike<number>, windowSeconds: number): Float64Array {
  if (!(windowSeconds > 0)) throw new RangeError(`averaging window must be positive, got ${windowSeconds}`);
  const out = new Float64Array(time.length);
  let sum = 0;
  let first = 0;
  for (let i = 0; i < time.length; i++) {
    sum += amount[i];
    while (time[first] <= time[i] - windowSeconds) sum -= amount[first++];
    out[i] = sum / windowSeconds;
  }
  return out;
}

/** Bytes each acknowledgment newly covers: the advance of the highest ACK so far (never negative). */
export function ackAdvance(ack: ArrayLike<number>): Float64Array {
  const out = new Float64Array(ack.length);
  let highest = ack.length > 0 ? ack[0] : 0;
  for (let i = 0; i < ack.length; i++) {
    if (ack[i] > highest) {
      out[i] = ack[i] - highest;
      highest = ack[i];
    }
  }
  return out;
}

export interface Rates {
  throughput: { time: Float64Array; value: Float64Array };
  goodput: { time: Float64Array; value: Float64Array };
}

/** Throughput and goodput (bytes per second) of a direction over a trailing window. */
export function directionRates(series: DirectionSeries, windowSeconds: number): Rates {
  return {
    throughput: { time: series.segments.time, value: movingRate(series.segments.time, series.segments.len, windowSeconds) },
    goodput: { time: series.acks.time, value: movingRate(series.acks.time, ackAdvance(series.acks.ack), windowSeconds) },
  };
}

/** The averaging windows offered: fixed ones, and a few smoothed round trips when the stream has RTT samples. */
export function averagingWindows(series: DirectionSeries): { label: string; seconds: number }[] {
  const out = [
    { label: '1 ms', seconds: 0.001 },
    { label: '10 ms', seconds: 0.01 },
    { label: '100 ms', seconds: 0.1 },
    { label: '1 s', seconds: 1 },
  ];
  const srtt = medianSrtt(series);
  if (srtt > 0) out.push({ label: `4 × SRTT (${(4 * srtt * 1e3).toPrecision(3)} ms)`, seconds: 4 * srtt });
  return out;
}

/**
 * The window a chart starts with: a few round trips (the typical SRTT; single samples can be far off),
 * else the fixed one nearest a hundredth of the stream.
 */
export function defaultAveragingWindow(series: DirectionSeries, duration: number): number {
  const srtt = medianSrtt(series);
  if (srtt > 0) return 4 * srtt;
  const target = Math.max(duration / 100, 1e-3);
  return averagingWindows(series).reduce((best, w) => (Math.abs(Math.log(w.seconds / target)) < Math.abs(Math.log(best / target)) ? w.seconds : best), 1);
}

function medianSrtt(series: DirectionSeries): number {
  const values = Array.from(series.rtt.srtt).filter((v) => v > 0).sort((a, b) => a - b);
  return values.length > 0 ? values[Math.floor(values.length / 2)] : 0;
}
