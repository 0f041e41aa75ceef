import { describe, expect, it } from 'vitest';
import { toCsv } from '../../../renderer/charts/csv';
import { layerCsv, type BarsLayer, type BandsLayer } from '../../../renderer/charts/layers';

describe('toCsv', () => {
  it('writes a header and one line per row; NaN empty; full precision', () => {
    const csv = toCsv([
      { name: 'time', values: Float64Array.from([0, 0.1 + 0.2, 1e-7]) },
      { name: 'cwnd', values: [14480, NaN, 2 ** 40] },
    ]);
    expect(csv).toBe('time,cwnd\n0,14480\n0.30000000000000004,\n1e-7,1099511627776\n');
  });

  it('quotes fields with commas, quotes or line breaks (RFC 4180)', () => {
    expect(toCsv([{ name: 'a,b', values: ['say "hi"', 'x\ny', 'plain'] }])).toBe('"a,b"\n"say ""hi"""\n"x\ny"\nplain\n');
  });

  it('writes a subset of rows in the order given, and refuses columns of different lengths', () => {
    expect(toCsv([{ name: 'v', values: [10, 11, 12] }], [2, 0])).toBe('v\n12\n10\n');
    expect(() => toCsv([{ name: 'a', values: [1] }, { name: 'b', values: [1, 2] }])).toThrow('CSV column b has 2 rows, not 1');
  });
});

describe('layerCsv', () => {
  it('exports the rows a layer draws, with their frames', () => {
    const bars: BarsLayer = {
      kind: 'bars',
      name: 'Retransmissions',
      colour: '#000',
      time: [0.5, 1, 1.5],
      low: [1, 1449, 2897],
      high: [1449, 2897, 4345],
      frames: [7, 8, 9],
      include: (row) => row === 1,
    };
    expect(layerCsv(bars)).toBe('time,low,high,frame\n1,1449,2897,8\n');
  });

  it('exports bands as start, end and state', () => {
    const bands: BandsLayer = { kind: 'bands', name: 'Recovery periods', colour: '#000', start: Float64Array.of(1), end: Float64Array.of(2.5), labels: ['recovery'], colours: ['#f00'] };
    expect(layerCsv(bands)).toBe('start,end,state\n1,2.5,recovery\n');
  });
});
