import { describe, expect, it } from 'vitest';
import { chartGeometry, drawChart, fitValues } from '../../../renderer/charts/draw';
import { hitTest, legendAt } from '../../../renderer/charts/hitTest';
import type { ChartSpec } from '../../../renderer/charts/layers';
import { SvgPainter } from '../../../renderer/charts/painter';
import { elements, parseXml } from '../../app/diagram/xml';

/** Three segments (one retransmitted) and an ACK step line, 10 s, values up to 4344. */
const spec: ChartSpec = {
  id: 'time-sequence',
  title: 'Test <chart> & co',
  yLabel: 'seq',
  formatY: (v) => String(v),
  layers: [
    { kind: 'line', name: 'ACK', colour: '#2e7d32', time: [1, 4, 8], value: [1, 1449, 4345], step: true, frames: [2, 5, 9] },
    { kind: 'bars', name: 'Segments', colour: '#1f5fbf', time: [0, 3, 6], low: [1, 1449, 2897], high: [1449, 2897, 4345], frames: [1, 4, 7], describe: (i) => `segment ${i}`, include: (i) => i !== 1 },
    { kind: 'bars', name: 'Retransmissions', colour: '#d35400', time: [0, 3, 6], low: [1, 1449, 2897], high: [1449, 2897, 4345], frames: [1, 4, 7], include: (i) => i === 1 },
    { kind: 'bands', name: 'Recovery periods', colour: '#fc0', start: Float64Array.of(2), end: Float64Array.of(5), labels: ['recovery'], colours: ['#fc0'] },
  ],
};
const view = { x: { start: 0, end: 10 }, y: null };

describe('drawChart on the SVG painter', () => {
  it('gives a well-formed document with the title escaped, a clip, and one stroke per visible layer', () => {
    const painter = new SvgPainter(600, 300);
    drawChart(painter, spec, view, new Set(['Retransmissions']));
    const root = parseXml(painter.document());
    const all = [...elements(root)];
    expect(all.filter((e) => e.name === 'text').map((e) => e.text)).toContain('Test <chart> & co');
    expect(all.filter((e) => e.name === 'clipPath')).toHaveLength(1);
    const strokes = all.filter((e) => e.name === 'path').map((e) => e.attributes.get('stroke'));
    expect(strokes).toContain('#2e7d32');
    expect(strokes).toContain('#1f5fbf');
    expect(strokes).not.toContain('#d35400');
    // The recovery band is a filled rectangle from x(2) to x(5).
    const g = chartGeometry(spec, 600, 300, view, new Set());
    const band = all.find((e) => e.name === 'rect' && e.attributes.get('fill') === '#fc0' && Number(e.attributes.get('height')) > 100)!;
    expect(Number(band.attributes.get('x'))).toBeCloseTo(g.x.map(2), 1);
    expect(Number(band.attributes.get('width'))).toBeCloseTo(g.x.map(5) - g.x.map(2), 1);
  });

  it('fits the values of visible layers in view (padded), ignoring rows outside it', () => {
    const whole = fitValues(spec, { start: 0, end: 10 }, new Set());
    expect([whole.start, whole.end].map((v) => Number(v.toFixed(6)))).toEqual([1 - 217.2, 4345 + 217.2]);
    const part = fitValues(spec, { start: 2.5, end: 3.5 }, new Set(['Segments']));
    expect([part.start, part.end].map((v) => Number(v.toFixed(6)))).toEqual([1449 - 72.4, 2897 + 72.4]);
  });
});

describe('hitTest', () => {
  const g = chartGeometry(spec, 600, 300, view, new Set());
  it('finds the bar under the pointer with its frame and text, and nothing a few pixels away', () => {
    const x = g.x.map(6);
    const y = g.y.map(3500);
    expect(hitTest(spec, g, x + 2, y, new Set())).toMatchObject({ layer: 'Segments', row: 2, frame: 7, text: 'segment 2' });
    expect(hitTest(spec, g, x + 20, y, new Set())).toBeNull();
    // The retransmitted row belongs to the retransmission layer only.
    expect(hitTest(spec, g, g.x.map(3), g.y.map(2000), new Set())).toMatchObject({ layer: 'Retransmissions', frame: 4 });
    expect(hitTest(spec, g, g.x.map(3), g.y.map(2000), new Set(['Retransmissions']))).toBeNull();
  });

  it('finds line points and legend entries', () => {
    expect(hitTest(spec, g, g.x.map(4), g.y.map(1449) + 3, new Set())).toMatchObject({ layer: 'ACK', frame: 5 });
    const entry = g.legend[1].box;
    expect(legendAt(g, entry.left + 3, entry.top + 5)).toBe('Segments');
    expect(legendAt(g, 5, 5)).toBeNull();
  });
});
