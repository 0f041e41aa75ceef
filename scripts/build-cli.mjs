// Bundles the command line (main/cli) into ES modules so `wirelens` starts fast without a TypeScript loader: split
// into chunks beside the entries (out/cli), so each command loads only its own code (the workers are found beside them).
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

// Chunk names carry a hash: the chunks of an earlier build would stay beside the new ones.
rmSync('out/cli', { recursive: true, force: true });

await build({
  entryPoints: { wirelens: 'main/cli/index.ts', captureWorker: 'main/service/worker.ts', decodeWorker: 'main/io/decodeWorker.ts' },
  outdir: 'out/cli',
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  packages: 'external',
  outExtension: { '.js': '.mjs' },
  logLevel: 'warning',
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
}).catch(() => process.exit(1));
