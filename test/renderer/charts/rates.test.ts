import { describe, expect, it } from 'vitest';
import { ackAdvance, movingRate } from '../../../renderer/charts/rates';

describe('movingRate', () => {
  it('averages the amount in the trailing window (t - w, t] over the window', () => {
    const time = [0, 0.4, 0.9, 1.0, 1.5, 3];
    const bytes = [100, 100, 100, 100, 100, 100];
    // At 1.0 the window (0, 1.0] holds rows 1..3 (row 0 at exactly t - w has left); at 3 only row 5.
    expect([...movingRate(time, bytes, 1)]).toEqual([100, 200, 300, 300, 300, 100]);
    // With half a second: at 0.9 the window (0.4, 0.9] has lost row 1 (at exactly 0.4).
    expect([...movingRate(time, bytes, 0.5)]).toEqual([200, 400, 200, 400, 200, 200]);
  });

  it('over the whole stream sums to the total', () => {
    const time = Array.from({ length: 1000 }, (_, i) => i * 0.001);
    const bytes = time.map((_, i) => (i % 3) * 500);
    const rates = movingRate(time, bytes, 10);
    expect(rates[rates.length - 1] * 10).toBe(bytes.reduce((a, b) => a + b, 0));
  });

  it('refuses a window that is not positive', () => {
    expect(() => movingRate([0], [1], 0)).toThrow('averaging window must be positive, got 0');
  });
});

describe('ackAdvance', () => {
  it('counts only the cumulative ACK moving forward (duplicates and old ACKs add nothing)', () => {
    expect([...ackAdvance([1, 1449, 1449, 1000, 4345])]).toEqual([0, 1448, 0, 0, 2896]);
  });
});
