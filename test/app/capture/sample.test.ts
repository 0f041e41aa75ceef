import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAll } from './readAll';
import { frameRow, tsharkFrames, tsharkVersion } from './tshark';

/* The capture the project ships (recorded by scripts/record-sample.py): read whole, in small chunks, and by tshark. */

const SAMPLE = join(__dirname, '../../../samples/handshake-dns.pcapng');
const bytes = new Uint8Array(readFileSync(SAMPLE));

describe('samples/handshake-dns.pcapng', () => {
  it('parse: a dumpcap pcapng with one Ethernet interface and nanosecond timestamps, under 100 KB', () => {
    expect(bytes.length).toBeLessThan(100_000);
    const whole = readAll(bytes);
    expect(whole.format).toBe('pcapng');
    expect(whole.problems).toEqual([]);
    expect(whole.frames.length).toBeGreaterThan(60);
    expect(new Set(whole.frames.map((f) => f.linkType))).toEqual(new Set([1]));
    // Nanosecond resolution shows in the timestamps: not all of them are whole microseconds.
    expect(whole.frames.some((f) => f.tsNanos % 1000 !== 0)).toBe(true);
    expect(readAll(bytes, [1, 7, 333])).toEqual(whole);
  });

  const version = tsharkVersion();
  if (version === null) {
    it.skip('tshark is not installed at /usr/bin/tshark: comparison skipped', () => {});
    return;
  }

  it('reads as tshark reads it', async () => {
    const tshark = await tsharkFrames(SAMPLE, version);
    expect(tshark.error).toBe('');
    expect(readAll(bytes).frames.map((f) => frameRow(f, 'pcapng'))).toEqual(tshark.rows);
  });
});
