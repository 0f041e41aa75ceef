import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Shared by the seeded fuzz tests: a reproducible random source and the capture files to mutate. */

/** xorshift32: small, fast and reproducible from its seed; returns numbers in [0, 1). */
export function rng(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x100000000;
  };
}

const CAPTURE_EXTENSIONS = /\.(pcap|pcapng|cap)$/i;

/** Capture files under dir (recursively, sorted) of at most maxBytes each; none when dir is absent. */
export function captureFiles(dir: string, maxBytes: number): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...captureFiles(path, maxBytes));
    else if (CAPTURE_EXTENSIONS.test(name) && statSync(path).size <= maxBytes) out.push(path);
  }
  return out.sort();
}
