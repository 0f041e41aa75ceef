// `node scripts/score-refstack.mjs [DIR...]`: the reference stack against the kernel's own cwnd.
// For every NAME.pcap + NAME.truth.csv pair (default: ../shared/data/kernel-truth and
// test/fixtures/kernel-truth) it runs `wirelens windows` through our own pipeline, writes the estimate
// (time,cwnd in bytes) and scores it with ../shared/tools/score_cwnd.py, next to the Wireshark
// bytes-in-flight proxy (tcp.analysis.bytes_in_flight of the sender's data packets) scored the same way.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const scorer = resolve('../shared/tools/score_cwnd.py');
const dirs = process.argv.length > 2 ? process.argv.slice(2) : ['../shared/data/kernel-truth', 'test/fixtures/kernel-truth'];

function fail(message) {
  process.stderr.write(`score-refstack: ${message}\n`);
  process.exit(1);
}

if (!existsSync('/usr/bin/python3')) fail('needs python3 for score_cwnd.py');
if (!existsSync(scorer)) fail(`no scorer at ${scorer}`);
const haveTshark = existsSync('/usr/bin/tshark');

const work = mkdtempSync(join(tmpdir(), 'score-refstack-'));
await build({
  entryPoints: ['main/cli/windows.ts'],
  outfile: join(work, 'windows.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
const { runWindows } = await import(pathToFileURL(join(work, 'windows.mjs')).href);

/** score_cwnd.py's summary line as an object, or null. */
function score(truth, estimate) {
  const run = spawnSync('python3', [scorer, truth, estimate], { encoding: 'utf8' });
  if (run.status !== 0) return null;
  return Object.fromEntries(run.stdout.trim().split(' ').map((kv) => kv.split('=')).map(([k, v]) => [k, Number(v)]));
}

/** The sender's data packets' tcp.analysis.bytes_in_flight, as a time,cwnd estimate. */
function wiresharkProxy(pcap, sender, out) {
  const run = spawnSync('tshark', ['-r', pcap, '-Y', `tcp.len > 0 && ip.src == ${sender.split(':')[0]}`, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'tcp.analysis.bytes_in_flight'], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  const lines = run.stdout.split('\n').filter((l) => l.includes('\t') && !l.endsWith('\t'));
  writeFileSync(out, `time,cwnd\n${lines.map((l) => l.replace('\t', ',')).join('\n')}\n`);
}

const rows = [];
for (const dir of dirs) {
  if (!existsSync(dir)) {
    process.stdout.write(`(skipping ${dir}: not found)\n`);
    continue;
  }
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.truth.csv')).sort()) {
    const name = basename(file, '.truth.csv');
    const pcap = join(dir, `${name}.pcap`);
    const truth = join(dir, file);
    if (!existsSync(pcap)) continue;
    const chunks = [];
    await runWindows(pcap, { stream: 0 }, (text) => chunks.push(text));
    // The bigger data sender's rows come first; its peer may send a little data of its own.
    const all = chunks.join('').trim().split('\n').slice(1).map((l) => l.split(','));
    const sender = all[0]?.[1] ?? '';
    const lines = all.filter((l) => l[1] === sender);
    const model = lines[0]?.[11] ?? 'none';
    const estimate = join(work, `${name}.estimate.csv`);
    writeFileSync(estimate, `time,cwnd\n${lines.filter((l) => l[8] !== '').map((l) => `${l[3]},${l[8]}`).join('\n')}\n`);
    const ours = model === 'none' ? null : score(truth, estimate);
    let proxy = null;
    if (haveTshark) {
      const proxyFile = join(work, `${name}.wireshark.csv`);
      wiresharkProxy(pcap, sender, proxyFile);
      proxy = score(truth, proxyFile);
    }
    rows.push({ dir, name, model, ours, proxy });
  }
}
rmSync(work, { recursive: true, force: true });

const pad = (s, n) => String(s).padEnd(n);
process.stdout.write(`${pad('recording', 66)} ${pad('model', 17)} ${pad('samples', 8)} ${pad('within', 7)} ${pad('median', 7)} ${pad('p90', 6)} wireshark\n`);
for (const r of rows) {
  const o = r.ours;
  process.stdout.write(
    `${pad(`${r.dir}/${r.name}`, 66)} ${pad(r.model, 17)} ${pad(o ? o.samples : '-', 8)} ${pad(o ? o.within.toFixed(3) : 'n/a', 7)} ` +
      `${pad(o ? o.median_abs_err_seg.toFixed(2) : '-', 7)} ${pad(o ? o.p90_abs_err_seg.toFixed(2) : '-', 6)} ${r.proxy ? r.proxy.within.toFixed(3) : '-'}\n`,
  );
}
