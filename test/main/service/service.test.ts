import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CaptureProgress, FilterIndexStatus, ServiceEvent } from '../../../app/api/types';
import { streamLadder } from '../../../main/cli/diagram';
import { CaptureService } from '../../../main/service/service';
import { streamSeriesOfFile } from '../../renderer/charts/captures';
import { CORPUS_DIR } from '../../helpers/tshark';
import { captureWorkerScript } from '../helpers/captureWorker';
import { pcapRecord, writeRepeatedPcap } from '../helpers/syntheticCapture';
import { nextEvent, rejection } from '../helpers/serviceEvents';

const corpus = existsSync(CORPUS_DIR);
const DNS_UDP = join(CORPUS_DIR, 'arkime/pcap/dns-udp.pcap');
const RETRANS = join(CORPUS_DIR, 'arkime/pcap/wireshark-retrans.pcap');
/** 16 TCP streams, each a handshake (tshark: stream 2 is frames 9 and 10, SYN and SYN-ACK). */
const HANDSHAKES = join(CORPUS_DIR, 'arkime/pcap/tcp_handshake_synthetic.pcap');

describe.skipIf(!corpus)('CaptureService (worker threads, corpus files)', () => {
  let service: CaptureService;
  let scratch: string;

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'wirelens-service-'));
    service = new CaptureService({ workerScript: await captureWorkerScript() });
  });
  afterEach(async () => {
    for (const capture of await service.call('capture.list', {})) await service.call('capture.close', { id: capture.id });
  });
  afterAll(async () => {
    await service.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('opens a capture, reports progress to the end, and serves rows and details', async () => {
    const done = nextEvent(service, (e) => e.type === 'capture.progress' && e.payload.state === 'done');
    const opened = nextEvent(service, (e) => e.type === 'capture.opened');
    const info = await service.call('capture.open', { path: DNS_UDP });
    expect(info).toMatchObject({ name: 'dns-udp.pcap', path: DNS_UDP, sizeBytes: 856 });
    expect(((await opened) as { payload: unknown }).payload).toEqual(info);
    const final = (await done).payload as CaptureProgress;
    expect(final).toMatchObject({ id: info.id, framesRead: 5, bytesRead: 856, totalBytes: 856, secondsLeft: null });
    const status = await service.call('capture.status', { id: info.id });
    expect(status).toMatchObject({ frames: 5, format: 'pcap', problem: null });
    const page = await service.call('frames.page', { id: info.id, from: 2, count: 10 });
    expect(page.rows.map((r) => r.number)).toEqual([2, 3, 4, 5]);
    expect(page).toMatchObject({ total: 5, complete: true });
    const detail = await service.call('frame.detail', { id: info.id, number: 3 });
    expect(detail.sources[0].bytes).toBeInstanceOf(Uint8Array);
    expect(detail.sources[0].bytes).toHaveLength(74);
    expect(detail.tree[0]).toMatchObject({ name: 'frame', offset: 0, length: 74 });
  });

  it('says which file is missing', async () => {
    const error = await rejection(service.call('capture.open', { path: join(scratch, 'nothing.pcap') }));
    expect(error.code).toBe('unreadable');
    expect(error.message).toContain('no such file');
  });

  it('refuses a file that is not a capture, with the reader\'s reason', async () => {
    const path = join(scratch, 'notes.pcap');
    writeFileSync(path, 'These are notes, not packets.\n');
    const error = await rejection(service.call('capture.open', { path }));
    expect(error.code).toBe('unreadable');
    expect(error.message).toMatch(/^Cannot open notes\.pcap: /);
    expect(await service.call('capture.list', {})).toEqual([]);
  });

  it('refuses a directory', async () => {
    const error = await rejection(service.call('capture.open', { path: scratch }));
    expect(error.message).toContain('not a regular file');
  });

  it('validates requests from transports', async () => {
    expect((await rejection(service.handle('frames.page', { id: 'c1', from: 1, count: 1e9 }))).code).toBe('bad-request');
    expect((await rejection(service.handle('frames.page', { id: 'c1', from: 0, count: 10 }))).code).toBe('bad-request');
    expect((await rejection(service.handle('capture.open', { path: 'a\0b' }))).code).toBe('bad-request');
    expect((await rejection(service.handle('shell.exec', {}))).code).toBe('bad-request');
    expect((await rejection(service.handle('frames.page', { id: 'c999', from: 1, count: 10 }))).code).toBe('not-found');
  });

  it('serves the first rows while a large file is still being read, and cancels on close', async () => {
    const frame = pcapRecord(new Uint8Array(readFileSync(DNS_UDP)), 2);
    const path = join(scratch, 'large.pcap');
    const size = writeRepeatedPcap(path, frame, 1_000_000); // 90 MB
    const info = await service.call('capture.open', { path });
    const page = await service.call('frames.page', { id: info.id, from: 1, count: 100 });
    expect(page.rows).toHaveLength(100);
    expect(page.complete).toBe(false);
    expect(page.total).toBeLessThan(1_000_000);
    const status = await service.call('capture.status', { id: info.id });
    expect(status.progress.state).toBe('loading');
    expect(status.progress.totalBytes).toBe(size);
    const closed = nextEvent(service, (e) => e.type === 'capture.closed');
    await service.call('capture.close', { id: info.id });
    expect(((await closed) as { payload: unknown }).payload).toEqual({ id: info.id });
    expect((await rejection(service.call('capture.status', { id: info.id }))).code).toBe('not-found');
  });

  it('follows and analyses a TCP stream in the worker, and says when there is no such stream', async () => {
    const done = nextEvent(service, (e) => e.type === 'capture.progress' && e.payload.state === 'done');
    const info = await service.call('capture.open', { path: RETRANS });
    await done;
    const follow = await service.call('tcp.follow', { id: info.id, stream: 0, dir: 'server' });
    expect(follow).toMatchObject({ id: info.id, stream: 0, client: { address: '172.17.96.143', port: 59221 }, complete: true });
    expect(follow.pieces.length).toBeGreaterThan(0);
    expect(follow.pieces.every((p) => p.side === 'server')).toBe(true);
    // Bytes cross the worker boundary as bytes; the server's answer starts with the HTTP status line.
    expect(follow.pieces[0].bytes).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(follow.pieces[0].bytes!).toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    const analysis = await service.call('tcp.analysis', { id: info.id, stream: 0 });
    expect(analysis).toMatchObject({ id: info.id, stream: 0, firstFrame: 1, synSeen: true, handshakeCompleted: true });
    const missing = await rejection(service.call('tcp.follow', { id: info.id, stream: 7, dir: 'both' }));
    expect(missing.code).toBe('not-found');
    expect(missing.message).toBe('There is no TCP stream 7 in the capture (yet).');
    expect((await rejection(service.handle('tcp.follow', { id: info.id, stream: 0, dir: 'sideways' }))).code).toBe('bad-request');
    expect((await rejection(service.handle('tcp.analysis', { id: info.id, stream: -1 }))).code).toBe('bad-request');
  });

  it('draws the ladder and the chart series of a stream from the stream replay, as a whole-file pass does', async () => {
    for (const [path, stream] of [[RETRANS, 0], [HANDSHAKES, 2]] as const) {
      const done = nextEvent(service, (e) => e.type === 'capture.progress' && e.payload.state === 'done');
      const info = await service.call('capture.open', { path });
      await done;
      const ladder = await service.call('tcp.diagram', { id: info.id, stream });
      // The replay numbers its one stream 0; the ladder and series carry the capture-wide number.
      expect(ladder.stream).toBe(stream);
      expect(ladder).toEqual((await streamLadder(path, stream)).ladder);
      const series = await service.call('tcp.streamSeries', { id: info.id, stream });
      expect(series.stream).toBe(stream);
      expect(series).toEqual((await streamSeriesOfFile(path, stream)).series);
      expect(series.directions[0].segments.frame).toBeInstanceOf(Uint32Array);
      const missing = await rejection(service.call('tcp.diagram', { id: info.id, stream: 99 }));
      expect(missing.message).toBe('There is no TCP stream 99 in the capture (yet).');
      expect((await rejection(service.call('tcp.streamSeries', { id: info.id, stream: 99 }))).code).toBe('not-found');
      await service.call('capture.close', { id: info.id });
    }
    const first = (await streamLadder(HANDSHAKES, 2)).ladder?.elements[0];
    expect(first).toMatchObject({ kind: 'arrow', role: 'syn', firstFrame: 9 });
  });

  it('builds the field index once the capture is read, and reports it built with every frame', async () => {
    const built = nextEvent(service, (e) => e.type === 'capture.filterIndex' && e.payload.filterIndex.state !== 'building');
    const info = await service.call('capture.open', { path: RETRANS });
    const event = (await built) as Extract<ServiceEvent, { type: 'capture.filterIndex' }>;
    expect(event.payload.id).toBe(info.id);
    expect(event.payload.filterIndex).toMatchObject({ state: 'built', frames: 108, total: 108 });
    expect(event.payload.filterIndex.memoryBytes).toBeGreaterThan(0);
    const status = await service.call('capture.status', { id: info.id });
    expect(status.progress.state).toBe('done');
    expect(status.filterIndex).toEqual(event.payload.filterIndex);
  });

  it('reports the field index waiting while the file is read, then building (throttled) up to every frame', async () => {
    const frame = pcapRecord(new Uint8Array(readFileSync(DNS_UDP)), 2);
    const path = join(scratch, 'index-progress.pcap');
    writeRepeatedPcap(path, frame, 200_000); // 18 MB
    const reports: { at: number; filterIndex: FilterIndexStatus }[] = [];
    const stop = service.subscribe((e) => {
      if (e.type === 'capture.filterIndex') reports.push({ at: performance.now(), filterIndex: e.payload.filterIndex });
    });
    const built = nextEvent(service, (e) => e.type === 'capture.filterIndex' && e.payload.filterIndex.state !== 'building');
    try {
      const info = await service.call('capture.open', { path });
      const early = await service.call('capture.status', { id: info.id });
      expect(early.progress.state).toBe('loading');
      expect(early.filterIndex).toEqual({ state: 'waiting', frames: 0, total: 0, memoryBytes: 0 });
      await built;
    } finally {
      stop();
    }
    const last = reports[reports.length - 1].filterIndex;
    expect(last).toMatchObject({ state: 'built', frames: 200_000, total: 200_000 });
    const building = reports.slice(0, -1).map((r) => r.filterIndex);
    expect(building.length).toBeGreaterThan(0);
    expect(building.every((b) => b.state === 'building' && b.total === 200_000 && b.frames <= 200_000)).toBe(true);
    expect(building.map((b) => b.frames)).toEqual([...building.map((b) => b.frames)].sort((a, b) => a - b));
    // At most one report per 100 ms while building (the worker's PROGRESS_INTERVAL_MS), plus the final one.
    const spanMs = reports[reports.length - 2].at - reports[0].at;
    expect(building.length).toBeLessThanOrEqual(Math.floor(spanMs / 100) + 2);
  }, 60_000);

  it('reports the field index failed when the frames cannot be read back', async () => {
    const frame = pcapRecord(new Uint8Array(readFileSync(DNS_UDP)), 2);
    const path = join(scratch, 'index-truncated.pcap');
    writeRepeatedPcap(path, frame, 50_000);
    // Cut the file to its header as soon as it is read: the index build, which reads it again, fails.
    const stop = service.subscribe((e) => {
      if (e.type === 'capture.progress' && e.payload.state === 'done') truncateSync(path, 24);
    });
    const ended = nextEvent(service, (e) => e.type === 'capture.filterIndex' && e.payload.filterIndex.state !== 'building');
    try {
      const info = await service.call('capture.open', { path });
      const event = (await ended) as Extract<ServiceEvent, { type: 'capture.filterIndex' }>;
      expect(event.payload.filterIndex).toMatchObject({ state: 'failed', total: 50_000 });
      expect(event.payload.filterIndex.frames).toBeLessThan(50_000);
      expect((await service.call('capture.status', { id: info.id })).filterIndex?.state).toBe('failed');
    } finally {
      stop();
    }
  }, 60_000);

  it('keeps at most maxCaptures open, closing the oldest', async () => {
    const small = new CaptureService({ workerScript: await captureWorkerScript(), maxCaptures: 2 });
    try {
      const a = await small.call('capture.open', { path: DNS_UDP });
      const b = await small.call('capture.open', { path: DNS_UDP });
      const c = await small.call('capture.open', { path: DNS_UDP });
      expect((await small.call('capture.list', {})).map((x) => x.id)).toEqual([b.id, c.id]);
      expect(a.id).not.toBe(b.id);
    } finally {
      await small.dispose();
    }
  });
});
