/*
 * Per-pixel reduction of large series, so a million segments draw as fast as a thousand and look the
 * same: only what can differ on screen is kept.
 * - Bars (a segment's seq..end, a SACK block): per pixel column, the lowest bottom and the highest top of
 *   the bars whose time falls in it; one vertical line per column draws them all.
 * - Lines (the ACK line, windows, RTT): per pixel column, the first, lowest, highest and last point
 *   (the M4 reduction of Jugel et al., VLDB 2014): the polyline through them, in time order, covers
 *   exactly the pixels the full polyline covers.
 * Times are sorted ascending (the series builder guarantees it), so the visible rows are found by binary
 * search and the work is proportional to the rows in view, not to the series.
 */

/** First index whose time is >= t (times sorted ascending). */
export function lowerBound(times: ArrayLike<number>, t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose time is > t. */
export function upperBound(times: ArrayLike<number>, t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The pixel column of a time in a view [start, end) of `width` columns (may be outside 0..width-1). */
function columnOf(t: number, start: number, pixelsPerSecond: number): number {
  return Math.floor((t - start) * pixelsPerSecond);
}

export interface BarColumns {
  /** Per pixel column: the lowest bottom and highest top of its bars; NaN where there are none. */
  low: Float64Array;
  high: Float64Array;
  /** A row drawn in each column (the last one), for hit testing; -1 where there are none. */
  row: Int32Array;
}

/**
 * Bars in view, reduced to one extent per pixel column. `include` picks rows (e.g. retransmissions only);
 * rows with a NaN bottom or top are skipped.
 */
export function binBars(
  time: ArrayLike<number>,
  low: ArrayLike<number>,
  high: ArrayLike<number>,
  view: { start: number; end: number },
  width: number,
  include: ((row: number) => boolean) | null = null,
): BarColumns {
  const columns = Math.max(0, Math.floor(width));
  const out: BarColumns = { low: new Float64Array(columns).fill(NaN), high: new Float64Array(columns).fill(NaN), row: new Int32Array(columns).fill(-1) };
  if (columns === 0 || !(view.end > view.start)) return out;
  const pixelsPerSecond = columns / (view.end - view.start);
  const last = upperBound(time, view.end);
  for (let i = lowerBound(time, view.start); i < last; i++) {
    if (include && !include(i)) continue;
    const bottom = low[i];
    const top = high[i];
    if (Number.isNaN(bottom) || Number.isNaN(top)) continue;
    const c = Math.min(columns - 1, columnOf(time[i], view.start, pixelsPerSecond));
    if (Number.isNaN(out.low[c]) || bottom < out.low[c]) out.low[c] = bottom;
    if (Number.isNaN(out.high[c]) || top > out.high[c]) out.high[c] = top;
    out.row[c] = i;
  }
  return out;
}

/**
 * The rows of a line to draw in view: per pixel column its first, lowest, highest and last point, plus
 * the nearest point on each side of the view so the line runs to the edges. Rows whose value is NaN
 * break the line and are never chosen. Returned in time order, without repeats.
 */
export function binLine(time: ArrayLike<number>, value: ArrayLike<number>, view: { start: number; end: number }, width: number): Uint32Array {
  const columns = Math.max(0, Math.floor(width));
  const out: number[] = [];
  if (columns === 0 || !(view.end > view.start) || time.length === 0) return new Uint32Array(0);
  const pixelsPerSecond = columns / (view.end - view.start);
  const first = lowerBound(time, view.start);
  const last = upperBound(time, view.end);
  if (first > 0) out.push(first - 1);
  let column = -1;
  let firstRow = -1;
  let minRow = -1;
  let maxRow = -1;
  let lastRow = -1;
  const flush = () => {
    if (firstRow < 0) return;
    const rows = [firstRow, minRow, maxRow, lastRow].sort((a, b) => a - b);
    for (const r of rows) if (out[out.length - 1] !== r) out.push(r);
  };
  for (let i = first; i < last; i++) {
    const v = value[i];
    if (Number.isNaN(v)) {
      // A break: close the column and keep one NaN row so the gap stays a gap.
      flush();
      firstRow = -1;
      const previous = out[out.length - 1];
      if (previous === undefined || !Number.isNaN(value[previous])) out.push(i);
      continue;
    }
    const c = columnOf(time[i], view.start, pixelsPerSecond);
    if (c !== column || firstRow < 0) {
      flush();
      column = c;
      firstRow = minRow = maxRow = lastRow = i;
      continue;
    }
    if (v < value[minRow]) minRow = i;
    if (v > value[maxRow]) maxRow = i;
    lastRow = i;
  }
  flush();
  if (last < time.length && out[out.length - 1] !== last) out.push(last);
  return Uint32Array.from(out);
}

/** The lowest and highest value of rows in view (NaN skipped); null when there is none. */
export function extentInView(time: ArrayLike<number>, values: readonly ArrayLike<number>[], view: { start: number; end: number }): [number, number] | null {
  let low = Infinity;
  let high = -Infinity;
  const last = upperBound(time, view.end);
  for (let i = lowerBound(time, view.start); i < last; i++) {
    for (const column of values) {
      const v = column[i];
      if (v < low) low = v;
      if (v > high) high = v;
    }
  }
  return low <= high ? [low, high] : null;
}
