import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { maxCapturedLength } from '../../../app/capture/records';
import { captureFiles, rng } from '../../helpers/fuzz';
import { readAll, type ReadResult } from './readAll';

/*
 * Seeded mutations of every capture we have (truncations, flipped bits, overwritten length fields, garbage
 * tails) through the readers alone: they never throw, report at most one problem and nothing after it,
 * never hand out a frame above the link type's limit, and read the same whatever the chunking.
 */

const ROOT = join(__dirname, '../../..');
const CORPUS = join(ROOT, '../shared/data/corpus');
const MAX_FIXTURE_BYTES = 200_000;
const MUTANTS_PER_FILE = 6;



const LENGTHS = [0, 1, 3, 4, 7, 8, 11, 12, 16, 0x7f, 0xff, 0xffff, 0x40000, 0x40001, 0x7fffffff, 0xffffffff];

function mutate(bytes: Uint8Array, random: () => number, kind: number): Uint8Array {
  const out = bytes.slice();
  const at = Math.floor(random() * Math.max(1, out.length - 4));
  switch (kind % 4) {
    case 0:
      return out.slice(0, Math.floor(random() * out.length));
    case 1:
      for (let i = 0, n = 1 + Math.floor(random() * 8); i < n; i++) out[Math.floor(random() * out.length)] ^= 1 << Math.floor(random() * 8);
      return out;
    case 2:
      if (at + 4 <= out.length) new DataView(out.buffer).setUint32(at, LENGTHS[Math.floor(random() * LENGTHS.length)], random() < 0.5);
      return out;
    default: {
      const tail = Uint8Array.from({ length: 1 + Math.floor(random() * 300) }, () => Math.floor(random() * 256));
      const grown = new Uint8Array(out.length + tail.length);
      grown.set(out);
      grown.set(tail, out.length);
      return grown;
    }
  }
}

function checkInvariants(result: ReadResult): void {
  expect(result.problems.length).toBeLessThanOrEqual(1);
  for (const frame of result.frames) expect(frame.data.length).toBeLessThanOrEqual(maxCapturedLength(frame.linkType));
  expect(result.frames.map((f) => f.number)).toEqual(result.frames.map((_, i) => i + 1));
}

const fixtures = [...captureFiles(join(ROOT, 'samples'), MAX_FIXTURE_BYTES), ...captureFiles(CORPUS, MAX_FIXTURE_BYTES)];

describe('capture readers under mutation', () => {
  if (!existsSync(CORPUS)) it.skip(`corpus absent at ${CORPUS}: mutating the bundled sample only`, () => {});

  it('mutants never throw, report at most one problem, and read the same in any chunking', () => {
    expect(fixtures.length).toBeGreaterThan(0);
    const failures: string[] = [];
    for (const path of fixtures) {
      const original = new Uint8Array(readFileSync(path));
      const seed = [...relative(ROOT, path)].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7);
      const random = rng(seed);
      for (let i = 0; i < MUTANTS_PER_FILE; i++) {
        const mutant = mutate(original, random, i);
        const whole = readAll(mutant);
        checkInvariants(whole);
        const sizes = Array.from({ length: 8 }, () => 1 + Math.floor(random() * 2048));
        const chunked = readAll(mutant, sizes);
        if (JSON.stringify(chunked) !== JSON.stringify(whole)) failures.push(`${relative(ROOT, path)} seed ${seed} mutant ${i}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
