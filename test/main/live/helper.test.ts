import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkCaptureFilter } from '../../../main/live/filter';
import {
  captureArguments,
  filterCheckArguments,
  findCaptureHelpers,
  helperCommand,
  HELPER_ENV,
  parseHelperStatistics,
  type CaptureHelper,
} from '../../../main/live/helper';
import { listInterfaces, parseDumpcapInterfaces, parseTcpdumpInterfaces } from '../../../main/live/interfaces';
import { CaptureSetupError, captureHelp, classifyHelperFailure } from '../../../main/live/setupHelp';

// Real output of dumpcap 4.0.17 and tcpdump 4.99.3 (libpcap 1.10.3) on a Linux machine.
const DUMPCAP_D_M = [
  '1. eth0\t\t\t0\t192.0.2.2,fd00::2,fe80::fc:ff:fe00:1\tnetwork\t',
  '2. any\t\t\t0\t\tnetwork\t',
  '3. lo\t\tLoopback\t0\t127.0.0.1,::1\tloopback\t',
  '6. bluetooth-monitor\t\t\t4\t\tnetwork\t',
  '',
].join('\n');
const TCPDUMP_D = [
  '1.eth0 [Up, Running, Connected]',
  '2.any (Pseudo-device that captures on all interfaces) [Up, Running]',
  '3.lo [Up, Running, Loopback]',
  '4.ifb0 [none]',
  '6.bluetooth-monitor (Bluetooth Linux Monitor) [Wireless]',
  '',
].join('\n');
const DUMPCAP_NO_PERMISSION = `Capturing on 'Loopback: lo'
dumpcap: You do not have permission to capture on device "lo".
(socket: Operation not permitted)
Please check to make sure you have sufficient permissions.
`;
const DUMPCAP_STATS = "Capturing on 'Loopback: lo'\nFile: -\n\rPackets captured: 808\nPackets received/dropped on interface 'Loopback: lo': 810/2 (pcap:0/dumpcap:0/flushed:0/ps_ifdrop:0) (99.8%)\n";
const TCPDUMP_STATS = 'tcpdump: listening on lo, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n5 packets captured\n7 packets received by filter\n2 packets dropped by kernel\n';

describe('interface lists', () => {
  it('parse: dumpcap -D -M (names, friendly names, addresses, loopback)', () => {
    expect(parseDumpcapInterfaces(DUMPCAP_D_M)).toEqual([
      { name: 'eth0', friendlyName: null, description: null, addresses: ['192.0.2.2', 'fd00::2', 'fe80::fc:ff:fe00:1'], loopback: false, up: null, running: null },
      { name: 'any', friendlyName: null, description: null, addresses: [], loopback: false, up: null, running: null },
      { name: 'lo', friendlyName: 'Loopback', description: null, addresses: ['127.0.0.1', '::1'], loopback: true, up: null, running: null },
      { name: 'bluetooth-monitor', friendlyName: null, description: null, addresses: [], loopback: false, up: null, running: null },
    ]);
  });

  it('parse: tcpdump -D (descriptions and up/running flags)', () => {
    const parsed = parseTcpdumpInterfaces(TCPDUMP_D);
    expect(parsed.map((i) => [i.name, i.description, i.up, i.running, i.loopback])).toEqual([
      ['eth0', null, true, true, false],
      ['any', 'Pseudo-device that captures on all interfaces', true, true, false],
      ['lo', null, true, true, true],
      ['ifb0', null, false, false, false],
      ['bluetooth-monitor', 'Bluetooth Linux Monitor', false, false, false],
    ]);
  });

  it('parse: older tcpdump without flags leaves up unknown; Windows names with braces', () => {
    const parsed = parseTcpdumpInterfaces('1.\\Device\\NPF_{0A1B2C3D-0000-1111-2222-333344445555} (Intel(R) Ethernet)\n2.lo\n');
    expect(parsed.map((i) => [i.name, i.description, i.up])).toEqual([
      ['\\Device\\NPF_{0A1B2C3D-0000-1111-2222-333344445555}', 'Intel(R) Ethernet', null],
      ['lo', null, null],
    ]);
  });
});

describe('helper command lines', () => {
  const options = { interface: 'veth-wl94a', filter: ' tcp or udp ', snapLength: 262144, packetLimit: 100, bufferMiB: 16 };

  it('dumpcap: classic pcap to stdout, the filter as the value of -f', () => {
    expect(captureArguments('dumpcap', options)).toEqual(['-i', 'veth-wl94a', '-P', '-w', '-', '-q', '-s', '262144', '-B', '16', '-c', '100', '-f', 'tcp or udp']);
  });

  it('tcpdump: packet-buffered, immediate, the filter after -- so it can never be an option', () => {
    expect(captureArguments('tcpdump', { ...options, filter: '-r /etc/passwd', packetLimit: undefined })).toEqual([
      '-i', 'veth-wl94a', '-w', '-', '-U', '--immediate-mode', '-n', '-s', '262144', '-B', '16384', '--', '-r /etc/passwd',
    ]);
    expect(filterCheckArguments('tcpdump', 'lo', 'port 53')).toEqual(['-i', 'lo', '-d', '--', 'port 53']);
    expect(filterCheckArguments('dumpcap', 'lo', 'port 53')).toEqual(['-i', 'lo', '-f', 'port 53', '-d']);
  });

  it('a launcher goes in front, as separate arguments', () => {
    const helper: CaptureHelper = { kind: 'dumpcap', path: '/usr/bin/dumpcap', launcher: ['ip', 'netns', 'exec', 'wl94a'] };
    expect(helperCommand(helper, ['-D'])).toEqual({ program: 'ip', args: ['netns', 'exec', 'wl94a', '/usr/bin/dumpcap', '-D'] });
    expect(helperCommand({ ...helper, launcher: [] }, ['-D'])).toEqual({ program: '/usr/bin/dumpcap', args: ['-D'] });
  });

  it('parse: closing statistics of dumpcap and tcpdump', () => {
    expect(parseHelperStatistics('dumpcap', DUMPCAP_STATS)).toEqual({ captured: 808, received: 810, dropped: 2 });
    expect(parseHelperStatistics('tcpdump', TCPDUMP_STATS)).toEqual({ captured: 5, received: 7, dropped: 2 });
    expect(parseHelperStatistics('tcpdump', 'killed')).toEqual({ captured: null, received: null, dropped: null });
  });
});

describe('finding the helper', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wirelens-helpers-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const fake = (name: string) => {
    const path = join(dir, name);
    writeFileSync(path, '#!/bin/sh\n');
    chmodSync(path, 0o755);
    return path;
  };

  it('prefers dumpcap, finds tcpdump in sbin-like directories of the PATH, skips non-executables', () => {
    const tcpdump = fake('tcpdump');
    writeFileSync(join(dir, 'dumpcap'), 'not executable');
    const env = { PATH: dir };
    const found = findCaptureHelpers({ env, platform: 'freebsd' }).filter((h) => h.path.startsWith(dir));
    expect(found).toEqual([{ kind: 'tcpdump', path: tcpdump, launcher: [] }]);
    const dumpcap = fake('dumpcap');
    expect(findCaptureHelpers({ env, platform: 'freebsd' }).filter((h) => h.path.startsWith(dir)).map((h) => h.path)).toEqual([dumpcap, tcpdump]);
  });

  it(`${HELPER_ENV} picks one program; its name must say which helper it is`, () => {
    const tcpdump = fake('tcpdump');
    expect(findCaptureHelpers({ env: { [HELPER_ENV]: tcpdump } })).toEqual([{ kind: 'tcpdump', path: tcpdump, launcher: [] }]);
    expect(findCaptureHelpers({ env: { [HELPER_ENV]: join(dir, 'missing', 'dumpcap') } })).toEqual([]);
    expect(() => findCaptureHelpers({ env: { [HELPER_ENV]: fake('wireshark') } })).toThrow(/must be dumpcap or tcpdump/);
  });

  it('no helper at all: listing explains how to install one, per OS', async () => {
    const error = await listInterfaces({ env: { [HELPER_ENV]: join(dir, 'missing', 'dumpcap') }, platform: 'linux' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CaptureSetupError);
    expect((error as CaptureSetupError).help.problem).toBe('no-helper');
    expect((error as CaptureSetupError).help.steps.join(' ')).toMatch(/apt install wireshark-common/);
    expect((error as CaptureSetupError).help.alternative).toMatch(/open a saved capture file/);
  });
});

describe('setup help', () => {
  it('classifies the helpers\' failures', () => {
    expect(classifyHelperFailure(DUMPCAP_NO_PERMISSION, null)).toBe('no-permission');
    expect(classifyHelperFailure("tcpdump: lo: You don't have permission to perform this capture on that device\n(socket: Operation not permitted)", null)).toBe('no-permission');
    expect(classifyHelperFailure('dumpcap: There is no device named "nosuch".\n(No such device exists)', null)).toBe('no-interface');
    expect(classifyHelperFailure('', 'ENOENT')).toBe('no-helper');
    expect(classifyHelperFailure('Unable to load Npcap or WinPcap (wpcap.dll); you will not be able to capture packets.', null)).toBe('no-capture-driver');
    expect(classifyHelperFailure('dumpcap: Invalid capture filter "x"', null)).toBeNull();
  });

  it('explains permission per OS: the wireshark group and capabilities, ChmodBPF, Npcap', () => {
    const dumpcap: CaptureHelper = { kind: 'dumpcap', path: '/usr/bin/dumpcap', launcher: [] };
    const linux = captureHelp('no-permission', { platform: 'linux', helper: dumpcap }).steps.join('\n');
    expect(linux).toMatch(/usermod -a -G wireshark/);
    expect(linux).toMatch(/setcap cap_net_raw,cap_net_admin=eip \/usr\/bin\/dumpcap/);
    expect(captureHelp('no-permission', { platform: 'darwin', helper: dumpcap }).steps.join('\n')).toMatch(/ChmodBPF/);
    expect(captureHelp('no-permission', { platform: 'win32', helper: dumpcap }).steps.join('\n')).toMatch(/Npcap/);
    expect(captureHelp('no-capture-driver', { platform: 'win32' }).steps.join('\n')).toMatch(/https:\/\/npcap\.com/);
    expect(new CaptureSetupError(captureHelp('no-helper', { platform: 'darwin' })).oneLine()).toMatch(/^No capture helper is installed.*brew install --cask wireshark/);
  });
});

const installed = findCaptureHelpers();
const isRoot = process.getuid?.() === 0;
const setpriv = spawnSync('setpriv', ['--version']).status === 0;

for (const helper of installed) {
  describe(`${helper.kind} on this machine (${helper.path})`, () => {
    it('lists the interfaces, loopback among them with its address', async () => {
      const list = await listInterfaces({ env: { [HELPER_ENV]: helper.path } });
      expect(list.helper.kind).toBe(helper.kind);
      const lo = list.interfaces.find((i) => i.name === 'lo');
      expect(lo?.loopback).toBe(true);
      expect(lo?.addresses).toContain('127.0.0.1');
    });

    it.skipIf(!isRoot)(`filter check: valid, invalid with libpcap's reason, link-type dependent${isRoot ? '' : ' (skipped: needs root to open lo)'}`, async () => {
      expect(await checkCaptureFilter(helper, 'lo', 'tcp port 80')).toEqual({ valid: true, instructions: expect.any(Number) as number });
      expect(await checkCaptureFilter(helper, 'lo', '')).toEqual({ valid: true, instructions: 0 });
      expect(await checkCaptureFilter(helper, 'lo', 'tcp port foo')).toEqual({ valid: false, message: `Invalid capture filter "tcp port foo": unknown port 'foo'.` });
      const syntax = await checkCaptureFilter(helper, 'lo', 'tcp and');
      expect(syntax.valid).toBe(false);
      expect(syntax.valid ? '' : syntax.message).toMatch(/^Invalid capture filter "tcp and": .*syntax error/);
      const linkType = await checkCaptureFilter(helper, 'any', 'ether host 01:02:03:04:05:06');
      expect(linkType.valid ? '' : linkType.message).toMatch(/ethernet addresses supported only on/);
    });

    it.skipIf(!isRoot || !setpriv)(`without permission: a CaptureSetupError that says how to allow capturing${isRoot && setpriv ? '' : ' (skipped: needs root and setpriv to become an unprivileged user)'}`, async () => {
      const unprivileged: CaptureHelper = { ...helper, launcher: ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] };
      const error = await checkCaptureFilter(unprivileged, 'lo', 'tcp').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CaptureSetupError);
      expect((error as CaptureSetupError).help.problem).toBe('no-permission');
      expect((error as CaptureSetupError).helperOutput).toMatch(/permission/);
    });
  });
}
