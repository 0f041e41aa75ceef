import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import type { CaptureHelper } from '../../../main/live/helper';
import { LiveCapture, LiveCaptureError, type LiveUpdate } from '../../../main/live/liveCapture';
import { CaptureSetupError } from '../../../main/live/setupHelp';
import { findRecoverableCaptures, readLastChoice, recoveredCaptureFile, discardRecoverable } from '../../../main/live/spool';
import { CORPUS_DIR } from '../../helpers/tshark';
import { readAll } from '../../app/capture/readAll';
import { analyseFile, analysisOf } from './analysis';

/*
 * The live path end to end without capturing: a stand-in helper (fakeHelper.mjs) writes classic pcap as
 * dumpcap -P -w - would, from corpus captures. What the live engine concludes must equal what the file
 * engine concludes from the saved file; the spool survives the process dying mid-capture.
 */

const FAKE = resolve(__dirname, 'fakeHelper.mjs');
const TCP_CAPTURE = join(CORPUS_DIR, 'zeek/Traces/http/bro.org.pcap');
const DNS_CAPTURE = join(CORPUS_DIR, 'arkime/pcap/dns-udp.pcap');
const haveCorpus = existsSync(TCP_CAPTURE) && existsSync(DNS_CAPTURE);

function fake(mode: string, file?: string): CaptureHelper {
  return { kind: 'dumpcap', path: '/usr/bin/dumpcap', launcher: [process.execPath, FAKE, mode, ...(file ? [file] : [])] };
}

const root = mkdtempSync(join(tmpdir(), 'wirelens-live-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const directory = () => join(root, `run${++n}`);

describe.skipIf(!haveCorpus)(`LiveCapture with a stand-in helper${haveCorpus ? '' : ` (skipped: corpus not found at ${CORPUS_DIR})`}`, () => {
  it('stop after N packets: the live analysis equals the saved file\'s, pcap and pcapng read back the same frames', async () => {
    const updates: LiveUpdate[] = [];
    const dir = directory();
    const live = await LiveCapture.start({ interface: 'fake0', helper: fake('replay', TCP_CAPTURE), stopAfter: { packets: 300 }, directory: dir, onUpdate: (u) => updates.push(u) });
    const final = await live.done;
    expect(final).toMatchObject({ state: 'stopped', stopReason: 'packets', frames: 300, problem: null, statistics: { captured: 300, received: 300, dropped: 0 } });
    expect(updates[updates.length - 1]).toEqual(final);

    const original = readAll(readFileSync(TCP_CAPTURE));
    for (const format of ['pcap', 'pcapng'] as const) {
      const out = join(dir, `saved.${format}`);
      const saved = await live.save(out, format);
      expect(saved).toMatchObject({ format, frames: 300, problems: [] });
      const read = readAll(readFileSync(out));
      expect(read.format).toBe(format);
      expect(read.frames.map((f) => [f.tsSeconds, f.tsNanos, f.originalLength, Buffer.from(f.data).toString('hex')])).toEqual(
        original.frames.slice(0, 300).map((f) => [f.tsSeconds, f.tsNanos, f.originalLength, Buffer.from(f.data).toString('hex')]),
      );
      const file = await analyseFile(out);
      expect(analysisOf(live.session)).toEqual(analysisOf(file.session));
      await file.close();
    }
    expect(analysisOf(live.session).tcpStreamDirection.some((v) => v >= 0)).toBe(true);
    // The packet list pages and details come from the spool, as for a file.
    const rows = await live.session.page(1, 3);
    expect(rows.map((r) => r.number)).toEqual([1, 2, 3]);
    expect((await live.session.detail(300))?.tree.length).toBeGreaterThan(2);
    expect(readLastChoice(dir)).toEqual({ interface: 'fake0', filter: '' });
    await live.discard();
    expect(readdirSync(dir).filter((f) => f.startsWith('capture-'))).toEqual([]);
  });

  it('stop after a duration, with steady updates (at least 5 a second) while capturing up to 50 000 frames a second', async () => {
    const updates: LiveUpdate[] = [];
    const live = await LiveCapture.start({ interface: 'fake0', helper: fake('endless', DNS_CAPTURE), stopAfter: { seconds: 1.2 }, directory: directory(), updateIntervalMs: 100, onUpdate: (u) => updates.push(u) });
    const final = await live.done;
    expect(final.state).toBe('stopped');
    expect(final.stopReason).toBe('seconds');
    expect(final.frames).toBeGreaterThan(10_000);
    expect(final.statistics?.captured).toBe(final.frames);
    const capturing = updates.filter((u) => u.state === 'capturing');
    expect(capturing.length).toBeGreaterThanOrEqual(6);
    expect(capturing.some((u) => u.framesPerSecond > 0)).toBe(true);
    // The rate is measured over about the last second, not over the last 100 ms update (which flickers to 0
    // with bursty traffic): from the newest update at least a second earlier, or from the start.
    const history = [{ at: final.at - final.elapsedSeconds * 1000, frames: 0 }, ...updates];
    capturing.forEach((u) => {
      const earlier = history.slice(0, history.indexOf(u)).filter((e) => u.at - e.at >= 1000);
      const base = earlier.at(-1) ?? history[0];
      expect(u.framesPerSecond).toBeCloseTo((u.frames - base.frames) / ((u.at - base.at) / 1000), 3);
    });
    expect(capturing.filter((u) => u.at - history[0].at >= 1000).every((u) => u.framesPerSecond > 0)).toBe(true);
    await live.discard();
  });

  it('stop after a size, and a ring buffer that keeps only the last files', async () => {
    const live = await LiveCapture.start({
      interface: 'fake0',
      helper: fake('endless', DNS_CAPTURE),
      stopAfter: { bytes: 2_000_000 },
      ring: { fileBytes: 300_000, files: 3 },
      directory: directory(),
    });
    const final = await live.done;
    expect(final.stopReason).toBe('bytes');
    expect(final.capturedBytes).toBeGreaterThanOrEqual(2_000_000);
    expect(live.spool.files).toHaveLength(3);
    expect(final.firstRetainedFrame).toBeGreaterThan(1);
    // Each ring file is a whole pcap file of whole records.
    let kept = 0;
    for (const file of live.spool.files) {
      const read = readAll(readFileSync(file));
      expect(read.problems).toEqual([]);
      kept += read.frames.length;
    }
    expect(kept).toBe(final.frames - final.firstRetainedFrame + 1);
    await expect(live.session.page(1, 1)).rejects.toThrow(/no longer kept/);
    expect((await live.session.page(final.firstRetainedFrame, 2)).map((r) => r.number)).toEqual([final.firstRetainedFrame, final.firstRetainedFrame + 1]);
    const out = join(root, 'ring.pcapng');
    expect((await live.save(out, 'pcapng')).frames).toBe(kept);
    await live.discard();
  });

  it('no permission: the helper\'s refusal becomes a CaptureSetupError and nothing is left behind', async () => {
    const dir = directory();
    const error = await LiveCapture.start({ interface: 'fake0', helper: fake('deny'), directory: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CaptureSetupError);
    expect((error as CaptureSetupError).help.problem).toBe('no-permission');
    expect(readdirSync(dir).filter((f) => f.startsWith('capture-'))).toEqual([]);
  });

  it('a helper that cannot be started is a setup problem too', async () => {
    const missing: CaptureHelper = { kind: 'dumpcap', path: join(root, 'no', 'dumpcap'), launcher: [] };
    const error = await LiveCapture.start({ interface: 'fake0', helper: missing, directory: directory() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CaptureSetupError);
    expect((error as CaptureSetupError).help.problem).toBe('no-helper');
  });

  it('impossible length: a bogus caplen from the helper stops the capture with the guard\'s message', async () => {
    const live = await LiveCapture.start({ interface: 'fake0', helper: fake('bogus'), directory: directory() });
    const final = await live.done;
    expect(final).toMatchObject({ state: 'stopped', stopReason: 'stream-problem', frames: 1 });
    expect(final.problem).toBe('The record at byte 100 announces 4294967295 captured bytes, more than the 262144 allowed for link type 1: the file is damaged from there on.');
    expect(final.capturedBytes).toBe(100);
    await live.discard();
  });

  it('bad options are refused before anything runs', async () => {
    await expect(LiveCapture.start({ interface: '', helper: fake('deny') })).rejects.toThrow(LiveCaptureError);
    await expect(LiveCapture.start({ interface: 'x', helper: fake('deny'), stopAfter: { packets: 0 } })).rejects.toThrow(/packet count must be a whole number/);
    await expect(LiveCapture.start({ interface: 'x', helper: fake('deny'), filter: 'tcp\nudp' })).rejects.toThrow(/one line/);
  });

  it('the process dies mid-capture: the spool is offered on the next start and reads back', async () => {
    // A separate node process runs a capture (the stand-in helper, endless) and is killed with SIGKILL.
    const dir = directory();
    const script = join(root, 'crash.cjs');
    const entry = join(root, 'crash-entry.ts');
    writeFileSync(
      entry,
      `import { LiveCapture } from ${JSON.stringify(resolve(__dirname, '../../../main/live/liveCapture'))};
       LiveCapture.start({ interface: 'fake0', directory: ${JSON.stringify(dir)}, helper: ${JSON.stringify(fake('endless', DNS_CAPTURE))},
         onUpdate: (u) => { if (u.frames > 5000) process.stdout.write('captured\\n'); } });`,
    );
    await build({ entryPoints: [entry], outfile: script, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning' });
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((ready) => child.stdout.on('data', () => ready()));
    expect(findRecoverableCaptures(dir)).toEqual([]); // still running: not offered
    child.kill('SIGKILL');
    await new Promise((exited) => child.on('exit', exited));

    const [recovered, ...others] = findRecoverableCaptures(dir);
    expect(others).toEqual([]);
    expect(recovered.meta).toMatchObject({ interface: 'fake0', helper: 'dumpcap', finishedAt: null });
    const read = readAll(readFileSync(recoveredCaptureFile(recovered)));
    expect(read.frames.length).toBeGreaterThan(5000);
    // At most the record being written when the process died is cut off.
    expect(read.problems.length).toBeLessThanOrEqual(1);
    const source = readAll(readFileSync(DNS_CAPTURE)).frames;
    expect(read.frames.slice(0, source.length).map((f) => Buffer.from(f.data).toString('hex'))).toEqual(source.map((f) => Buffer.from(f.data).toString('hex')));
    discardRecoverable(recovered);
    expect(findRecoverableCaptures(dir)).toEqual([]);
  });
});
