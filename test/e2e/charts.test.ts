import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ladderMermaid } from '../../app/diagram/mermaid';
import { ladderSvg } from '../../app/diagram/svg';
import { startBridge, type RunningBridge } from '../../main/bridge/server';
import { streamLadder } from '../../main/cli/diagram';
import { chartGeometry } from '../../renderer/charts/draw';
import { timeSequenceChart } from '../../renderer/charts/layers';
import { CORPUS_DIR, tsharkVersion } from '../helpers/tshark';
import { streamSeriesOfFile } from '../renderer/charts/captures';
import { CHROMIUM, assertBuiltUi, openBrowser, openThroughPage, tsharkLines } from './harness';

/*
 * A TCP stream's Graphs and Diagram tabs end to end, in headless Chromium against the web bridge: the
 * charts draw, a segment clicked in the time-sequence chart selects the frame its hover names, and the
 * ladder's SYN arrow selects the SYN's frame (as tshark numbers it). Screenshots go to test-results/.
 */

const ROOT = resolve(__dirname, '../..');
const RESULTS = join(ROOT, 'test-results');
/** A 20 Mbit/s Reno transfer recorded with the kernel's own view of the sender (one stream, 6587 frames). */
const KERNEL_TRUTH = resolve(ROOT, '../shared/data/kernel-truth/reno-20mbit-q60k.pcap');
/** An HTTP download with retransmissions. */
const RETRANS = join(CORPUS_DIR, 'arkime/pcap/wireshark-retrans.pcap');

function skipReason(): string | null {
  if (!existsSync(CHROMIUM)) return `Chromium not found at ${CHROMIUM} (set CHROMIUM)`;
  if (!tsharkVersion()) return 'tshark not found: the test takes the SYN frame from tshark';
  if (!existsSync(CORPUS_DIR)) return `capture corpus not found at ${CORPUS_DIR}`;
  return null;
}
const reason = skipReason();
if (reason) console.warn(`test/e2e/charts.test.ts skipped: ${reason}`);
const kernelTruth = existsSync(KERNEL_TRUTH);
if (!kernelTruth) console.warn(`test/e2e/charts.test.ts: the kernel-truth recording case is skipped: ${KERNEL_TRUTH} not found`);

/** Share of sampled canvas pixels that are not white. */
function ink(page: Page, selector: string): Promise<number> {
  return page.locator(selector).evaluate((canvas: HTMLCanvasElement) => {
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

describe.skipIf(reason !== null)('TCP stream Graphs and Diagram tabs in headless Chromium', () => {
  let bridge: RunningBridge;
  let context: BrowserContext;
  let page: Page;
  let userDataDir: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    assertBuiltUi();
    mkdirSync(RESULTS, { recursive: true });
    bridge = await startBridge({ rendererDir: join(ROOT, 'out/renderer'), workerScript: join(ROOT, 'out/main/captureWorker.js'), log: () => undefined });
    userDataDir = mkdtempSync(join(tmpdir(), 'wirelens-chromium-'));
    ({ context, page } = await openBrowser(userDataDir, bridge.url, pageErrors, { viewport: { width: 1400, height: 1000 }, acceptDownloads: true }));
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  }, 300_000);

  afterAll(async () => {
    await context?.close();
    await bridge?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  });

  /** Opens the file and its TCP stream 0 (from frame 1) and shows the stream tab named. */
  async function openStreamTab(file: string, tab: 'Graphs' | 'Diagram'): Promise<void> {
    await openThroughPage(page, file);
    await page.click('.packet-row[data-frame="1"]');
    await page.waitForSelector('.detail-line[data-field="tcp"]');
    await page.click('.view-tabs .follow-button');
    await page.click(`.stream-tabs button[role="tab"]:text-is("${tab}")`);
  }

  async function expectSelected(frame: number): Promise<void> {
    await page.waitForSelector(`.packet-row.selected[data-frame="${frame}"]`, { timeout: 10_000 });
    await page.waitForSelector('.detail-line[data-field="tcp"]');
  }

  const cases = [
    { file: KERNEL_TRUTH, present: kernelTruth },
    { file: RETRANS, present: true },
  ];

  for (const { file, present } of cases) {
    it.skipIf(!present)(`draws the charts of ${basename(file)} stream 0; a clicked segment selects the frame its hover names`, async () => {
      await openStreamTab(file, 'Graphs');
      const chart = page.locator('[data-testid="stream-graphs"] [data-chart="time-sequence"]');
      await chart.locator('canvas').waitFor();
      await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
      for (const id of ['time-sequence', 'windows', 'rtt', 'rates']) {
        expect(await ink(page, `[data-testid="stream-graphs"] [data-chart="${id}"] canvas`), id).toBeGreaterThan(0.01);
      }
      await page.screenshot({ path: join(RESULTS, `charts-${basename(file)}-graphs.png`), fullPage: true });

      // Where the chart draws the middle segment of the data sender (the busier direction, as StreamCharts picks).
      const { series } = await streamSeriesOfFile(file, 0);
      const bytes = (d: 0 | 1) => series.directions[d].segments.len.reduce((n, v) => n + v, 0);
      const d = series.directions[bytes(1) > bytes(0) ? 1 : 0];
      const box = (await chart.locator('canvas').boundingBox())!;
      const [start, end] = (await chart.getAttribute('data-view'))!.split(',').map(Number);
      const g = chartGeometry(timeSequenceChart(d), box.width, box.height, { x: { start, end }, y: null }, new Set());
      const row = Math.floor(d.segments.time.length / 2);
      const x = box.x + g.x.map(d.segments.time[row]);
      const y = box.y + g.y.map((d.segments.seq[row] + d.segments.end[row]) / 2);
      await page.mouse.move(x, y);
      const tooltip = chart.locator('.wl-chart-tooltip');
      await expect.poll(() => tooltip.textContent()).toMatch(/frame \d+/);
      const frame = Number(/frame (\d+)/.exec((await tooltip.textContent())!)![1]);
      expect(d.segments.frame.indexOf(frame)).toBeGreaterThanOrEqual(0);
      await page.screenshot({ path: join(RESULTS, `charts-${basename(file)}-hover.png`) });
      await page.mouse.click(x, y);
      await expectSelected(frame);
      await page.screenshot({ path: join(RESULTS, `charts-${basename(file)}-selected.png`) });
    });

    it.skipIf(!present)(`draws the ladder of ${basename(file)} stream 0; its SYN arrow selects tshark's SYN frame`, async () => {
      const [syn] = tsharkLines(file, ['-Y', 'tcp.stream == 0 && tcp.flags.syn == 1 && tcp.flags.ack == 0', '-T', 'fields', '-e', 'frame.number']);
      await openStreamTab(file, 'Diagram');
      const diagram = page.locator('[data-testid="stream-diagram"]');
      await diagram.locator('svg g.arrow').first().waitFor();
      expect(await diagram.locator('svg g.arrow').count()).toBeGreaterThanOrEqual(3);
      const synArrow = diagram.locator('svg g.arrow.syn').first();
      expect(await synArrow.getAttribute('data-first-frame')).toBe(syn);
      const relative = await synArrow.textContent();
      await page.click('.stream-diagram button:text-is("Absolute")');
      // Absolute numbering shows the raw ISN instead of seq=0.
      await expect.poll(() => synArrow.textContent()).not.toBe(relative);
      const isn = tsharkLines(file, ['-Y', `frame.number == ${syn}`, '-T', 'fields', '-e', 'tcp.seq_raw'])[0];
      expect(await synArrow.textContent()).toContain(isn);
      await page.screenshot({ path: join(RESULTS, `charts-${basename(file)}-diagram-absolute.png`), fullPage: true });
      await page.click('.stream-diagram button:text-is("Relative")');
      await page.screenshot({ path: join(RESULTS, `charts-${basename(file)}-diagram.png`), fullPage: true });

      // What the UI exports and copies is what `wirelens diagram` writes for the stream.
      const { ladder } = await streamLadder(file, 0);
      const download = page.waitForEvent('download');
      await page.click('.stream-diagram button:text-is("Export SVG")');
      const svg = await download;
      expect(svg.suggestedFilename()).toBe(`${basename(file).replace(/\.pcap$/, '')}-stream0.svg`);
      expect(readFileSync((await svg.path())!, 'utf8')).toBe(ladderSvg(ladder!, { numbering: 'relative' }));
      await page.click('.stream-diagram button:text-is("Copy Mermaid")');
      await page.waitForSelector('[data-testid="diagram-notice"]');
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(ladderMermaid(ladder!, { numbering: 'relative' }));
      const png = page.waitForEvent('download');
      await page.click('.stream-diagram button:text-is("Export PNG")');
      expect((await png).suggestedFilename()).toBe(`${basename(file).replace(/\.pcap$/, '')}-stream0.png`);
      // PNG signature, then the IHDR chunk's width and height (RFC 2083 section 4.1.1): the ladder's size.
      const pngPath = join(RESULTS, `charts-${basename(file)}-diagram-export.png`);
      await (await png).saveAs(pngPath);
      const image = readFileSync(pngPath);
      expect(image.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect([image.readUInt32BE(16), image.readUInt32BE(20)]).toEqual([ladder!.layout.width, ladder!.layout.height]);

      await synArrow.click();
      await expectSelected(Number(syn));
      expect(pageErrors).toEqual([]);
    });
  }
});
