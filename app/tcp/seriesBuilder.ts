import type { Dissection } from '../decode/dissection';
import type { ObservedSegment } from '../refstack/events';
import { observedSegment } from '../refstack/fromAnalyzer';
import { windowsSeries, type DirectionWindows } from '../refstack/windows';
import { TcpFlag } from './analysis';
import type { TcpSegmentEvent } from './analyzer';
import { RttEstimator } from './rtt';
import { seqDiff } from './seq';
import type { DirectionSeries, StreamSeries } from './series';

/*
 * Builds a stream's chart series (series.ts) where the capture is read: from the TCP analyzer's segment
 * events and their frames, through the reference stack (windows) and the analyzer's own RTT estimator.
 * Platform-free (app/ imports only), so the service can run it; the UI only receives its result.
 */

/** Turns 32-bit relative sequence numbers into a number line that keeps climbing past 2^32. */
export class SequenceUnwrapper {
  private last: number | null = null;

  /** The unwrapped value nearest to the previous one. */
  at(value: number): number {
    const unwrapped = this.last === null ? value >>> 0 : this.last + seqDiff(this.last >>> 0, value >>> 0);
    this.last = unwrapped;
    return unwrapped;
  }
}

/** A growable column of numbers, turned into a typed array (in a given row order) at the end. */
class Column {
  readonly values: number[] = [];
  push(value: number): void {
    this.values.push(value);
  }
  finish<T>(make: (values: ArrayLike<number>) => T, order: Uint32Array | null): T {
    return make(order ? Array.from(order, (i) => this.values[i]) : this.values);
  }
}

/** The stable permutation that sorts rows by time, or null when they already are. */
function timeOrder(time: readonly number[]): Uint32Array | null {
  let sorted = true;
  for (let i = 1; i < time.length && sorted; i++) if (time[i] < time[i - 1]) sorted = false;
  if (sorted) return null;
  const order = Uint32Array.from(time.keys());
  order.sort((a, b) => time[a] - time[b] || a - b);
  return order;
}

/** Columns of one table, finished together in time order. */
function table<K extends string>(names: readonly K[]): { time: Column; columns: Record<K, Column> } {
  const columns = {} as Record<K, Column>;
  for (const name of names) columns[name] = new Column();
  return { time: new Column(), columns };
}

const TCP_SYN_FIN = TcpFlag.syn | TcpFlag.fin;

/**
 * Collects one stream's segments (add every analysed segment of the stream with the frame it came from,
 * in capture order), then builds its series. Holds one event per segment until then.
 */
export class StreamSeriesBuilder {
  private readonly events: TcpSegmentEvent[] = [];
  private readonly observed: ObservedSegment[] = [];
  private startEpoch = 0;

  constructor(readonly stream: number) {}

  add(event: TcpSegmentEvent, frame: Dissection): void {
    const observed = observedSegment(event, frame);
    if (!observed || event.stream !== this.stream) return;
    if (this.events.length === 0) this.startEpoch = event.tsSeconds + event.tsNanos / 1e9 - event.timeNs / 1e9;
    this.events.push(event);
    this.observed.push(observed);
  }

  /**
   * `windows` is the reference stack's replay of these same segments when the caller has made it already
   * (the stream replay fits the sender models once for its analysis and for the charts).
   */
  finish(windows: readonly DirectionWindows[] = windowsSeries(this.stream, this.observed)): StreamSeries {
    const first = this.events[0];
    const endpoints: [string, string] = ['', ''];
    for (let i = 0; i < this.events.length && (endpoints[0] === '' || endpoints[1] === ''); i++) {
      const e = this.events[i];
      endpoints[e.direction] = this.observed[i].src;
      endpoints[e.direction === 0 ? 1 : 0] = this.observed[i].dst;
    }
    const firstSyn = this.events.find((e) => (e.flags & (TcpFlag.syn | TcpFlag.ack)) === TcpFlag.syn);
    const last = this.events[this.events.length - 1];
    const startSeconds = first ? Math.floor(this.startEpoch) : 0;
    return {
      stream: this.stream,
      startSeconds,
      startNanos: first ? Math.round((this.startEpoch - startSeconds) * 1e9) : 0,
      duration: last ? last.timeNs / 1e9 : 0,
      clientDirection: firstSyn ? firstSyn.direction : 0,
      directions: [this.direction(0, endpoints, windows), this.direction(1, endpoints, windows)],
    };
  }

  private direction(direction: 0 | 1, endpoints: [string, string], windows: readonly DirectionWindows[]): DirectionSeries {
    const segments = table(['seq', 'end', 'len', 'frame', 'flags', 'analysis', 'inFlight'] as const);
    const acks = table(['ack', 'window', 'frame', 'flags', 'analysis'] as const);
    const sacks = table(['left', 'right', 'frame'] as const);
    const rtt = table(['rtt', 'srtt', 'rto', 'minRtt', 'frame', 'source'] as const);
    const seqLine = new SequenceUnwrapper();
    const ackLine = new SequenceUnwrapper();
    // The analyzer's own estimator, replayed on its own inputs: the same samples, with SRTT and RTO after each.
    const estimator = new RttEstimator();
    for (const e of this.events) {
      const time = e.timeNs / 1e9;
      if (e.direction === direction) {
        estimator.onSend(e.seq, e.end, e.timeNs, e.tsVal);
        if (e.end === e.seq && !(e.flags & TCP_SYN_FIN)) continue;
        const seq = seqLine.at(e.seq);
        segments.time.push(time);
        segments.columns.seq.push(seq);
        segments.columns.end.push(seq + seqDiff(e.seq, e.end));
        segments.columns.len.push(e.payloadLength);
        segments.columns.frame.push(e.frame);
        segments.columns.flags.push(e.flags);
        segments.columns.analysis.push(e.analysisFlags);
        segments.columns.inFlight.push(e.bytesInFlight);
        continue;
      }
      if (e.ack === null) continue;
      const ack = ackLine.at(e.ack);
      acks.time.push(time);
      acks.columns.ack.push(ack);
      acks.columns.window.push(e.window ?? 0);
      acks.columns.frame.push(e.frame);
      acks.columns.flags.push(e.flags);
      acks.columns.analysis.push(e.analysisFlags);
      for (let i = 0; i + 1 < e.sack.length; i += 2) {
        sacks.time.push(time);
        // SACK edges sit above the cumulative ACK: unwrap them next to it.
        sacks.columns.left.push(ack + seqDiff(e.ack, e.sack[i]));
        sacks.columns.right.push(ack + seqDiff(e.ack, e.sack[i + 1]));
        sacks.columns.frame.push(e.frame);
      }
      for (const sample of estimator.onAck(e.frame, e.ack, e.timeNs, e.tsEcr)) {
        rtt.time.push(sample.atNs / 1e9);
        rtt.columns.rtt.push(sample.rttNs / 1e9);
        rtt.columns.srtt.push((estimator.srttNs ?? NaN) / 1e9);
        rtt.columns.rto.push(estimator.rtoNs / 1e9);
        rtt.columns.minRtt.push((estimator.minRttNs ?? NaN) / 1e9);
        rtt.columns.frame.push(sample.frame);
        rtt.columns.source.push(sample.source === 'ack' ? 0 : 1);
      }
    }
    const src = endpoints[direction];
    const replay = windows.find((w) => w.src === src);
    const states: string[] = [];
    const rows = table(['sndUna', 'sndNxt', 'inFlight', 'rwnd', 'cwnd', 'ssthresh', 'srtt', 'deliveryRate', 'state'] as const);
    const unaLine = new SequenceUnwrapper();
    const nxtLine = new SequenceUnwrapper();
    for (const row of replay?.rows ?? []) {
      rows.time.push(row.time - this.startEpoch);
      rows.columns.sndUna.push(unaLine.at(row.sndUna));
      rows.columns.sndNxt.push(nxtLine.at(row.sndNxt));
      rows.columns.inFlight.push(row.inFlight);
      rows.columns.rwnd.push(row.rwnd);
      rows.columns.cwnd.push(row.cwnd ?? NaN);
      rows.columns.ssthresh.push(row.ssthresh ?? NaN);
      rows.columns.srtt.push(row.srtt);
      rows.columns.deliveryRate.push(row.deliveryRate);
      let state = states.indexOf(row.state);
      if (state < 0) state = states.push(row.state) - 1;
      rows.columns.state.push(state);
    }
    const s = finishTable(segments);
    const a = finishTable(acks);
    const k = finishTable(sacks);
    const r = finishTable(rtt);
    const w = finishTable(rows);
    return {
      direction,
      src,
      dst: endpoints[direction === 0 ? 1 : 0],
      segments: {
        time: s.time,
        seq: s.f64('seq'),
        end: s.f64('end'),
        len: s.u32('len'),
        frame: s.u32('frame'),
        flags: s.u16('flags'),
        analysis: s.u16('analysis'),
        inFlight: s.f64('inFlight'),
      },
      acks: { time: a.time, ack: a.f64('ack'), window: a.f64('window'), frame: a.u32('frame'), flags: a.u16('flags'), analysis: a.u16('analysis') },
      sacks: { time: k.time, left: k.f64('left'), right: k.f64('right'), frame: k.u32('frame') },
      windows: {
        time: w.time,
        sndUna: w.f64('sndUna'),
        sndNxt: w.f64('sndNxt'),
        inFlight: w.f64('inFlight'),
        rwnd: w.f64('rwnd'),
        cwnd: w.f64('cwnd'),
        ssthresh: w.f64('ssthresh'),
        srtt: w.f64('srtt'),
        deliveryRate: w.f64('deliveryRate'),
        state: w.u8('state'),
      },
      states,
      model: replay?.model ?? 'none',
      verdict: replay?.selection.verdict ?? 'This side sent no data.',
      rtt: {
        time: r.time,
        rtt: r.f64('rtt'),
        srtt: r.f64('srtt'),
        rto: r.f64('rto'),
        minRtt: r.f64('minRtt'),
        frame: r.u32('frame'),
        source: r.u8('source'),
      },
    };
  }
}

function finishTable<K extends string>(t: { time: Column; columns: Record<K, Column> }) {
  const order = timeOrder(t.time.values);
  return {
    time: t.time.finish((v) => Float64Array.from(v), order),
    f64: (name: K) => t.columns[name].finish((v) => Float64Array.from(v), order),
    u32: (name: K) => t.columns[name].finish((v) => Uint32Array.from(v), order),
    u16: (name: K) => t.columns[name].finish((v) => Uint16Array.from(v), order),
    u8: (name: K) => t.columns[name].finish((v) => Uint8Array.from(v), order),
  };
}
