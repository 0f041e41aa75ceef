import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root, where bin/wirelens.mjs runs from. */
export const REPO = resolve(__dirname, '../..');

/**
 * Why the built command line (bin/wirelens.mjs, bundled into out/cli by npm run build:cli) cannot be tested,
 * or null when it can: it must run, and be newer than app/ and main/ (an older bundle would test yesterday's code).
 */
export function builtCliSkipReason(): string | null {
  if (spawnSync(process.execPath, ['bin/wirelens.mjs', 'help'], { cwd: REPO }).status !== 0) return 'the command line is not built (npm run build:cli)';
  const sources = Math.max(newestModification(join(REPO, 'app')), newestModification(join(REPO, 'main')));
  if (newestModification(join(REPO, 'out/cli')) < sources) return 'out/cli is older than app/ or main/ (npm run build:cli)';
  return null;
}

function newestModification(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestModification(path) : statSync(path).mtimeMs);
  }
  return newest;
}
