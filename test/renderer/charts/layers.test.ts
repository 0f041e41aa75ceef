import { describe, expect, it } from 'vitest';
import { TcpAnalysisFlag } from '../../../app/tcp/analysis';
import { defaultHidden, recoveryPeriods, rttChart, timeSequenceChart, windowsChart, type BarsLayer, type ChartLayer, type PointsLayer } from '../../../renderer/charts/layers';
import type { DirectionSeries } from '../../../renderer/charts/series';

const f64 = (...v: number[]) => Float64Array.from(v);

/** A direction with three segments (the second a retransmission), two ACKs and a model run through recovery. */
function direction(): DirectionSeries {
  return {
    direction: 0,
    src: '10.0.0.1:40000',
    dst: '10.0.0.2:80',
    segments: {
      time: f64(0, 1, 2),
      seq: f64(1, 1, 1449),
      end: f64(1449, 1449, 2897),
      len: Uint32Array.of(1448, 1448, 1448),
      frame: Uint32Array.of(3, 5, 6),
      flags: Uint16Array.of(0x18, 0x18, 0x18),
      analysis: Uint16Array.of(0, TcpAnalysisFlag.fastRetransmission, 0),
      inFlight: f64(1448, 1448, 1448),
    },
    acks: {
      time: f64(0.5, 1.5),
      ack: f64(1, 1449),
      window: f64(0, 65535),
      frame: Uint32Array.of(4, 7),
      flags: Uint16Array.of(0x10, 0x10),
      analysis: Uint16Array.of(TcpAnalysisFlag.zeroWindow | TcpAnalysisFlag.duplicateAck, 0),
    },
    sacks: { time: f64(), left: f64(), right: f64(), frame: new Uint32Array(0) },
    windows: {
      time: f64(0, 1, 1.2, 2, 2.5),
      sndUna: f64(1, 1, 1, 1449, 2897),
      sndNxt: f64(1449, 1449, 1449, 2897, 2897),
      inFlight: f64(1448, 1448, 1448, 1448, 0),
      rwnd: f64(0, 0, 0, 65535, 65535),
      cwnd: f64(14480, 7240, 7240, 7240, 8000),
      ssthresh: f64(NaN, 7240, 7240, 7240, 7240),
      srtt: f64(0, 0.5, 0.5, 0.5, 0.5),
      deliveryRate: f64(0, 0, 0, 1448, 1448),
      state: Uint8Array.of(0, 1, 2, 0, 1),
    },
    states: ['open', 'recovery', 'loss'],
    model: 'linux-cubic',
    verdict: '',
    rtt: { time: f64(1.5, 2.5), rtt: f64(0.5, 0.8), srtt: f64(0.5, 0.54), rto: f64(1.5, 1.6), minRtt: f64(0.5, 0.5), frame: Uint32Array.of(7, 8), source: Uint8Array.of(0, 1) },
  };
}

function layer<T extends ChartLayer>(layers: ChartLayer[], name: string): T {
  const found = layers.find((l) => l.name === name);
  if (!found) throw new Error(`no layer ${name}`);
  return found as T;
}

function included(l: BarsLayer | PointsLayer): number[] {
  return Array.from(l.time, (_, i) => i).filter((i) => !l.include || l.include(i));
}

describe('time-sequence chart', () => {
  it('splits segments from retransmissions, marks duplicate ACKs and zero windows, draws ack + window and snd_una + cwnd', () => {
    const spec = timeSequenceChart(direction());
    expect(spec.layers.map((l) => l.name)).toEqual(['Receive window', 'cwnd (model)', 'ACK', 'SACK', 'Segments', 'Retransmissions', 'Duplicate ACK', 'Zero window']);
    expect(included(layer<BarsLayer>(spec.layers, 'Segments'))).toEqual([0, 2]);
    expect(included(layer<BarsLayer>(spec.layers, 'Retransmissions'))).toEqual([1]);
    expect(included(layer<PointsLayer>(spec.layers, 'Duplicate ACK'))).toEqual([0]);
    expect(included(layer<PointsLayer>(spec.layers, 'Zero window'))).toEqual([0]);
    const rwnd = layer<ChartLayer & { value: ArrayLike<number> }>(spec.layers, 'Receive window');
    expect(Array.from(rwnd.value)).toEqual([1, 1449 + 65535]);
    const cwnd = layer<ChartLayer & { value: ArrayLike<number> }>(spec.layers, 'cwnd (model)');
    expect(Array.from(cwnd.value)).toEqual([14481, 7241, 7241, 8689, 10897]);
    expect(layer<BarsLayer>(spec.layers, 'Retransmissions').describe?.(1)).toBe('frame 5 at 1.000000 s: seq 1–1449, len 1448 [PSH, ACK] retransmission');
  });
});

describe('time-sequence chart, Stevens style', () => {
  it('draws each segment as a point at its sequence number, retransmissions apart', () => {
    const spec = timeSequenceChart(direction(), 'stevens');
    const segments = layer<PointsLayer>(spec.layers, 'Segments');
    const retransmissions = layer<PointsLayer>(spec.layers, 'Retransmissions');
    expect([segments.kind, retransmissions.kind]).toEqual(['points', 'points']);
    expect(included(segments).map((i) => segments.value[i])).toEqual([1, 1449]);
    expect(included(retransmissions).map((i) => retransmissions.frames?.[i])).toEqual([5]);
    expect(spec.layers.filter((l) => l.kind === 'bars').map((l) => l.name)).toEqual(['SACK']);
  });
});

describe('recovery periods', () => {
  it('are the intervals of each state other than open, the last one running to the end of the stream', () => {
    const bands = recoveryPeriods(direction(), 3);
    expect([[...bands.start], [...bands.end], bands.labels]).toEqual([[1, 1.2, 2.5], [1.2, 2, 3], ['recovery', 'loss', 'recovery']]);
    expect(bands.colours[0]).not.toBe(bands.colours[1]);
  });

  it('are part of the windows chart, with retransmission marks', () => {
    const spec = windowsChart(direction(), 3);
    expect(spec.layers.map((l) => l.name)).toEqual(['Recovery periods', 'Receive window', 'ssthresh', 'Bytes in flight (model)', 'Bytes in flight (Wireshark)', 'cwnd', 'Retransmissions']);
    // The receive window (65535) is more than four times the largest cwnd (14480): it would flatten them.
    expect(defaultHidden(spec)).toEqual(new Set(['Receive window']));
    const small = direction();
    small.acks.window = f64(0, 40000);
    expect(defaultHidden(windowsChart(small, 3))).toEqual(new Set());
    const marks = spec.layers[6];
    expect(marks.kind === 'marks' && Array.from(marks.time, (_, i) => i).filter((i) => marks.include?.(i))).toEqual([1]);
  });
});

describe('RTT chart', () => {
  it('derives the queueing delay from the stream minimum', () => {
    const spec = rttChart(direction());
    const queueing = layer<ChartLayer & { value: ArrayLike<number> }>(spec.layers, 'Queueing delay');
    expect(Array.from(queueing.value).map((v) => Number(v.toFixed(9)))).toEqual([0, 0.3]);
    // RFC 6298's 1 s RTO floor would flatten the samples: off until asked for.
    expect(defaultHidden(spec)).toEqual(new Set(['RTO']));
  });
});
