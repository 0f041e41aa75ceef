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
 * with --model linux-reno the replayed window is. Ties and senders no model fits are noted on stderr.
 */

const FIXTURES = resolve(__dirname, '../../fixtures/kernel-truth');
const RENO_RWND = join(FIXTURES, 'reno-rwnd-limited-16k');

async function run(file: string, options: WindowsOptions): Promise<{ rows: string[][]; notes: string }> {
  let text = '';
  let notes = '';
  await runWindows(file, options, (t) => (text += t), (t) => (notes += t));
  const [header, ...lines] = text.trim().split('\n');
  expect(header).toBe(WINDOWS_CSV_HEADER);
  return { rows: lines.map((line) => line.split(',')), notes };
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
    const fitted = await run(`${RENO_RWND}.pcap`, {});
    const reno = await run(`${RENO_RWND}.pcap`, { model: 'linux-reno' });
    expect(new Set(fitted.rows.map((r) => r[11]))).toEqual(new Set(['linux-cubic']));
    expect(new Set(reno.rows.map((r) => r[11]))).toEqual(new Set(['linux-reno']));
    expect(score(fitted.rows)).toBeLessThan(0.5);
    expect(score(reno.rows)).toBeGreaterThanOrEqual(0.95);
    // The tie is said on stderr, once, with the way out; not when the model was asked for.
    expect(fitted.notes).toBe('wirelens: windows: stream 0: the capture cannot tell the models that fit apart; the model column shows the tightest, --model NAME replays another\n');
    expect(reno.notes).toBe('');
  });
});

describe('notes on stderr', () => {
  it('says which streams fit no cwnd model (a paced sender), and nothing when one model fits', async () => {
    const bbr = await run(join(FIXTURES, 'bbr-50mbit-q100k.pcap'), {});
    expect(bbr.notes).toBe('wirelens: windows: stream 0: no cwnd model fits (a paced or rate-based sender such as BBR); cwnd left empty\n');
    expect(bbr.rows.every((r) => r[8] === '')).toBe(true);
    const reno = await run(join(FIXTURES, 'reno-10mbit-q30k.pcap'), {});
    expect(reno.notes).toBe('');
  });
});
