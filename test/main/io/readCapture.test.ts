import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CaptureProblem, RawFrame } from '../../../app/capture/types';
import { CaptureFileError, readCaptureFile } from '../../../main/io/readCapture';
import { buildPcap, buildPcapng, epb, idb, section } from '../../helpers/captureBuilder';

const dir = mkdtempSync(join(tmpdir(), 'wirelens-read-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function collect(): { frames: RawFrame[]; problems: CaptureProblem[]; sink: { frame(f: RawFrame): void; problem(p: CaptureProblem): void } } {
  const frames: RawFrame[] = [];
  const problems: CaptureProblem[] = [];
  return { frames, problems, sink: { frame: (f) => frames.push({ ...f, data: f.data.slice() }), problem: (p) => problems.push(p) } };
}

const records = Array.from({ length: 100 }, (_, i) => ({ seconds: i, fraction: i * 7, data: Uint8Array.from({ length: 20 + (i % 50) }, (_, j) => (i + j) & 0xff) }));

describe('readCaptureFile', () => {
  it('parse: streams a file in small reused chunks with the same frames as one read', async () => {
    const path = join(dir, 'many.pcap');
    const bytes = buildPcap({}, records);
    writeFileSync(path, bytes);
    const whole = collect();
    expect(await readCaptureFile(path, whole.sink)).toEqual({ format: 'pcap', bytes: bytes.length });
    const chunked = collect();
    const progress: [number, number][] = [];
    await readCaptureFile(path, chunked.sink, { chunkSize: 33, onProgress: (read, total) => void progress.push([read, total]) });
    expect(chunked.frames).toEqual(whole.frames);
    expect(whole.frames).toHaveLength(100);
    expect(whole.frames[99]).toMatchObject({ number: 100, tsSeconds: 99, tsNanos: 693_000 });
    expect(progress.at(-1)).toEqual([bytes.length, bytes.length]);
    expect(progress.every(([read], i) => i === 0 || read > progress[i - 1][0])).toBe(true);
  });

  it('parse: pcapng', async () => {
    const path = join(dir, 'one.pcapng');
    writeFileSync(path, buildPcapng([section({}, [idb(), epb({ timestamp: 5n, data: [1, 2, 3] })])]));
    const c = collect();
    expect((await readCaptureFile(path, c.sink)).format).toBe('pcapng');
    expect(c.frames.map((f) => Array.from(f.data))).toEqual([[1, 2, 3]]);
  });

  it('truncated file: the problem goes to the sink and the promise resolves', async () => {
    const path = join(dir, 'cut.pcap');
    const bytes = buildPcap({}, records.slice(0, 3));
    writeFileSync(path, bytes.subarray(0, bytes.length - 5));
    const c = collect();
    await readCaptureFile(path, c.sink, { chunkSize: 16 });
    expect(c.frames).toHaveLength(2);
    expect(c.problems).toHaveLength(1);
  });

  it('unreadable files reject with one sentence naming the path', async () => {
    const missing = join(dir, 'nope.pcap');
    await expect(readCaptureFile(missing, collect().sink)).rejects.toEqual(new CaptureFileError(`${missing}: no such file.`, 'ENOENT', missing));
    await expect(readCaptureFile(dir, collect().sink)).rejects.toMatchObject({ message: `${dir} is a directory, not a capture file.`, code: 'EISDIR' });
    const secret = join(dir, 'secret.pcap');
    writeFileSync(secret, buildPcap({}, []));
    chmodSync(secret, 0);
    // root reads anything: only check the message when the permission is actually enforced.
    const outcome = await readCaptureFile(secret, collect().sink).then(
      () => null,
      (error: unknown) => error,
    );
    if (outcome !== null) expect(outcome).toEqual(new CaptureFileError(`${secret}: permission denied (the file is not readable by this user).`, 'EACCES', secret));
    expect(new CaptureFileError('x', null, 'p')).toBeInstanceOf(Error);
  });

  it('aborting rejects with the signal reason', async () => {
    const path = join(dir, 'abort.pcap');
    writeFileSync(path, buildPcap({}, records));
    const controller = new AbortController();
    const c = collect();
    const reading = readCaptureFile(path, { ...c.sink, frame: (f) => (f.number === 3 ? controller.abort(new Error('stop')) : undefined) }, { chunkSize: 64, signal: controller.signal });
    await expect(reading).rejects.toThrow('stop');
    const aborted = new AbortController();
    aborted.abort(new Error('before'));
    await expect(readCaptureFile(path, c.sink, { signal: aborted.signal })).rejects.toThrow('before');
  });
});
