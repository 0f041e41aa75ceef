import { readFileSync } from 'node:fs';

/*
 * The scoring of ../shared/tools/score_cwnd.py, in TypeScript so the tests do not need python: each truth
 * sample taken while data is outstanding (state 1, unacked > 0) is compared with the latest estimate at or
 * before it, in segments of the kernel's snd_mss; "within" is the share inside max(2 segments, 10%).
 */

export interface CwndScore {
  samples: number;
  medianAbsErr: number;
  p90AbsErr: number;
  within: number;
}

export interface CwndEstimate {
  time: number;
  /** Bytes. */
  cwnd: number;
}

function parseCsv(text: string): Record<string, string>[] {
  const [header, ...lines] = text.trim().split('\n');
  const names = header.split(',');
  return lines.map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(names.map((n, i) => [n, cells[i]]));
  });
}

export function scoreCwnd(truthCsv: string, estimates: readonly CwndEstimate[]): CwndScore | null {
  const sorted = [...estimates].sort((a, b) => a.time - b.time);
  const times = sorted.map((e) => e.time);
  const errors: number[] = [];
  let within = 0;
  for (const r of parseCsv(readFileSync(truthCsv, 'utf8'))) {
    if (Number(r.state) !== 1 || Number(r.unacked) === 0) continue;
    const t = Number(r.time);
    // bisect_right(times, t) - 1
    let lo = 0;
    let hi = times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (times[mid] <= t) lo = mid + 1;
      else hi = mid;
    }
    const i = lo - 1;
    if (i < 0) continue;
    const truth = Number(r.snd_cwnd);
    const error = Math.abs(sorted[i].cwnd / Number(r.snd_mss) - truth);
    errors.push(error);
    if (error <= Math.max(2, 0.1 * truth)) within++;
  }
  if (errors.length === 0) return null;
  errors.sort((a, b) => a - b);
  const mid = errors.length >> 1;
  const median = errors.length % 2 ? errors[mid] : (errors[mid - 1] + errors[mid]) / 2;
  return { samples: errors.length, medianAbsErr: median, p90AbsErr: errors[Math.floor(0.9 * errors.length)], within: within / errors.length };
}
