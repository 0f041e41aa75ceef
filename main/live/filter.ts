import { filterCheckArguments, runHelper, type CaptureHelper } from './helper';
import { CaptureSetupError, captureHelp, classifyHelperFailure } from './setupHelp';

/*
 * Capture filters (BPF, libpcap's filter language) are compiled by the helper for the chosen interface,
 * so the check knows the interface's link type exactly as the capture will ('ether host' is refused on a
 * raw-IP or Linux "any" interface): dumpcap -d / tcpdump -d print the compiled program and capture nothing.
 */

export type FilterCheck =
  | { valid: true; /** BPF instructions of the compiled program (0 without a filter). */ instructions: number }
  | { valid: false; /** One sentence for the user, naming the filter and libpcap's reason. */ message: string };

/**
 * Compiles `filter` for `iface` with the helper. A bad expression is a result; a machine problem (no
 * permission to open the interface, no such interface, no helper) throws CaptureSetupError.
 */
export async function checkCaptureFilter(helper: CaptureHelper, iface: string, filter: string): Promise<FilterCheck> {
  const expression = filter.trim();
  if (expression === '') return { valid: true, instructions: 0 };
  const run = await runHelper(helper, filterCheckArguments(helper.kind, iface, expression));
  // dumpcap exits 0 even for a bad filter, so its words decide; the reason is in parentheses.
  const reason =
    helper.kind === 'dumpcap'
      ? /isn't a valid capture filter \((.*)\)\.?/.exec(run.stderr)?.[1] ?? (/Invalid capture filter/.test(run.stderr) ? firstLine(run.stderr) : null)
      : run.exitCode !== 0 && classifyHelperFailure(run.stderr, run.spawnError) === null
        ? tcpdumpReason(run.stderr)
        : null;
  if (reason !== null) return { valid: false, message: `Invalid capture filter "${expression}": ${reason}.` };
  const instructions = run.stdout.split('\n').filter((line) => /^\(\d+\)/.test(line)).length;
  if (run.exitCode === 0 && instructions > 0) return { valid: true, instructions };
  const problem = classifyHelperFailure(run.stderr, run.spawnError);
  if (problem) throw new CaptureSetupError(captureHelp(problem, { helper, interface: iface }), run.stderr);
  throw new Error(`${helper.path} could not compile the capture filter: ${firstLine(run.stderr) || `exit status ${run.exitCode}`}`);
}

/**
 * tcpdump prints "tcpdump: data link type LINUX_SLL2" before some errors, then the reason:
 * "tcpdump: ethernet addresses supported only on ethernet/FDDI/token ring/802.11/ATM LANE/Fibre Channel".
 */
function tcpdumpReason(stderr: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((line) => line.replace(/^tcpdump: /, '').trim())
    .filter((line) => line && !/^data link type /.test(line) && !/^listening on /.test(line));
  return lines[lines.length - 1] ?? 'the filter was refused';
}

function firstLine(text: string): string {
  return text.trim().split(/\r?\n/).find((line) => !/^Capturing on /.test(line)) ?? '';
}
