import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WINDOWS_CSV_HEADER } from '../../../app/refstack/windows';
import { UsageError } from '../../../main/cli/errors';
import { parseWindowsArgs, runWindows, type WindowsOptions } from '../../../main/cli/windows';
import { scoreCwnd } from '../../app/refstack/scoreCwnd';

/*
 * `wirelens windows`: arguments, and --model, the sender's congestion control when the user knows it. A
 * receive-window-limited Reno sender that never loses a packet sends exactly what a CUBIC one would (see
 * test/app/refstack/kernel-truth.test.ts): the best fit is then CUBIC, whose window is not the kernel's;
 * with --model linux-reno the replayed window is.
 */

const FIXTURES = resolve(__dirname, '../../fixtures/kernel-truth');
const RENO_RWND = join(FIXTURES, 'reno-rwnd-limited-16k');

async function csv(file: string, options: WindowsOptions): Promise<string[][]> {
  let text = '';
  await runWindows(file, options, (t) => (text += t));
  const [header, ...lines] = text.trim().split('\n');
  expect(header).toBe(WINDOWS_CSV_HEADER);
  return lines.map((line) => line.split(','));
}

function score(rows: string[][]): number {
  const estimates = rows.filter((r) => r[8] !== '').map((r) => ({ time: Number(r[3]), cwnd: Number(r[8]) }));
  return scoreCwnd(`${RENO_RWND}.truth.csv`, estimates)!.within;
}

describe('parseWindowsArgs', () => {
  it('takes the file, --stream, --model and --csv', () => {
    expect(parseWindowsArgs(['a.pcap', '--stream', '3', '--model', 'linux-reno', '--csv'])).toEqual({ file: 'a.pcap', options: { stream: 3, model: 'linux-reno' } });
    expect(parseWindowsArgs(['--csv', 'a.pcap'])).toEqual({ file: 'a.pcap', options: {} });
  });

  it('refuses an unknown model, naming the known ones', () => {
    expect(() => parseWindowsArgs(['a.pcap', '--model', 'vegas'])).toThrow(UsageError);
    expect(() => parseWindowsArgs(['a.pcap', '--model', 'vegas'])).toThrow(/--model needs one of linux-cubic, linux-reno, .*not 'vegas'/);
    expect(() => parseWindowsArgs(['a.pcap', '--model'])).toThrow(/--model needs one of/);
  });
});

describe('--model', () => {
  it("replays the named model: the kernel's window where the capture cannot tell Reno from CUBIC", async () => {
    const fitted = await csv(`${RENO_RWND}.pcap`, {});
    const reno = await csv(`${RENO_RWND}.pcap`, { model: 'linux-reno' });
    expect(new Set(fitted.map((r) => r[11]))).toEqual(new Set(['linux-cubic']));
    expect(new Set(reno.map((r) => r[11]))).toEqual(new Set(['linux-reno']));
    expect(score(fitted)).toBeLessThan(0.5);
    expect(score(reno)).toBeGreaterThanOrEqual(0.95);
  });
});
