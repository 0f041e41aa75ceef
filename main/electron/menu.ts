import { basename } from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import type { ShellCommand } from '../../app/api/channels';

/** What the menu items do; main.ts supplies them. */
export interface MenuActions {
  open(): void;
  openRecent(path: string): void;
  clearRecent(): void;
  close(): void;
  reload(): void;
  command(command: ShellCommand): void;
}

export interface MenuState {
  recent: readonly string[];
  /** A capture is shown: Close and Reload apply. */
  hasCapture: boolean;
  isMac: boolean;
  /** Developer tools only in unpackaged builds. */
  development: boolean;
}

/** The application menu; its accelerators are the app's keyboard shortcuts. */
export function menuTemplate(actions: MenuActions, state: MenuState): MenuItemConstructorOptions[] {
  const recent: MenuItemConstructorOptions[] = state.recent.map((path) => ({
    label: basename(path),
    toolTip: path,
    click: () => actions.openRecent(path),
  }));
  if (recent.length > 0) recent.push({ type: 'separator' }, { label: 'Clear Recent', click: actions.clearRecent });
  else recent.push({ label: 'No recent files', enabled: false });

  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      { label: '&Open…', accelerator: 'CmdOrCtrl+O', click: actions.open },
      { label: 'Open &Recent', submenu: recent },
      // Wireshark's Capture › Start/Stop shortcut; the Capture dialog when nothing is capturing.
      { label: 'Start / Stop &Capture…', accelerator: 'CmdOrCtrl+E', click: () => actions.command('toggle-capture') },
      { label: '&Close', accelerator: 'CmdOrCtrl+W', enabled: state.hasCapture, click: actions.close },
      { label: 'Re&load Capture', accelerator: 'CmdOrCtrl+R', enabled: state.hasCapture, click: actions.reload },
      ...(state.isMac ? [] : [{ type: 'separator' } as const, { label: '&Quit', accelerator: 'CmdOrCtrl+Q', role: 'quit' } as const]),
    ],
  };
  const edit: MenuItemConstructorOptions = {
    label: '&Edit',
    submenu: [
      { label: '&Copy', accelerator: 'CmdOrCtrl+C', role: 'copy' },
      { label: 'Select &All', accelerator: 'CmdOrCtrl+A', role: 'selectAll' },
      { type: 'separator' },
      { label: '&Find Packet…', accelerator: 'CmdOrCtrl+F', enabled: state.hasCapture, click: () => actions.command('find') },
      { label: 'Find &Next', accelerator: 'CmdOrCtrl+G', enabled: state.hasCapture, click: () => actions.command('find-next') },
      { label: 'Find &Previous', accelerator: 'Shift+CmdOrCtrl+G', enabled: state.hasCapture, click: () => actions.command('find-previous') },
    ],
  };
  const go: MenuItemConstructorOptions = {
    label: '&Go',
    submenu: [
      { label: '&Packet List', enabled: state.hasCapture, click: () => actions.command('show-packets') },
      { label: '&First Packet', accelerator: 'CmdOrCtrl+Home', enabled: state.hasCapture, click: () => actions.command('go-to-first') },
      { label: '&Last Packet', accelerator: 'CmdOrCtrl+End', enabled: state.hasCapture, click: () => actions.command('go-to-last') },
    ],
  };
  // Wireshark's menus and shortcut for these.
  const analyze: MenuItemConstructorOptions = {
    label: '&Analyze',
    submenu: [
      { label: 'Follow &TCP Stream', accelerator: 'CmdOrCtrl+Alt+Shift+T', enabled: state.hasCapture, click: () => actions.command('follow-tcp-stream') },
    ],
  };
  const statistics: MenuItemConstructorOptions = {
    label: '&Statistics',
    submenu: [
      { label: '&Conversations', enabled: state.hasCapture, click: () => actions.command('show-conversations') },
      { label: '&DNS Transactions', enabled: state.hasCapture, click: () => actions.command('show-dns') },
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: '&View',
    submenu: [
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { role: 'resetZoom' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
      ...(state.development ? [{ type: 'separator' } as const, { role: 'toggleDevTools' } as const] : []),
    ],
  };
  const template: MenuItemConstructorOptions[] = [file, edit, view, go, analyze, statistics];
  if (state.isMac) template.unshift({ role: 'appMenu' });
  return template;
}
