#!/usr/bin/env node
// The `wirelens` command: runs the bundled CLI built by `npm install` (scripts/build-cli.mjs).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';

// Young-generation collections on this thread alone: the analysis keeps few short-lived objects, and handing
// each collection to helper threads cost more than it saved (about 4% of `wirelens summary` on two cores).
setFlagsFromString('--no-parallel-scavenge');

const bundle = fileURLToPath(new URL('../out/cli/wirelens.mjs', import.meta.url));
if (!existsSync(bundle)) {
  process.stderr.write('wirelens: the command line is not built yet; run `npm install` (or `npm run build:cli`) in the Wirelens folder.\n');
  process.exit(2);
}
const { main } = await import(pathToFileURL(bundle).href);
process.exitCode = await main(process.argv.slice(2));
