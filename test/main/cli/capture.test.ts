import { describe, expect, it } from 'vitest';
import { parseCaptureArgs } from '../../../main/cli/capture';
import { parseInterfacesArgs, runInterfaces } from '../../../main/cli/interfaces';
import { UsageError } from '../../../main/cli/errors';
import { findCaptureHelpers } from '../../../main/live/helper';

describe('wirelens capture arguments', () => {
  it('parse: the contract form -i IFACE -f BPF -c N -a duration:S -w OUT', () => {
    expect(parseCaptureArgs(['-i', 'eth0', '-f', 'tcp port 80', '-c', '100', '-a', 'duration:2.5', '-w', 'out.pcap'])).toEqual({
      interface: 'eth0',
      filter: 'tcp port 80',
      out: 'out.pcap',
      format: 'pcap',
      stopAfter: { packets: 100, seconds: 2.5 },
      snapLength: undefined,
      ring: null,
      bufferMiB: undefined,
      quiet: false,
    });
  });

  it('parse: dumpcap-style stop conditions, ring buffer, snaplen, format from -F or the file name', () => {
    const args = parseCaptureArgs(['-i', 'lo', '-a', 'filesize:500', '-a', 'packets:7', '-b', 'filesize:1000', '-b', 'files:4', '-s', '96', '-B', '64', '-q', '-w', 'x.cap']);
    expect(args).toMatchObject({ format: 'pcap', stopAfter: { bytes: 500_000, packets: 7 }, ring: { fileBytes: 1_000_000, files: 4 }, snapLength: 96, bufferMiB: 64, quiet: true });
    expect(parseCaptureArgs(['-i', 'lo', '-w', 'x.pcapng']).format).toBe('pcapng');
    expect(parseCaptureArgs(['-i', 'lo', '-w', 'x.out']).format).toBe('pcapng');
    expect(parseCaptureArgs(['-i', 'lo', '-F', 'pcap', '-w', 'x.pcapng']).format).toBe('pcap');
  });

  it('refuses what it cannot carry out, one line each', () => {
    const cases: Array<[string[], RegExp]> = [
      [['-w', 'x'], /-i IFACE is required/],
      [['-i', 'lo'], /-w OUT is required/],
      [['-i', 'lo', '-w', 'x', '-c', '0'], /-c needs a whole number of at least 1, not '0'/],
      [['-i', 'lo', '-w', 'x', '-c', '1e3'], /not '1e3'/],
      [['-i', 'lo', '-w', 'x', '-a', 'duration:-1'], /positive number of seconds/],
      [['-i', 'lo', '-w', 'x', '-a', 'frames:3'], /-a takes duration:S, filesize:KB or packets:N/],
      [['-i', 'lo', '-w', 'x', '-b', 'files:3'], /needs both -b filesize:KB and -b files:N/],
      [['-i', 'lo', '-w', 'x', '-F', 'erf'], /-F takes pcap or pcapng/],
      [['-i', 'lo', '-w', 'x', '-Z'], /unknown option '-Z'/],
      [['-i', 'lo', '-w', 'x', 'extra'], /unexpected argument 'extra'/],
      [['-i'], /-i needs a value/],
    ];
    for (const [args, message] of cases) {
      expect(() => parseCaptureArgs(args)).toThrow(UsageError);
      expect(() => parseCaptureArgs(args)).toThrow(message);
    }
  });
});

describe('wirelens interfaces', () => {
  it('parse: --json only', () => {
    expect(parseInterfacesArgs([])).toEqual({ json: false });
    expect(parseInterfacesArgs(['--json'])).toEqual({ json: true });
    expect(() => parseInterfacesArgs(['-D'])).toThrow(/unknown option '-D'/);
  });

  const helper = findCaptureHelpers()[0];
  it.skipIf(!helper)(`lists this machine's interfaces, one line each${helper ? '' : ' (skipped: neither dumpcap nor tcpdump is installed)'}`, async () => {
    let text = '';
    await runInterfaces((t) => (text += t));
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe(`Capture helper: ${helper.path}`);
    expect(lines.find((l) => /^\d+\. lo\b/.test(l))).toMatch(/^\d+\. lo( \(Loopback\))?  \[(up, running, )?loopback\]  127\.0\.0\.1/);
    let json = '';
    await runInterfaces((t) => (json += t), { json: true });
    expect((JSON.parse(json) as { interfaces: Array<{ name: string }> }).interfaces.map((i) => i.name)).toContain('lo');
  });
});
