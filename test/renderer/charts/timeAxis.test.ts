import { describe, expect, it } from 'vitest';
import { LinkedTimeAxis, MIN_SPAN_SECONDS } from '../../../renderer/charts/timeAxis';
import type { Range } from '../../../renderer/charts/scale';

describe('LinkedTimeAxis', () => {
  it('tells every linked chart about a change made through any of them, once per change', () => {
    const axis = new LinkedTimeAxis({ start: 0, end: 10 });
    const seen: [string, Range][] = [];
    const stopA = axis.subscribe((r) => seen.push(['a', r]));
    axis.subscribe((r) => seen.push(['b', r]));
    axis.set({ start: 2, end: 4 });
    axis.set({ start: 2, end: 4 });
    stopA();
    axis.pan(1);
    expect(seen).toEqual([
      ['a', { start: 2, end: 4 }],
      ['b', { start: 2, end: 4 }],
      ['b', { start: 3, end: 5 }],
    ]);
  });

  it('zooms about an anchor that stays at the same place on screen', () => {
    const axis = new LinkedTimeAxis({ start: 0, end: 10 });
    axis.zoom(0.5, 8);
    expect(axis.range).toEqual({ start: 4, end: 9 });
    // The anchor's share of the view is unchanged: (8 - 4) / 5 = 8 / 10.
    axis.zoom(2, 8);
    expect(axis.range).toEqual({ start: 0, end: 10 });
    expect(axis.isReset).toBe(true);
  });

  it('keeps the view inside the stream, no wider than it and no narrower than the minimum span', () => {
    const axis = new LinkedTimeAxis({ start: 0, end: 10 });
    axis.set({ start: -3, end: 1 });
    expect(axis.range).toEqual({ start: 0, end: 4 });
    axis.pan(100);
    expect(axis.range).toEqual({ start: 6, end: 10 });
    axis.set({ start: 5, end: 5 });
    expect(axis.range.end - axis.range.start).toBeCloseTo(MIN_SPAN_SECONDS, 12);
    axis.set({ start: 7, end: 2 });
    expect(axis.range).toEqual({ start: 2, end: 7 });
    axis.zoom(50, 5);
    expect(axis.range).toEqual({ start: 0, end: 10 });
  });

  it('resets to the whole stream, and follows a new extent', () => {
    const axis = new LinkedTimeAxis({ start: 0, end: 10 });
    axis.set({ start: 1, end: 2 });
    expect(axis.isReset).toBe(false);
    axis.reset();
    expect(axis.range).toEqual({ start: 0, end: 10 });
    const seen: Range[] = [];
    axis.subscribe((r) => seen.push(r));
    axis.setExtent({ start: 0, end: 20 });
    expect([axis.range, axis.extent, seen]).toEqual([{ start: 0, end: 20 }, { start: 0, end: 20 }, [{ start: 0, end: 20 }]]);
  });

  it('gives a stream of one instant a visible span', () => {
    const axis = new LinkedTimeAxis({ start: 3, end: 3 });
    expect(axis.range.end - axis.range.start).toBeCloseTo(2 * MIN_SPAN_SECONDS, 12);
  });
});
