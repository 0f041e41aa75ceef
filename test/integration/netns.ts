import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

/*
 * Two network namespaces joined by a veth pair, for tests that capture real traffic without touching the
 * machine's own network: namespace A holds 10.94.0.1/24, namespace B 10.94.0.2/24. IPv6 is off in both so
 * that no router or neighbour chatter lands in the capture. Names carry this process's id, so parallel
 * runs do not collide and links left by a killed run can be recognised and removed.
 */

export const ADDRESS_A = '10.94.0.1';
export const ADDRESS_B = '10.94.0.2';
const PREFIX = 'wl94';

export interface VethPair {
  namespaceA: string;
  namespaceB: string;
  /** The veth end inside A (where captures run). */
  interfaceA: string;
  interfaceB: string;
}

/** Why namespaces cannot be made here, or null when they can. */
export function netnsSkipReason(): string | null {
  if (process.platform !== 'linux') return 'network namespaces exist on Linux only';
  if (process.getuid?.() !== 0) return 'creating network namespaces needs root (run the tests as root, e.g. in CI, to run this one)';
  if (spawnSync('ip', ['-V']).status !== 0) return 'the ip command (iproute2) is not installed';
  return null;
}

function ip(args: string[]): void {
  const run = spawnSync('ip', args, { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`ip ${args.join(' ')}: ${run.stderr.trim() || `exit status ${run.status}`}`);
}

/** Deletes namespaces left by runs whose process is gone (a run killed before its cleanup). */
function removeStale(): void {
  const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  for (const line of list.split('\n')) {
    const match = new RegExp(`^(${PREFIX}[ab]-(\\d+))\\b`).exec(line);
    if (!match) continue;
    const pid = Number(match[2]);
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch {
      alive = false;
    }
    if (!alive) destroyNamespace(match[1]);
  }
}

export function createVethPair(): VethPair {
  removeStale();
  const id = process.pid;
  const pair: VethPair = { namespaceA: `${PREFIX}a-${id}`, namespaceB: `${PREFIX}b-${id}`, interfaceA: `${PREFIX}a${id}`.slice(0, 15), interfaceB: `${PREFIX}b${id}`.slice(0, 15) };
  try {
    ip(['netns', 'add', pair.namespaceA]);
    ip(['netns', 'add', pair.namespaceB]);
    ip(['link', 'add', pair.interfaceA, 'netns', pair.namespaceA, 'type', 'veth', 'peer', 'name', pair.interfaceB, 'netns', pair.namespaceB]);
    for (const [namespace, iface, address] of [
      [pair.namespaceA, pair.interfaceA, ADDRESS_A],
      [pair.namespaceB, pair.interfaceB, ADDRESS_B],
    ]) {
      for (const key of ['net.ipv6.conf.all.disable_ipv6', 'net.ipv6.conf.default.disable_ipv6']) {
        spawnSync('ip', ['netns', 'exec', namespace, 'sysctl', '-q', '-w', `${key}=1`]);
      }
      ip(['-n', namespace, 'addr', 'add', `${address}/24`, 'dev', iface]);
      ip(['-n', namespace, 'link', 'set', 'lo', 'up']);
      ip(['-n', namespace, 'link', 'set', iface, 'up']);
    }
  } catch (error) {
    destroyVethPair(pair);
    throw error;
  }
  return pair;
}

function destroyNamespace(namespace: string): void {
  // Processes still running inside (servers, clients, helpers started by the test) go first.
  const pids = (spawnSync('ip', ['netns', 'pids', namespace], { encoding: 'utf8' }).stdout ?? '').split('\n').filter(Boolean);
  for (const pid of pids) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // already gone
    }
  }
  spawnSync('ip', ['netns', 'del', namespace]);
}

/** Removes both namespaces (and with them the veth pair); safe to call more than once. */
export function destroyVethPair(pair: VethPair): void {
  destroyNamespace(pair.namespaceA);
  destroyNamespace(pair.namespaceB);
}

/** Runs a program inside a namespace (argument array, no shell). */
export function spawnIn(namespace: string, program: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn('ip', ['netns', 'exec', namespace, program, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
}

/** Resolves once the child prints `text` on stdout; rejects if it exits first. */
export function waitForOutput(child: ChildProcess, text: string, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`no '${text}' within ${timeoutMs} ms (got: ${seen})`)), timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(text)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before printing '${text}' (got: ${seen})`));
    });
  });
}
