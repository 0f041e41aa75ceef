// Bundles the command line (main/cli) into one ES module so `wirelens` starts fast without a TypeScript loader.
import { build } from 'esbuild';

await build({
  entryPoints: { wirelens: 'main/cli/index.ts', captureWorker: 'main/service/worker.ts', decodeWorker: 'main/io/decodeWorker.ts' },
  outdir: 'out/cli',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  packages: 'external',
  outExtension: { '.js': '.mjs' },
  logLevel: 'warning',
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
}).catch(() => process.exit(1));
