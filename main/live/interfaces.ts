import { networkInterfaces } from 'node:os';
import { findCaptureHelpers, runHelper, type CaptureHelper, type HelperSearch } from './helper';
import { CaptureSetupError, captureHelp, classifyHelperFailure } from './setupHelp';

/*
 * The interfaces a capture can be started on, as the helper sees them (it is the helper that opens them,
 * possibly in another network namespace). dumpcap -D -M gives names, friendly names and addresses;
 * tcpdump -D gives libpcap's up/running flags, which dumpcap 4.0 does not print. Where only one helper is
 * installed the other half is unknown (addresses come from this process's view then, up state stays null).
 */

export interface CaptureInterface {
  /** What the helper takes as -i. */
  name: string;
  /** The name people know it by ('Loopback', 'Ethernet', 'Wi-Fi'), when the system gives one. */
  friendlyName: string | null;
  /** Vendor or libpcap description ('Pseudo-device that captures on all interfaces'). */
  description: string | null;
  /** IPv4 and IPv6 addresses, as the helper printed them. */
  addresses: string[];
  loopback: boolean;
  /** Administratively up; null when no installed helper can tell. */
  up: boolean | null;
  /** Up with a working link (libpcap's RUNNING); null when unknown. */
  running: boolean | null;
}

export interface InterfaceList {
  /** The helper that will capture (dumpcap when installed). */
  helper: CaptureHelper;
  interfaces: CaptureInterface[];
}

/**
 * One line per interface of `dumpcap -D -M` (tab-separated):
 *   "3. lo\t\tLoopback\t0\t127.0.0.1,::1\tloopback\t"
 *   index. name, vendor description, friendly name, interface type, addresses (comma-separated),
 *   "loopback" or "network", extcap path.
 */
export function parseDumpcapInterfaces(text: string): CaptureInterface[] {
  const interfaces: CaptureInterface[] = [];
  for (const line of text.split(/\r?\n/)) {
    const match = /^\d+\. (.*)$/.exec(line);
    if (!match) continue;
    const [name, vendor = '', friendly = '', , addresses = '', kind = ''] = match[1].split('\t');
    if (!name) continue;
    interfaces.push({
      name,
      friendlyName: friendly || null,
      description: vendor || null,
      addresses: addresses.split(',').filter(Boolean),
      loopback: kind === 'loopback',
      up: null,
      running: null,
    });
  }
  return interfaces;
}

/**
 * One line per interface of `tcpdump -D`:
 *   "1.eth0 [Up, Running, Connected]"
 *   "2.any (Pseudo-device that captures on all interfaces) [Up, Running]"
 *   "4.ifb0 [none]"
 * Older tcpdump prints no flags at all; then up and running stay null.
 */
export function parseTcpdumpInterfaces(text: string): CaptureInterface[] {
  const interfaces: CaptureInterface[] = [];
  for (const line of text.split(/\r?\n/)) {
    const match = /^\d+\.(\S+)(?: \((.*)\))?(?: \[([^\]]*)\])?\s*$/.exec(line);
    if (!match) continue;
    const flags = match[3] === undefined ? null : match[3].split(',').map((f) => f.trim().toLowerCase());
    interfaces.push({
      name: match[1],
      friendlyName: null,
      description: match[2] ?? null,
      addresses: [],
      loopback: flags?.includes('loopback') ?? match[1] === 'lo',
      up: flags === null ? null : flags.includes('up'),
      running: flags === null ? null : flags.includes('running'),
    });
  }
  return interfaces;
}

/** Lists the interfaces; throws CaptureSetupError when no helper is installed or it may not list them. */
export async function listInterfaces(search: HelperSearch = {}): Promise<InterfaceList> {
  const helpers = findCaptureHelpers(search);
  if (helpers.length === 0) throw new CaptureSetupError(captureHelp('no-helper', { platform: search.platform }));
  const dumpcap = helpers.find((h) => h.kind === 'dumpcap') ?? null;
  const tcpdump = helpers.find((h) => h.kind === 'tcpdump') ?? null;
  if (dumpcap === null) {
    const helper = tcpdump as CaptureHelper;
    const listed = (await listWith(helper, ['-D'], parseTcpdumpInterfaces, search, true)) as CaptureInterface[];
    return { helper, interfaces: listed.map((i) => (search.launcher?.length ? i : { ...i, addresses: localAddresses(i.name) })) };
  }
  const [fromDumpcap, fromTcpdump] = await Promise.all([
    listWith(dumpcap, ['-D', '-M'], parseDumpcapInterfaces, search, true) as Promise<CaptureInterface[]>,
    // Only for the flags: a tcpdump that fails here leaves them unknown.
    tcpdump ? listWith(tcpdump, ['-D'], parseTcpdumpInterfaces, search, false) : null,
  ]);
  const flags = new Map((fromTcpdump ?? []).map((i) => [i.name, i]));
  const interfaces = fromDumpcap.map((i) => {
    const other = flags.get(i.name);
    return other ? { ...i, description: i.description ?? other.description, up: other.up, running: other.running } : i;
  });
  return { helper: dumpcap, interfaces };
}

/** The helper's list; on failure a CaptureSetupError or Error when `required`, else null. */
async function listWith(
  helper: CaptureHelper,
  args: string[],
  parse: (text: string) => CaptureInterface[],
  search: HelperSearch,
  required: boolean,
): Promise<CaptureInterface[] | null> {
  const run = await runHelper(helper, args);
  if (run.exitCode === 0) return parse(run.stdout);
  if (!required) return null;
  const problem = classifyHelperFailure(run.stderr, run.spawnError);
  if (problem) throw new CaptureSetupError(captureHelp(problem, { platform: search.platform, helper }), run.stderr);
  throw new Error(`${helper.path} could not list the interfaces: ${firstLine(run.stderr) || `exit status ${run.exitCode}`}`);
}

/** Addresses of an interface as this process sees it (when tcpdump, which prints none, is the only helper). */
function localAddresses(name: string): string[] {
  return (networkInterfaces()[name] ?? []).map((a) => a.address);
}

function firstLine(text: string): string {
  return text.trim().split(/\r?\n/)[0] ?? '';
}
