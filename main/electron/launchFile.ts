import { isAbsolute, resolve } from 'node:path';

/**
 * The capture named on a command line: `wirelens-app FILE`, `electron . FILE` (development), or the
 * argv Windows and Linux pass when a file association starts the app. Options (leading '-') and the
 * app path of an unpackaged run are skipped; the last remaining argument wins. Relative paths are
 * taken from the directory the command was started in.
 */
export function captureFromArgv(argv: readonly string[], packaged: boolean, workingDirectory: string): string | null {
  // argv[0] is the executable; unpackaged Electron also gets the app folder ('.') as argv[1].
  const args = argv.slice(packaged ? 1 : 2).filter((arg) => arg !== '' && !arg.startsWith('-'));
  const file = args[args.length - 1];
  if (!file) return null;
  return isAbsolute(file) ? file : resolve(workingDirectory, file);
}
