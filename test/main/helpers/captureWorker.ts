import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const built = new Map<string, Promise<string>>();

/**
 * A worker script bundled for node, as the app's builds bundle it: worker threads cannot load
 * TypeScript. Built once per test process, into a fresh temporary directory.
 */
function bundledWorker(entry: string): Promise<string> {
  let script = built.get(entry);
  if (!script) {
    script = (async () => {
      const outfile = join(mkdtempSync(join(tmpdir(), 'wirelens-worker-')), 'worker.cjs');
      await build({
        entryPoints: [resolve(__dirname, '../../..', entry)],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'node20',
        packages: 'external',
        logLevel: 'warning',
      });
      return outfile;
    })();
    built.set(entry, script);
  }
  return script;
}

/** The capture worker (main/service/worker.ts). */
export function captureWorkerScript(): Promise<string> {
  return bundledWorker('main/service/worker.ts');
}

/** The decoding thread of analyzeFile (main/io/decodeWorker.ts). */
export function decodeWorkerScript(): Promise<string> {
  return bundledWorker('main/io/decodeWorker.ts');
}
