import { describe, expect, it } from 'vitest';
import { formatBitRate, formatBytes, formatSeconds, LinearScale, padded, ticks, tickStep } from '../../../renderer/charts/scale';

describe('LinearScale', () => {
  it('maps and inverts, including an inverted pixel range (y grows downwards)', () => {
    const y = new LinearScale({ start: 0, end: 1000 }, { start: 400, end: 0 });
    expect([y.map(0), y.map(250), y.map(1000), y.invert(100)]).toEqual([400, 300, 0, 750]);
    const flat = new LinearScale({ start: 5, end: 5 }, { start: 0, end: 100 });
    expect([flat.map(5), flat.invert(50)]).toEqual([0, 5]);
  });
});

describe('ticks', () => {
  it('are round 1-2-5 steps inside the domain, without floating-point noise', () => {
    expect(tickStep(0.13)).toBe(0.2);
    expect(tickStep(3)).toBe(5);
    expect(tickStep(7)).toBe(10);
    expect(ticks({ start: 0.05, end: 0.95 }, 5)).toEqual([0.2, 0.4, 0.6, 0.8]);
    expect(ticks({ start: 0, end: 0.3 }, 3)).toEqual([0, 0.1, 0.2, 0.3]);
    expect(ticks({ start: 1e9, end: 5e9 }, 4)).toEqual([1e9, 2e9, 3e9, 4e9, 5e9]);
    expect(ticks({ start: 1, end: 1 }, 5)).toEqual([]);
  });
});

describe('padded', () => {
  it('widens an extent by 5%, a point to a visible range, nothing to 0..1', () => {
    expect(padded([0, 100])).toEqual({ start: -5, end: 105 });
    expect(padded([50, 50])).toEqual({ start: 45, end: 55 });
    expect(padded([0, 0])).toEqual({ start: -1, end: 1 });
    expect(padded(null)).toEqual({ start: 0, end: 1 });
  });
});

describe('formatting', () => {
  it('bytes and rates with decimal prefixes, seconds by the span in view', () => {
    expect([formatBytes(0), formatBytes(1448), formatBytes(6_302_000), formatBytes(2 ** 32)]).toEqual(['0', '1.448k', '6.302M', '4.295G']);
    expect(formatBitRate(2_500_000)).toBe('20Mbit/s');
    expect([formatSeconds(0.000125, 0.001), formatSeconds(0.25, 1), formatSeconds(12.5, 30)]).toEqual(['125 µs', '250 ms', '12.5 s']);
  });
});
