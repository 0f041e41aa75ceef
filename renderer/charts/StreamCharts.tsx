import { useMemo, useState } from 'react';
import { ChartCanvas } from './ChartCanvas';
import { ratesChart, rttChart, timeSequenceChart, windowsChart, type TimeSequenceStyle } from './layers';
import { averagingWindows, defaultAveragingWindow } from './rates';
import type { StreamSeries } from './series';
import { LinkedTimeAxis } from './timeAxis';

/*
 * The charts of one TCP stream, one direction of data at a time, on one shared time axis: time-sequence
 * (tcptrace), windows, RTT, and throughput/goodput with a chosen averaging window.
 */

export interface StreamChartsProps {
  series: StreamSeries;
  onSelectFrame?(frame: number): void;
  /** Base name of exported files, e.g. the capture's name. */
  fileName?: string;
}

/** The direction that carried more segments (the data sender). */
function busierDirection(series: StreamSeries): 0 | 1 {
  const [a, b] = series.directions;
  return b.segments.len.reduce((n, v) => n + v, 0) > a.segments.len.reduce((n, v) => n + v, 0) ? 1 : 0;
}

export function StreamCharts({ series, onSelectFrame, fileName = 'stream' }: StreamChartsProps) {
  const [chosen, setChosen] = useState<0 | 1 | null>(null);
  const direction = chosen ?? busierDirection(series);
  const d = series.directions[direction];
  const axis = useMemo(() => new LinkedTimeAxis({ start: 0, end: series.duration }), [series]);
  const windows = useMemo(() => averagingWindows(d), [d]);
  const [averaging, setAveraging] = useState<number | null>(null);
  const [sequenceStyle, setSequenceStyle] = useState<TimeSequenceStyle>('tcptrace');
  const averageSeconds = averaging ?? defaultAveragingWindow(d, series.duration);
  const specs = useMemo(
    () => ({
      sequence: timeSequenceChart(d, sequenceStyle),
      windows: windowsChart(d, series.duration),
      rtt: rttChart(d),
    }),
    [d, series.duration, sequenceStyle],
  );
  const rates = useMemo(() => ratesChart(d, averageSeconds), [d, averageSeconds]);
  const base = `${fileName}-stream-${series.stream}-${direction === series.clientDirection ? 'client' : 'server'}`;
  return (
    <div className="wl-charts" data-testid="stream-charts">
      <div className="wl-charts-header">
        <span role="radiogroup" aria-label="Direction of data">
          {series.directions.map((side) => (
            <label key={side.direction}>
              <input type="radio" name={`direction-${series.stream}`} checked={side.direction === direction} onChange={() => setChosen(side.direction)} />
              {side.src} → {side.dst}
            </label>
          ))}
        </span>
        <label>
          Average over{' '}
          <select value={averageSeconds} onChange={(e) => setAveraging(Number(e.target.value))}>
            {windows.map((w) => (
              <option key={w.label} value={w.seconds}>
                {w.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Segments as{' '}
          <select value={sequenceStyle} onChange={(e) => setSequenceStyle(e.target.value as TimeSequenceStyle)} aria-label="Time-sequence style">
            <option value="tcptrace">bars (tcptrace)</option>
            <option value="stevens">points (Stevens)</option>
          </select>
        </label>
        <span className="wl-charts-verdict">{d.verdict}</span>
      </div>
      <ChartCanvas spec={specs.sequence} axis={axis} height={320} onSelectFrame={onSelectFrame} fileName={`${base}-${sequenceStyle}`} />
      <ChartCanvas spec={specs.windows} axis={axis} height={240} onSelectFrame={onSelectFrame} fileName={`${base}-windows`} />
      <ChartCanvas spec={specs.rtt} axis={axis} height={220} onSelectFrame={onSelectFrame} fileName={`${base}-rtt`} />
      <ChartCanvas spec={rates} axis={axis} height={220} onSelectFrame={onSelectFrame} fileName={`${base}-rates`} />
    </div>
  );
}
