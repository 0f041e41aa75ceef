import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

let built: Promise<string> | null = null;

/**
 * The capture worker bundled with its packages (pcap-parser) inside: the bundle lives in a temporary
 * directory, where no node_modules would resolve an external one. Built once per test process.
 */
export function liveWorkerScript(): Promise<string> {
  built ??= (async () => {
    const outfile = join(mkdtempSync(join(tmpdir(), 'wirelens-live-worker-')), 'captureWorker.cjs');
    await build({
      entryPoints: [resolve(__dirname, '../../../main/service/worker.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      logLevel: 'warning',
    });
    return outfile;
  })();
  return built;
}
