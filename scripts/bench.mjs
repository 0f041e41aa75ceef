// `npm run bench`: Wirelens' whole analysis (`wirelens summary`) beside `tshark -q -z conv,tcp` on the same
// large real capture, in the same run: wall time, packets/s, MB/s and peak RSS of each. Each runs RUNS
// times, alternating, and the median is shown (every run's time too): one slow run from a busy machine
// does not decide the figure either way.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { resolve } from 'node:path';

const RUNS = 5;

const capture = resolve(process.argv[2] ?? 'bench-data/mixed-1m.pcap');
const recorder = resolve('../shared/tools/mixed_capture.py');

function fail(message) {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(1);
}

if (!existsSync('/usr/bin/time')) fail('needs /usr/bin/time for peak memory (apt-get install time)');
if (!existsSync(capture)) {
  if (!existsSync(recorder)) fail(`no capture at ${capture} and no recorder at ${recorder}`);
  mkdirSync('bench-data', { recursive: true });
  process.stdout.write(`recording ${capture} with mixed_capture.py (1,000,000 packets, needs root)...\n`);
  const rec = spawnSync('python3', [recorder, capture, '300', '1000000'], { stdio: 'inherit' });
  if (rec.status !== 0) fail('recording failed');
}

/** Runs a command under /usr/bin/time; returns wall seconds, peak RSS in MB and stdout. */
function measure(command, args) {
  const run = spawnSync('/usr/bin/time', ['-f', '%e %M', command, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (run.status !== 0) fail(`${command} failed:\n${run.stderr}`);
  const [wall, maxKb] = run.stderr.trim().split('\n').at(-1).split(' ').map(Number);
  return { wall, rssMb: maxKb / 1024, stdout: run.stdout };
}

/** The run with the median wall time, every run's wall time, and the highest peak RSS of any run. */
function median(runs) {
  const sorted = [...runs].sort((a, b) => a.wall - b.wall);
  const rssMb = Math.max(...runs.map((r) => r.rssMb));
  return { ...sorted[Math.floor(sorted.length / 2)], rssMb, walls: runs.map((r) => r.wall.toFixed(2)).join(' ') };
}

const bytes = statSync(capture).size;
const load = loadavg()[0];
process.stdout.write(`machine: ${availableParallelism()} cores, load average ${load.toFixed(2)}${load > 0.5 ? ' (busy: figures will be slower than on an idle machine)' : ''}\n`);
const ourRuns = [];
const tsharkRuns = [];
for (let i = 0; i < RUNS; i++) {
  ourRuns.push(measure(process.execPath, ['bin/wirelens.mjs', 'summary', capture, '--json']));
  tsharkRuns.push(measure('tshark', ['-r', capture, '-q', '-z', 'conv,tcp']));
}
const ours = median(ourRuns);
const tshark = median(tsharkRuns);
// Node's own start, part of every wirelens run: context for the figures of a machine (its share is fixed).
const nodeStart = median([0, 1, 2].map(() => measure(process.execPath, ['-e', '0'])));
const frames = JSON.parse(ours.stdout).frames;

const row = (name, m) =>
  `${name.padEnd(28)} ${m.wall.toFixed(2).padStart(8)} s ${Math.round(frames / m.wall).toLocaleString('en').padStart(12)} pkt/s ` +
  `${(bytes / 1e6 / m.wall).toFixed(0).padStart(7)} MB/s ${m.rssMb.toFixed(0).padStart(7)} MB peak RSS   (runs: ${m.walls} s)`;
process.stdout.write(
  `capture: ${capture}\n         ${frames.toLocaleString('en')} frames, ${(bytes / 1e6).toFixed(0)} MB\n` +
    `${row('wirelens summary', ours)}\n${row('tshark -q -z conv,tcp', tshark)}\n` +
    `speed-up: ${(tshark.wall / ours.wall).toFixed(2)}x (medians of ${RUNS} runs each)\n` +
    `node itself, starting an empty script: ${nodeStart.wall.toFixed(2)} s of each wirelens run` +
    `${process.env.NODE_EXTRA_CA_CERTS ? ' (NODE_EXTRA_CA_CERTS is set here: Node loads those certificates as it starts)' : ''}\n`,
);
