import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

let built: Promise<string> | null = null;

/**
 * The capture worker (main/service/worker.ts) bundled for node, as the app's builds bundle it: worker
 * threads cannot load TypeScript. Built once per test process, into a fresh temporary directory.
 */
export function captureWorkerScript(): Promise<string> {
  built ??= (async () => {
    const outfile = join(mkdtempSync(join(tmpdir(), 'wirelens-worker-')), 'captureWorker.cjs');
    await build({
      entryPoints: [resolve(__dirname, '../../../main/service/worker.ts')],
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
  return built;
}
