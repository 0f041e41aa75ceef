import { spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { build as esbuild } from 'esbuild';
import type { BrowserContext, Page } from 'playwright-core';
import { build as viteBuild } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, type RunningBridge } from '../../main/bridge/server';
import { HELPER_ENV } from '../../main/live/helper';
import { tsharkVersion } from '../helpers/tshark';
import { spawnIn, waitForOutput } from '../integration/netns';
import { CHROMIUM, openBrowser, showView, tsharkFrameCount, tsharkLines } from './harness';

/*
 * Live capture from the UI, in headless Chromium against the web bridge. As root, the test makes its own
 * pair of network namespaces joined by a veth link (10.95.0.1 in A, 10.95.0.2 in B; IPv6 off, so nothing
 * but the test's traffic crosses it), points the bridge's capture helper at dumpcap run inside A (a
 * script named dumpcap: `ip netns exec A dumpcap ...`), and drives the Capture dialog: the interface list,
 * a bad capture filter refused with the helper's message, Start by Ctrl+E, rows appearing while B talks
 * TCP, UDP and DNS to A (the rate of list updates is measured), the Conversations view filling while
 * capturing (refreshed every 2 s while shown, not more), the DNS view growing while capturing, Stop, Save
 * as pcapng, tshark reading the saved file with as many frames as the list shows, as many TCP streams as
 * the Conversations view and DNS queries as the DNS view. Then a helper without permission: the per-OS
 * explanation and the way to open a file instead. The renderer and the worker are built into a private
 * directory (the other e2e test rebuilds out/ at the same time). Screenshots go to test-results/.
 */

const ROOT = resolve(__dirname, '../..');
const RESULTS = join(ROOT, 'test-results');
const TRAFFIC = resolve(ROOT, 'test/integration/liveTraffic.mjs');
const DUMPCAP = '/usr/bin/dumpcap';
const ADDRESS_A = '10.95.0.1';
const ADDRESS_B = '10.95.0.2';
/** How long namespace B sends traffic while the list is watched. */
const TRAFFIC_MS = 2000;

function skipReason(): string | null {
  if (process.platform !== 'linux') return 'network namespaces exist on Linux only';
  if (process.getuid?.() !== 0) return 'creating network namespaces needs root (run the tests as root, e.g. in CI, to run this one)';
  if (spawnSync('ip', ['-V']).status !== 0) return 'the ip command (iproute2) is not installed';
  if (!existsSync(CHROMIUM)) return `Chromium not found at ${CHROMIUM} (set CHROMIUM)`;
  if (!tsharkVersion()) return 'tshark not found: the saved capture is checked with it';
  if (!existsSync(DUMPCAP)) return `dumpcap not found at ${DUMPCAP}`;
  return null;
}
const reason = skipReason();
if (reason) console.warn(`test/e2e/live.test.ts skipped: ${reason}`);

interface Namespaces {
  a: string;
  b: string;
  linkA: string;
  linkB: string;
}

function ip(args: string[]): void {
  const run = spawnSync('ip', args, { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`ip ${args.join(' ')}: ${run.stderr.trim() || `exit status ${run.status}`}`);
}

function removeNamespace(name: string): void {
  const pids = (spawnSync('ip', ['netns', 'pids', name], { encoding: 'utf8' }).stdout ?? '').split('\n').filter(Boolean);
  for (const pid of pids) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // already gone
    }
  }
  spawnSync('ip', ['netns', 'del', name]);
}

function removeNamespaces(ns: Namespaces): void {
  removeNamespace(ns.a);
  removeNamespace(ns.b);
}

/** Namespaces of earlier runs killed before their cleanup (their process is gone). */
function removeStaleNamespaces(): void {
  const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  for (const line of list.split('\n')) {
    const match = /^(wl95[ab]-(\d+))\b/.exec(line);
    if (!match) continue;
    try {
      process.kill(Number(match[2]), 0);
    } catch {
      removeNamespace(match[1]);
    }
  }
}

/** Two namespaces and a veth link between them; removed again if any step fails. */
function createNamespaces(): Namespaces {
  removeStaleNamespaces();
  const id = process.pid;
  const ns: Namespaces = { a: `wl95a-${id}`, b: `wl95b-${id}`, linkA: `wl95a${id}`.slice(0, 15), linkB: `wl95b${id}`.slice(0, 15) };
  try {
    ip(['netns', 'add', ns.a]);
    ip(['netns', 'add', ns.b]);
    ip(['link', 'add', ns.linkA, 'netns', ns.a, 'type', 'veth', 'peer', 'name', ns.linkB, 'netns', ns.b]);
    for (const [name, link, address] of [
      [ns.a, ns.linkA, ADDRESS_A],
      [ns.b, ns.linkB, ADDRESS_B],
    ]) {
      for (const key of ['net.ipv6.conf.all.disable_ipv6', 'net.ipv6.conf.default.disable_ipv6']) spawnSync('ip', ['netns', 'exec', name, 'sysctl', '-q', '-w', `${key}=1`]);
      ip(['-n', name, 'addr', 'add', `${address}/24`, 'dev', link]);
      ip(['-n', name, 'link', 'set', 'lo', 'up']);
      ip(['-n', name, 'link', 'set', link, 'up']);
    }
  } catch (error) {
    removeNamespaces(ns);
    throw error;
  }
  return ns;
}

/** A program named dumpcap (the helper's kind is its file name) that runs `body` with dumpcap's arguments. */
function helperScript(dir: string, body: string): string {
  mkdirSync(dir, { recursive: true });
  const script = join(dir, 'dumpcap');
  writeFileSync(script, `#!/bin/sh\n${body}\n`);
  chmodSync(script, 0o755);
  return script;
}

describe.skipIf(reason !== null)('live capture from the UI (headless Chromium, web bridge, veth between namespaces)', () => {
  let ns: Namespaces | null = null;
  let bridge: RunningBridge;
  let context: BrowserContext;
  let page: Page;
  let scratch: string;
  let server: ChildProcess | null = null;
  let client: ChildProcess | null = null;
  const savedHelper = process.env[HELPER_ENV];
  const pageErrors: string[] = [];
  const cleanUp = () => {
    for (const child of [server, client]) child?.kill('SIGKILL');
    if (ns) removeNamespaces(ns);
    ns = null;
  };

  const onSignal = (signal: NodeJS.Signals) => {
    cleanUp();
    process.kill(process.pid, signal);
  };

  beforeAll(async () => {
    // Namespaces go even when the run is interrupted (a run killed outright leaves them to the next run).
    process.once('exit', cleanUp);
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, onSignal);
    mkdirSync(RESULTS, { recursive: true });
    scratch = mkdtempSync(join(tmpdir(), 'wirelens-e2e-live-'));
    const rendererDir = join(scratch, 'renderer');
    await viteBuild({ configFile: false, root: join(ROOT, 'renderer'), base: './', plugins: [react()], logLevel: 'warn', build: { outDir: rendererDir, emptyOutDir: true } });
    const workerScript = join(scratch, 'captureWorker.cjs');
    // Bundled with its packages: nothing resolves node_modules from the scratch directory.
    await esbuild({ entryPoints: [join(ROOT, 'main/service/worker.ts')], outfile: workerScript, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning' });

    ns = createNamespaces();
    process.env[HELPER_ENV] = helperScript(join(scratch, 'helper'), `exec ip netns exec ${ns.a} ${DUMPCAP} "$@"`);
    server = spawnIn(ns.a, process.execPath, [TRAFFIC, 'serve', ADDRESS_A]);
    await waitForOutput(server, 'ready');

    bridge = await startBridge({ rendererDir, workerScript, liveDirectory: join(scratch, 'live'), log: () => undefined });
    ({ context, page } = await openBrowser(join(scratch, 'chromium'), bridge.url, pageErrors, { viewport: { width: 1400, height: 900 } }));
  });

  afterAll(async () => {
    await context?.close();
    await bridge?.close();
    cleanUp();
    process.removeListener('exit', cleanUp);
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.removeListener(signal, onSignal);
    if (savedHelper === undefined) delete process.env[HELPER_ENV];
    else process.env[HELPER_ENV] = savedHelper;
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('lists the interfaces and refuses a bad capture filter with the helper’s message', async () => {
    const link = (ns as Namespaces).linkA;
    await page.click('button.capture-open');
    await page.waitForSelector(`.capture-interfaces tr[data-iface="${link}"]`, { timeout: 20_000 });
    const row = await page.textContent(`.capture-interfaces tr[data-iface="${link}"]`);
    expect(row).toContain(ADDRESS_A);
    await page.click(`.capture-interfaces tr[data-iface="${link}"]`);
    await page.fill('input[aria-label="Capture filter"]', 'tcp port');
    await page.waitForSelector('[data-testid="filter-verdict"][data-state="invalid"]', { timeout: 20_000 });
    const verdict = await page.textContent('[data-testid="filter-verdict"]');
    expect(verdict).toMatch(/^Invalid capture filter "tcp port": /);
    expect(await page.isDisabled('button.capture-start')).toBe(true);
    await page.screenshot({ path: join(RESULTS, 'live-dialog-bad-filter.png') });
    await page.fill('input[aria-label="Capture filter"]', `host ${ADDRESS_A}`);
    await page.waitForSelector('[data-testid="filter-verdict"][data-state="valid"]', { timeout: 20_000 });
    await page.fill('input[aria-label="Snapshot length"]', '65535');
  });

  it('starts with Ctrl+E, shows rows as they arrive, stops, saves pcapng that tshark reads with the same frame count', async () => {
    const namespaces = ns as Namespaces;
    await page.keyboard.press('Control+e');
    await page.waitForSelector('[data-testid="capture-bar"][data-state="capturing"] [data-testid="capture-counts"]', { timeout: 20_000 });
    expect(await page.isVisible('.capture-dialog')).toBe(false);

    // Every change of the list's row count and of the capture bar's counts, timed in the page.
    await page.evaluate(() => {
      const w = window as unknown as { listUpdates: number[]; barUpdates: number[] };
      w.listUpdates = [];
      w.barUpdates = [];
      const scroller = document.querySelector('.packet-scroller');
      const counts = document.querySelector('[data-testid="capture-counts"]');
      if (!scroller || !counts) throw new Error('no packet list or capture bar');
      new MutationObserver(() => w.listUpdates.push(performance.now())).observe(scroller, { attributes: true, attributeFilter: ['aria-rowcount'] });
      new MutationObserver(() => w.barUpdates.push(performance.now())).observe(counts, { subtree: true, characterData: true, childList: true });
    });
    client = spawnIn(namespaces.b, process.execPath, [TRAFFIC, 'client', ADDRESS_A]);
    await page.waitForSelector('.packet-row:not(.loading)', { timeout: 10_000 });
    const windowStart = await page.evaluate(() => performance.now());
    await new Promise((done) => setTimeout(done, TRAFFIC_MS));
    const windowEnd = await page.evaluate(() => performance.now());
    // The list follows the newest rows while capturing: rows near the newest frame are drawn with their text
    // (the newest fetched: at tens of thousands of packets a second a fetch is thousands of frames behind).
    await page.waitForFunction(
      () => {
        const total = Number(document.querySelector('.packet-scroller')?.getAttribute('aria-rowcount'));
        const drawn = [...document.querySelectorAll('.packet-row[data-frame]:not(.loading)')].map((r) => Number(r.getAttribute('data-frame')));
        return drawn.length > 0 && Math.max(...drawn) > 100 && Math.max(...drawn) > total - 10_000;
      },
      undefined,
      { timeout: 5000 },
    );
    const { listUpdates, barUpdates } = await page.evaluate(() => {
      const w = window as unknown as { listUpdates: number[]; barUpdates: number[] };
      return { listUpdates: w.listUpdates, barUpdates: w.barUpdates };
    });
    await page.screenshot({ path: join(RESULTS, 'live-capturing.png') });

    // Conversations while capturing: listed at once, then refreshed every 2 s while the view is shown. A
    // fresh client keeps new connections coming meanwhile (one stops after 10 000 rounds, a few seconds).
    client.kill('SIGKILL');
    client = spawnIn(namespaces.b, process.execPath, [TRAFFIC, 'client', ADDRESS_A]);
    const tcpTable = '.table-scroller[aria-label="TCP conversations"]';
    await showView(page, 'Conversations');
    await page.waitForSelector(tcpTable, { timeout: 10_000 });
    expect(await page.isVisible('[data-testid="conversations-updating"]')).toBe(true);
    const firstListed = Number(await page.getAttribute(tcpTable, 'aria-rowcount'));
    expect(firstListed).toBeGreaterThan(0);
    await page.evaluate((selector) => {
      const w = window as unknown as { tableUpdates: number };
      w.tableUpdates = 0;
      const table = document.querySelector(selector);
      if (!table) throw new Error('no TCP conversations table');
      new MutationObserver(() => w.tableUpdates++).observe(table, { attributes: true, attributeFilter: ['aria-rowcount'] });
    }, tcpTable);
    await new Promise((done) => setTimeout(done, 4500));
    const tableUpdates = await page.evaluate(() => (window as unknown as { tableUpdates: number }).tableUpdates);
    console.log(`conversations while capturing: ${firstListed} TCP at first, ${tableUpdates} updates in 4.5 s`);
    // New connections keep coming: every answer changes the count; one every 2 s, not more.
    expect(tableUpdates).toBeGreaterThanOrEqual(1);
    expect(tableUpdates).toBeLessThanOrEqual(3);
    expect(Number(await page.getAttribute(tcpTable, 'aria-rowcount'))).toBeGreaterThan(firstListed);
    await page.screenshot({ path: join(RESULTS, 'live-conversations.png') });

    // DNS while capturing, the same way (a fresh client again, one query a round): listed at once, then grows.
    client.kill('SIGKILL');
    client = spawnIn(namespaces.b, process.execPath, [TRAFFIC, 'client', ADDRESS_A]);
    const dnsTable = '.table-scroller[aria-label="DNS transactions"]';
    await showView(page, 'DNS');
    await page.waitForSelector(dnsTable, { timeout: 10_000 });
    expect(await page.textContent('[data-testid="dns-updating"]')).toMatch(/^updating… \([\d,]+ frames read\)$/);
    // Read together: a refresh between two reads would change one.
    const [firstQueries, firstSummary] = await page.evaluate(
      (selector) => [Number(document.querySelector(selector)?.getAttribute('aria-rowcount')), document.querySelector('[data-testid="dns-summary"]')?.textContent ?? ''] as const,
      dnsTable,
    );
    expect(firstQueries).toBeGreaterThan(0);
    expect(firstSummary).toMatch(new RegExp(`^${firstQueries.toLocaleString('en-US')} queries · `));
    const dnsShown = performance.now();
    await page.waitForFunction(([selector, first]) => Number(document.querySelector(selector)?.getAttribute('aria-rowcount')) > first, [dnsTable, firstQueries] as const, { timeout: 5000 });
    const grownQueries = Number(await page.getAttribute(dnsTable, 'aria-rowcount'));
    console.log(`DNS while capturing: ${firstQueries} queries at first, ${grownQueries} ${(performance.now() - dnsShown).toFixed(0)} ms later`);
    await page.screenshot({ path: join(RESULTS, 'live-dns.png') });
    await showView(page, 'Packets');
    client.kill('SIGKILL');
    client = null;
    // Updates per second over the whole window while B sends: a stall anywhere counts against the rate.
    const seconds = (windowEnd - windowStart) / 1000;
    const rate = (times: number[]) => times.filter((t) => t >= windowStart && t <= windowEnd).length / seconds;
    console.log(`live updates while traffic flows (${seconds.toFixed(2)} s): packet list ${rate(listUpdates).toFixed(1)}/s, capture bar ${rate(barUpdates).toFixed(1)}/s`);
    expect(rate(listUpdates)).toBeGreaterThanOrEqual(5);

    await page.keyboard.press('Control+e');
    await page.waitForSelector('[data-testid="capture-bar"][data-state="stopped"]', { timeout: 20_000 });
    await page.waitForSelector('[data-testid="load-time"]', { timeout: 20_000 });
    const listed = Number(await page.getAttribute('.packet-scroller', 'aria-rowcount'));
    const counted = Number(((await page.textContent('[data-testid="capture-frames"]')) ?? '').replace(/,/g, ''));
    expect(listed).toBeGreaterThan(20);
    expect(counted).toBe(listed);
    // The last row is there with its text.
    await page.focus('.packet-scroller');
    await page.keyboard.press('End');
    await page.waitForSelector(`.packet-row.selected[data-frame="${listed}"]:not(.loading)`, { timeout: 20_000 });

    const out = join(scratch, 'saved-live.pcapng');
    await page.fill('input[aria-label="Save capture as"]', out);
    await page.selectOption('select[aria-label="Save format"]', 'pcapng');
    await page.click('form.capture-save button[type="submit"]');
    await page.waitForSelector('[data-testid="capture-saved"]', { timeout: 20_000 });
    expect(await page.textContent('[data-testid="capture-saved"]')).toContain(`Saved ${listed.toLocaleString('en-US')} packets to ${out} (pcapng`);
    await page.screenshot({ path: join(RESULTS, 'live-saved.png') });
    expect(tsharkFrameCount(out)).toBe(listed);
    const protocols = spawnSync('tshark', ['-r', out, '-T', 'fields', '-e', '_ws.col.Protocol'], { encoding: 'utf8' }).stdout;
    expect(protocols).toMatch(/\bTCP\b/);
    expect(protocols).toMatch(/\bUDP\b/);
    expect(protocols).toMatch(/\bDNS\b/);
    // Stopped, the Conversations view is final: tshark's TCP streams of the saved file.
    const streams = new Set(tsharkLines(out, ['-T', 'fields', '-e', 'tcp.stream']).filter((line) => line !== '')).size;
    await showView(page, 'Conversations');
    await page.waitForSelector('[data-testid="conversations-updating"]', { state: 'detached', timeout: 10_000 });
    expect(Number(await page.getAttribute(tcpTable, 'aria-rowcount'))).toBe(streams);
    // And the DNS view: every query tshark finds in the saved file.
    const queries = tsharkLines(out, ['-Y', 'dns.flags.response == 0', '-T', 'fields', '-e', 'frame.number']).filter((line) => line !== '').length;
    await showView(page, 'DNS');
    await page.waitForSelector('[data-testid="dns-updating"]', { state: 'detached', timeout: 10_000 });
    expect(Number(await page.getAttribute(dnsTable, 'aria-rowcount'))).toBe(queries);
    await showView(page, 'Packets');
    expect(pageErrors).toEqual([]);
  });

  it('stops by itself after N packets; left unsaved by a process that died, it is offered on start-up, opened and saved', async () => {
    const namespaces = ns as Namespaces;
    await page.click('button.capture-open');
    await page.waitForSelector(`.capture-interfaces tr[data-iface="${namespaces.linkA}"]`, { timeout: 20_000 });
    await page.fill('input[aria-label="Stop after packets"]', '30');
    await page.click('button.capture-start');
    await page.waitForSelector('[data-testid="capture-bar"][data-state="capturing"]', { timeout: 20_000 });
    client = spawnIn(namespaces.b, process.execPath, [TRAFFIC, 'client', ADDRESS_A]);
    await page.waitForSelector('[data-testid="capture-bar"][data-state="stopped"]', { timeout: 20_000 });
    client.kill('SIGKILL');
    client = null;
    expect(await page.textContent('[data-testid="capture-counts"]')).toMatch(/packet limit reached · 30 packets/);

    // Closed unsaved, its spool stays; written by a process that is gone, it is what a crash leaves.
    const captures = await bridge.service.call('capture.list', {});
    const spool = captures[captures.length - 1];
    expect(spool.live).toBe(true);
    await bridge.service.call('capture.close', { id: spool.id });
    const metaPath = join(spool.path, 'capture.json');
    writeFileSync(metaPath, JSON.stringify({ ...(JSON.parse(readFileSync(metaPath, 'utf8')) as object), pid: 2 ** 22 + 7 }));

    await page.reload();
    await page.waitForSelector('[data-testid="capture-recover"]', { timeout: 20_000 });
    expect(await page.textContent('[data-testid="capture-recover"]')).toContain(`An unsaved capture on ${namespaces.linkA}`);
    await page.screenshot({ path: join(RESULTS, 'live-recover-offer.png') });
    // The last choice is preselected in a fresh page.
    await page.click('button.capture-open');
    await page.waitForSelector(`.capture-interfaces tr[data-iface="${namespaces.linkA}"]`, { timeout: 20_000 });
    expect(await page.isChecked(`input[aria-label="${namespaces.linkA}"]`)).toBe(true);
    expect(await page.inputValue('input[aria-label="Capture filter"]')).toBe(`host ${ADDRESS_A}`);
    await page.click('.capture-dialog button:text-is("Cancel")');

    await page.click('[data-testid="capture-recover"] button:text-is("Open it")');
    await page.waitForFunction(() => document.title.startsWith('capture-'), undefined, { timeout: 20_000 });
    await page.waitForSelector('[data-testid="load-time"]', { timeout: 20_000 });
    await page.waitForSelector('.packet-row[data-frame="1"]:not(.loading)', { timeout: 20_000 });
    expect(Number(await page.getAttribute('.packet-scroller', 'aria-rowcount'))).toBe(30);
    await page.screenshot({ path: join(RESULTS, 'live-recovered.png') });
    const out = join(scratch, 'recovered.pcap');
    await page.fill('input[aria-label="Save capture as"]', out);
    await page.selectOption('select[aria-label="Save format"]', 'pcap');
    await page.click('form.capture-save button[type="submit"]');
    await page.waitForSelector('[data-testid="capture-saved"]', { timeout: 20_000 });
    expect(tsharkFrameCount(out)).toBe(30);
  });

  it('explains a capture without permission and offers to open a file instead', async () => {
    process.env[HELPER_ENV] = helperScript(
      join(scratch, 'denied'),
      `echo 'dumpcap: You do not have permission to capture on that device' >&2\necho '(socket: Operation not permitted)' >&2\nexit 1`,
    );
    // After a failure above the capture may still run: stop it first.
    if (await page.isVisible('button.capture-stop')) await page.click('button.capture-stop');
    await page.click('button.capture-open');
    await page.waitForSelector('[data-testid="capture-help"]', { timeout: 20_000 });
    const help = (await page.textContent('[data-testid="capture-help"]')) ?? '';
    expect(help).toMatch(/not allowed to capture/);
    expect(help).toMatch(/wireshark group/);
    expect(help).toMatch(/open a saved capture/i);
    await page.screenshot({ path: join(RESULTS, 'live-no-permission.png') });
    await page.click('[data-testid="capture-help"] button:text-is("Open a capture file instead")');
    expect(await page.isVisible('.capture-dialog')).toBe(false);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Capture file path');
  });
});
