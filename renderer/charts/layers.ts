import { TcpAnalysisFlag, TcpFlag } from '../../app/tcp/analysis';
import { toCsv, type CsvColumn } from './csv';
import { directionRates } from './rates';
import { formatBitRate, formatBytes, formatSeconds } from './scale';
import { isRetransmission, type DirectionSeries } from './series';

/*
 * What each chart draws, as layers over the series columns (no copies of the big columns where avoidable):
 * - time-sequence (tcptrace): segments as bars seq..end (retransmissions apart), the ACK line, the
 *   receive-window line (ack + scaled window), SACK blocks, duplicate-ACK ticks, zero-window marks and
 *   the reference model's cwnd edge (snd_una + cwnd);
 * - windows: receive window, bytes in flight (model and Wireshark), cwnd, ssthresh, recovery periods
 *   and retransmissions;
 * - RTT: samples, SRTT, RTO, minimum RTT and queueing delay (sample minus the stream's minimum);
 * - rates: throughput and goodput over a chosen averaging window, and the model's delivery rate.
 */

export type PointShape = 'dot' | 'tick' | 'cross';

interface LayerBase {
  name: string;
  colour: string;
  /** The frame of each row, for hover and click-to-select. */
  frames?: ArrayLike<number>;
  /** Hover text of a row. */
  describe?: (row: number) => string;
  /** Rows this layer draws, when it shares columns with another layer. */
  include?: (row: number) => boolean;
  /** Off until the user turns it on in the legend (a layer whose scale would flatten the others). */
  hiddenByDefault?: boolean;
}

export interface BarsLayer extends LayerBase {
  kind: 'bars';
  time: ArrayLike<number>;
  low: ArrayLike<number>;
  high: ArrayLike<number>;
}

export interface LineLayer extends LayerBase {
  kind: 'line';
  time: ArrayLike<number>;
  value: ArrayLike<number>;
  /** A step function (holds its value until the next row), as ACK and window lines are. */
  step: boolean;
  dashed?: boolean;
}

export interface PointsLayer extends LayerBase {
  kind: 'points';
  time: ArrayLike<number>;
  value: ArrayLike<number>;
  shape: PointShape;
}

/** Shaded time intervals across the whole plot (recovery periods), each in its own colour. */
export interface BandsLayer {
  kind: 'bands';
  name: string;
  /** The legend's colour. */
  colour: string;
  start: Float64Array;
  end: Float64Array;
  labels: string[];
  colours: string[];
  hiddenByDefault?: boolean;
}

/** Short marks along the top edge of the plot at given times (events without a value). */
export interface MarksLayer extends LayerBase {
  kind: 'marks';
  time: ArrayLike<number>;
}

export type ChartLayer = BarsLayer | LineLayer | PointsLayer | BandsLayer | MarksLayer;

export interface ChartSpec {
  id: 'time-sequence' | 'windows' | 'rtt' | 'rates';
  title: string;
  yLabel: string;
  /** Axis label of a value, given the visible span. */
  formatY(value: number, span: number): string;
  layers: ChartLayer[];
}

export const COLOURS = {
  segment: '#1f5fbf',
  retransmission: '#d35400',
  ack: '#2e7d32',
  window: '#8e24aa',
  sack: '#f2b600',
  duplicateAck: '#c62828',
  zeroWindow: '#000000',
  cwnd: '#00897b',
  ssthresh: '#6d4c41',
  inFlight: '#1f5fbf',
  wiresharkInFlight: '#90a4ae',
  rtt: '#1f5fbf',
  srtt: '#2e7d32',
  rto: '#c62828',
  minRtt: '#6d4c41',
  queueing: '#8e24aa',
  throughput: '#1f5fbf',
  goodput: '#2e7d32',
  deliveryRate: '#d35400',
} as const;

const STATE_COLOURS: Record<string, string> = {
  recovery: 'rgba(255, 152, 0, 0.18)',
  loss: 'rgba(229, 57, 53, 0.18)',
  cwr: 'rgba(121, 134, 203, 0.18)',
  disorder: 'rgba(158, 158, 158, 0.15)',
};

const FLAG_NAMES = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR', 'AE'];

export function flagsText(flags: number): string {
  const names = FLAG_NAMES.filter((_, bit) => flags & (1 << bit));
  return names.length > 0 ? names.join(', ') : '<None>';
}

function seconds(value: number): string {
  return `${value.toFixed(6)} s`;
}

function milliseconds(value: number): string {
  return `${(value * 1e3).toFixed(3)} ms`;
}

/** A column computed from two others, row by row. */
function combine(a: ArrayLike<number>, b: ArrayLike<number>, f: (x: number, y: number) => number): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = f(a[i], b[i]);
  return out;
}

/** tcptrace draws each segment as a bar from seq to seq+len; Stevens' figures draw a point at its sequence number. */
export type TimeSequenceStyle = 'tcptrace' | 'stevens';

/** The data segments as tcptrace bars (seq..seq+len) or Stevens points (at seq); retransmissions apart. */
function segmentLayers(
  style: TimeSequenceStyle,
  s: DirectionSeries['segments'],
  describe: (row: number) => string,
  retransmitted: (row: number) => boolean,
): ChartLayer[] {
  const original = (i: number) => !retransmitted(i);
  if (style === 'stevens') {
    return [
      { kind: 'points', name: 'Segments', colour: COLOURS.segment, shape: 'dot', time: s.time, value: s.seq, frames: s.frame, describe, include: original },
      { kind: 'points', name: 'Retransmissions', colour: COLOURS.retransmission, shape: 'cross', time: s.time, value: s.seq, frames: s.frame, describe, include: retransmitted },
    ];
  }
  return [
    { kind: 'bars', name: 'Segments', colour: COLOURS.segment, time: s.time, low: s.seq, high: s.end, frames: s.frame, describe, include: original },
    { kind: 'bars', name: 'Retransmissions', colour: COLOURS.retransmission, time: s.time, low: s.seq, high: s.end, frames: s.frame, describe, include: retransmitted },
  ];
}

export function timeSequenceChart(d: DirectionSeries, style: TimeSequenceStyle = 'tcptrace'): ChartSpec {
  const s = d.segments;
  const a = d.acks;
  const k = d.sacks;
  const w = d.windows;
  const segmentText = (i: number) =>
    `frame ${s.frame[i]} at ${seconds(s.time[i])}: seq ${s.seq[i]}–${s.end[i]}, len ${s.len[i]} [${flagsText(s.flags[i])}]${isRetransmission(s.analysis[i]) ? ' retransmission' : ''}`;
  const ackText = (i: number) => `frame ${a.frame[i]} at ${seconds(a.time[i])}: ack ${a.ack[i]}, window ${a.window[i]} [${flagsText(a.flags[i])}]`;
  const retransmitted = (i: number) => isRetransmission(s.analysis[i]);
  return {
    id: 'time-sequence',
    title: `Time-sequence ${d.src} → ${d.dst}`,
    yLabel: 'sequence number',
    formatY: (v) => formatBytes(v),
    layers: [
      { kind: 'line', name: 'Receive window', colour: COLOURS.window, time: a.time, value: combine(a.ack, a.window, (x, y) => x + y), step: true, frames: a.frame, describe: ackText },
      { kind: 'line', name: 'cwnd (model)', colour: COLOURS.cwnd, time: w.time, value: combine(w.sndUna, w.cwnd, (x, y) => x + y), step: true, dashed: true },
      { kind: 'line', name: 'ACK', colour: COLOURS.ack, time: a.time, value: a.ack, step: true, frames: a.frame, describe: ackText },
      { kind: 'bars', name: 'SACK', colour: COLOURS.sack, time: k.time, low: k.left, high: k.right, frames: k.frame, describe: (i) => `frame ${k.frame[i]}: SACK ${k.left[i]}–${k.right[i]}` },
      ...segmentLayers(style, s, segmentText, retransmitted),
      {
        kind: 'points',
        name: 'Duplicate ACK',
        colour: COLOURS.duplicateAck,
        shape: 'tick',
        time: a.time,
        value: a.ack,
        frames: a.frame,
        describe: (i) => `${ackText(i)}, duplicate ACK`,
        include: (i) => (a.analysis[i] & TcpAnalysisFlag.duplicateAck) !== 0,
      },
      {
        kind: 'points',
        name: 'Zero window',
        colour: COLOURS.zeroWindow,
        shape: 'cross',
        time: a.time,
        value: a.ack,
        frames: a.frame,
        describe: (i) => `${ackText(i)}, zero window`,
        include: (i) => a.window[i] === 0 && (a.flags[i] & (TcpFlag.syn | TcpFlag.fin | TcpFlag.rst)) === 0,
      },
    ],
  };
}

/** Intervals of each non-open state of the model (recovery, loss, ...). */
export function recoveryPeriods(d: DirectionSeries, end: number): BandsLayer {
  const w = d.windows;
  const starts: number[] = [];
  const ends: number[] = [];
  const labels: string[] = [];
  for (let i = 0; i < w.time.length; i++) {
    const state = d.states[w.state[i]];
    const previous = i > 0 ? d.states[w.state[i - 1]] : 'open';
    if (state === previous) continue;
    if (previous !== 'open') ends.push(w.time[i]);
    if (state !== 'open') {
      starts.push(w.time[i]);
      labels.push(state);
    }
  }
  if (ends.length < starts.length) ends.push(Math.max(end, starts[starts.length - 1]));
  return {
    kind: 'bands',
    name: 'Recovery periods',
    colour: STATE_COLOURS.recovery,
    start: Float64Array.from(starts),
    end: Float64Array.from(ends),
    labels,
    colours: labels.map((state) => STATE_COLOURS[state] ?? STATE_COLOURS.disorder),
  };
}

export function windowsChart(d: DirectionSeries, streamEnd: number): ChartSpec {
  const w = d.windows;
  const s = d.segments;
  const a = d.acks;
  const rowText = (i: number) =>
    `${seconds(w.time[i])} (${d.states[w.state[i]]}): in flight ${w.inFlight[i]}, cwnd ${Number.isNaN(w.cwnd[i]) ? '–' : w.cwnd[i]}, ssthresh ${Number.isNaN(w.ssthresh[i]) ? '∞' : w.ssthresh[i]}, rwnd ${w.rwnd[i]}`;
  // A receive window far above what the sender ever had out would flatten cwnd and flight: shown on request.
  const largest = (values: ArrayLike<number>) => {
    let m = 0;
    for (let i = 0; i < values.length; i++) if (values[i] > m) m = values[i];
    return m;
  };
  const rwndDominates = largest(a.window) > 4 * Math.max(largest(w.cwnd), largest(w.inFlight), largest(s.inFlight));
  return {
    id: 'windows',
    title: `Windows ${d.src} → ${d.dst} (model: ${d.model})`,
    yLabel: 'bytes',
    formatY: (v) => formatBytes(v),
    layers: [
      recoveryPeriods(d, streamEnd),
      {
        kind: 'line',
        name: 'Receive window',
        colour: COLOURS.window,
        time: a.time,
        value: a.window,
        step: true,
        frames: a.frame,
        describe: (i) => `frame ${a.frame[i]}: window ${a.window[i]}`,
        hiddenByDefault: rwndDominates,
      },
      { kind: 'line', name: 'ssthresh', colour: COLOURS.ssthresh, time: w.time, value: w.ssthresh, step: true, dashed: true, describe: rowText },
      { kind: 'line', name: 'Bytes in flight (model)', colour: COLOURS.inFlight, time: w.time, value: w.inFlight, step: true, describe: rowText },
      {
        kind: 'points',
        name: 'Bytes in flight (Wireshark)',
        colour: COLOURS.wiresharkInFlight,
        shape: 'dot',
        time: s.time,
        value: s.inFlight,
        frames: s.frame,
        describe: (i) => `frame ${s.frame[i]}: ${s.inFlight[i]} bytes in flight (tcp.analysis.bytes_in_flight)`,
        include: (i) => s.inFlight[i] > 0,
      },
      // cwnd on top: when the sender is cwnd-limited the flight lies right under it.
      { kind: 'line', name: 'cwnd', colour: COLOURS.cwnd, time: w.time, value: w.cwnd, step: true, describe: rowText },
      {
        kind: 'marks',
        name: 'Retransmissions',
        colour: COLOURS.retransmission,
        time: s.time,
        frames: s.frame,
        describe: (i) => `frame ${s.frame[i]}: retransmission of ${s.seq[i]}–${s.end[i]}`,
        include: (i) => isRetransmission(s.analysis[i]),
      },
    ],
  };
}

export function rttChart(d: DirectionSeries): ChartSpec {
  const r = d.rtt;
  let lowest = Infinity;
  for (let i = 0; i < r.rtt.length; i++) lowest = Math.min(lowest, r.rtt[i]);
  const queueing = Float64Array.from(r.rtt, (v) => v - lowest);
  const sampleText = (i: number) =>
    `frame ${r.frame[i]} at ${seconds(r.time[i])}: RTT ${milliseconds(r.rtt[i])} (${r.source[i] === 0 ? 'ACK' : 'timestamp'}), SRTT ${milliseconds(r.srtt[i])}, RTO ${milliseconds(r.rto[i])}`;
  return {
    id: 'rtt',
    title: `Round-trip time of ${d.src} → ${d.dst} data`,
    yLabel: 'seconds',
    formatY: (v, span) => formatSeconds(v, span),
    layers: [
      // RFC 6298's 1 s floor would flatten the samples: shown on request.
      { kind: 'line', name: 'RTO', colour: COLOURS.rto, time: r.time, value: r.rto, step: true, dashed: true, frames: r.frame, describe: sampleText, hiddenByDefault: true },
      { kind: 'line', name: 'SRTT', colour: COLOURS.srtt, time: r.time, value: r.srtt, step: true, frames: r.frame, describe: sampleText },
      { kind: 'line', name: 'Minimum RTT', colour: COLOURS.minRtt, time: r.time, value: r.minRtt, step: true, dashed: true },
      { kind: 'line', name: 'Queueing delay', colour: COLOURS.queueing, time: r.time, value: queueing, step: false, frames: r.frame, describe: (i) => `frame ${r.frame[i]}: ${milliseconds(queueing[i])} above the minimum RTT` },
      { kind: 'points', name: 'RTT samples', colour: COLOURS.rtt, shape: 'dot', time: r.time, value: r.rtt, frames: r.frame, describe: sampleText },
    ],
  };
}

export function ratesChart(d: DirectionSeries, windowSeconds: number): ChartSpec {
  const { throughput, goodput } = directionRates(d, windowSeconds);
  const w = d.windows;
  return {
    id: 'rates',
    title: `Throughput and goodput ${d.src} → ${d.dst} (${Number((windowSeconds * 1e3).toPrecision(3))} ms average)`,
    yLabel: 'bit/s',
    formatY: (v) => formatBitRate(v),
    layers: [
      { kind: 'line', name: 'Throughput', colour: COLOURS.throughput, time: throughput.time, value: throughput.value, step: false, frames: d.segments.frame, describe: (i) => `frame ${d.segments.frame[i]}: ${formatBitRate(throughput.value[i])}` },
      { kind: 'line', name: 'Goodput', colour: COLOURS.goodput, time: goodput.time, value: goodput.value, step: false, frames: d.acks.frame, describe: (i) => `frame ${d.acks.frame[i]}: ${formatBitRate(goodput.value[i])} acknowledged` },
      { kind: 'line', name: 'Delivery rate (model)', colour: COLOURS.deliveryRate, time: w.time, value: w.deliveryRate, step: false, dashed: true },
    ],
  };
}

/** The layers a chart starts with hidden. */
export function defaultHidden(spec: ChartSpec): Set<string> {
  return new Set(spec.layers.filter((l) => l.hiddenByDefault).map((l) => l.name));
}

/** A layer's data as CSV: its time column, its values, and its frames; only the rows it draws. */
export function layerCsv(layer: ChartLayer): string {
  if (layer.kind === 'bands') {
    return toCsv([
      { name: 'start', values: layer.start },
      { name: 'end', values: layer.end },
      { name: 'state', values: layer.labels },
    ]);
  }
  const columns: CsvColumn[] = [{ name: 'time', values: layer.time }];
  if (layer.kind === 'bars') columns.push({ name: 'low', values: layer.low }, { name: 'high', values: layer.high });
  else if (layer.kind === 'line' || layer.kind === 'points') columns.push({ name: 'value', values: layer.value });
  if (layer.frames) columns.push({ name: 'frame', values: layer.frames });
  const include = layer.include;
  let rows: number[] | null = null;
  if (include) {
    rows = [];
    for (let i = 0; i < layer.time.length; i++) if (include(i)) rows.push(i);
  }
  return toCsv(columns, rows);
}
