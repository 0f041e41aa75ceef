import { describe, expect, it, vi } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { menuTemplate, type MenuActions } from '../../../main/electron/menu';

function actions(): MenuActions {
  return { open: vi.fn(), openRecent: vi.fn(), clearRecent: vi.fn(), close: vi.fn(), reload: vi.fn(), command: vi.fn() };
}

function items(template: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return template.flatMap((item) => [item, ...(Array.isArray(item.submenu) ? items(item.submenu) : [])]);
}

function byLabel(template: MenuItemConstructorOptions[], label: string): MenuItemConstructorOptions {
  const found = items(template).find((item) => item.label?.replace(/&/g, '') === label);
  if (!found) throw new Error(`no menu item ${label}`);
  return found;
}

const state = { recent: ['/captures/a.pcap', '/captures/b.pcapng'], hasCapture: true, isMac: false, development: false };

describe('application menu', () => {
  it('has the shortcuts Open, Close, Reload, Quit, Copy and Find', () => {
    const template = menuTemplate(actions(), state);
    expect(byLabel(template, 'Open…').accelerator).toBe('CmdOrCtrl+O');
    expect(byLabel(template, 'Close').accelerator).toBe('CmdOrCtrl+W');
    expect(byLabel(template, 'Reload Capture').accelerator).toBe('CmdOrCtrl+R');
    expect(byLabel(template, 'Quit')).toMatchObject({ accelerator: 'CmdOrCtrl+Q', role: 'quit' });
    expect(byLabel(template, 'Copy')).toMatchObject({ accelerator: 'CmdOrCtrl+C', role: 'copy' });
    expect(byLabel(template, 'Find Packet…').accelerator).toBe('CmdOrCtrl+F');
  });

  it('lists recent files by name and opens them by path', () => {
    const a = actions();
    const template = menuTemplate(a, state);
    const recent = byLabel(template, 'Open Recent').submenu as MenuItemConstructorOptions[];
    expect(recent.map((item) => item.label)).toEqual(['a.pcap', 'b.pcapng', undefined, 'Clear Recent']);
    (recent[1].click as () => void)();
    expect(a.openRecent).toHaveBeenCalledWith('/captures/b.pcapng');
  });

  it('sends Find to the renderer and disables capture items without a capture', () => {
    const a = actions();
    (byLabel(menuTemplate(a, state), 'Find Packet…').click as () => void)();
    expect(a.command).toHaveBeenCalledWith('find');
    const empty = menuTemplate(a, { ...state, hasCapture: false, recent: [] });
    expect(byLabel(empty, 'Close').enabled).toBe(false);
    expect(byLabel(empty, 'Reload Capture').enabled).toBe(false);
    expect(byLabel(empty, 'No recent files').enabled).toBe(false);
  });

  it('follows macOS conventions: app menu, Quit there, no developer tools when packaged', () => {
    const template = menuTemplate(actions(), { ...state, isMac: true });
    expect(template[0]).toEqual({ role: 'appMenu' });
    expect(items(template).some((item) => item.label === '&Quit')).toBe(false);
    expect(items(template).some((item) => item.role === 'toggleDevTools')).toBe(false);
    expect(items(menuTemplate(actions(), { ...state, development: true })).some((item) => item.role === 'toggleDevTools')).toBe(true);
  });

  it('opens the views from Go, Analyze and Statistics, Follow TCP Stream with Wireshark\'s shortcut', () => {
    const a = actions();
    const template = menuTemplate(a, state);
    expect(template.map((item) => item.label)).toEqual(['&File', '&Edit', '&View', '&Go', '&Analyze', '&Statistics']);
    expect(byLabel(template, 'Follow TCP Stream').accelerator).toBe('CmdOrCtrl+Alt+Shift+T');
    for (const [label, command] of [
      ['Follow TCP Stream', 'follow-tcp-stream'],
      ['Conversations', 'show-conversations'],
      ['DNS Transactions', 'show-dns'],
      ['Packet List', 'show-packets'],
    ] as const) {
      (byLabel(template, label).click as () => void)();
      expect(a.command).toHaveBeenLastCalledWith(command);
    }
    expect(byLabel(menuTemplate(a, { ...state, hasCapture: false }), 'Conversations').enabled).toBe(false);
  });
});
