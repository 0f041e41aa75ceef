import { createRoot } from 'react-dom/client';
import { TcpAnalysisFlag } from '../../../../app/tcp/analysis';
import { ChartCanvas, LinkedTimeAxis, StreamCharts, timeSequenceChart, type DirectionSeries, type StreamSeries } from '../../../../renderer/charts';
import { drawChart } from '../../../../renderer/charts/draw';
import { CanvasPainter } from '../../../../renderer/charts/painter';
import { decodeTyped } from './wire';

/*
 * The page of the component test: the charts of a real stream (window.seriesJson, set by series.js), and
 * a synthetic direction of a million segments to draw and time.
 */

declare global {
  interface Window {
    seriesJson: string;
    selectedFrames: number[];
    benchMillion(): { fullMs: number; zoomedMs: number; hoverRows: number };
  }
}

/** A bulk transfer of `n` segments, 1448 bytes each, one every 100 µs, every 97th retransmitted, ACKed every other. */
function millionSegments(n: number): DirectionSeries {
  const time = new Float64Array(n);
  const seq = new Float64Array(n);
  const end = new Float64Array(n);
  const analysis = new Uint16Array(n);
  let next = 1;
  for (let i = 0; i < n; i++) {
    time[i] = i * 1e-4;
    const retransmitted = i % 97 === 96;
    seq[i] = retransmitted ? next - 20 * 1448 : next;
    end[i] = seq[i] + 1448;
    if (retransmitted) analysis[i] = TcpAnalysisFlag.retransmission;
    else next += 1448;
  }
  const acks = n / 2;
  const ackTime = new Float64Array(acks);
  const ack = new Float64Array(acks);
  for (let i = 0; i < acks; i++) {
    ackTime[i] = time[2 * i] + 0.02;
    ack[i] = Math.max(1, seq[2 * i] - 30 * 1448);
  }
  const none = new Float64Array(0);
  return {
    direction: 0,
    src: '10.0.0.1:40000',
    dst: '10.0.0.2:80',
    segments: { time, seq, end, len: new Uint32Array(n).fill(1448), frame: Uint32Array.from(time, (_, i) => i + 1), flags: new Uint16Array(n).fill(0x10), analysis, inFlight: new Float64Array(n) },
    acks: { time: ackTime, ack, window: new Float64Array(acks).fill(3e6), frame: new Uint32Array(acks), flags: new Uint16Array(acks).fill(0x10), analysis: new Uint16Array(acks) },
    sacks: { time: none, left: none, right: none, frame: new Uint32Array(0) },
    windows: { time: none, sndUna: none, sndNxt: none, inFlight: none, rwnd: none, cwnd: none, ssthresh: none, srtt: none, deliveryRate: none, state: new Uint8Array(0) },
    states: [],
    model: 'none',
    verdict: '',
    rtt: { time: none, rtt: none, srtt: none, rto: none, minRtt: none, frame: new Uint32Array(0), source: new Uint8Array(0) },
  };
}

const series = decodeTyped<StreamSeries>(window.seriesJson);
window.selectedFrames = [];
const million = millionSegments(1_000_000);
const millionAxis = new LinkedTimeAxis({ start: 0, end: 100 });

createRoot(document.getElementById('stream')!).render(<StreamCharts series={series} onSelectFrame={(frame) => window.selectedFrames.push(frame)} fileName="lossy" />);
createRoot(document.getElementById('million')!).render(<ChartCanvas spec={timeSequenceChart(million)} axis={millionAxis} height={300} fileName="million" />);

window.benchMillion = () => {
  const canvas = document.createElement('canvas');
  canvas.width = 1200;
  canvas.height = 400;
  const painter = new CanvasPainter(canvas.getContext('2d')!, 1200, 400);
  const spec = timeSequenceChart(million);
  let started = performance.now();
  drawChart(painter, spec, { x: { start: 0, end: 100 }, y: null }, new Set());
  const fullMs = performance.now() - started;
  started = performance.now();
  drawChart(painter, spec, { x: { start: 40, end: 40.05 }, y: null }, new Set());
  const zoomedMs = performance.now() - started;
  return { fullMs, zoomedMs, hoverRows: million.segments.time.length };
};
