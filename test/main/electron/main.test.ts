import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { BrowserWindowConstructorOptions } from 'electron';

/*
 * The Electron entry with electron mocked: the window's security settings, the handlers that block
 * navigation, new windows and permissions, and the channels it registers.
 */

type Listener = (...args: unknown[]) => unknown;

const electron = vi.hoisted(() => {
  const appListeners = new Map<string, Listener>();
  const windows: { options: BrowserWindowConstructorOptions; loaded: string[]; titles: string[] }[] = [];
  const handled: string[] = [];
  let permissionHandler: Listener | null = null;
  let permissionCheck: Listener | null = null;
  class BrowserWindow {
    readonly webContents = { send: () => undefined, isLoading: () => false };
    readonly record: { options: BrowserWindowConstructorOptions; loaded: string[]; titles: string[] };
    constructor(options: BrowserWindowConstructorOptions) {
      this.record = { options, loaded: [], titles: [] };
      windows.push(this.record);
    }
    once() {}
    on() {}
    loadFile(file: string) {
      this.record.loaded.push(file);
      return Promise.resolve();
    }
    loadURL(url: string) {
      this.record.loaded.push(url);
      return Promise.resolve();
    }
    setTitle(title: string) {
      this.record.titles.push(title);
    }
  }
  return {
    appListeners,
    windows,
    handled,
    permission: () => permissionHandler,
    permissionCheck: () => permissionCheck,
    module: {
      app: {
        isPackaged: false,
        requestSingleInstanceLock: () => true,
        on: (name: string, listener: Listener) => appListeners.set(name, listener),
        whenReady: () => Promise.resolve(),
        isReady: () => true,
        getPath: () => mkdtempSync(join(tmpdir(), 'wirelens-userdata-')),
        getAppPath: () => mkdtempSync(join(tmpdir(), 'wirelens-app-')),
        addRecentDocument: () => undefined,
        clearRecentDocuments: () => undefined,
        quit: () => undefined,
      },
      BrowserWindow,
      Menu: { setApplicationMenu: () => undefined, buildFromTemplate: (t: unknown) => t },
      dialog: { showErrorBox: () => undefined, showOpenDialog: async () => ({ canceled: true, filePaths: [] }) },
      ipcMain: { handle: (channel: string) => handled.push(channel) },
      session: {
        defaultSession: {
          setPermissionRequestHandler: (handler: Listener) => {
            permissionHandler = handler;
          },
          setPermissionCheckHandler: (handler: Listener) => {
            permissionCheck = handler;
          },
        },
      },
    },
  };
});

vi.mock('electron', () => electron.module);

// No capture on the command line (vitest's own arguments must not be taken for one).
process.argv = ['/usr/lib/electron', '.'];
await import('../../../main/electron/main');
await new Promise((resolve) => setTimeout(resolve, 50));

describe('Electron main', () => {
  it('opens one window with an isolated, sandboxed renderer without Node', () => {
    expect(electron.windows).toHaveLength(1);
    const prefs = electron.windows[0].options.webPreferences;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    expect(String(prefs?.preload)).toMatch(/out\/preload\/preload\.js$|preload[/\\]preload\.js$/);
    expect(electron.windows[0].loaded[0]).toMatch(/renderer[/\\]index\.html$/);
  });

  it('blocks navigation, new windows and webviews in every web contents', () => {
    const created = electron.appListeners.get('web-contents-created');
    expect(created).toBeDefined();
    const handlers = new Map<string, Listener>();
    let openHandler: Listener | null = null;
    const contents = {
      on: (name: string, listener: Listener) => handlers.set(name, listener),
      setWindowOpenHandler: (handler: Listener) => {
        openHandler = handler;
      },
    };
    created?.({}, contents);
    const navigation = { preventDefault: vi.fn() };
    handlers.get('will-navigate')?.(navigation);
    expect(navigation.preventDefault).toHaveBeenCalled();
    const attach = { preventDefault: vi.fn() };
    handlers.get('will-attach-webview')?.(attach);
    expect(attach.preventDefault).toHaveBeenCalled();
    expect((openHandler as Listener | null)?.({ url: 'https://example.com' })).toEqual({ action: 'deny' });
  });

  it('denies every permission request', () => {
    const decide = vi.fn();
    electron.permission()?.({}, 'media', decide);
    expect(decide).toHaveBeenCalledWith(false);
    expect(electron.permissionCheck()?.({}, 'clipboard-read')).toBe(false);
  });

  it('registers the service channels and the open dialog, all prefixed', () => {
    expect(electron.handled).toContain('wirelens:frames.page');
    expect(electron.handled).toContain('wirelens:open-dialog');
    expect(electron.handled).toContain('wirelens:save-stream');
    expect(electron.handled).toContain('wirelens:tcp.follow');
    expect(electron.handled.every((channel) => channel.startsWith('wirelens:'))).toBe(true);
  });

  it('handles macOS open-file and second launches (file associations)', () => {
    expect(electron.appListeners.has('open-file')).toBe(true);
    expect(electron.appListeners.has('second-instance')).toBe(true);
  });
});
