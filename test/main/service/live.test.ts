import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveProgress, ServiceEvent } from '../../../app/api/types';
import { HELPER_ENV } from '../../../main/live/helper';
import { CaptureService } from '../../../main/service/service';
import { readAll } from '../../app/capture/readAll';
import { tsharkLines } from '../../e2e/harness';
import { CORPUS_DIR, tsharkVersion } from '../../helpers/tshark';
import { liveWorkerScript } from './liveWorker';
import { rejection } from '../helpers/serviceEvents';

/*
 * The live-capture methods of the service over the real live engine in a worker thread, with the stand-in
 * helper of test/main/live (fakeHelper.mjs) in dumpcap's place: WIRELENS_CAPTURE_HELPER names a script
 * called "dumpcap" that runs it, so the service finds and runs it as it would run dumpcap.
 */

const FAKE = resolve(__dirname, '../live/fakeHelper.mjs');
const TCP_CAPTURE = join(CORPUS_DIR, 'zeek/Traces/http/bro.org.pcap');
const DNS_CAPTURE = join(CORPUS_DIR, 'arkime/pcap/dns-udp.pcap');
const haveCorpus = existsSync(TCP_CAPTURE) && existsSync(DNS_CAPTURE);

describe('live requests are validated before anything runs', () => {
  const service = new CaptureService({ workerScript: 'never-started.js', liveDirectory: join(tmpdir(), 'wirelens-never') });
  const cases: [string, unknown][] = [
    ['live.checkFilter', { iface: '-i', filter: '' }],
    ['live.checkFilter', { iface: 'eth0', filter: 'tcp\nport 80' }],
    ['live.start', { iface: 'eth0', filter: '', snaplen: 0, stop: {} }],
    ['live.start', { iface: 'eth0', filter: '', snaplen: 65535, stop: { packets: 1.5 } }],
    ['live.start', { iface: 'eth0', filter: '', snaplen: 65535, stop: { seconds: -1 } }],
    ['live.start', { iface: 'eth0', filter: '', snaplen: 65535, stop: { megabytes: 'ten' } }],
    ['live.start', { iface: 'eth0', filter: '', snaplen: 65535, stop: {}, ring: { fileMegabytes: 1, files: 1 } }],
    ['live.start', { iface: 'eth\u0000', filter: '', snaplen: 65535, stop: {} }],
    ['live.save', { id: 'c1', path: '/tmp/x.pcap', format: 'erf' }],
    ['live.save', { id: 'c1', path: '/tmp/x\u0000.pcap', format: 'pcap' }],
    ['live.recover', { key: '../etc' }],
    ['live.discardRecovered', { key: 'a/b' }],
  ];
  for (const [method, params] of cases) {
    it(`refuses ${method} ${JSON.stringify(params)}`, async () => {
      expect((await rejection(service.handle(method, params))).code).toBe('bad-request');
    });
  }
});

describe.skipIf(!haveCorpus)(`live capture through the service (stand-in helper)${haveCorpus ? '' : ` (skipped: corpus not found at ${CORPUS_DIR})`}`, () => {
  let service: CaptureService;
  let scratch: string;
  let liveDirectory: string;
  const savedEnv = process.env[HELPER_ENV];

  /** Points the service at the stand-in helper in `mode` (replay FILE, endless FILE, deny). */
  function useHelper(mode: string, file = ''): void {
    const dir = mkdtempSync(join(scratch, 'helper-'));
    const script = join(dir, 'dumpcap');
    writeFileSync(script, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(FAKE)} ${mode} ${file ? JSON.stringify(file) : ''} /usr/bin/dumpcap "$@"\n`);
    chmodSync(script, 0o755);
    process.env[HELPER_ENV] = script;
  }

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'wirelens-service-live-'));
    liveDirectory = join(scratch, 'live');
    service = new CaptureService({ workerScript: await liveWorkerScript(), liveDirectory });
  });
  afterAll(async () => {
    await service.dispose();
    if (savedEnv === undefined) delete process.env[HELPER_ENV];
    else process.env[HELPER_ENV] = savedEnv;
    rmSync(scratch, { recursive: true, force: true });
  });

  it('starts, streams progress, serves the frames like an open capture, stops after N packets and saves pcapng', async () => {
    useHelper('replay', TCP_CAPTURE);
    const events: ServiceEvent[] = [];
    const unsubscribe = service.subscribe((e) => events.push(e));
    const started = await service.call('live.start', { iface: 'fake0', filter: '', snaplen: 65535, stop: { packets: 40 } });
    if (!started.started) throw new Error(`not started: ${started.help.title}`);
    const id = started.capture.id;
    expect(started.capture.name).toBe('fake0 (live)');
    expect(events.some((e) => e.type === 'capture.opened' && e.payload.id === id)).toBe(true);
    // No field index while capturing: it is built once everything captured is analysed.
    expect((await service.call('capture.status', { id })).filterIndex).toBeNull();
    const stopped = await new Promise<LiveProgress>((done) => {
      const check = () => {
        const last = events.filter((e) => e.type === 'live.progress').pop()?.payload as LiveProgress | undefined;
        if (last?.state === 'stopped') done(last);
        else setTimeout(check, 20);
      };
      check();
    });
    expect(stopped).toMatchObject({ id, frames: 40, stopReason: 'packets', drops: 0, problem: null });
    const indexed = await new Promise<ServiceEvent>((done) => {
      const check = () => {
        const built = events.find((e) => e.type === 'capture.filterIndex' && e.payload.id === id && e.payload.filterIndex.state !== 'building');
        if (built) done(built);
        else setTimeout(check, 20);
      };
      check();
    });
    unsubscribe();
    expect(indexed.payload).toMatchObject({ id, filterIndex: { state: 'built', frames: 40, total: 40 } });
    const page = await service.call('frames.page', { id, from: 1, count: 100 });
    expect(page.rows.length).toBe(40);
    expect(page.complete).toBe(true);
    expect(page.rows[0].protocol).toBe('TCP');
    const detail = await service.call('frame.detail', { id, number: 1 });
    expect(detail.tcpStream).toBe(0);
    expect((await service.call('flows.list', { id })).length).toBeGreaterThan(0);

    const out = join(scratch, 'saved.pcapng');
    const saved = await service.call('live.save', { id, path: out, format: 'pcapng' });
    expect(saved).toMatchObject({ path: out, format: 'pcapng', frames: 40 });
    expect(readAll(readFileSync(out)).frames.length).toBe(40);
    // Saved, then closed: the spool is gone, nothing is left to recover.
    await service.call('capture.close', { id });
    expect(await service.call('live.recoverable', {})).toEqual([]);
  });

  it.skipIf(!tsharkVersion())('filters a stopped capture over its field index as tshark -Y filters the saved file (skipped without tshark)', async () => {
    useHelper('replay', TCP_CAPTURE);
    const started = await service.call('live.start', { iface: 'fake0', filter: '', snaplen: 65535, stop: { packets: 60 } });
    if (!started.started) throw new Error(`not started: ${started.help.title}`);
    const id = started.capture.id;
    const stopped = new Promise<void>((done) => {
      const unsubscribe = service.subscribe((event) => {
        if (event.type === 'live.progress' && event.payload.id === id && event.payload.state === 'stopped') {
          unsubscribe();
          done();
        }
      });
    });
    // Applied while capturing, a filter decodes the frames captured so far; stopped, the index answers.
    const filter = 'tcp.flags.syn == 1 || tcp.analysis.flags || tcp.len > 1000';
    const early = await service.call('frames.filter', { id, filter });
    expect(early.scanned).toBeLessThanOrEqual(60);
    await stopped;
    const out = join(scratch, 'filtered.pcap');
    expect((await service.call('live.save', { id, path: out, format: 'pcap' })).frames).toBe(60);
    const expected = tsharkLines(out, ['-Y', filter, '-T', 'fields', '-e', 'frame.number']).map(Number);
    expect(expected.length).toBeGreaterThan(0);
    expect([...early.frames]).toEqual(expected.filter((n) => n <= early.scanned));
    const displayed = await service.call('frames.filter', { id, filter });
    expect(displayed.scanned).toBe(60);
    expect([...displayed.frames]).toEqual(expected);
    await service.call('capture.close', { id });
  });

  it('stops on request; an unsaved capture closed stays recoverable, opens again, and is discarded', async () => {
    useHelper('endless', DNS_CAPTURE);
    const started = await service.call('live.start', { iface: 'fake0', filter: '', snaplen: 65535, stop: {} });
    if (!started.started) throw new Error(`not started: ${started.help.title}`);
    const id = started.capture.id;
    expect((await rejection(service.call('live.save', { id, path: join(scratch, 'early.pcap'), format: 'pcap' }))).message).toMatch(/Stop the capture/);
    await new Promise((done) => setTimeout(done, 300));
    const final = await service.call('live.stop', { id });
    expect(final.state).toBe('stopped');
    expect(final.stopReason).toBe('user');
    expect(final.frames).toBeGreaterThan(0);
    expect((await service.call('capture.status', { id })).frames).toBe(final.frames);
    await service.call('capture.close', { id });

    // The spool's writer (this process) is still running: a spool of a live process is not offered, so
    // mark it as left by a dead one the way a crash would.
    const [directory] = readdirSync(liveDirectory).filter((name) => name.startsWith('capture-'));
    const metaPath = join(liveDirectory, directory, 'capture.json');
    const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as { pid: number };
    writeFileSync(metaPath, JSON.stringify({ ...meta, pid: 2 ** 22 + 7 }));
    const recoverable = await service.call('live.recoverable', {});
    expect(recoverable).toHaveLength(1);
    expect(recoverable[0]).toMatchObject({ key: directory, iface: 'fake0', filter: '' });
    const info = await service.call('live.recover', { key: directory });
    const status = await new Promise<number>((done) => {
      const check = async () => {
        const s = await service.call('capture.status', { id: info.id });
        if (s.progress.state === 'done') done(s.frames);
        else setTimeout(() => void check(), 20);
      };
      void check();
    });
    expect(status).toBe(final.frames);
    const copy = join(scratch, 'recovered.pcap');
    expect((await service.call('live.save', { id: info.id, path: copy, format: 'pcap' })).frames).toBe(final.frames);
    await service.call('live.discardRecovered', { key: directory });
    expect(await service.call('live.recoverable', {})).toEqual([]);
    expect(await service.call('capture.list', {})).toEqual([]);
  });

  it('lists the conversations under way while capturing, their frames so far, and every frame once stopped', async () => {
    // The file over and over: its TCP streams stay open, none ends before the capture does.
    useHelper('endless', TCP_CAPTURE);
    const started = await service.call('live.start', { iface: 'fake0', filter: '', snaplen: 65535, stop: {} });
    if (!started.started) throw new Error(`not started: ${started.help.title}`);
    const id = started.capture.id;
    const fileFrames = readAll(readFileSync(TCP_CAPTURE)).frames.length;
    // Every stream of the file seen at least once.
    while ((await service.call('capture.status', { id })).frames < fileFrames) await new Promise((done) => setTimeout(done, 20));
    try {
      const before = await service.call('capture.status', { id });
      const rows = await service.call('flows.list', { id });
      const after = await service.call('capture.status', { id });
      expect(after.progress.state).toBe('loading');
      // bro.org.pcap's tcp.stream numbers as tshark gives them (13 streams; every frame is TCP).
      expect(rows.map((r) => `${r.protocol}:${r.stream}`)).toEqual(Array.from({ length: 13 }, (_, i) => `tcp:${i}`));
      const listed = rows.reduce((sum, r) => sum + r.framesAToB + r.framesBToA, 0);
      expect(listed).toBeGreaterThanOrEqual(before.frames);

      const final = await service.call('live.stop', { id });
      // The status's frame count is the last progress report's, which may lag what the worker had counted
      // when it answered flows.list: only the final count bounds the list from above.
      expect(listed).toBeLessThanOrEqual(final.frames);
      while ((await service.call('capture.status', { id })).progress.state === 'loading') await new Promise((done) => setTimeout(done, 20));
      const stopped = await service.call('flows.list', { id });
      expect(stopped.reduce((sum, r) => sum + r.framesAToB + r.framesBToA, 0)).toBe(final.frames);
    } finally {
      await service.call('capture.close', { id });
    }
  });

  for (const [stop, reason] of [
    [{ seconds: 0.5 }, 'seconds'],
    [{ megabytes: 0.05 }, 'bytes'],
  ] as const) {
    it(`stops by itself after ${JSON.stringify(stop)}`, async () => {
      useHelper('endless', DNS_CAPTURE);
      const started = await service.call('live.start', { iface: 'fake0', filter: '', snaplen: 65535, stop });
      if (!started.started) throw new Error(`not started: ${started.help.title}`);
      const final = await new Promise<LiveProgress>((done) => {
        const unsubscribe = service.subscribe((event) => {
          if (event.type === 'live.progress' && event.payload.id === started.capture.id && event.payload.state === 'stopped') {
            unsubscribe();
            done(event.payload);
          }
        });
      });
      expect(final.stopReason).toBe(reason);
      if (reason === 'bytes') expect(final.capturedBytes).toBeGreaterThanOrEqual(50_000);
      else expect(final.elapsedSeconds).toBeGreaterThanOrEqual(0.5);
      expect((await service.call('capture.status', { id: started.capture.id })).frames).toBe(final.frames);
      await service.call('capture.close', { id: started.capture.id });
    });
  }

  it('answers a permission failure with the per-OS help instead of a capture', async () => {
    useHelper('deny');
    const result = await service.call('live.start', { iface: 'fake0', filter: '', snaplen: 65535, stop: {} });
    expect(result.started).toBe(false);
    if (result.started) return;
    expect(result.help.problem).toBe('no-permission');
    expect(result.help.steps.length).toBeGreaterThan(0);
    expect(result.help.alternative).toMatch(/open a saved capture/i);
    expect(await service.call('capture.list', {})).toEqual([]);
  });
});
