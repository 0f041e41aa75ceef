import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

const ROOT = join(__dirname, '../..');

/** The Chromium the e2e tests drive (Debian's; CHROMIUM overrides). */
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/**
 * Headless Chromium with its profile in `profileDir`, on `url`; the page's uncaught errors are added to
 * `pageErrors` (each test file asserts there were none).
 */
export async function openBrowser(
  profileDir: string,
  url: string,
  pageErrors: string[],
  options: { viewport: { width: number; height: number }; acceptDownloads?: boolean },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    acceptDownloads: options.acceptDownloads ?? false,
    viewport: options.viewport,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(url);
  return { context, page };
}

function newestModification(path: string): number {
  if (!existsSync(path)) return 0;
  if (!statSync(path).isDirectory()) return statSync(path).mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestModification(join(path, name))));
}

/**
 * The e2e tests serve the built UI (out/renderer, out/main/captureWorker.js). `npm test` builds it once before
 * vitest starts; building it in each test file would rebuild out/ while another file is serving it.
 */
export function assertBuiltUi(): void {
  const built = Math.min(newestModification(join(ROOT, 'out/renderer/index.html')), newestModification(join(ROOT, 'out/main/captureWorker.js')));
  const sources = Math.max(...['app', 'main', 'renderer'].map((dir) => newestModification(join(ROOT, dir))));
  if (built < sources) throw new Error('the UI build (out/) is missing or older than app/, main/ or renderer/: run `npx electron-vite build` (npm test does)');
}

/*
 * Helpers of the end-to-end UI test: tshark answers to compare with, and the page driven the way a user
 * drives it (the Open box, tabs, table headers), with the time each step takes.
 */

export function tsharkLines(file: string, args: readonly string[]): string[] {
  const run = spawnSync('tshark', ['-r', file, ...args], { encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, TZ: 'UTC' } });
  if (run.status !== 0) throw new Error(`tshark ${args.join(' ')} failed on ${file}: ${run.stderr}`);
  return run.stdout.split('\n').filter((line) => line !== '');
}

export function tsharkFrameCount(file: string): number {
  return tsharkLines(file, ['-T', 'fields', '-e', 'frame.number']).length;
}

/** Opens a file through the page's Open box; returns when the list shows rows and when loading ended. */
export async function openThroughPage(page: Page, file: string, failureShot?: string): Promise<{ firstRowsMs: number; indexedMs: number }> {
  await page.fill('input[aria-label="Capture file path"]', file);
  const started = performance.now();
  await page.click('form.open-form button[type="submit"]');
  try {
    await page.waitForFunction((name) => document.title.startsWith(name), basename(file), { timeout: 60_000 });
    await page.waitForSelector('.packet-row[data-frame="1"]:not(.loading)', { timeout: 60_000 });
  } catch (error) {
    if (failureShot) await page.screenshot({ path: failureShot });
    throw error;
  }
  const firstRowsMs = performance.now() - started;
  await page.waitForSelector('[data-testid="load-time"]', { timeout: 600_000 });
  const indexedMs = performance.now() - started;
  return { firstRowsMs, indexedMs };
}

/** Clicks a view tab (Packets, Conversations, DNS, TCP stream N). */
export async function showView(page: Page, name: string): Promise<void> {
  await page.click(`.view-tabs button[role="tab"]:text-is("${name}")`);
}

/**
 * Every row of a virtual table, scrolled through from top to bottom: the cell texts of each row in the
 * table's current order.
 */
export async function readTable(page: Page, label: string): Promise<string[][]> {
  return page.evaluate(async (name) => {
    const scroller = document.querySelector<HTMLElement>(`.table-scroller[aria-label="${name}"]`);
    if (!scroller) throw new Error(`no table ${name}`);
    const total = Number(scroller.getAttribute('aria-rowcount'));
    const rows = new Map<number, string[]>();
    const frame = () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
    scroller.scrollTop = 0;
    await frame();
    for (let guard = 0; rows.size < total && guard < 100_000; guard++) {
      for (const row of scroller.querySelectorAll<HTMLElement>('.table-row[aria-rowindex]')) {
        rows.set(Number(row.getAttribute('aria-rowindex')), [...row.children].map((cell) => cell.textContent ?? ''));
      }
      if (rows.size >= total) break;
      scroller.scrollTop += Math.max(20, scroller.clientHeight - 40);
      await frame();
    }
    return [...rows.entries()].sort((a, b) => a[0] - b[0]).map(([, cells]) => cells);
  }, label);
}

/** The column texts of a table's header, in order. */
export async function tableHeader(page: Page, label: string): Promise<string[]> {
  return page.$$eval(`.table[aria-label="${label}"] .table-header button`, (buttons) => buttons.map((b) => (b.textContent ?? '').replace(/ [▲▼]$/, '')));
}

/** The followed stream's pieces as drawn: side and text. */
export async function followPieces(page: Page): Promise<{ side: string; text: string; gap: boolean }[]> {
  return page.$$eval('[data-testid="follow"] .follow-piece', (pieces) =>
    pieces.map((p) => ({ side: p.getAttribute('data-side') ?? '', text: p.textContent ?? '', gap: p.classList.contains('gap') })),
  );
}

export interface ServeProcess {
  url: string;
  child: ChildProcess;
}

/**
 * `wirelens serve` as a separate process (optionally under another user, through `setpriv`): what a user
 * runs. Resolves with the URL it prints.
 */
export function startServeProcess(command: readonly string[], cwd: string): Promise<ServeProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0], command.slice(1), { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`wirelens serve printed no URL in 20 s:\n${out}\n${err}`)), 20_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const url = /https?:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+/.exec(out)?.[0];
      if (url) {
        clearTimeout(timer);
        resolve({ url, child });
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`wirelens serve exited with ${code}:\n${out}\n${err}`));
    });
  });
}
