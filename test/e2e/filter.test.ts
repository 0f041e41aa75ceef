import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, type RunningBridge } from '../../main/bridge/server';
import { CORPUS_DIR, tsharkVersion } from '../helpers/tshark';
import { CHROMIUM, assertBuiltUi, openBrowser, openThroughPage, tsharkLines } from './harness';

/*
 * The display filter bar end to end, in headless Chromium against the web bridge: an expression that
 * does not compile turns the bar red with the compiler's message, an applied filter shows exactly the
 * frames `tshark -Y` prints (count, first and last frame numbers, the status bar's Displayed count),
 * field names complete as typed, applied filters are kept in the history, and the status bar says when
 * the field index that makes filters fast is ready. Screenshots go to test-results/.
 * WIRELENS_E2E_LARGE=1 also times a filter on bench-data/mixed-1m.pcap.
 */

const ROOT = resolve(__dirname, '../..');
const RESULTS = join(ROOT, 'test-results');
/** An HTTP download with retransmissions (108 frames, 47 of them tcp.analysis.retransmission). */
const RETRANS = join(CORPUS_DIR, 'arkime/pcap/wireshark-retrans.pcap');
const LARGE = join(ROOT, 'bench-data/mixed-1m.pcap');
const BAR = 'input[aria-label="Display filter"]';

function skipReason(): string | null {
  if (!existsSync(CHROMIUM)) return `Chromium not found at ${CHROMIUM} (set CHROMIUM)`;
  if (!tsharkVersion()) return 'tshark not found: the filtered list is compared with tshark -Y';
  if (!existsSync(RETRANS)) return `corpus capture not found at ${RETRANS}`;
  return null;
}
const reason = skipReason();
if (reason) console.warn(`test/e2e/filter.test.ts skipped: ${reason}`);

/** The frame numbers tshark's -Y accepts. */
function tsharkMatches(file: string, filter: string): number[] {
  return tsharkLines(file, ['-Y', filter, '-T', 'fields', '-e', 'frame.number']).map(Number);
}

describe.skipIf(reason !== null)('display filter bar in headless Chromium', () => {
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
    ({ context, page } = await openBrowser(userDataDir, bridge.url, pageErrors, { viewport: { width: 1400, height: 900 } }));
  }, 300_000);

  afterAll(async () => {
    await context?.close();
    await bridge?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  });

  /** The frame number shown in the list's row at 1-based position `position`, after the list scrolled to it. */
  async function frameAtPosition(position: number): Promise<number> {
    const text = await page.textContent(`.packet-row[data-frame="${position}"]:not(.loading) .number`, { timeout: 30_000 });
    return Number(text);
  }

  /** Applies a filter with Enter; resolves when the status bar shows `expected` displayed frames and the first row is drawn. */
  async function apply(filter: string, expected: number): Promise<number> {
    await page.fill(BAR, filter);
    const started = performance.now();
    await page.press(BAR, 'Enter');
    await page.waitForSelector(`[data-testid="displayed"]:text-is("Displayed: ${expected.toLocaleString('en-US')}")`, { timeout: 600_000 });
    if (expected > 0) await page.waitForSelector('.packet-row[data-frame="1"]:not(.loading)', { timeout: 60_000 });
    return performance.now() - started;
  }

  it('red with the message for an expression that does not compile, neutral when empty, green when it compiles', async () => {
    await openThroughPage(page, RETRANS);
    await page.click(BAR);
    await page.keyboard.type('tcp.port == ');
    // Each keystroke is checked: wait for the answer about the whole text, not for that about a prefix ('tc').
    await page.waitForSelector('[data-testid="filter-error"]:text-matches("^Column 13: ")');
    await page.waitForSelector('.filter-bar[data-state="invalid"]');
    expect(await page.getAttribute(BAR, 'aria-invalid')).toBe('true');
    const message = await page.textContent('[data-testid="filter-error"]');
    expect(message).toMatch(/^Column 13: /);
    expect(await page.$('.filter-underline mark')).not.toBeNull();
    await page.screenshot({ path: join(RESULTS, 'filter-invalid.png') });
    await page.fill(BAR, '');
    await page.waitForSelector('.filter-bar[data-state="empty"]');
    await page.fill(BAR, 'tcp.port == 80');
    await page.waitForSelector('.filter-bar[data-state="valid"]');
  }, 120_000);

  it('says in the status bar when the filter index is ready', async () => {
    // The capture opened above is read; its field index is built in the background right after.
    const hint = '[data-testid="filter-index"]';
    await page.waitForSelector(`${hint}[data-state="built"]`, { timeout: 60_000 });
    expect(await page.textContent(hint)).toBe('Filter index ready');
    expect(await page.getAttribute(hint, 'role')).toBe('status');
    expect(await page.getAttribute(hint, 'title')).toMatch(/^Display filters over indexed fields apply instantly \(index: \d/);
    await page.screenshot({ path: join(RESULTS, 'filter-index-ready.png') });
  }, 60_000);

  it('completes field names as they are typed (Tab picks)', async () => {
    await page.fill(BAR, '');
    await page.click(BAR);
    await page.keyboard.type('tcp.analysis.retr');
    // The list for the whole word, not one still shown for a prefix ('tcp.analysis.' lists other names first).
    await page.waitForFunction(() => {
      const names = [...document.querySelectorAll('.filter-suggestions[aria-label="Field names"] li')].map((li) => li.textContent ?? '');
      return names.includes('tcp.analysis.retransmission') && names.every((name) => name.startsWith('tcp.analysis.retr'));
    });
    await page.keyboard.press('Tab');
    expect(await page.inputValue(BAR)).toBe('tcp.analysis.retransmission');
  }, 60_000);

  it('tcp.analysis.retransmission shows exactly the frames tshark -Y prints', async () => {
    const expected = tsharkMatches(RETRANS, 'tcp.analysis.retransmission');
    expect(expected.length).toBe(47);
    await apply('tcp.analysis.retransmission', expected.length);
    expect(await page.getAttribute('.packet-scroller', 'aria-rowcount')).toBe(String(expected.length));
    expect(await frameAtPosition(1)).toBe(expected[0]);
    await page.focus('.packet-scroller');
    await page.keyboard.press('End');
    await page.waitForSelector(`.packet-row.selected[data-frame="${expected.length}"]:not(.loading)`);
    expect(await frameAtPosition(expected.length)).toBe(expected[expected.length - 1]);
    // The selected row's details are of that frame, not of the frame at that position in the whole capture.
    await page.waitForSelector('.detail-line[data-field="tcp"]');
    await page.screenshot({ path: join(RESULTS, 'filter-retransmission.png') });
    expect(await page.getAttribute('.filter-input', 'class')).toContain('filter-valid');
  }, 120_000);

  it('a filter that matches nothing empties the list; Escape shows every frame again', async () => {
    await apply('dns', tsharkMatches(RETRANS, 'dns').length);
    await page.press(BAR, 'Escape');
    await page.waitForSelector('[data-testid="displayed"]:text-is("Displayed: 108")');
    expect(await page.getAttribute('.packet-scroller', 'aria-rowcount')).toBe('108');
  }, 60_000);

  it('keeps applied filters in the history (Up recalls them, the list survives a reload)', async () => {
    await page.fill(BAR, '');
    await page.press(BAR, 'ArrowUp');
    expect(await page.inputValue(BAR)).toBe('dns');
    await page.press(BAR, 'ArrowUp');
    expect(await page.inputValue(BAR)).toBe('tcp.analysis.retransmission');
    await page.reload();
    // The service still holds the capture, and the reloaded page shows it again by itself. Opening it once
    // more raced with that: the second capture replaced the first (and its filter bar, with the open list)
    // after the waits for the first had passed, and the list read back empty.
    await page.waitForFunction((name) => document.title.startsWith(name), basename(RETRANS));
    await page.waitForSelector('.packet-row[data-frame="1"]:not(.loading)');
    await page.click('button[aria-label="Recent filters"]');
    await page.waitForSelector('.filter-suggestions[aria-label="Recent filters"] li');
    const history = await page.$$eval('.filter-suggestions[aria-label="Recent filters"] li', (items) => items.map((li) => li.textContent));
    expect(history.slice(0, 2)).toEqual(['dns', 'tcp.analysis.retransmission']);
    await page.screenshot({ path: join(RESULTS, 'filter-history.png') });
    // Ctrl+/ focuses the bar from anywhere.
    await page.focus('.packet-scroller');
    await page.keyboard.press('Control+/');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Display filter');
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it.skipIf(process.env.WIRELENS_E2E_LARGE !== '1' || !existsSync(LARGE))('times tcp.analysis.retransmission on bench-data/mixed-1m.pcap', async () => {
    await openThroughPage(page, LARGE);
    const expected = tsharkMatches(LARGE, 'tcp.analysis.retransmission');
    const applied = apply('tcp.analysis.retransmission', expected.length);
    await page.waitForSelector('[data-testid="filter-progress"]', { timeout: 60_000 });
    await page.screenshot({ path: join(RESULTS, 'filter-progress-1m.png') });
    const ms = await applied;
    await page.screenshot({ path: join(RESULTS, 'filter-applied-1m.png') });
    expect(await frameAtPosition(1)).toBe(expected[0]);
    await page.focus('.packet-scroller');
    await page.keyboard.press('End');
    await page.waitForSelector(`.packet-row.selected[data-frame="${expected.length}"]:not(.loading)`, { timeout: 60_000 });
    expect(await frameAtPosition(expected.length)).toBe(expected[expected.length - 1]);
    console.log(`display filter tcp.analysis.retransmission on mixed-1m.pcap: ${expected.length} frames in ${(ms / 1000).toFixed(1)} s`);
  }, 1_800_000);
});
