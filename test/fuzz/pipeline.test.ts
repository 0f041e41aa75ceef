import { readFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCaptureReader } from '../../app/capture/reader';
import type { CaptureProblem } from '../../app/capture/types';
import { decodeFrame, newCaptureState } from '../../app/decode/frame';
import type { DecodeIssue } from '../../app/decode/issue';
import { captureFiles, rng } from '../helpers/fuzz';

/*
 * Seeded mutation fuzzing through the whole pipeline (reader -> every decoder): truncations, byte flips and
 * overwritten length fields must never throw out of a frame, never hang, never make a reader buffer more
 * than one bounded record, and never trip a decoder bug (malformed{code:'internal'}).
 */

const CORPUS = join(__dirname, '../../../shared/data/corpus');
/** The readers refuse records over 256 KiB, so no honest buffer needs more than that plus a chunk. */
const MAX_BUFFERED_BYTES = 256 * 1024 + 64 * 1024;
const MUTANTS_PER_FILE = 24;
const MAX_FIXTURE_BYTES = 200_000;



type Mutation = (bytes: Uint8Array, random: () => number) => Uint8Array;

const LENGTH_VALUES = [0, 1, 2, 3, 4, 7, 8, 0x7f, 0x80, 0xff, 0xffff, 0xfffe, 0x10000, 0x7fffffff, 0xffffffff];

const MUTATIONS: Record<string, Mutation> = {
  truncate: (b, r) => b.slice(0, Math.floor(r() * b.length)),
  flipBytes: (b, r) => {
    const out = b.slice();
    const flips = 1 + Math.floor(r() * 8);
    for (let i = 0; i < flips; i++) out[Math.floor(r() * out.length)] ^= 1 << Math.floor(r() * 8);
    return out;
  },
  overwriteLength: (b, r) => {
    const out = b.slice();
    const value = LENGTH_VALUES[Math.floor(r() * LENGTH_VALUES.length)];
    const at = Math.floor(r() * Math.max(1, out.length - 4));
    const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
    if (r() < 0.5 && at + 2 <= out.length) view.setUint16(at, value & 0xffff, r() < 0.5);
    else if (at + 4 <= out.length) view.setUint32(at, value >>> 0, r() < 0.5);
    return out;
  },
  garbageTail: (b, r) => {
    const tail = new Uint8Array(1 + Math.floor(r() * 300));
    for (let i = 0; i < tail.length; i++) tail[i] = Math.floor(r() * 256);
    const out = new Uint8Array(b.length + tail.length);
    out.set(b);
    out.set(tail, b.length);
    return out;
  },
};

interface RunResult {
  frames: number;
  problems: CaptureProblem[];
  internal: { frame: number; issue: DecodeIssue }[];
}

/** Feeds the bytes in random-sized chunks and decodes every frame with its tree. */
function runPipeline(bytes: Uint8Array, random: () => number): RunResult {
  const state = newCaptureState();
  const result: RunResult = { frames: 0, problems: [], internal: [] };
  const reader = createCaptureReader({
    frame(raw) {
      result.frames++;
      expect(raw.data.length).toBeLessThanOrEqual(MAX_BUFFERED_BYTES);
      const d = decodeFrame(state, raw, true);
      if (d.malformed?.code === 'internal') result.internal.push({ frame: raw.number, issue: d.malformed });
    },
    problem(p) {
      result.problems.push(p);
    },
  });
  for (let at = 0; at < bytes.length; ) {
    const size = 1 + Math.floor(random() * 4096);
    reader.push(bytes.subarray(at, at + size));
    at += size;
  }
  reader.end();
  return result;
}

const fixtures = [
  ...captureFiles(join(__dirname, '../../samples'), MAX_FIXTURE_BYTES),
  ...captureFiles(join(__dirname, '../fixtures'), MAX_FIXTURE_BYTES),
  ...captureFiles(CORPUS, MAX_FIXTURE_BYTES),
];

describe('mutation fuzz through the frame pipeline', () => {
  if (!existsSync(CORPUS)) it.skip(`corpus absent at ${CORPUS}: fuzzing the project's own fixtures only`, () => {});

  it('has fixtures to mutate', () => {
    expect(fixtures.length).toBeGreaterThan(0);
  });

  it.each(fixtures.map((path) => [relative(join(__dirname, '../..'), path), path]))(
    '%s: mutants never throw, hang or trip a decoder bug',
    (_name, path) => {
      const original = new Uint8Array(readFileSync(path));
      const seed = [...path].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7);
      const random = rng(seed);
      const names = Object.keys(MUTATIONS);
      const internal: string[] = [];
      for (let i = 0; i < MUTANTS_PER_FILE; i++) {
        const name = names[i % names.length];
        const mutant = MUTATIONS[name](original, random);
        const result = runPipeline(mutant, random);
        expect(result.problems.length).toBeLessThanOrEqual(1);
        for (const { frame, issue } of result.internal) internal.push(`seed ${seed} mutant ${i} (${name}) frame ${frame}: ${issue.message}`);
      }
      expect(internal).toEqual([]);
    },
  );
});
