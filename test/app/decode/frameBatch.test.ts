import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RawFrame } from '../../../app/capture/types';
import { decodeFrame, newCaptureState } from '../../../app/decode/frame';
import { DeferringObserver, FrameBatchWriter, type FrameBatch } from '../../../app/decode/frameBatch';
import { readCaptureFile } from '../../../main/io/readCapture';
import { rng } from '../../helpers/fuzz';
import { CORPUS_DIR, SAMPLES_DIR, captureFiles, displayPath } from '../../helpers/tshark';

/*
 * FrameBatchWriter.addCommonTcp writes the rows of the commonest frames straight from their bytes. Every
 * row it writes must be the one decodeFrame (without a tree) and add write for the same frame: two
 * writers, one taking the shortcut where it can and one never, get the same frames and must give the same
 * batches, over every capture of the tests and over TCP frames with mutated headers.
 */

const FIXTURES_DIR = resolve(__dirname, '../../fixtures');
const FILES = [...captureFiles(CORPUS_DIR), ...captureFiles(SAMPLES_DIR), ...captureFiles(FIXTURES_DIR)];
if (!existsSync(CORPUS_DIR)) console.log(`comparing the shortcut without the corpus: not found at ${CORPUS_DIR}`);

/** A writer with its own decoding state, fed one frame at a time; its batches, and how many frames took the shortcut. */
class Side {
  private readonly observer = new DeferringObserver();
  private readonly state = newCaptureState(this.observer);
  private readonly writer = new FrameBatchWriter();
  readonly batches: FrameBatch[] = [];
  shortcuts = 0;

  constructor(private readonly shortcut: boolean) {}

  add(raw: RawFrame): void {
    if (this.shortcut && this.writer.addCommonTcp(raw)) {
      this.shortcuts++;
    } else {
      this.observer.deferred = null;
      this.writer.add(decodeFrame(this.state, raw, false), this.observer.deferred);
    }
    if (this.writer.full) this.batches.push(this.writer.take());
  }

  finish(): FrameBatch[] {
    if (!this.writer.empty) this.batches.push(this.writer.take());
    return this.batches;
  }
}

/** A batch's rows must be equal value for value; the rest as plain values (deferred payloads as byte arrays). */
function expectSameBatches(withShortcut: FrameBatch[], without: FrameBatch[], what: string): void {
  expect(withShortcut.length, what).toBe(without.length);
  for (let i = 0; i < without.length; i++) {
    const a = withShortcut[i];
    const b = without[i];
    expect(a.count, `${what}, batch ${i}`).toBe(b.count);
    const differs = a.rows.findIndex((value, at) => !Object.is(value, b.rows[at]));
    // Compared as arrays only when they differ: the message then shows where.
    if (differs >= 0) expect(Array.from(a.rows.subarray(differs - (differs % 64), differs + 64)), `${what}, batch ${i}, value ${differs}`).toEqual(Array.from(b.rows.subarray(differs - (differs % 64), differs + 64)));
    const rest = (batch: FrameBatch) => ({
      newAddresses: batch.newAddresses,
      newStacks: batch.newStacks,
      issues: batch.issues,
      deferred: batch.deferred.map(([row, sources, next]) => [row, sources.map((s) => Array.from(s)), next]),
    });
    expect(rest(a), `${what}, batch ${i}`).toEqual(rest(b));
  }
}

/** Copies a frame: the reader's views are valid during its callback only. */
function copyOf(raw: RawFrame): RawFrame {
  return { ...raw, data: raw.data.slice() };
}

describe('FrameBatchWriter.addCommonTcp', () => {
  it('writes the rows decodeFrame and add write, for every frame of every capture', async () => {
    let shortcuts = 0;
    let frames = 0;
    for (const file of FILES) {
      const fast = new Side(true);
      const slow = new Side(false);
      await readCaptureFile(file, {
        frame(raw) {
          frames++;
          fast.add(raw);
          slow.add(raw);
        },
        problem: () => undefined,
      });
      expectSameBatches(fast.finish(), slow.finish(), displayPath(file));
      shortcuts += fast.shortcuts;
    }
    console.log(`shortcut rows: ${shortcuts} of ${frames} frames in ${FILES.length} captures`);
    // The kernel-truth recordings are Ethernet, IPv4 and TCP with timestamps and SACK: most frames take the shortcut.
    expect(shortcuts).toBeGreaterThan(frames / 2);
  });

  it('writes the same rows for TCP frames with mutated headers', async () => {
    const random = rng(0x5eed);
    const originals: RawFrame[] = [];
    for (const file of captureFiles(FIXTURES_DIR).filter((f) => f.endsWith('.pcap')).slice(0, 6)) {
      await readCaptureFile(file, {
        frame(raw) {
          if (originals.length < 6000 && raw.data.length >= 54 && raw.data[23] === 6) originals.push(copyOf(raw));
        },
        problem: () => undefined,
      });
    }
    expect(originals.length).toBeGreaterThan(1000);
    const fast = new Side(true);
    const slow = new Side(false);
    for (const original of originals) {
      const raw = copyOf(original);
      const b = raw.data;
      // Flip a few bytes of the Ethernet, IPv4 and TCP headers and options, or cut the frame short.
      for (let flips = 1 + Math.floor(random() * 3); flips > 0; flips--) b[12 + Math.floor(random() * Math.min(70, b.length - 12))] = Math.floor(random() * 256);
      const cut = random() < 0.1 ? raw.data.subarray(0, Math.floor(random() * raw.data.length)) : raw.data;
      const frame = { ...raw, data: cut, originalLength: random() < 0.05 ? cut.length + 1 : cut.length };
      fast.add(frame);
      slow.add(frame);
    }
    expectSameBatches(fast.finish(), slow.finish(), 'mutated frames');
    // Some mutated frames are still the shortcut's to take, most make it decline.
    expect(fast.shortcuts).toBeGreaterThan(originals.length / 10);
    expect(fast.shortcuts).toBeLessThan(originals.length);
  });
});
