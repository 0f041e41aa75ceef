import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FilterProgress } from '../../../app/api/types';
import { CaptureService } from '../../../main/service/service';
import { tsharkLines } from '../../e2e/harness';
import { CORPUS_DIR, tsharkVersion } from '../../helpers/tshark';
import { captureWorkerScript } from '../helpers/captureWorker';
import { pcapRecord, writeRepeatedPcap } from '../helpers/syntheticCapture';
import { nextEvent, rejection } from '../helpers/serviceEvents';

/*
 * Display filters through the service: compiled without a capture, applied in the capture's worker
 * (the frames tshark -Y accepts), paged over, superseded by a newer filter, and answered from the field
 * index the worker builds once the file is read.
 */

const RETRANS = join(CORPUS_DIR, 'arkime/pcap/wireshark-retrans.pcap');
const DNS_UDP = join(CORPUS_DIR, 'arkime/pcap/dns-udp.pcap');
const reason = !existsSync(RETRANS) ? `corpus not found at ${CORPUS_DIR}` : !tsharkVersion() ? 'tshark not found' : null;
if (reason) console.warn(`test/main/service/filter.test.ts skipped: ${reason}`);

describe.skipIf(reason !== null)('display filters in the service', () => {
  let service: CaptureService;
  let scratch: string;

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'wirelens-filter-'));
    service = new CaptureService({ workerScript: await captureWorkerScript() });
  });
  afterEach(async () => {
    for (const capture of await service.call('capture.list', {})) await service.call('capture.close', { id: capture.id });
  });
  afterAll(async () => {
    await service.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('checks and completes filters without a capture', async () => {
    expect(await service.handle('filter.check', { text: 'tcp.analysis.retransmission && ip.ttl > 3' })).toEqual({ ok: true });
    expect(await service.handle('filter.check', { text: 'tcp.port == ' })).toEqual({
      ok: false,
      error: { column: 13, length: 1, message: 'Unexpected end of filter expression.' },
    });
    expect(await service.handle('filter.suggest', { text: 'tcp.analysis.re', cursor: 15 })).toEqual({
      start: 0,
      end: 15,
      names: ['tcp.analysis.retransmission', 'tcp.analysis.reused_ports'],
    });
  });

  it('applies a filter in the worker: the frames tshark -Y accepts, paged over', async () => {
    const done = nextEvent(service, (e) => e.type === 'capture.progress' && e.payload.state === 'done');
    const info = await service.call('capture.open', { path: RETRANS });
    await done;
    const expected = tsharkLines(RETRANS, ['-Y', 'tcp.analysis.retransmission', '-T', 'fields', '-e', 'frame.number']).map(Number);
    const displayed = await service.call('frames.filter', { id: info.id, filter: 'tcp.analysis.retransmission' });
    expect(displayed.frames).toBeInstanceOf(Uint32Array);
    expect([...displayed.frames]).toEqual(expected);
    expect(displayed.scanned).toBe(108);
    const page = await service.call('frames.page', { id: info.id, from: 2, count: 3, filter: 'tcp.analysis.retransmission' });
    expect(page.rows.map((r) => r.number)).toEqual(expected.slice(1, 4));
    expect(page.total).toBe(expected.length);
    expect(page.rows[0].info).toMatch(/Retransmission/);
    expect((await rejection(service.call('frames.page', { id: info.id, from: 1, count: 3, filter: 'dns' }))).code).toBe('not-found');
    expect((await rejection(service.call('frames.filter', { id: info.id, filter: 'tcp.port ==' }))).message).toMatch(/column 12/);
    // '' shows every frame again.
    expect((await service.call('frames.filter', { id: info.id, filter: '' })).frames.length).toBe(0);
    expect((await service.call('frames.page', { id: info.id, from: 1, count: 500 })).total).toBe(108);
  });

  it('answers filters the field index covers without reading the file again, and decodes frames for the others', async () => {
    const path = join(scratch, 'retrans.pcap');
    copyFileSync(RETRANS, path);
    const done = nextEvent(service, (e) => e.type === 'capture.progress' && e.payload.state === 'done');
    const info = await service.call('capture.open', { path });
    await done;
    const frames = (filter: string) => tsharkLines(RETRANS, ['-Y', filter, '-T', 'fields', '-e', 'frame.number']).map(Number);
    // Covered: applied right after the load, it waits for the index the worker builds in the background.
    const retransmissions = frames('tcp.analysis.retransmission');
    expect(retransmissions.length).toBeGreaterThan(0);
    expect([...(await service.call('frames.filter', { id: info.id, filter: 'tcp.analysis.retransmission' })).frames]).toEqual(retransmissions);
    // The file is emptied: a covered filter still gives tshark's frames, as it reads none.
    writeFileSync(path, new Uint8Array(0));
    const covered = 'tcp.stream == 1 && tcp.len > 0 || ip.ttl < 64';
    expect(frames(covered).length).toBeGreaterThan(0);
    expect([...(await service.call('frames.filter', { id: info.id, filter: covered })).frames]).toEqual(frames(covered));
    // Protocol bytes are not in the index: that filter decodes frames, and finds them gone.
    const refused = await rejection(service.call('frames.filter', { id: info.id, filter: 'frame contains "HTTP"' }));
    expect(refused.code).toBe('unreadable');
    expect(refused.message).toMatch(/^frame 1 is no longer where it was in the file/);
  });

  it('reports progress, and a newer filter supersedes one still running', async () => {
    const frame = pcapRecord(new Uint8Array(readFileSync(DNS_UDP)), 2);
    const path = join(scratch, 'many.pcap');
    writeRepeatedPcap(path, frame, 100_000);
    const done = nextEvent(service, (e) => e.type === 'capture.progress' && e.payload.state === 'done');
    const info = await service.call('capture.open', { path });
    await done;
    const progress = nextEvent(service, (e) => e.type === 'frames.filterProgress');
    const first = service.call('frames.filter', { id: info.id, filter: 'udp' });
    const reported = (await progress).payload as FilterProgress;
    expect(reported).toMatchObject({ id: info.id, filter: 'udp', total: 100_000 });
    expect(reported.scanned).toBeLessThan(100_000);
    const second = service.call('frames.filter', { id: info.id, filter: 'dns.flags.response == 0' });
    second.catch(() => undefined);
    expect((await rejection(first)).code).toBe('cancelled');
    const expected = tsharkLines(path, ['-Y', 'dns.flags.response == 0', '-T', 'fields', '-e', 'frame.number']).map(Number);
    expect(expected).toHaveLength(100_000);
    expect([...(await second).frames]).toEqual(expected);
  }, 120_000);
});
