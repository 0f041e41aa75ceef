import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findCaptureHelpers } from '../../main/live/helper';
import { LiveCapture, type LiveUpdate } from '../../main/live/liveCapture';
import { ADDRESS_A, createVethPair, destroyVethPair, netnsSkipReason, spawnIn } from './netns';

/*
 * How fast the live path keeps up (a measurement, run on request: WIRELENS_LIVE_BENCH=1): namespace B sends
 * UDP datagrams to A at a fixed rate for a few seconds while Wirelens captures on A's veth end with
 * dumpcap and analyses every frame. For each rate: datagrams sent, frames analysed, packets the helper
 * reports dropped, and the progress updates (how many per second while the packets flow, the longest gap).
 * The highest rate without drops is what the live path sustains on this machine.
 */

const RATES = (process.env.WIRELENS_LIVE_BENCH_RATES ?? '10000,25000,50000,75000,100000').split(',').map(Number);
const SECONDS = 3;
const PAYLOAD = 64;
const FLOOD = resolve(__dirname, 'udpFlood.py');
const python = ['python3', 'python'].find((p) => spawnSync(p, ['--version']).status === 0);
const dumpcap = findCaptureHelpers().find((h) => h.kind === 'dumpcap');

const skip =
  process.env.WIRELENS_LIVE_BENCH !== '1'
    ? 'a measurement: set WIRELENS_LIVE_BENCH=1 to run it'
    : (netnsSkipReason() ?? (python ? null : 'python3 is needed for the traffic generator') ?? (dumpcap ? null : 'dumpcap is not installed'));

/** Packets the kernel dropped from its per-CPU input backlogs (before any capture sees them): /proc/net/softnet_stat column 2. */
function softnetDrops(): number {
  return readFileSync('/proc/net/softnet_stat', 'utf8')
    .trim()
    .split('\n')
    .reduce((sum, line) => sum + parseInt(line.split(/\s+/)[1], 16), 0);
}

describe.skipIf(skip !== null)(`live capture throughput${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'wirelens-live-bench-'));
  const pair = skip === null ? createVethPair() : null;
  afterAll(() => {
    if (pair) destroyVethPair(pair);
    rmSync(dir, { recursive: true, force: true });
  });

  it('frames per second without drops, and the update rate under that load', async () => {
    if (!pair || !dumpcap || !python) throw new Error('unreachable: skipped above');
    const rows: string[] = [];
    for (const rate of RATES) {
      const updates: LiveUpdate[] = [];
      const live = await LiveCapture.start({
        interface: pair.interfaceA,
        filter: 'udp',
        helper: { ...dumpcap, launcher: ['ip', 'netns', 'exec', pair.namespaceA] },
        directory: dir,
        onUpdate: (u) => updates.push(u),
      });
      const backlogDropsBefore = softnetDrops();
      const flood = spawnIn(pair.namespaceB, python, [FLOOD, ADDRESS_A, '9', String(rate), String(SECONDS), String(PAYLOAD)]);
      let output = '';
      flood.stdout?.on('data', (c: Buffer) => (output += c.toString()));
      const floodStarted = Date.now();
      await new Promise((r) => flood.on('exit', r));
      const floodSeconds = (Date.now() - floodStarted) / 1000;
      const analysedAtFloodEnd = live.snapshot().frames;
      // Let the analysis catch up (frames stop coming), then stop.
      for (let last = -1; live.snapshot().frames !== last; ) {
        last = live.snapshot().frames;
        await new Promise((r) => setTimeout(r, 1000));
      }
      const final = await live.stop();
      const caughtUp = updates.find((u) => u.frames >= final.frames) ?? final;
      const catchUpSeconds = Math.max(0, (caughtUp.at - floodStarted) / 1000 - floodSeconds);
      const backlogDrops = softnetDrops() - backlogDropsBefore;
      const [sent, sendSeconds] = output.trim().split(' ').map(Number);
      const flowing = updates.filter((u) => u.at > floodStarted + 300 && u.at < floodStarted + floodSeconds * 1000);
      const gaps = flowing.slice(1).map((u, i) => u.at - flowing[i].at);
      const stats = final.statistics;
      rows.push(
        [
          rate, sent, Math.round(sent / sendSeconds), backlogDrops, stats?.received ?? '?', stats?.dropped ?? '?', final.frames, analysedAtFloodEnd,
          catchUpSeconds.toFixed(1), (flowing.length / Math.max(0.1, floodSeconds - 0.3)).toFixed(1), Math.max(0, ...gaps),
        ].join('\t'),
      );
      expect(final.frames).toBeGreaterThan(0);
      await live.discard();
    }
    const header = 'target/s\tsent\tsent/s\tbacklog drops\thelper received\thelper dropped\tanalysed\tanalysed at flood end\tcatch-up s\tupdates/s\tmax gap ms';
    console.log([header, ...rows].join('\n'));
  });
});
