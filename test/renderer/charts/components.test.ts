import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chartGeometry } from '../../../renderer/charts/draw';
import { timeSequenceChart, windowsChart } from '../../../renderer/charts/layers';
import { isRetransmission, type StreamSeries } from '../../../renderer/charts/series';
import { parseXml } from '../../app/diagram/xml';
import { streamSeriesOfFile } from './captures';
import { encodeTyped } from './harness/wire';

/*
 * The chart components in headless Chromium: the charts of a real lossy transfer and a synthetic million
 * segments, bundled with esbuild into a page, driven with the mouse as a user would. Screenshots go to
 * test-results/charts/ to be looked at.
 */

const CHROMIUM = process.env.WIRELENS_CHROMIUM ?? '/usr/bin/chromium';
const LOSSY = resolve(__dirname, '../../../../shared/data/kernel-truth/cubic-20mbit-q60k-loss0.5.pcap');
const RESULTS = resolve(__dirname, '../../../test-results/charts');
const skip = !existsSync(CHROMIUM) ? `Chromium not found at ${CHROMIUM}` : !existsSync(LOSSY) ? `kernel-truth capture not found at ${LOSSY}` : null;

describe.skipIf(skip !== null)(`chart components in Chromium${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let series: StreamSeries;
  let browser: Browser;
  let page: Page;
  let scratch: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ({ series } = await streamSeriesOfFile(LOSSY, 0));
    scratch = mkdtempSync(join(tmpdir(), 'wirelens-charts-'));
    await build({
      entryPoints: [join(__dirname, 'harness/page.tsx')],
      bundle: true,
      format: 'iife',
      jsx: 'automatic',
      outdir: scratch,
      define: { 'process.env.NODE_ENV': '"production"' },
      logLevel: 'error',
    });
    writeFileSync(join(scratch, 'series.js'), `window.seriesJson = ${JSON.stringify(encodeTyped(series))};\n`);
    writeFileSync(
      join(scratch, 'index.html'),
      '<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="page.css"></head>' +
        '<body style="margin:0;font:13px sans-serif"><div id="stream" style="width:1200px"></div><div id="million" style="width:1200px"></div>' +
        '<script src="series.js"></script><script src="page.js"></script></body></html>',
    );
    mkdirSync(RESULTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
    page = await browser.newPage({ viewport: { width: 1240, height: 1500 }, acceptDownloads: true });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(pathToFileURL(join(scratch, 'index.html')).href);
    await page.waitForFunction(() => document.querySelectorAll('canvas.wl-chart-canvas').length === 5);
    // Two animation frames: every chart has drawn at its measured width.
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
  });

  afterAll(async () => {
    await browser?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  const chart = (id: string) => page.locator(`[data-testid="stream-charts"] [data-chart="${id}"]`);
  const view = async (id: string) => (await chart(id).getAttribute('data-view'))!.split(',').map(Number);
  const canvasBox = async (id: string) => (await chart(id).locator('canvas').boundingBox())!;

  /** Share of sampled canvas pixels that are not white. */
  async function ink(locator: Locator): Promise<number> {
    return locator.evaluate((canvas: HTMLCanvasElement) => {
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      let inked = 0;
      let sampled = 0;
      for (let i = 0; i < data.length; i += 4 * 5) {
        sampled++;
        if (data[i] < 235 || data[i + 1] < 235 || data[i + 2] < 235) inked++;
      }
      return inked / sampled;
    });
  }

  async function settle(): Promise<void> {
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
  }

  it('draws the four linked charts of the stream and the million-segment chart', async () => {
    for (const id of ['time-sequence', 'windows', 'rtt', 'rates']) {
      const share = await ink(chart(id).locator('canvas'));
      expect(share, id).toBeGreaterThan(0.03);
      expect(share, id).toBeLessThan(0.6);
    }
    expect(await ink(page.locator('#million canvas'))).toBeGreaterThan(0.03);
    await page.screenshot({ path: join(RESULTS, 'stream-charts.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it('hovering a segment shows its frame; clicking it selects the frame', async () => {
    const d = series.directions[0];
    const spec = timeSequenceChart(d);
    const box = await canvasBox('time-sequence');
    const [start, end] = await view('time-sequence');
    const g = chartGeometry(spec, box.width, box.height, { x: { start, end }, y: null }, new Set());
    // A retransmission stands out of the rising line of new data: easy to hit.
    const row = d.segments.analysis.findIndex((a, i) => isRetransmission(a) && d.segments.time[i] > 1);
    const x = box.x + g.x.map(d.segments.time[row]);
    const y = box.y + g.y.map((d.segments.seq[row] + d.segments.end[row]) / 2);
    await page.mouse.move(x, y);
    const tooltip = chart('time-sequence').locator('.wl-chart-tooltip');
    await expect.poll(() => tooltip.textContent()).toContain('retransmission');
    const text = (await tooltip.textContent())!;
    const frame = Number(/frame (\d+)/.exec(text)![1]);
    expect(d.segments.frame.indexOf(frame)).toBeGreaterThanOrEqual(0);
    await page.mouse.click(x, y);
    expect(await page.evaluate(() => window.selectedFrames)).toEqual([frame]);
    await page.mouse.move(0, 0);
  });

  it('the wheel zooms every chart about the pointer; shift+drag pans them all', async () => {
    const full = await view('time-sequence');
    const box = await canvasBox('rtt');
    const px = box.x + 72 + (box.width - 88) * 0.75;
    await page.mouse.move(px, box.y + 120);
    await page.mouse.wheel(0, -500);
    await settle();
    const zoomed = await view('rtt');
    expect(zoomed[1] - zoomed[0]).toBeLessThan((full[1] - full[0]) * 0.7);
    for (const id of ['time-sequence', 'windows', 'rates']) expect(await view(id)).toEqual(zoomed);
    // The time under the pointer stays put: 75% of the way across before and after.
    const before = full[0] + 0.75 * (full[1] - full[0]);
    const after = zoomed[0] + 0.75 * (zoomed[1] - zoomed[0]);
    expect(Math.abs(after - before)).toBeLessThan((full[1] - full[0]) * 0.01);
    await page.keyboard.down('Shift');
    await page.mouse.move(px, box.y + 120);
    await page.mouse.down();
    await page.mouse.move(px + 100, box.y + 120, { steps: 4 });
    await page.mouse.up();
    await page.keyboard.up('Shift');
    await settle();
    const panned = await view('windows');
    const secondsPerPixel = (zoomed[1] - zoomed[0]) / (box.width - 88);
    expect(panned[0]).toBeCloseTo(zoomed[0] - 100 * secondsPerPixel, 6);
    expect(await view('time-sequence')).toEqual(panned);
  });

  it('box zoom sets the shared time range and this chart’s values; double-click resets everything', async () => {
    const box = await canvasBox('windows');
    const [start, end] = await view('windows');
    await page.mouse.move(box.x + 172, box.y + 70);
    await page.mouse.down();
    await page.mouse.move(box.x + 472, box.y + 170, { steps: 5 });
    await page.mouse.up();
    await settle();
    const g = chartGeometry(windowsChart(series.directions[0], series.duration), box.width, box.height, { x: { start, end }, y: null }, new Set());
    const boxed = await view('windows');
    expect(boxed[0]).toBeCloseTo(g.x.invert(172), 6);
    expect(boxed[1]).toBeCloseTo(g.x.invert(472), 6);
    expect(await view('rates')).toEqual(boxed);
    expect(await chart('windows').getAttribute('data-values')).not.toBe('fit');
    expect(await chart('rates').getAttribute('data-values')).toBe('fit');
    await page.mouse.dblclick(box.x + 300, box.y + 120);
    await settle();
    for (const id of ['time-sequence', 'windows', 'rtt', 'rates']) expect(await view(id)).toEqual([0, series.duration]);
    expect(await chart('windows').getAttribute('data-values')).toBe('fit');
  });

  it('zoomed in around a loss: segments, retransmissions, SACK blocks and duplicate ACKs apart (screenshot)', async () => {
    const d = series.directions[0];
    const box = await canvasBox('time-sequence');
    const spec = timeSequenceChart(d);
    const [start, end] = await view('time-sequence');
    const g = chartGeometry(spec, box.width, box.height, { x: { start, end }, y: null }, new Set());
    const row = d.segments.analysis.findIndex((a, i) => isRetransmission(a) && d.segments.time[i] > 1);
    const t = d.segments.time[row];
    const seq = d.segments.seq[row];
    // A box 60 ms wide and 200 kB tall around the retransmission.
    const [x0, x1] = [g.x.map(t - 0.03), g.x.map(t + 0.03)];
    const [y0, y1] = [g.y.map(seq + 150_000), g.y.map(seq - 50_000)];
    await page.mouse.move(box.x + x0, box.y + y0);
    await page.mouse.down();
    await page.mouse.move(box.x + x1, box.y + y1, { steps: 5 });
    await page.mouse.up();
    await settle();
    const zoomed = await view('time-sequence');
    expect(zoomed[1] - zoomed[0]).toBeCloseTo(0.06, 3);
    await page.screenshot({ path: join(RESULTS, 'time-sequence-zoomed.png'), clip: box });
    const windows = await canvasBox('windows');
    await page.screenshot({ path: join(RESULTS, 'windows-zoomed.png'), clip: windows });
    await page.mouse.dblclick(box.x + 300, box.y + 150);
    await settle();
    expect(await view('time-sequence')).toEqual([0, series.duration]);
  });

  it('clicking a legend entry hides the layer and clicking again shows it', async () => {
    const box = await canvasBox('time-sequence');
    const spec = timeSequenceChart(series.directions[0]);
    const g = chartGeometry(spec, box.width, box.height, { x: { start: 0, end: 1 }, y: null }, new Set());
    const entry = g.legend.find((e) => e.name === 'Receive window')!.box;
    const before = await ink(chart('time-sequence').locator('canvas'));
    await page.mouse.click(box.x + entry.left + 6, box.y + entry.top + 7);
    await settle();
    expect(await chart('time-sequence').getAttribute('data-hidden')).toBe('Receive window');
    expect(await ink(chart('time-sequence').locator('canvas'))).not.toBe(before);
    await page.screenshot({ path: join(RESULTS, 'time-sequence-without-window.png'), clip: box });
    await page.mouse.click(box.x + entry.left + 6, box.y + entry.top + 7);
    await settle();
    expect(await chart('time-sequence').getAttribute('data-hidden')).toBe('');
  });

  it('exports PNG, SVG and a layer as CSV', async () => {
    const tools = chart('time-sequence').locator('.wl-chart-tools');
    const [png] = await Promise.all([page.waitForEvent('download'), tools.getByRole('button', { name: 'PNG' }).click()]);
    const pngBytes = readFileSync((await png.path())!);
    expect([...pngBytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const [svg] = await Promise.all([page.waitForEvent('download'), tools.getByRole('button', { name: 'SVG' }).click()]);
    expect(svg.suggestedFilename()).toMatch(/^lossy-stream-0-client-tcptrace\.svg$/);
    const svgText = readFileSync((await svg.path())!, 'utf8');
    writeFileSync(join(RESULTS, 'time-sequence.svg'), svgText);
    expect(parseXml(svgText).name).toBe('svg');
    const [csv] = await Promise.all([page.waitForEvent('download'), tools.locator('select').selectOption('Retransmissions')]);
    const lines = readFileSync((await csv.path())!, 'utf8').trimEnd().split('\n');
    const s = series.directions[0].segments;
    const retransmitted = [...s.frame].filter((_, i) => isRetransmission(s.analysis[i]));
    expect(lines[0]).toBe('time,low,high,frame');
    expect(lines.slice(1).map((l) => Number(l.split(',')[3]))).toEqual(retransmitted);
  });

  it('a million segments draw in well under a second, whole or zoomed', async () => {
    const { fullMs, zoomedMs, hoverRows } = await page.evaluate(() => window.benchMillion());
    console.log(`1M segments (+500k ACKs): whole view ${fullMs.toFixed(1)} ms, zoomed ${zoomedMs.toFixed(1)} ms`);
    expect(hoverRows).toBe(1_000_000);
    expect(fullMs).toBeLessThan(1000);
    expect(zoomedMs).toBeLessThan(200);
    await page.locator('#million').screenshot({ path: join(RESULTS, 'million-segments.png') });
    expect(pageErrors).toEqual([]);
  });
});
