import { lowerBound, upperBound } from './binning';
import type { ChartGeometry } from './draw';
import type { ChartSpec } from './layers';

/*
 * What is under the pointer: the nearest drawn row of any visible layer within a few pixels, with its
 * frame (for click-to-select) and its hover text. Only rows within the pointer's few pixel columns are
 * looked at, and at most MAX_ROWS of them per layer, so hovering a million-row chart stays instant.
 */

export interface Hit {
  layer: string;
  row: number;
  frame: number | null;
  text: string;
  /** Distance in pixels from the pointer. */
  distance: number;
}

const RADIUS = 6;
const MAX_ROWS = 4096;

export function hitTest(spec: ChartSpec, g: ChartGeometry, px: number, py: number, hidden: ReadonlySet<string>): Hit | null {
  const { plot, x, y } = g;
  if (px < plot.left || px > plot.left + plot.width || py < plot.top || py > plot.top + plot.height) return null;
  const from = x.invert(px - RADIUS);
  const to = x.invert(px + RADIUS);
  let best: Hit | null = null;
  for (const layer of spec.layers) {
    if (hidden.has(layer.name) || layer.kind === 'bands') continue;
    const first = lowerBound(layer.time, from);
    const last = upperBound(layer.time, to);
    const stride = Math.max(1, Math.ceil((last - first) / MAX_ROWS));
    for (let i = first; i < last; i += stride) {
      if (layer.include && !layer.include(i)) continue;
      const dx = Math.abs(x.map(layer.time[i]) - px);
      let dy: number;
      if (layer.kind === 'bars') {
        const top = y.map(layer.high[i]);
        const bottom = y.map(layer.low[i]);
        dy = py < top ? top - py : py > bottom ? py - bottom : 0;
      } else if (layer.kind === 'marks') {
        dy = Math.max(0, py - (plot.top + 9));
      } else {
        const v = layer.value[i];
        if (Number.isNaN(v)) continue;
        dy = Math.abs(y.map(v) - py);
      }
      const distance = Math.hypot(dx, dy);
      if (distance > RADIUS || (best && distance >= best.distance)) continue;
      best = {
        layer: layer.name,
        row: i,
        frame: layer.frames ? layer.frames[i] : null,
        text: layer.describe ? layer.describe(i) : `${layer.name} at ${layer.time[i]} s`,
        distance,
      };
    }
  }
  return best;
}

/** The legend entry under the pointer (clicking it shows or hides the layer). */
export function legendAt(g: ChartGeometry, px: number, py: number): string | null {
  for (const entry of g.legend) {
    const b = entry.box;
    if (px >= b.left && px <= b.left + b.width && py >= b.top && py <= b.top + b.height) return entry.name;
  }
  return null;
}
