// `node scripts/filter-bench.mjs [FILE] [--decode]`: how long display filters take over a large capture, the
// way the capture worker runs them (app/index/session.ts): the load, the field index built after it (time,
// size, RSS), then each filter applied over the index. --decode also applies them by decoding every frame
// again (the path taken before the index is built, or for filters it does not cover; ~10 s each on 1M frames).
// Prints figures only: nothing here is a pass/fail threshold.
import { build } from 'esbuild';
import { mkdirSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const capture = resolve(args.find((a) => !a.startsWith('--')) ?? 'bench-data/mixed-1m.pcap');
const decodeToo = args.includes('--decode');
const FILTERS = ['tcp.port == 443', 'ip.addr == 10.0.0.0/8 && tcp.analysis.retransmission', 'dns', 'tcp.stream == 3'];
/** Not covered by the index (protocol bytes): always decoded. */
const UNCOVERED = 'frame contains "GET "';

// The engine is TypeScript: bundle what the worker runs into one module beside the other builds.
const outdir = resolve('out/filter-bench');
mkdirSync(outdir, { recursive: true });
await build({
  stdin: {
    contents: [
      "export { CaptureSession } from './app/index/session';",
      "export { compileFilter } from './app/filter/compile';",
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
const { CaptureSession, compileFilter, readCaptureFile } = await import(pathToFileURL(`${outdir}/engine.mjs`).href);

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
const mb = (bytes) => `${(bytes / 1e6).toFixed(0)} MB`;
const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;
const rss = () => {
  const usage = process.memoryUsage();
  peakRss = Math.max(peakRss, usage.rss);
  return `RSS ${mb(usage.rss)} (peak ${mb(peakRss)}; heap ${mb(usage.heapUsed)}, array buffers ${mb(usage.arrayBuffers)})`;
};

const handle = await open(capture, 'r');
const session = new CaptureSession({
  async read(offset, length) {
    const bytes = new Uint8Array(length);
    const { bytesRead } = await handle.read(bytes, 0, length, offset);
    return bytes.subarray(0, bytesRead);
  },
});
let problem = null;
let started = performance.now();
const { format } = await readCaptureFile(capture, { frame: (raw) => session.addFrame(raw), problem: (p) => (problem = p) });
session.finish(format, problem);
console.log(`capture: ${capture}, ${session.frames.toLocaleString('en')} frames, ${mb(statSync(capture).size)}`);
console.log(`load: ${seconds(performance.now() - started)}, ${rss()}`);

function compiled(text) {
  const result = compileFilter(text);
  if (!result.ok) throw new Error(`${text}: ${result.error.message}`);
  return result.filter;
}

async function apply(text, label) {
  const start = performance.now();
  const displayed = await session.applyFilter(compiled(text), () => undefined);
  const ms = performance.now() - start;
  console.log(`  ${label} ${text}: ${displayed.frames.length.toLocaleString('en')} frames in ${ms < 1000 ? `${ms.toFixed(0)} ms` : seconds(ms)}`);
}

if (decodeToo) {
  console.log('by decoding every frame (before the index):');
  for (const text of FILTERS) await apply(text, 'decoded');
  console.log(`  ${rss()}`);
}

started = performance.now();
// A covered filter applied while the index is built waits for it, advancing over each batch added.
const waiting = apply(FILTERS[0], 'applied as the build started:');
await session.buildFieldIndex();
await waiting;
const index = session.fieldIndexState;
const beforeGc = rss();
globalThis.gc?.();
console.log(`field index: ${index.frames.toLocaleString('en')} frames in ${seconds(performance.now() - started)}, ${mb(index.memoryBytes)} of columns, ${beforeGc}${globalThis.gc ? `; after a full GC: ${rss()}` : ''}`);
for (const text of FILTERS) await apply(text, 'over the index');
await apply(UNCOVERED, 'not covered, decoded');
console.log(`  ${rss()}`);
clearInterval(sampler);
await handle.close();
