import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFieldsArgs, runFields } from '../../main/cli/fields';
import { UsageError } from '../../main/cli/errors';
import { builtCliSkipReason, REPO } from '../helpers/cli';
import { CORPUS_DIR, runTshark, tsharkFieldsArgs, tsharkSkipReason } from '../helpers/tshark';

/*
 * `wirelens fields` against `tshark -T fields -E occurrence=f` byte for byte: in process through runFields,
 * and through the built command (bin/wirelens.mjs) when it has been built (npm run build:cli).
 */

const cliSkipReason = builtCliSkipReason();
const cliFresh = cliSkipReason === null;
if (cliSkipReason) console.log(`skipping the built-command comparison: ${cliSkipReason}`);

const FIELDS = [
  'frame.number', 'frame.time_epoch', 'frame.len', 'eth.src', 'eth.type', 'ip.src', 'ip.dst', 'ip.ttl', 'ip.id',
  'ip.flags.df', 'ipv6.src', 'ipv6.hlim', 'tcp.srcport', 'tcp.flags', 'tcp.seq_raw', 'tcp.options.mss_val',
  'udp.length', 'dns.qry.name', 'dns.a', 'dns.flags.response', 'ip.src',
];
const FILES = ['zeek/Traces/tcp/timestamp.pcap', 'arkime/pcap/dns-udp.pcap', 'zeek/Traces/ipv6-http-atomic-frag.pcap'];

const skipReason = tsharkSkipReason();
if (skipReason) console.log(`skipping the fields command comparison with tshark: ${skipReason}`);

async function ourOutput(file: string, fields: readonly string[]): Promise<{ stdout: string; error: unknown }> {
  let stdout = '';
  try {
    await runFields(file, fields, (text) => (stdout += text));
    return { stdout, error: null };
  } catch (error) {
    return { stdout, error };
  }
}

describe('parseFieldsArgs', () => {
  it('parse', () => {
    expect(parseFieldsArgs(['x.pcap', '-e', 'frame.number', '-eframe.len'])).toEqual({ file: 'x.pcap', fields: ['frame.number', 'frame.len'], filter: null });
  });

  it('unknown field', () => {
    expect(() => parseFieldsArgs(['x.pcap', '-e', 'ip.ttx'])).toThrow(new UsageError("unknown field 'ip.ttx'"));
  });

  it('display filter: compiled before the file is read, errors name the column', () => {
    expect(parseFieldsArgs(['x.pcap', '-e', 'frame.number', '-Y', 'tcp.port == 80']).filter).not.toBeNull();
    expect(parseFieldsArgs(['x.pcap', '-e', 'frame.number', '-Ytcp']).filter).not.toBeNull();
    expect(() => parseFieldsArgs(['x.pcap', '-e', 'frame.number', '-Y', 'ip.ttl == 70000'])).toThrow(/^fields: -Y: column 11: /);
    expect(() => parseFieldsArgs(['x.pcap', '-e', 'frame.number', '-Y', '(tcp'])).toThrow(/^fields: -Y: column 1: /);
  });

  it('missing file or fields', () => {
    expect(() => parseFieldsArgs(['-e', 'frame.number'])).toThrow(UsageError);
    expect(() => parseFieldsArgs(['x.pcap'])).toThrow(UsageError);
    expect(() => parseFieldsArgs(['x.pcap', '-e'])).toThrow(UsageError);
    expect(() => parseFieldsArgs(['x.pcap', '-e', 'frame.number', '--json'])).toThrow(UsageError);
  });
});

describe.skipIf(skipReason !== null)('wirelens fields prints what tshark prints', () => {
  it.each(FILES)('%s', async (name) => {
    const file = join(CORPUS_DIR, name);
    const tshark = await runTshark(tsharkFieldsArgs(file, FIELDS));
    expect(tshark.exitCode, tshark.stderr).toBe(0);
    const ours = await ourOutput(file, FIELDS);
    expect(ours.error).toBeNull();
    expect(ours.stdout).toBe(tshark.stdout);
  });

  it('prints the frames before a cut-off record, then fails as tshark does', async () => {
    const cut = join(mkdtempSync(join(tmpdir(), 'wirelens-fields-')), 'cut.pcap');
    writeFileSync(cut, readFileSync(join(CORPUS_DIR, FILES[0])).subarray(0, 1000));
    const fields = ['frame.number', 'ip.src', 'tcp.srcport'];
    const tshark = await runTshark(tsharkFieldsArgs(cut, fields));
    expect(tshark.exitCode).not.toBe(0);
    const ours = await ourOutput(cut, fields);
    expect(ours.stdout).toBe(tshark.stdout);
    expect(ours.error).toBeInstanceOf(Error);
  });

  it.skipIf(!cliFresh)('through the built command (npm run build:cli)', async () => {
    const file = join(CORPUS_DIR, FILES[0]);
    const tshark = await runTshark(tsharkFieldsArgs(file, FIELDS));
    const run = spawnSync(process.execPath, ['bin/wirelens.mjs', 'fields', file, ...FIELDS.flatMap((f) => ['-e', f])], {
      cwd: REPO,
      encoding: 'utf8',
      env: { ...process.env, TZ: 'UTC' },
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(tshark.stdout);

    const unknown = spawnSync(process.execPath, ['bin/wirelens.mjs', 'fields', file, '-e', 'ip.ttx'], { cwd: REPO, encoding: 'utf8' });
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toBe("wirelens: unknown field 'ip.ttx'\n");
    expect(unknown.status).not.toBe(0);
  });

  it.skipIf(!cliFresh)('-Y through the built command: the frames tshark -Y prints', async () => {
    const file = join(CORPUS_DIR, FILES[1]);
    for (const filter of ['dns.flags.response == 1', 'udp.port == 53 && !dns.a', 'ip.addr == 10.0.0.0/8 || frame.len > 100']) {
      const tshark = await runTshark(['-n', '-r', file, '-Y', filter, '-T', 'fields', '-e', 'frame.number', '-e', 'dns.qry.name']);
      expect(tshark.exitCode, tshark.stderr).toBe(0);
      const run = spawnSync(process.execPath, ['bin/wirelens.mjs', 'fields', file, '-Y', filter, '-e', 'frame.number', '-e', 'dns.qry.name'], {
        cwd: REPO,
        encoding: 'utf8',
      });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toBe(tshark.stdout);
    }
    const bad = spawnSync(process.execPath, ['bin/wirelens.mjs', 'fields', file, '-Y', 'ip.ttl == 70000', '-e', 'frame.number'], { cwd: REPO, encoding: 'utf8' });
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/^wirelens: fields: -Y: column 11: .+\n$/);
    expect(bad.status).toBe(2);
  });
});
