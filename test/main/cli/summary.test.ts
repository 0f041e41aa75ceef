import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runFlows } from '../../../main/cli/flows';
import { runSummary } from '../../../main/cli/summary';
import { builtCliSkipReason, REPO } from '../../helpers/cli';
import { CORPUS_DIR, SAMPLES_DIR, captureFiles, displayPath } from '../../helpers/tshark';

/*
 * `wirelens summary` and `wirelens flows` as users run them (bin/wirelens.mjs, the bundle in out/cli): the
 * decoding thread is started before the command's analysis code loads, and the frames it decodes before
 * the analysis listens must all be analysed, in order. In process, from the TypeScript sources, the same
 * commands decode on one thread: both must print the same. A missing file is one line and exit code 2.
 */

const cliSkipReason = builtCliSkipReason();
if (cliSkipReason) console.log(`skipping the built summary and flows commands: ${cliSkipReason}`);

/** The sample, the largest corpus capture (several batches) and one with malformed frames and a cut-off end. */
const FILES = [
  join(SAMPLES_DIR, 'handshake-dns.pcapng'),
  join(REPO, 'test/fixtures/kernel-truth/cubic-50mbit-q200k-loss1.pcap'),
  ...[...captureFiles(CORPUS_DIR)].sort((a, b) => statSync(b).size - statSync(a).size).slice(0, 1),
  join(CORPUS_DIR, 'tcpdump/tests/dns_fwdptr.pcap'),
].filter((file) => existsSync(file));

function cli(...args: string[]): { stdout: string; stderr: string; status: number | null } {
  const run = spawnSync(process.execPath, ['bin/wirelens.mjs', ...args], { cwd: REPO, encoding: 'utf8', maxBuffer: 1 << 28 });
  return { stdout: run.stdout, stderr: run.stderr, status: run.status };
}

async function inProcess(run: (write: (text: string) => void) => Promise<void>): Promise<string> {
  let text = '';
  await run((t) => (text += t));
  return text;
}

describe.skipIf(cliSkipReason !== null)('the built summary and flows commands', () => {
  it('has captures to run', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(2);
  });

  it.each(FILES.map((file) => [displayPath(file), file]))('%s: summary --json as one thread prints it', async (_name, file) => {
    const built = cli('summary', file, '--json');
    expect(built.stderr).toBe('');
    expect(built.status).toBe(0);
    expect(JSON.parse(built.stdout)).toEqual(JSON.parse(await inProcess((write) => runSummary(file, { json: true }, write))));
  });

  it.each(FILES.map((file) => [displayPath(file), file]))('%s: flows --json as one thread prints it', async (_name, file) => {
    const built = cli('flows', file, '--json');
    expect(built.status).toBe(0);
    expect(JSON.parse(built.stdout)).toEqual(JSON.parse(await inProcess((write) => runFlows(file, { json: true }, write))));
  });

  it('a missing file: one line on stderr, exit code 2, for both', () => {
    const missing = join(mkdtempSync(join(tmpdir(), 'wirelens-cli-')), 'missing.pcap');
    for (const command of ['summary', 'flows']) {
      const run = cli(command, missing);
      expect(run).toEqual({ stdout: '', stderr: `wirelens: ${missing}: no such file.\n`, status: 2 });
    }
  });
});
