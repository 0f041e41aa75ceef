import { binBars, binLine, extentInView, lowerBound, upperBound } from './binning';
import type { BandsLayer, BarsLayer, ChartLayer, ChartSpec, LineLayer, MarksLayer, PointsLayer } from './layers';
import type { Painter } from './painter';
import { formatSeconds, LinearScale, padded, ticks, type Range } from './scale';

/*
 * Draws one chart (title, legend, axes, layers) on a Painter for a view: the linked time range and the
 * chart's own value range (null fits the values in view). Every layer goes through the per-pixel binning,
 * except when so few rows are in view that each is drawn on its own (bars then get tcptrace's end ticks).
 */

export interface ChartView {
  x: Range;
  /** null: fit the values in view. */
  y: Range | null;
}

export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface LegendEntry {
  name: string;
  box: Rect;
}

export interface ChartGeometry {
  plot: Rect;
  x: LinearScale;
  y: LinearScale;
  legend: LegendEntry[];
}

export const MARGIN = { left: 72, right: 16, top: 58, bottom: 26 } as const;
/** Below this many rows per pixel column a layer is drawn row by row. */
const SPARSE_ROWS_PER_COLUMN = 1 / 6;
const LEGEND_CHAR_WIDTH = 6.2;
const GRID = '#e6e6e6';
const AXIS = '#8a8a8a';
const LABEL = '#444444';

function hasValues(layer: ChartLayer): layer is BarsLayer | LineLayer | PointsLayer {
  return layer.kind === 'bars' || layer.kind === 'line' || layer.kind === 'points';
}

/** The value range of the visible layers' rows in view, padded; 0..1 when there are none. */
export function fitValues(spec: ChartSpec, x: Range, hidden: ReadonlySet<string>): Range {
  let low = Infinity;
  let high = -Infinity;
  for (const layer of spec.layers) {
    if (hidden.has(layer.name) || !hasValues(layer)) continue;
    const columns = layer.kind === 'bars' ? [layer.low, layer.high] : [layer.value];
    const extent = extentInView(layer.time, columns, x);
    if (!extent) continue;
    low = Math.min(low, extent[0]);
    high = Math.max(high, extent[1]);
  }
  return padded(low <= high ? [low, high] : null);
}

/** Where everything goes for a size and a view. */
export function chartGeometry(spec: ChartSpec, width: number, height: number, view: ChartView, hidden: ReadonlySet<string>): ChartGeometry {
  const plot: Rect = {
    left: MARGIN.left,
    top: MARGIN.top,
    width: Math.max(1, width - MARGIN.left - MARGIN.right),
    height: Math.max(1, height - MARGIN.top - MARGIN.bottom),
  };
  const y = view.y ?? fitValues(spec, view.x, hidden);
  const legend: LegendEntry[] = [];
  let at = MARGIN.left;
  for (const layer of spec.layers) {
    const boxWidth = 18 + layer.name.length * LEGEND_CHAR_WIDTH;
    legend.push({ name: layer.name, box: { left: at, top: 24, width: boxWidth, height: 14 } });
    at += boxWidth + 12;
  }
  return {
    plot,
    x: new LinearScale(view.x, { start: plot.left, end: plot.left + plot.width }),
    y: new LinearScale(y, { start: plot.top + plot.height, end: plot.top }),
    legend,
  };
}

export function drawChart(p: Painter, spec: ChartSpec, view: ChartView, hidden: ReadonlySet<string>): ChartGeometry {
  const g = chartGeometry(spec, p.width, p.height, view, hidden);
  const { plot } = g;
  p.fillRect(0, 0, p.width, p.height, '#ffffff');
  p.text(8, 6, spec.title, { colour: '#222222', size: 13, align: 'left', baseline: 'top', bold: true });
  for (const entry of g.legend) {
    const layer = spec.layers.find((l) => l.name === entry.name)!;
    const off = hidden.has(layer.name);
    const swatch = off ? '#cccccc' : layer.kind === 'bands' ? (layer.colours[0] ?? layer.colour) : layer.colour;
    p.fillRect(entry.box.left, entry.box.top + 3, 12, 8, swatch);
    p.text(entry.box.left + 16, entry.box.top + 7, layer.name, { colour: off ? '#aaaaaa' : LABEL, size: 11, align: 'left', baseline: 'middle' });
  }
  p.text(6, plot.top - 5, spec.yLabel, { colour: '#777777', size: 10, align: 'left', baseline: 'bottom' });
  drawAxes(p, spec, g);
  p.clip(plot.left, plot.top, plot.width, plot.height);
  for (const layer of spec.layers) {
    if (hidden.has(layer.name)) continue;
    if (layer.kind === 'bands') drawBands(p, layer, g);
    else if (layer.kind === 'line') drawLine(p, layer, g, view.x);
    else if (layer.kind === 'bars') drawBars(p, layer, g, view.x);
    else if (layer.kind === 'points') drawPoints(p, layer, g, view.x);
    else drawMarks(p, layer, g, view.x);
  }
  p.unclip();
  p.polyline([plot.left, plot.top, plot.left + plot.width, plot.top, plot.left + plot.width, plot.top + plot.height, plot.left, plot.top + plot.height, plot.left, plot.top], AXIS, 1, false);
  return g;
}

function drawAxes(p: Painter, spec: ChartSpec, g: ChartGeometry): void {
  const { plot, x, y } = g;
  const grid: number[] = [];
  const bottom = plot.top + plot.height;
  const xSpan = x.domain.end - x.domain.start;
  for (const t of ticks(x.domain, Math.max(2, Math.floor(plot.width / 110)))) {
    const px = Math.round(x.map(t)) + 0.5;
    grid.push(px, plot.top, px, bottom);
    p.text(px, bottom + 4, formatSeconds(t, xSpan), { colour: LABEL, size: 10.5, align: 'center', baseline: 'top' });
  }
  const ySpan = y.domain.end - y.domain.start;
  for (const v of ticks(y.domain, Math.max(2, Math.floor(plot.height / 45)))) {
    const py = Math.round(y.map(v)) + 0.5;
    grid.push(plot.left, py, plot.left + plot.width, py);
    p.text(plot.left - 5, py, spec.formatY(v, ySpan), { colour: LABEL, size: 10.5, align: 'right', baseline: 'middle' });
  }
  p.segments(grid, GRID, 1);
}

function drawBands(p: Painter, layer: BandsLayer, g: ChartGeometry): void {
  const { plot, x } = g;
  for (let i = 0; i < layer.start.length; i++) {
    const left = Math.max(plot.left, x.map(layer.start[i]));
    const right = Math.min(plot.left + plot.width, x.map(layer.end[i]));
    if (right <= left) continue;
    p.fillRect(left, plot.top, Math.max(1, right - left), plot.height, layer.colours[i] ?? layer.colour);
  }
}

function rowsInView(time: ArrayLike<number>, view: Range): [number, number] {
  return [lowerBound(time, view.start), upperBound(time, view.end)];
}

function isSparse(first: number, last: number, plotWidth: number): boolean {
  return last - first < plotWidth * SPARSE_ROWS_PER_COLUMN;
}

function drawLine(p: Painter, layer: LineLayer, g: ChartGeometry, view: Range): void {
  const rows = binLine(layer.time, layer.value, view, g.plot.width);
  const points: number[] = [];
  let previousY = NaN;
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k];
    const v = layer.value[i];
    const px = g.x.map(layer.time[i]);
    const py = Number.isNaN(v) ? NaN : g.y.map(v);
    if (layer.step && !Number.isNaN(previousY) && !Number.isNaN(py)) points.push(px, previousY);
    if (Number.isNaN(py)) points.push(NaN, NaN);
    else points.push(px, py);
    previousY = py;
  }
  // A step line holds its last value to the right edge.
  if (layer.step && !Number.isNaN(previousY) && rows.length > 0 && rows[rows.length - 1] === layer.time.length - 1) points.push(g.plot.left + g.plot.width, previousY);
  p.polyline(points, layer.colour, 1.5, layer.dashed ?? false);
}

function drawBars(p: Painter, layer: BarsLayer, g: ChartGeometry, view: Range): void {
  const [first, last] = rowsInView(layer.time, view);
  const lines: number[] = [];
  if (isSparse(first, last, g.plot.width)) {
    // Few segments: each at its own time, with tcptrace's ticks at both ends.
    for (let i = first; i < last; i++) {
      if (layer.include && !layer.include(i)) continue;
      const px = g.x.map(layer.time[i]);
      const top = g.y.map(layer.high[i]);
      const bottom = Math.max(g.y.map(layer.low[i]), top + 1);
      lines.push(px, bottom, px, top, px - 2.5, top, px + 2.5, top, px - 2.5, bottom, px + 2.5, bottom);
    }
    p.segments(lines, layer.colour, 1.5);
    return;
  }
  const bins = binBars(layer.time, layer.low, layer.high, view, g.plot.width, layer.include ?? null);
  for (let c = 0; c < bins.row.length; c++) {
    if (bins.row[c] < 0) continue;
    const px = g.plot.left + c + 0.5;
    const top = g.y.map(bins.high[c]);
    lines.push(px, Math.max(g.y.map(bins.low[c]), top + 1), px, top);
  }
  p.segments(lines, layer.colour, 1);
}

function drawPoints(p: Painter, layer: PointsLayer, g: ChartGeometry, view: Range): void {
  const [first, last] = rowsInView(layer.time, view);
  const points: number[] = [];
  if (isSparse(first, last, g.plot.width)) {
    for (let i = first; i < last; i++) {
      if (layer.include && !layer.include(i)) continue;
      if (!Number.isNaN(layer.value[i])) points.push(g.x.map(layer.time[i]), g.y.map(layer.value[i]));
    }
  } else {
    // Per pixel column the lowest and highest point show its spread.
    const bins = binBars(layer.time, layer.value, layer.value, view, g.plot.width, layer.include ?? null);
    for (let c = 0; c < bins.row.length; c++) {
      if (bins.row[c] < 0) continue;
      const px = g.plot.left + c + 0.5;
      points.push(px, g.y.map(bins.low[c]));
      if (bins.high[c] !== bins.low[c]) points.push(px, g.y.map(bins.high[c]));
    }
  }
  p.markers(points, layer.shape, layer.colour);
}

function drawMarks(p: Painter, layer: MarksLayer, g: ChartGeometry, view: Range): void {
  const bins = binBars(layer.time, layer.time, layer.time, view, g.plot.width, layer.include ?? null);
  const lines: number[] = [];
  for (let c = 0; c < bins.row.length; c++) {
    if (bins.row[c] < 0) continue;
    const px = g.plot.left + c + 0.5;
    lines.push(px, g.plot.top, px, g.plot.top + 9);
  }
  p.segments(lines, layer.colour, 1.5);
}
