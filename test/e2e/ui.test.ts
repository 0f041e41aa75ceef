import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANDIDATES } from '../../app/refstack/select';
import { startBridge, type RunningBridge } from '../../main/bridge/server';
import { nodeBytes, tsharkFollowRaw } from '../app/index/tsharkFollow';
import { CORPUS_DIR, tsharkVersion } from '../helpers/tshark';
import { CHROMIUM, assertBuiltUi, followPieces, openBrowser, openThroughPage, readTable, showView, startServeProcess, tableHeader, tsharkFrameCount, tsharkLines } from './harness';

/*
 * The UI end to end, in headless Debian Chromium against the web bridge (Electron cannot run here):
 * serve the built app (npm test builds it first; see assertBuiltUi), open captures through the page's Open box, and check
 * against tshark: the list's frame count, the details tree and the field <-> bytes highlighting, the
 * conversations tables, a followed stream's bytes (and the files saved from it), the stream analysis,
 * the DNS transactions, and the messages for files that cannot be read. Screenshots go to
 * test-results/. Timings (first rows, fully indexed, scrolling to the last row) are printed; set
 * WIRELENS_E2E_LARGE=1 to also load bench-data/mixed-1m.pcap (1.4 GB).
 */

const ROOT = resolve(__dirname, '../..');
const RESULTS = join(ROOT, 'test-results');
const SAMPLE = join(ROOT, 'samples/handshake-dns.pcapng');
const LARGE = join(ROOT, 'bench-data/mixed-1m.pcap');

function skipReason(): string | null {
  if (!existsSync(CHROMIUM)) return `Chromium not found at ${CHROMIUM} (set CHROMIUM)`;
  if (!tsharkVersion()) return 'tshark not found: the e2e test compares the list with its frame count';
  if (!existsSync(CORPUS_DIR)) return `capture corpus not found at ${CORPUS_DIR}`;
  return null;
}
const reason = skipReason();
if (reason) console.warn(`test/e2e/ui.test.ts skipped: ${reason}`);

interface Timing {
  file: string;
  megabytes: number;
  frames: number;
  firstRowsMs: number;
  indexedMs: number;
  /** From the first row selected to the last row drawn with its text, by the End key. */
  lastRowMs: number;
}

const CORPUS = (name: string) => join(CORPUS_DIR, name);

/** End selects the last row; resolves with the time until it is drawn with its text. */
async function timeToLastRow(page: Page, frames: number): Promise<number> {
  await page.focus('.packet-scroller');
  const started = performance.now();
  await page.keyboard.press('End');
  await page.waitForSelector(`.packet-row.selected[data-frame="${frames}"]:not(.loading)`, { timeout: 120_000 });
  return performance.now() - started;
}

describe.skipIf(reason !== null)('UI in headless Chromium over the web bridge', () => {
  let bridge: RunningBridge;
  let context: BrowserContext;
  let page: Page;
  let userDataDir: string;
  let scratch: string;
  const timings: Timing[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    assertBuiltUi();
    mkdirSync(RESULTS, { recursive: true });
    scratch = mkdtempSync(join(tmpdir(), 'wirelens-e2e-'));
    bridge = await startBridge({
      rendererDir: join(ROOT, 'out/renderer'),
      workerScript: join(ROOT, 'out/main/captureWorker.js'),
      log: () => undefined,
    });
    userDataDir = mkdtempSync(join(tmpdir(), 'wirelens-chromium-'));
    ({ context, page } = await openBrowser(userDataDir, bridge.url, pageErrors, { viewport: { width: 1400, height: 900 }, acceptDownloads: true }));
  });

  afterAll(async () => {
    await context?.close();
    await bridge?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    if (timings.length) {
      console.log('UI load timings (through the page, headless Chromium):');
      for (const t of timings) {
        console.log(
          `  ${t.file}: ${t.megabytes.toFixed(1)} MB, ${t.frames} frames, first rows ${t.firstRowsMs.toFixed(0)} ms, fully indexed ${t.indexedMs.toFixed(0)} ms, first to last row ${t.lastRowMs.toFixed(0)} ms`,
        );
      }
    }
  });

  it('loads the page without errors and keeps the token out of the address bar', async () => {
    await page.waitForSelector('input[aria-label="Capture file path"]');
    expect(page.url()).not.toContain('token=');
    expect(pageErrors).toEqual([]);
  });

  const files = [
    ...(existsSync(SAMPLE) ? [SAMPLE] : []),
    join(CORPUS_DIR, 'arkime/pcap/wireshark-retrans.pcap'),
    join(CORPUS_DIR, 'tcpdump/tests/OSPFv2_Capture_FINAL.pcapng'),
    join(CORPUS_DIR, 'pcapplusplus/Pcap++Test/PcapExamples/example.pcap'),
  ];

  for (const file of files) {
    it(`lists every frame of ${basename(file)}, as many as tshark counts`, async () => {
      const want = tsharkFrameCount(file);
      const { firstRowsMs, indexedMs } = await openThroughPage(page, file);
      await expect.poll(() => page.getAttribute('.packet-scroller', 'aria-rowcount')).toBe(String(want));
      expect(await page.textContent('[data-testid="frames"]')).toBe(`Frames: ${want.toLocaleString('en-US')}`);
      // The last row is reachable: End selects it and scrolls it into view.
      const lastRowMs = await timeToLastRow(page, want);
      timings.push({ file: basename(file), megabytes: statSync(file).size / 1e6, frames: want, firstRowsMs, indexedMs, lastRowMs });
      await page.screenshot({ path: join(RESULTS, `e2e-${basename(file)}-last.png`) });
      await page.keyboard.press('Home');
      await page.waitForSelector('.packet-row.selected[data-frame="1"]');
    });
  }

  it('shows the field tree of a selected frame and links fields and bytes both ways', async () => {
    await openThroughPage(page, join(CORPUS_DIR, 'arkime/pcap/wireshark-retrans.pcap'));
    await page.click('.packet-row[data-frame="4"]');
    await page.waitForSelector('.detail-line[data-field="frame"]');
    const roots = await page.$$eval('.details > .detail-line', (lines) => lines.map((l) => l.getAttribute('data-field')));
    expect(roots).toContain('eth');
    expect(roots).toContain('ip');
    // Hovering shows the Wireshark field name.
    expect(await page.getAttribute('.detail-line[data-field="ip"]', 'title')).toMatch(/^ip \(20 bytes at 14\)$/);
    // Selecting the IPv4 header highlights its 20 bytes after the 14 of Ethernet.
    await page.click('.detail-line[data-field="ip"]');
    const marked = await page.$$eval('.hex-byte.marked', (cells) => cells.map((c) => Number(c.getAttribute('data-offset'))));
    expect(marked).toEqual(Array.from({ length: 20 }, (_, i) => 14 + i));
    expect(await page.textContent('.status-field')).toBe('ip, 20 bytes');
    await page.screenshot({ path: join(RESULTS, 'e2e-field-to-bytes.png') });
    // Clicking byte 23 (the IPv4 protocol field) selects that field in the tree.
    await page.click('.hex-byte[data-offset="23"]');
    await page.waitForSelector('.detail-line.selected[data-field="ip.proto"]');
    const protocolBytes = await page.$$eval('.hex-byte.marked', (cells) => cells.map((c) => Number(c.getAttribute('data-offset'))));
    expect(protocolBytes).toEqual([23]);
    await page.screenshot({ path: join(RESULTS, 'e2e-bytes-to-field.png') });
    expect(pageErrors).toEqual([]);
  });

  it('finds packets by text and switches the time column', async () => {
    await openThroughPage(page, join(CORPUS_DIR, 'arkime/pcap/dns-udp.pcap'));
    // tshark -r dns-udp.pcap: frames 3 and 4 are the exchange with 10.178.8.71.
    await page.keyboard.press('Control+f');
    await page.fill('input[aria-label="Find packet"]', '10.178.8.71');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.packet-row.selected[data-frame="3"]');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.packet-row.selected[data-frame="4"]');
    await page.keyboard.press('Shift+Enter');
    await page.waitForSelector('.packet-row.selected[data-frame="3"]');
    await page.selectOption('select[aria-label="Time format"]', 'absolute');
    // TZ=UTC tshark -r dns-udp.pcap -t ud: frame 1 at 2013-11-25 17:30:47.217572.
    expect(await page.textContent('.packet-row[data-frame="1"] span:nth-child(2)')).toBe('2013-11-25 17:30:47.217572');
    await page.selectOption('select[aria-label="Time format"]', 'delta');
    expect(await page.textContent('.packet-row[data-frame="3"] span:nth-child(2)')).toBe('1.000295');
    await page.screenshot({ path: join(RESULTS, 'e2e-find.png') });
    await page.selectOption('select[aria-label="Time format"]', 'relative');
  });

  it('lists TCP and UDP conversations as tshark does, sorts them, and follows the busiest stream', async () => {
    const file = CORPUS('pcapplusplus/Pcap++Test/PcapExamples/example2.pcap');
    await openThroughPage(page, file);
    await showView(page, 'Conversations');
    await page.waitForSelector('.table-scroller[aria-label="TCP conversations"]');
    expect(await tableHeader(page, 'TCP conversations')).toEqual([
      'Stream', 'Address A', 'Port A', 'Address B', 'Port B', 'Packets', 'Bytes',
      'Packets A → B', 'Bytes A → B', 'Packets B → A', 'Bytes B → A', 'Rel Start', 'Duration',
    ]);
    // tshark's view of each stream: its first packet's endpoints (A -> B) and its packet count.
    const want = new Map<number, { a: string; portA: string; b: string; portB: string; packets: number }>();
    for (const line of tsharkLines(file, ['-Y', 'tcp', '-T', 'fields', '-e', 'tcp.stream', '-e', 'ip.src', '-e', 'ipv6.src', '-e', 'tcp.srcport', '-e', 'ip.dst', '-e', 'ipv6.dst', '-e', 'tcp.dstport'])) {
      const [stream, src4, src6, srcPort, dst4, dst6, dstPort] = line.split('\t');
      const entry = want.get(Number(stream)) ?? { a: src4 || src6, portA: srcPort, b: dst4 || dst6, portB: dstPort, packets: 0 };
      entry.packets++;
      want.set(Number(stream), entry);
    }
    const rows = await readTable(page, 'TCP conversations');
    expect(rows.map((r) => Number(r[0]))).toEqual([...want.keys()].sort((x, y) => x - y));
    for (const r of rows) {
      const w = want.get(Number(r[0]))!;
      expect({ a: r[1], portA: r[2], b: r[3], portB: r[4], packets: Number(r[5].replace(/,/g, '')) }, `stream ${r[0]}`).toEqual(w);
    }
    // Sorting: Packets, clicked twice, is descending.
    await page.click('.table[aria-label="TCP conversations"] .table-header button:has-text("Packets"):not(:has-text("→"))');
    await page.click('.table[aria-label="TCP conversations"] .table-header button:has-text("Packets"):not(:has-text("→"))');
    expect(await page.getAttribute('.table[aria-label="TCP conversations"] button[aria-sort="descending"]', 'role')).toBe('columnheader');
    const byPackets = (await readTable(page, 'TCP conversations')).map((r) => Number(r[5].replace(/,/g, '')));
    expect(byPackets).toEqual([...byPackets].sort((x, y) => y - x));
    await page.$eval('.table-scroller[aria-label="TCP conversations"]', (scroller) => {
      scroller.scrollTop = 0;
    });
    await page.screenshot({ path: join(RESULTS, 'e2e-conversations-tcp.png') });
    // UDP: as many conversations as tshark's table.
    await page.click('.segmented button:has-text("UDP")');
    await page.waitForSelector('.table-scroller[aria-label="UDP conversations"]');
    const udpWanted = tsharkLines(file, ['-q', '-z', 'conv,udp']).filter((line) => line.includes('<->')).length;
    expect(Number(await page.getAttribute('.table-scroller[aria-label="UDP conversations"]', 'aria-rowcount'))).toBe(udpWanted);
    await page.screenshot({ path: join(RESULTS, 'e2e-conversations-udp.png') });

    // The busiest TCP conversation opens its stream.
    await page.click('.segmented button:has-text("TCP")');
    await page.waitForSelector('.table-scroller[aria-label="TCP conversations"] .table-row[aria-rowindex="1"]');
    const stream = Number(await page.textContent('.table-scroller[aria-label="TCP conversations"] .table-row[aria-rowindex="1"] span:first-child'));
    const busiest = [...want.entries()].reduce((best, entry) => (entry[1].packets > best[1].packets ? entry : best))[0];
    expect(stream, 'the Packets order survives switching to UDP and back').toBe(busiest);
    await page.dblclick('.table-scroller[aria-label="TCP conversations"] .table-row[aria-rowindex="1"]');
    await page.waitForSelector(`.view-tabs button[role="tab"]:text-is("TCP stream ${stream}")`);
    await page.waitForSelector('[data-testid="follow"] .follow-piece');
    await page.waitForSelector('[data-testid="stream-summary"]');
    await page.screenshot({ path: join(RESULTS, 'e2e-stream-ascii.png') });
    const tshark = await tsharkFollowRaw(file, stream);
    const client = (await page.textContent('.view.stream .view-bar strong .side-client')) ?? '';
    const clientNode = client === tshark.node0 ? 0 : 1;
    expect([tshark.node0, tshark.node1]).toContain(client);
    // Raw: one hex line per piece, as tshark's follow,tcp,raw writes them.
    await page.selectOption('select[aria-label="Stream format"]', 'raw');
    const pieces = await followPieces(page);
    for (const side of ['client', 'server'] as const) {
      const node = side === 'client' ? clientNode : 1 - clientNode;
      const drawn = Buffer.from(pieces.filter((p) => p.side === side && !p.gap).map((p) => p.text).join(''), 'hex');
      expect(drawn.equals(nodeBytes(tshark, node as 0 | 1).bytes), `${side} bytes drawn`).toBe(true);
    }
    await page.screenshot({ path: join(RESULTS, 'e2e-stream-raw.png') });
    await page.selectOption('select[aria-label="Stream format"]', 'hex');
    await page.screenshot({ path: join(RESULTS, 'e2e-stream-hex.png') });
    // Saving each side downloads exactly the bytes that side sent.
    for (const side of ['client', 'server'] as const) {
      const [download] = await Promise.all([page.waitForEvent('download'), page.click(`button:has-text("Save ${side} bytes")`)]);
      expect(download.suggestedFilename()).toBe(`example2-stream${stream}-${side}.bin`);
      const saved = readFileSync((await download.path())!);
      expect(saved.equals(nodeBytes(tshark, (side === 'client' ? clientNode : 1 - clientNode) as 0 | 1).bytes), `${side} file`).toBe(true);
      expect(await page.textContent('[data-testid="save-notice"]')).toBe(`Saved ${saved.length.toLocaleString('en-US')} bytes to example2-stream${stream}-${side}.bin.`);
    }
    expect(pageErrors).toEqual([]);
  });

  it('follows a stream with gaps from a selected packet, in tshark\'s order, gaps marked', async () => {
    const file = CORPUS('zeek/Traces/tcp/reassembly.pcap');
    await openThroughPage(page, file);
    await page.click('.packet-row[data-frame="1"]');
    await page.waitForSelector('.detail-line[data-field="tcp"]');
    await page.click('.view-tabs .follow-button');
    await page.waitForSelector('[data-testid="follow"] .follow-piece');
    const tshark = await tsharkFollowRaw(file, 0);
    const pieces = await followPieces(page);
    // The same blocks in the same order: bytes of node 0 / node 1, and the gaps where tshark has them.
    const clientNode = ((await page.textContent('.view.stream .view-bar strong .side-client')) ?? '') === tshark.node0 ? 0 : 1;
    expect(
      pieces.map((p) => ({ node: p.side === 'client' ? clientNode : 1 - clientNode, gap: p.gap, text: p.gap ? p.text : p.text.length > 0 })),
    ).toEqual(tshark.blocks.map((b) => ({ node: b.node, gap: b.bytes === null, text: b.bytes === null ? `[${b.length} bytes missing]` : true })));
    // tshark: 9 gaps, all in the client's data.
    expect(pieces.filter((p) => p.gap).length).toBe(9);
    for (const [column, node] of [[2, clientNode], [3, 1 - clientNode]] as const) {
      const missing = tshark.blocks.reduce((n, b) => n + (b.bytes === null && b.node === node ? b.length : 0), 0);
      const shown = await page.textContent(`[data-testid="stream-summary"] .sides tr:has(th:text-is("Bytes missing")) td:nth-child(${column})`);
      expect(shown).toBe(missing.toLocaleString('en-US'));
    }
    await page.$eval('[data-testid="follow"] .follow-piece.gap', (gap) => gap.scrollIntoView({ block: 'center' }));
    await page.screenshot({ path: join(RESULTS, 'e2e-stream-gaps.png') });
  });

  it('summarises a stream with retransmissions: handshake, initial RTT, counts per side and the sender model', async () => {
    const file = CORPUS('arkime/pcap/wireshark-retrans.pcap');
    await openThroughPage(page, file);
    await page.click('.packet-row[data-frame="6"]');
    await page.waitForSelector('.detail-line[data-field="tcp"]');
    // Wireshark's shortcut for Analyze › Follow › TCP Stream.
    await page.keyboard.press('Control+Alt+Shift+T');
    await page.waitForSelector('[data-testid="stream-summary"] .summary-table');
    expect(await page.textContent('[data-testid="handshake"]')).toBe('complete (SYN, SYN-ACK, ACK)');
    // tshark: tcp.analysis.initial_rtt 0.002247000 on frame 6.
    expect(await page.textContent('[data-testid="stream-summary"] tr:has(th:text-is("Initial RTT")) td')).toBe('2.247 ms');
    const cell = async (label: string, column: 2 | 3) => page.textContent(`[data-testid="stream-summary"] .sides tr:has(th:text-is("${label}")) td:nth-child(${column})`);
    const fields = ['ip.src', 'tcp.analysis.retransmission', 'tcp.analysis.fast_retransmission', 'tcp.analysis.spurious_retransmission', 'tcp.analysis.duplicate_ack', 'tcp.flags.syn', 'tcp.options.mss_val'];
    const frames = tsharkLines(file, ['-T', 'fields', ...fields.flatMap((f) => ['-e', f])]).map((line) => line.split('\t'));
    for (const [column, source] of [[2, '172.17.96.143'], [3, '172.17.96.77']] as const) {
      const mine = frames.filter((f) => f[0] === source);
      const count = (i: number) => mine.filter((f) => f[i] !== '').length;
      expect(await cell('Packets', column)).toBe(String(mine.length));
      // Retransmissions of any kind (tshark also marks fast and spurious ones tcp.analysis.retransmission).
      expect(await cell('Retransmissions', column)).toBe(`${mine.filter((f) => f[1] !== '' || f[2] !== '').length} (${count(2)} fast, ${count(3)} spurious)`);
      expect(await cell('Duplicate ACKs', column)).toBe(String(count(4)));
      expect(await cell('MSS', column)).toBe(mine.find((f) => f[5] === '1')?.[6]);
    }
    // The reference stack's verdict on each side, in the table and spelt out below it.
    const verdicts = await page.$$eval('.model-verdict', (ps) => ps.map((p) => p.textContent ?? ''));
    expect(verdicts).toHaveLength(2);
    for (const [column, verdict] of [[2, verdicts[0]], [3, verdicts[1]]] as const) {
      const model = (await cell('Sender model', column)) ?? '';
      expect([...CANDIDATES.map((c) => c.name), 'none fits']).toContain(model);
      expect(verdict).toMatch(model === 'none fits' ? /^(Client|Server) sender: no cwnd model fits/ : new RegExp(`^(Client|Server) sender: ${model}`));
    }
    await page.screenshot({ path: join(RESULTS, 'e2e-stream-analysis.png') });
  });

  it('lists DNS transactions with tshark\'s query names, latencies and the unanswered queries', async () => {
    const file = CORPUS('pcapplusplus/Pcap++Test/PcapExamples/example2.pcap');
    await openThroughPage(page, file);
    await showView(page, 'DNS');
    await page.waitForSelector('.table-scroller[aria-label="DNS transactions"]');
    const rows = await readTable(page, 'DNS transactions');
    const queries = tsharkLines(file, ['-Y', 'dns.flags.response==0', '-T', 'fields', '-e', 'frame.number', '-e', 'dns.qry.name']).map((l) => l.split('\t'));
    expect(rows.map((r) => [r[0], r[5]])).toEqual(queries);
    // tshark -2 pairs queries and responses (dns.response_in, dns.time).
    const answered = new Map(
      tsharkLines(file, ['-2', '-Y', 'dns.flags.response==1 && dns.response_to', '-T', 'fields', '-e', 'dns.response_to', '-e', 'frame.number', '-e', 'dns.time']).map((l) => {
        const [query, response, time] = l.split('\t');
        return [query, { response, ms: Number(time) * 1000 }];
      }),
    );
    for (const r of rows) {
      const match = answered.get(r[0]);
      if (!match) {
        expect([r[1], r[7], r[8]], `query ${r[0]}`).toEqual(['—', 'no response', '—']);
        continue;
      }
      expect(r[1], `response to ${r[0]}`).toBe(match.response);
      // '0.503 ms', '12.5 ms', '1.020 s'
      const shownMs = Number.parseFloat(r[8]) * (r[8].endsWith(' s') ? 1000 : 1);
      expect(shownMs, `latency of ${r[0]}`).toBeCloseTo(match.ms, match.ms < 10 ? 3 : match.ms < 1000 ? 1 : 0);
    }
    const unanswered = rows.length - answered.size;
    expect(unanswered).toBeGreaterThan(0);
    expect(await page.textContent('[data-testid="dns-summary"]')).toMatch(new RegExp(`^${rows.length} queries · ${answered.size} answered · ${unanswered} unanswered · median latency `));
    await page.$eval('.table-scroller[aria-label="DNS transactions"]', (scroller) => {
      scroller.scrollTop = 0;
    });
    await page.screenshot({ path: join(RESULTS, 'e2e-dns.png') });
    await page.check('.dns input[type="checkbox"]');
    expect(Number(await page.getAttribute('.table-scroller[aria-label="DNS transactions"]', 'aria-rowcount'))).toBe(unanswered);
    await page.screenshot({ path: join(RESULTS, 'e2e-dns-unanswered.png') });
    // A query opens in the packet list.
    const frame = (await page.textContent('.table-scroller[aria-label="DNS transactions"] .table-row[aria-rowindex="1"] span:first-child')) ?? '';
    await page.dblclick('.table-scroller[aria-label="DNS transactions"] .table-row[aria-rowindex="1"]');
    await page.waitForSelector(`.packet-row.selected[data-frame="${frame}"]`);
    expect(pageErrors).toEqual([]);
  });

  it('explains files it cannot open, and damaged captures', async () => {
    const expectAlert = async (path: string, text: RegExp, shot: string) => {
      await page.fill('input[aria-label="Capture file path"]', path);
      await page.click('form.open-form button[type="submit"]');
      await expect.poll(() => page.textContent('.error[role="alert"] span'), { timeout: 30_000 }).toMatch(text);
      await page.screenshot({ path: join(RESULTS, shot) });
      await page.click('.error[role="alert"] button');
    };
    await expectAlert('/no/such/file.pcap', /^Cannot open \/no\/such\/file\.pcap: no such file\.$/, 'e2e-error.png');
    await expectAlert(scratch, /not a regular file/, 'e2e-error-directory.png');
    const notes = join(scratch, 'notes.pcap');
    writeFileSync(notes, 'These are notes, not packets.\n');
    await expectAlert(notes, /^Cannot open notes\.pcap: This is not a pcap or pcapng file \(it starts with 54 68 65 73\)\.$/, 'e2e-error-not-capture.png');
    const empty = join(scratch, 'empty.pcap');
    writeFileSync(empty, '');
    await expectAlert(empty, /^Cannot open empty\.pcap: The file is empty\.$/, 'e2e-error-empty.png');
    // A capture cut short: the frames before the cut are listed, and the banner says what happened.
    const cut = join(scratch, 'cut.pcapng');
    writeFileSync(cut, readFileSync(SAMPLE).subarray(0, 3000));
    await openThroughPage(page, cut, join(RESULTS, 'e2e-failure-truncated.png'));
    await expect.poll(() => page.textContent('.error[role="alert"] span')).toBe(
      'The file ends inside the header of the pcapng block at byte 2996: 4 of 12 bytes present. The 24 frames before that point are shown.',
    );
    expect(await page.textContent('[data-testid="frames"]')).toBe('Frames: 24');
    await page.screenshot({ path: join(RESULTS, 'e2e-error-truncated.png') });
  });

  it('explains a file the user may not read (wirelens serve running as an unprivileged user)', async () => {
    const root = process.getuid?.() === 0;
    if (root && !existsSync('/usr/bin/setpriv')) {
      console.warn('permission test skipped: running as root without setpriv to drop privileges');
      return;
    }
    const build = spawnSync(process.execPath, ['scripts/build-cli.mjs'], { cwd: ROOT, encoding: 'utf8' });
    expect(build.status, build.stderr).toBe(0);
    const locked = join(mkdtempSync(join(tmpdir(), 'wirelens-locked-')), 'locked.pcap');
    writeFileSync(locked, readFileSync(SAMPLE));
    chmodSync(locked, 0o000);
    chmodSync(join(locked, '..'), 0o755);
    const command = [process.execPath, 'bin/wirelens.mjs', 'serve'];
    const serve = await startServeProcess(root ? ['/usr/bin/setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', ...command] : command, ROOT);
    try {
      await page.goto(serve.url);
      await page.fill('input[aria-label="Capture file path"]', locked);
      await page.click('form.open-form button[type="submit"]');
      await expect.poll(() => page.textContent('.error[role="alert"] span'), { timeout: 30_000 }).toBe('Cannot open locked.pcap: permission denied (the file is not readable by this user).');
      await page.screenshot({ path: join(RESULTS, 'e2e-error-permission.png') });
    } finally {
      serve.child.kill('SIGTERM');
      rmSync(join(locked, '..'), { recursive: true, force: true });
      await page.goto(bridge.url);
      await page.waitForSelector('input[aria-label="Capture file path"]');
    }
  });

  it.skipIf(process.env.WIRELENS_E2E_LARGE !== '1' || !existsSync(LARGE))('loads bench-data/mixed-1m.pcap, first rows long before the end', async () => {
    const want = tsharkFrameCount(LARGE);
    const { firstRowsMs, indexedMs } = await openThroughPage(page, LARGE);
    expect(firstRowsMs).toBeLessThan(indexedMs / 4);
    await expect.poll(() => page.getAttribute('.packet-scroller', 'aria-rowcount')).toBe(String(want));
    const lastRowMs = await timeToLastRow(page, want);
    timings.push({ file: basename(LARGE), megabytes: statSync(LARGE).size / 1e6, frames: want, firstRowsMs, indexedMs, lastRowMs });
    await page.screenshot({ path: join(RESULTS, 'e2e-large-last.png') });
    // Dragging the scroll bar from the top to the bottom: the rows at the end are drawn with their text.
    await page.keyboard.press('Home');
    await page.waitForSelector('.packet-row.selected[data-frame="1"]:not(.loading)');
    const dragStarted = performance.now();
    await page.$eval('.packet-scroller', (scroller) => {
      scroller.scrollTop = scroller.scrollHeight;
    });
    await page.waitForSelector(`.packet-row[data-frame="${want}"]:not(.loading)`, { timeout: 120_000 });
    const dragMs = performance.now() - dragStarted;
    // The other views on a million frames.
    let started = performance.now();
    await showView(page, 'Conversations');
    await page.waitForSelector('.table-scroller[aria-label="TCP conversations"]', { timeout: 300_000 });
    const conversationsMs = performance.now() - started;
    const tcpConversations = Number(await page.getAttribute('.table-scroller[aria-label="TCP conversations"]', 'aria-rowcount'));
    await page.screenshot({ path: join(RESULTS, 'e2e-large-conversations.png') });
    started = performance.now();
    await showView(page, 'DNS');
    await page.waitForSelector('.table-scroller[aria-label="DNS transactions"], .dns .view-message:has-text("No DNS queries")', { timeout: 300_000 });
    const dnsMs = performance.now() - started;
    const dnsSummary = await page.textContent('[data-testid="dns-summary"]');
    await page.screenshot({ path: join(RESULTS, 'e2e-large-dns.png') });
    // The stream of the last frame: the bulk transfer that makes up most of the file.
    await showView(page, 'Packets');
    await page.focus('.packet-scroller');
    await page.keyboard.press('End');
    await page.waitForSelector('.detail-line[data-field="tcp"]', { timeout: 120_000 });
    started = performance.now();
    await page.click('.view-tabs .follow-button');
    await page.waitForSelector('[data-testid="follow"] .follow-piece', { timeout: 600_000 });
    const followMs = performance.now() - started;
    await page.waitForSelector('[data-testid="stream-summary"] .summary-table', { timeout: 600_000 });
    const analysisMs = performance.now() - started;
    const streamPackets = await page.textContent('[data-testid="stream-summary"] tr:has(th:text-is("Packets")) td');
    await page.screenshot({ path: join(RESULTS, 'e2e-large-stream.png') });
    console.log(
      [
        `mixed-1m.pcap in the UI: scroll bar dragged from the first row to the end ${dragMs.toFixed(0)} ms;`,
        `conversations (${tcpConversations} TCP) shown ${conversationsMs.toFixed(0)} ms after the tab was opened;`,
        `DNS (${dnsSummary}) ${dnsMs.toFixed(0)} ms;`,
        `the last frame's stream (${streamPackets}) followed in ${followMs.toFixed(0)} ms, analysed in ${analysisMs.toFixed(0)} ms`,
      ].join('\n  '),
    );
    await showView(page, 'Packets');
  }, 900_000);
});
