import { listInterfaces, type CaptureInterface } from '../live/interfaces';
import { CaptureSetupError } from '../live/setupHelp';
import { defaultLiveDirectory, readLastChoice } from '../live/spool';
import { UsageError } from './errors';

/** `wirelens interfaces [--json]` arguments. */
export function parseInterfacesArgs(args: readonly string[]): { json: boolean } {
  const unknown = args.find((a) => a !== '--json');
  if (unknown !== undefined) throw new UsageError(`interfaces: unknown option '${unknown}'`);
  return { json: args.includes('--json') };
}

/**
 * `wirelens interfaces`: what the capture helper can capture on, one line each:
 *   3. lo (Loopback)  [up, running, loopback]  127.0.0.1, ::1
 * The interface used last is marked with '*'.
 */
export async function runInterfaces(write: (text: string) => void, options: { json: boolean } = { json: false }): Promise<void> {
  let list;
  try {
    list = await listInterfaces();
  } catch (error) {
    if (error instanceof CaptureSetupError) throw new UsageError(`interfaces: ${error.oneLine()}`);
    throw error;
  }
  const last = readLastChoice(defaultLiveDirectory())?.interface ?? null;
  if (options.json) {
    write(`${JSON.stringify({ helper: list.helper.path, lastUsed: last, interfaces: list.interfaces }, null, 2)}\n`);
    return;
  }
  write(`Capture helper: ${list.helper.path}\n`);
  list.interfaces.forEach((i, n) => write(`${interfaceLine(i, n + 1)}${i.name === last ? '  * last used' : ''}\n`));
}

function interfaceLine(i: CaptureInterface, number: number): string {
  const label = i.friendlyName ?? i.description;
  const state = [i.up === null ? null : i.up ? 'up' : 'down', i.running ? 'running' : null, i.loopback ? 'loopback' : null].filter(Boolean);
  return [`${number}. ${i.name}${label ? ` (${label})` : ''}`, state.length ? `[${state.join(', ')}]` : '', i.addresses.join(', ')].filter(Boolean).join('  ');
}
