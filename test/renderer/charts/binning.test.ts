import { describe, expect, it } from 'vitest';
import { binBars, binLine, extentInView, lowerBound, upperBound } from '../../../renderer/charts/binning';

/** A seeded generator (mulberry32), so the random tests repeat. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('bounds', () => {
  it('find the rows of a time range in sorted times, repeats included', () => {
    const t = [0, 1, 1, 1, 2, 5];
    expect([lowerBound(t, 1), upperBound(t, 1), lowerBound(t, -1), upperBound(t, 9), lowerBound(t, 3), upperBound(t, 3)]).toEqual([1, 4, 0, 6, 5, 5]);
  });
});

describe('binBars', () => {
  it('keeps per pixel column the lowest bottom and highest top of the bars in it', () => {
    // 10 columns of 1 s; rows at 0.2 and 0.7 share column 0; 9.99 lands in the last; 10 (the view's end) too.
    const time = [0.2, 0.7, 3.5, 9.99, 10, 12];
    const low = [100, 50, 7, 1, 2, 0];
    const high = [200, 120, 9, 3, 4, 1];
    const bins = binBars(time, low, high, { start: 0, end: 10 }, 10);
    expect([...bins.low]).toEqual([50, NaN, NaN, 7, NaN, NaN, NaN, NaN, NaN, 1]);
    expect([...bins.high]).toEqual([200, NaN, NaN, 9, NaN, NaN, NaN, NaN, NaN, 4]);
    expect([...bins.row]).toEqual([1, -1, -1, 2, -1, -1, -1, -1, -1, 4]);
  });

  it('draws only the rows a layer includes, and skips NaN bars', () => {
    const time = [0.5, 0.6, 1.5];
    const bins = binBars(time, [1, 10, NaN], [2, 20, 5], { start: 0, end: 2 }, 2, (row) => row !== 0);
    expect([...bins.low]).toEqual([10, NaN]);
    expect([...bins.row]).toEqual([1, -1]);
  });

  it('gives nothing for an empty view or no width', () => {
    expect(binBars([1], [1], [2], { start: 5, end: 5 }, 10).row.every((r) => r === -1)).toBe(true);
    expect(binBars([1], [1], [2], { start: 0, end: 5 }, 0).row.length).toBe(0);
  });

  it('reduces a million segments to one extent per column, equal to a scan of the rows', () => {
    const n = 1_000_000;
    const next = random(7);
    const time = new Float64Array(n);
    const low = new Float64Array(n);
    const high = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      time[i] = i / 1000;
      low[i] = i * 1448 + (next() < 0.01 ? -50_000 : 0);
      high[i] = low[i] + 1448;
    }
    const view = { start: 100, end: 400 };
    const width = 1200;
    const started = performance.now();
    const bins = binBars(time, low, high, view, width);
    const elapsed = performance.now() - started;
    const expectedLow = new Float64Array(width).fill(Infinity);
    for (let i = 0; i < n; i++) {
      if (time[i] < view.start || time[i] > view.end) continue;
      const c = Math.min(width - 1, Math.floor(((time[i] - view.start) * width) / (view.end - view.start)));
      expectedLow[c] = Math.min(expectedLow[c], low[i]);
    }
    expect([...bins.low]).toEqual([...expectedLow]);
    console.log(`binBars: 300k rows in view of 1M into ${width} columns in ${elapsed.toFixed(1)} ms`);
  });
});

describe('binLine (M4)', () => {
  it('keeps per column the first, lowest, highest and last rows, and a neighbour on each side of the view', () => {
    const time = [-1, 0.1, 0.2, 0.3, 0.4, 1.5, 2.5];
    const value = [5, 3, 9, 1, 4, 6, 7];
    // Column 0 holds rows 1..4: first 1, max 2, min 3, last 4; column 1 holds row 5; row 0 and 6 are outside.
    expect([...binLine(time, value, { start: 0, end: 2 }, 2)]).toEqual([0, 1, 2, 3, 4, 5, 6]);
    const many = Array.from({ length: 100 }, (_, i) => i / 100);
    const values = many.map((_, i) => (i === 50 ? 100 : i === 60 ? -100 : 0));
    expect([...binLine(many, values, { start: 0, end: 1 }, 1)]).toEqual([0, 50, 60, 99]);
  });

  it('keeps a NaN row (once) where the line has a gap', () => {
    const time = [0, 1, 2, 3, 4, 5];
    const value = [1, NaN, NaN, NaN, 2, 3];
    expect([...binLine(time, value, { start: 0, end: 6 }, 6)]).toEqual([0, 1, 4, 5]);
  });

  it('on random walks: every column keeps its extremes, rows stay in order, the output is bounded', () => {
    const next = random(11);
    for (let trial = 0; trial < 20; trial++) {
      const n = 20_000;
      const time = new Float64Array(n);
      const value = new Float64Array(n);
      let t = 0;
      let v = 0;
      for (let i = 0; i < n; i++) {
        t += next() * 0.01;
        v += next() - 0.5;
        time[i] = t;
        value[i] = v;
      }
      const view = { start: t * 0.2, end: t * 0.7 };
      const width = 50 + Math.floor(next() * 500);
      const rows = binLine(time, value, view, width);
      expect(rows.length).toBeLessThanOrEqual(4 * width + 2);
      for (let i = 1; i < rows.length; i++) expect(rows[i]).toBeGreaterThan(rows[i - 1]);
      const kept = new Set(rows);
      const extremes = new Map<number, [number, number]>();
      for (let i = 0; i < n; i++) {
        if (time[i] < view.start || time[i] > view.end) continue;
        const c = Math.floor(((time[i] - view.start) * width) / (view.end - view.start));
        const e = extremes.get(c);
        if (!e) extremes.set(c, [i, i]);
        else extremes.set(c, [value[i] < value[e[0]] ? i : e[0], value[i] > value[e[1]] ? i : e[1]]);
      }
      for (const [, [min, max]] of extremes) expect(kept.has(min) && kept.has(max)).toBe(true);
    }
  });
});

describe('extentInView', () => {
  it('spans the values of several columns over the rows in view only', () => {
    expect(extentInView([0, 1, 2, 3], [[5, 1, 7, 100], [6, 2, 8, -100]], { start: 0.5, end: 2.5 })).toEqual([1, 8]);
    expect(extentInView([0, 1], [[5, 1]], { start: 3, end: 4 })).toBeNull();
    expect(extentInView([0, 1], [[NaN, 4]], { start: 0, end: 1 })).toEqual([4, 4]);
  });
});
