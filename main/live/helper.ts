import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { basename, delimiter, join } from 'node:path';

/*
 * The capture helper: a separate, privileged program that opens the interface and writes what it captures
 * (DESIGN.md section 6). Wirelens never captures itself and never runs as root; like Wireshark it runs
 * dumpcap, and tcpdump where dumpcap is not installed. Every command is an argument array handed to the
 * program directly (no shell), and user text (interface names, filters) is always an option's value or
 * follows `--`, so it can never become an option.
 */

export type HelperKind = 'dumpcap' | 'tcpdump';

export interface CaptureHelper {
  kind: HelperKind;
  /** Path of the program. */
  path: string;
  /**
   * Program and arguments the helper's command line is appended to, e.g. ['ip', 'netns', 'exec', 'ns1']
   * to capture inside a network namespace; empty to run the helper directly.
   */
  launcher: readonly string[];
}

export interface HelperSearch {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  launcher?: readonly string[];
}

/** Set to a dumpcap or tcpdump program to use it instead of searching (its file name tells which it is). */
export const HELPER_ENV = 'WIRELENS_CAPTURE_HELPER';

/** Where the helpers are installed besides the PATH (tcpdump lives in sbin, which users' PATH often lacks). */
function extraDirectories(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string[] {
  switch (platform) {
    case 'darwin':
      return ['/Applications/Wireshark.app/Contents/MacOS', '/opt/homebrew/bin', '/usr/local/bin', '/usr/sbin'];
    case 'win32':
      return [join(env.ProgramFiles ?? 'C:\\Program Files', 'Wireshark')];
    default:
      return ['/usr/bin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin', '/sbin', '/bin'];
  }
}

/** Every installed helper, dumpcap first; the environment override alone when it is set. */
export function findCaptureHelpers(search: HelperSearch = {}): CaptureHelper[] {
  const env = search.env ?? process.env;
  const platform = search.platform ?? process.platform;
  const launcher = search.launcher ?? [];
  const override = env[HELPER_ENV];
  if (override) {
    const kind = helperKindOf(override);
    if (kind === null) throw new Error(`${HELPER_ENV}=${override}: the program must be dumpcap or tcpdump.`);
    return isExecutable(override) ? [{ kind, path: override, launcher }] : [];
  }
  const directories = [...(env.PATH ?? env.Path ?? '').split(delimiter).filter(Boolean), ...extraDirectories(platform, env)];
  const helpers: CaptureHelper[] = [];
  for (const kind of ['dumpcap', 'tcpdump'] as const) {
    const file = platform === 'win32' ? `${kind}.exe` : kind;
    const path = directories.map((dir) => join(dir, file)).find(isExecutable);
    if (path) helpers.push({ kind, path, launcher });
  }
  return helpers;
}

function helperKindOf(path: string): HelperKind | null {
  const name = basename(path).toLowerCase().replace(/\.exe$/, '');
  return name === 'dumpcap' || name === 'tcpdump' ? name : null;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Program and arguments to spawn for a helper command line. */
export function helperCommand(helper: CaptureHelper, args: readonly string[]): { program: string; args: string[] } {
  if (helper.launcher.length === 0) return { program: helper.path, args: [...args] };
  return { program: helper.launcher[0], args: [...helper.launcher.slice(1), helper.path, ...args] };
}

export interface HelperRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** The spawn error's code (ENOENT: not installed), or null when it ran. */
  spawnError: string | null;
}

/** Runs a short helper command (listing, filter compilation) to its end. */
export function runHelper(helper: CaptureHelper, args: readonly string[], timeoutMs = 15_000): Promise<HelperRun> {
  const command = helperCommand(helper, args);
  return new Promise((resolve) => {
    execFile(command.program, command.args, { timeout: timeoutMs, maxBuffer: 16 << 20, encoding: 'utf8', windowsHide: true }, (error, stdout, stderr) => {
      // error.code is the exit status when the program ran and failed, the errno name when it could not start.
      const code: unknown = error ? (error as { code?: unknown }).code : 0;
      resolve({
        exitCode: typeof code === 'number' ? code : null,
        stdout,
        stderr,
        spawnError: typeof code === 'string' ? code : null,
      });
    });
  });
}

/** What to capture; see captureArguments. */
export interface HelperCaptureOptions {
  interface: string;
  /** Capture filter (BPF), empty or absent for none. */
  filter?: string;
  /** Bytes kept per packet. */
  snapLength: number;
  /** The helper stops by itself after this many packets (exact, unlike a stop requested from outside). */
  packetLimit?: number;
  /** Kernel capture buffer, MiB; a larger buffer rides out bursts while the reader is busy. */
  bufferMiB: number;
}

/**
 * Arguments for capturing into classic microsecond pcap on stdout, packet by packet:
 * dumpcap -P -w - (it flushes after each packet when writing to a pipe; -q keeps the running count off
 * stderr but not the final statistics), tcpdump -w - -U --immediate-mode.
 */
export function captureArguments(kind: HelperKind, options: HelperCaptureOptions): string[] {
  const filter = options.filter?.trim() ?? '';
  const limit = options.packetLimit === undefined ? [] : ['-c', String(options.packetLimit)];
  if (kind === 'dumpcap') {
    return ['-i', options.interface, '-P', '-w', '-', '-q', '-s', String(options.snapLength), '-B', String(options.bufferMiB), ...limit, ...(filter ? ['-f', filter] : [])];
  }
  return [
    '-i', options.interface, '-w', '-', '-U', '--immediate-mode', '-n', '-s', String(options.snapLength), '-B', String(options.bufferMiB * 1024), ...limit,
    ...(filter ? ['--', filter] : []),
  ];
}

/** Arguments that compile a filter for an interface and print the BPF program (nothing is captured). */
export function filterCheckArguments(kind: HelperKind, iface: string, filter: string): string[] {
  return kind === 'dumpcap' ? ['-i', iface, '-f', filter, '-d'] : ['-i', iface, '-d', '--', filter];
}

/** What the helper said about its capture when it ended. */
export interface HelperStatistics {
  /** Packets the helper wrote. */
  captured: number | null;
  /** Packets the interface/filter delivered to the helper. */
  received: number | null;
  /** Packets lost before the helper could take them (kernel buffer full, interface drops). */
  dropped: number | null;
}

/**
 * The helper's closing statistics from its stderr:
 *   dumpcap: "Packets captured: 808" and
 *            "Packets received/dropped on interface 'lo': 808/0 (pcap:0/dumpcap:0/flushed:0/ps_ifdrop:0) (100.0%)"
 *   tcpdump: "808 packets captured", "808 packets received by filter", "0 packets dropped by kernel"
 *            (and "N packets dropped by interface" where the platform counts them).
 */
export function parseHelperStatistics(kind: HelperKind, stderr: string): HelperStatistics {
  const number = (pattern: RegExp): number | null => {
    const match = pattern.exec(stderr);
    return match ? Number(match[1]) : null;
  };
  if (kind === 'dumpcap') {
    const perInterface = /Packets received\/dropped on interface .*: (\d+)\/(\d+)/.exec(stderr);
    return {
      captured: number(/Packets captured: (\d+)/),
      received: perInterface ? Number(perInterface[1]) : null,
      dropped: perInterface ? Number(perInterface[2]) : null,
    };
  }
  const kernel = number(/(\d+) packets? dropped by kernel/);
  const byInterface = number(/(\d+) packets? dropped by interface/);
  return {
    captured: number(/(\d+) packets? captured/),
    received: number(/(\d+) packets? received by filter/),
    dropped: kernel === null && byInterface === null ? null : (kernel ?? 0) + (byInterface ?? 0),
  };
}
