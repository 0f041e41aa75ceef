import type { CaptureHelper, HelperKind } from './helper';

/*
 * When capturing cannot start because of the machine rather than the request: no helper installed, no
 * permission to capture, no capture driver (Windows), or no such interface. Each comes with what to do on
 * this operating system, and the reminder that saved captures open without any of it.
 */

export type SetupProblem = 'no-helper' | 'no-permission' | 'no-capture-driver' | 'no-interface';

export interface CaptureHelp {
  problem: SetupProblem;
  /** One sentence: what is wrong. */
  title: string;
  /** What to do, one step per entry, commands included. */
  steps: string[];
  /** Capturing is optional: how to look at a saved capture instead. */
  alternative: string;
}

export class CaptureSetupError extends Error {
  constructor(
    readonly help: CaptureHelp,
    /** What the helper itself said (its stderr), for the details pane; empty when it did not run. */
    readonly helperOutput = '',
  ) {
    super(help.title);
    this.name = 'CaptureSetupError';
  }

  /** The title and the steps on one line, for the command line's one-line errors. */
  oneLine(): string {
    return `${this.help.title} ${this.help.steps.join(' ')}`.trim();
  }
}

const OPEN_FILE_INSTEAD = 'You can still open a saved capture file: File > Open in the app, or `wirelens summary FILE` on the command line.';

/** Which setup problem a helper's failure shows, from how it failed and what it wrote; null for others. */
export function classifyHelperFailure(stderr: string, spawnError: string | null): SetupProblem | null {
  if (spawnError === 'ENOENT' || spawnError === 'EACCES') return 'no-helper';
  if (/npcap|winpcap|wpcap\.dll|packet\.dll/i.test(stderr) && /unable to load|not (be )?installed|couldn't load|could not load/i.test(stderr)) return 'no-capture-driver';
  if (/permission|not permitted|access is denied|access denied|\(cannot open bpf device\)/i.test(stderr)) return 'no-permission';
  if (/no device named|no such device|doesn't exist|does not exist|there is no device|no such interface/i.test(stderr)) return 'no-interface';
  return null;
}

export interface HelpContext {
  platform?: NodeJS.Platform;
  /** The helper that failed (absent when none was found). */
  helper?: CaptureHelper | null;
  /** The interface asked for, for 'no-interface'. */
  interface?: string;
}

export function captureHelp(problem: SetupProblem, context: HelpContext = {}): CaptureHelp {
  const platform = context.platform ?? process.platform;
  const helper = context.helper ?? null;
  switch (problem) {
    case 'no-helper':
      return { problem, title: 'No capture helper is installed: live capture needs Wireshark\'s dumpcap (or tcpdump).', steps: installSteps(platform), alternative: OPEN_FILE_INSTEAD };
    case 'no-permission':
      return {
        problem,
        title: `${helper ? helperName(helper.kind) : 'The capture helper'} is not allowed to capture on this machine.`,
        steps: permissionSteps(platform, helper),
        alternative: OPEN_FILE_INSTEAD,
      };
    case 'no-capture-driver':
      return {
        problem,
        title: 'No packet capture driver is installed: Windows needs Npcap to capture.',
        steps: ['Install Npcap from https://npcap.com (the Wireshark installer offers it too), then start Wirelens again.'],
        alternative: OPEN_FILE_INSTEAD,
      };
    case 'no-interface':
      return {
        problem,
        title: `There is no interface named "${context.interface ?? ''}".`,
        steps: ['Choose one of the listed interfaces (`wirelens interfaces` lists them); interfaces that appeared after the list was made need a refresh.'],
        alternative: OPEN_FILE_INSTEAD,
      };
  }
}

function helperName(kind: HelperKind): string {
  return kind === 'dumpcap' ? 'dumpcap (Wireshark\'s capture helper)' : 'tcpdump';
}

function installSteps(platform: NodeJS.Platform): string[] {
  switch (platform) {
    case 'linux':
      return [
        'Install dumpcap: `sudo apt install wireshark-common` (Debian, Ubuntu), `sudo dnf install wireshark-cli` (Fedora), `sudo pacman -S wireshark-cli` (Arch); answer Yes when asked whether non-superusers may capture.',
        'Or install tcpdump (`sudo apt install tcpdump`).',
        'Then allow your user to capture (see the permission steps: the wireshark group).',
      ];
    case 'darwin':
      return [
        'Install Wireshark from https://www.wireshark.org/download.html (or `brew install --cask wireshark`): it brings dumpcap and the ChmodBPF package that lets you capture.',
        'tcpdump comes with macOS (/usr/sbin/tcpdump) and is used when dumpcap is missing.',
      ];
    case 'win32':
      return ['Install Wireshark for Windows from https://www.wireshark.org/download.html: it brings dumpcap and installs Npcap, the capture driver.'];
    default:
      return ['Install Wireshark\'s dumpcap or tcpdump with your system\'s package manager.'];
  }
}

function permissionSteps(platform: NodeJS.Platform, helper: CaptureHelper | null): string[] {
  const path = helper?.path ?? (helper?.kind === 'tcpdump' ? '/usr/sbin/tcpdump' : '/usr/bin/dumpcap');
  switch (platform) {
    case 'linux':
      if (helper?.kind === 'tcpdump') {
        return [
          `Give tcpdump the capture capabilities: \`sudo setcap cap_net_raw,cap_net_admin=eip ${path}\`.`,
          'Better: install Wireshark\'s dumpcap (`sudo apt install wireshark-common`), which is made to capture on behalf of unprivileged programs.',
        ];
      }
      return [
        'On Debian and Ubuntu: `sudo dpkg-reconfigure wireshark-common` and answer Yes (non-superusers may capture).',
        'Add yourself to the wireshark group: `sudo usermod -a -G wireshark $USER`, then log out and back in.',
        `Elsewhere, give dumpcap its capabilities: \`sudo setcap cap_net_raw,cap_net_admin=eip ${path}\` (and keep it executable only by the wireshark group: \`sudo chgrp wireshark ${path} && sudo chmod 750 ${path}\`).`,
      ];
    case 'darwin':
      return [
        'Install ChmodBPF, which gives the access_bpf group access to /dev/bpf*: open the Wireshark disk image and run "Install ChmodBPF.pkg" (or `brew install --cask wireshark-chmodbpf`).',
        'Make sure your user is in the access_bpf group, then log out and back in (or restart).',
      ];
    case 'win32':
      return ['Npcap was installed with "Restrict Npcap driver\'s access to Administrators only": run the Npcap installer again (https://npcap.com) without that option.'];
    default:
      return [`Give ${path} permission to open the capture device (see your system's documentation for libpcap).`];
  }
}
