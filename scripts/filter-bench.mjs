// `node scripts/filter-bench.mjs [FILE] [--decode]`: how long display filters take over a large capture, run
// as the capture worker runs them (app/index/session.ts, in a worker thread): the load, the field index
// built after it (time, size, the process's RSS), then each filter applied over the index. --decode also
// applies them by decoding every frame again first (the path taken before the index is built, and for
// filters it does not cover: ~10 s each on 1M frames). Prints figures only: nothing here is a pass/fail threshold.
import { build } from 'esbuild';
import { mkdirSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const FILTERS = [
  'tcp.port == 443', 'ip.addr == 10.0.0.0/8 && tcp.analysis.retransmission', 'dns', 'tcp.stream == 3',
  'tcp.port == 9000 && tcp.len > 1000', 'udp.port == 5353 || tcp.flags.syn == 1',
];
/** Not covered by the index, so decoded every time: protocol bytes, a field left out (app/filter/columns.ts). */
const UNCOVERED = ['frame contains "GET "', 'frame.time_epoch > 1795236527.5'];

const IDLE_SECONDS = 15;
const mb = (bytes) => `${(bytes / 1e6).toFixed(0)} MB`;
const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;

if (isMainThread) {
  const args = process.argv.slice(2);
  const capture = resolve(args.find((a) => !a.startsWith('--')) ?? 'bench-data/mixed-1m.pcap');
  // The engine is TypeScript: bundle what the worker runs into one module beside the other builds.
  const outdir = resolve('out/filter-bench');
  mkdirSync(outdir, { recursive: true });
  await build({
    stdin: {
      contents: [
        "export { CaptureSession } from './app/index/session';",
        "export { compileFilter } from './app/filter/compile';",
        "export { FieldColumns } from './app/filter/columns';",
        "export { readCaptureFile } from './main/io/readCapture';",
      ].join('\n'),
      resolveDir: resolve('.'),
      loader: 'ts',
    },
    outfile: `${outdir}/engine.mjs`,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  console.log(`capture: ${capture}, ${mb(statSync(capture).size)}`);
  // The process's RSS, sampled here: the worker's own event loop is busy while it decodes.
  let peak = 0;
  const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));
  const sampler = setInterval(sample, 50);
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { capture, decodeToo: args.includes('--decode'), engine: pathToFileURL(`${outdir}/engine.mjs`).href },
  });
  worker.on('message', ({ text, memory }) => {
    sample();
    console.log(memory ? `${text}; process RSS ${mb(process.memoryUsage().rss)} (peak ${mb(peak)})` : text);
  });
  worker.on('error', (error) => {
    console.error(error);
    process.exitCode = 1;
  });
  worker.on('exit', () => clearInterval(sampler));
} else {
  const { capture, decodeToo, engine } = workerData;
  const { CaptureSession, FieldColumns, compileFilter, readCaptureFile } = await import(engine);
  const say = (text, memory = false) => parentPort.postMessage({ text, memory });
  const heap = () => {
    const usage = process.memoryUsage();
    return `worker heap ${mb(usage.heapUsed)}, array buffers ${mb(usage.arrayBuffers)}`;
  };

  const handle = await open(capture, 'r');
  const session = new CaptureSession({
    async read(offset, length, into) {
      const bytes = into ?? new Uint8Array(length);
      const { bytesRead } = await handle.read(bytes, 0, length, offset);
      return bytes.subarray(0, bytesRead);
    },
  });
  let problem = null;
  let started = performance.now();
  const { format } = await readCaptureFile(capture, { frame: (raw) => session.addFrame(raw), problem: (p) => (problem = p) });
  session.finish(format, problem);
  say(`load: ${session.frames.toLocaleString('en')} frames in ${seconds(performance.now() - started)}, ${heap()}`, true);

  const compiled = (text) => {
    const result = compileFilter(text);
    if (!result.ok) throw new Error(`${text}: ${result.error.message}`);
    return result.filter;
  };
  const apply = async (text, how) => {
    const start = performance.now();
    const displayed = await session.applyFilter(compiled(text), () => undefined);
    const ms = performance.now() - start;
    say(`  ${how}: ${text}: ${displayed.frames.length.toLocaleString('en')} frames in ${ms < 1000 ? `${ms.toFixed(0)} ms` : seconds(ms)}`);
  };

  if (decodeToo) {
    for (const text of FILTERS) await apply(text, 'decoding every frame');
    say(`  ${heap()}`, true);
  }
  started = performance.now();
  // As in the worker, the build starts once the capture is read; a covered filter applied while the index
  // is built waits for it, advancing over each batch added.
  const building = session.buildFieldIndex();
  await apply(FILTERS[0], 'applied as the index build started');
  await building;
  const index = session.fieldIndexState;
  say(`field index: ${index.frames.toLocaleString('en')} frames in ${seconds(performance.now() - started)}, ${mb(index.memoryBytes)} of columns, ${heap()}`, true);
  // The session's index holds the default fields, as this one does.
  const defaults = new FieldColumns();
  for (const text of [...FILTERS, ...UNCOVERED]) await apply(text, defaults.covers(compiled(text)) ? 'from the index' : 'not covered, decoding every frame');
  say(`  ${heap()}`, true);
  // What an open capture keeps once idle: V8 shrinks its heap some seconds after the work stops.
  await new Promise((done) => setTimeout(done, IDLE_SECONDS * 1000));
  say(`idle for ${IDLE_SECONDS} s: ${heap()}`, true);
  await handle.close();
}
