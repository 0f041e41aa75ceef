import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCaptureFilter } from '../../main/live/filter';
import { findCaptureHelpers, type CaptureHelper } from '../../main/live/helper';
import { listInterfaces } from '../../main/live/interfaces';
import { LiveCapture, type LiveUpdate } from '../../main/live/liveCapture';
import { analyseFile, analysisOf } from '../main/live/analysis';
import { TSHARK, tsharkVersion } from '../helpers/tshark';
import { ADDRESS_A, ADDRESS_B, createVethPair, destroyVethPair, netnsSkipReason, spawnIn, waitForOutput, type VethPair } from './netns';

/*
 * Live capture for real: two network namespaces joined by a veth link (10.94.0.1 and 10.94.0.2), a
 * capture through Wirelens' live path (the helper run inside namespace A) while namespace B talks TCP,
 * UDP and DNS to A, stopped by the helper after a packet count. The live analysis must equal the analysis
 * of the saved file, tshark must read the saved file with the same frames and the same tcp.stream numbers,
 * and the command line must do the same. Traffic never leaves the two namespaces.
 */

const PACKETS = 400;
const TRAFFIC = resolve(__dirname, 'liveTraffic.mjs');

const skip = netnsSkipReason() ?? (tsharkVersion() ? null : `tshark not found (${TSHARK})`) ?? (findCaptureHelpers().length ? null : 'neither dumpcap nor tcpdump is installed');

describe.skipIf(skip !== null)(`live capture between two network namespaces${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let pair: VethPair;
  let server: ChildProcess | null = null;
  const clients: ChildProcess[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'wirelens-live-it-'));

  beforeAll(async () => {
    pair = createVethPair();
    server = spawnIn(pair.namespaceA, process.execPath, [TRAFFIC, 'serve', ADDRESS_A]);
    await waitForOutput(server, 'ready');
  });

  afterAll(() => {
    for (const child of [server, ...clients]) child?.kill('SIGKILL');
    if (pair) destroyVethPair(pair);
    rmSync(dir, { recursive: true, force: true });
  });

  const startClient = () => {
    const client = spawnIn(pair.namespaceB, process.execPath, [TRAFFIC, 'client', ADDRESS_A]);
    clients.push(client);
    return client;
  };

  const inNamespaceA = (helper: CaptureHelper): CaptureHelper => ({ ...helper, launcher: ['ip', 'netns', 'exec', pair.namespaceA] });

  for (const helper of findCaptureHelpers()) {
    it(`${helper.kind}: the live analysis equals the saved file's; tshark reads the same frames and streams`, async () => {
      const updates: LiveUpdate[] = [];
      const live = await LiveCapture.start({
        interface: pair.interfaceA,
        filter: `host ${ADDRESS_A}`,
        stopAfter: { packets: PACKETS },
        helper: inNamespaceA(helper),
        directory: join(dir, helper.kind),
        onUpdate: (u) => updates.push(u),
      });
      const client = startClient();
      const final = await live.done;
      client.kill('SIGKILL');

      expect(final).toMatchObject({ state: 'stopped', stopReason: 'packets', frames: PACKETS, problem: null });
      expect(final.statistics?.captured).toBe(PACKETS);
      const liveAnalysis = analysisOf(live.session);
      // TCP, UDP and DNS all arrived, analysed as they came.
      expect(liveAnalysis.protocols).toEqual(expect.arrayContaining(['TCP', 'UDP', 'DNS']));
      expect(new Set(liveAnalysis.tcpStreamDirection.filter((v) => v >= 0).map((v) => v >> 1)).size).toBeGreaterThan(3);
      expect(liveAnalysis.dns.filter((t) => t.responseFrame !== null).length).toBeGreaterThan(3);

      // What the helper wrote, as tshark shows it frame by frame (summary line and hex dump).
      const tsharkDump = (file: string) => spawnSync(TSHARK, ['-n', '-r', file, '-x'], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' }, maxBuffer: 1 << 28 }).stdout;
      const helperOutput = tsharkDump(live.spool.files[0]);
      expect(helperOutput.length).toBeGreaterThan(PACKETS * 100);
      for (const format of ['pcapng', 'pcap'] as const) {
        const out = join(dir, `${helper.kind}.${format}`);
        expect((await live.save(out, format)).frames).toBe(PACKETS);
        const file = await analyseFile(out);
        expect(analysisOf(file.session)).toEqual(liveAnalysis);
        await file.close();

        const tshark = spawnSync(TSHARK, ['-n', '-r', out, '-T', 'fields', '-e', 'frame.number', '-e', 'frame.len', '-e', 'tcp.stream'], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
        expect(tshark.status).toBe(0);
        const rows = tshark.stdout.trimEnd().split('\n').map((line) => line.split('\t'));
        expect(rows).toHaveLength(PACKETS);
        expect(rows.map((r) => r[1])).toEqual(liveAnalysis.lengths.map((l) => l.split('/')[0]));
        expect(rows.map((r) => r[2])).toEqual(liveAnalysis.tcpStreamDirection.map((v) => (v >= 0 ? String(v >> 1) : '')));
        // The saved file holds the same frames with the same bytes and times as the helper's own output.
        expect(tsharkDump(out)).toBe(helperOutput);
      }
      await live.discard();
    });
  }

  it('interfaces inside the namespace: the veth end with its address, up', async () => {
    const list = await listInterfaces({ launcher: ['ip', 'netns', 'exec', pair.namespaceA] });
    const veth = list.interfaces.find((i) => i.name === pair.interfaceA);
    expect(veth).toBeDefined();
    if (list.helper.kind === 'dumpcap') expect(veth?.addresses).toContain(ADDRESS_A);
    if (findCaptureHelpers().some((h) => h.kind === 'tcpdump')) expect(veth?.up).toBe(true);
    expect(list.interfaces.some((i) => i.name === 'eth0')).toBe(false);
  });

  it('a bad capture filter is refused before the capture starts, with libpcap\'s reason', async () => {
    const helper = inNamespaceA(findCaptureHelpers()[0]);
    expect(await checkCaptureFilter(helper, pair.interfaceA, `udp port 53 and host ${ADDRESS_B}`)).toMatchObject({ valid: true });
    await expect(LiveCapture.start({ interface: pair.interfaceA, filter: 'udp port dns-ish', helper, directory: join(dir, 'bad') })).rejects.toThrow(
      /^Invalid capture filter "udp port dns-ish": unknown port 'dns-ish'\.$/,
    );
  });

  it('the command line: wirelens capture -i IFACE -f BPF -c N -w OUT, run inside the namespace', async () => {
    // runCapture as the CLI dispatch calls it, bundled to run under `ip netns exec` in its own process.
    const entry = join(dir, 'capture-cli.ts');
    const script = join(dir, 'capture-cli.cjs');
    writeFileSync(
      entry,
      `import { runCapture } from ${JSON.stringify(resolve(__dirname, '../../main/cli/capture'))};
       runCapture(process.argv.slice(2), (t) => process.stdout.write(t)).catch((e) => { process.stderr.write(String(e.message) + '\\n'); process.exit(2); });`,
    );
    // Packages stay outside the bundle, as scripts/build-cli.mjs builds the real command (NODE_PATH finds them).
    await build({ entryPoints: [entry], outfile: script, bundle: true, platform: 'node', format: 'cjs', target: 'node20', packages: 'external', logLevel: 'warning' });
    const out = join(dir, 'cli.pcapng');
    const capture = spawnIn(pair.namespaceA, process.execPath, [script, '-i', pair.interfaceA, '-f', 'tcp or udp', '-c', '50', '-a', 'duration:60', '-w', out], {
      WIRELENS_LIVE_DIR: join(dir, 'cli-spool'),
      NODE_PATH: resolve(__dirname, '../../node_modules'),
    });
    let stdout = '';
    let stderr = '';
    capture.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
    capture.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    await new Promise((r) => setTimeout(r, 500));
    const client = startClient();
    const code = await new Promise((r) => capture.on('exit', r));
    client.kill('SIGKILL');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(/^Captured 50 frames \(\d+ bytes\) on wl94a\S* with (dumpcap|tcpdump) in [\d.]+ s; 0 dropped before the helper could read them\.\nSaved 50 frames to .*cli\.pcapng \(pcapng, \d+ bytes\)\.\n$/);
    const count = spawnSync(TSHARK, ['-n', '-r', out, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8' });
    expect(count.stdout.trimEnd().split('\n')).toHaveLength(50);
  });
});
