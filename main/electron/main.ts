import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BrowserWindow, Menu, app, dialog, ipcMain, session, type IpcMainInvokeEvent } from 'electron';
import { EVENT_CHANNEL, SHELL_COMMAND_CHANNEL, type ShellCommand } from '../../app/api/channels';
import type { CaptureInfo } from '../../app/api/types';
import { CaptureService } from '../service/service';
import { registerIpcHandlers } from './ipc';
import { captureFromArgv } from './launchFile';
import { menuTemplate } from './menu';
import { RecentFiles } from './recentFiles';
import { saveStreamSide } from './saveStream';

/*
 * The Electron entry (out/main/index.js): one window showing one capture at a time. Captures are opened
 * from the command line, the Open dialog, Open Recent, drag and drop (in the renderer), a second launch
 * (Windows/Linux file association) or macOS's open-file; the engine runs in worker threads
 * (../service). Security follows Electron's checklist: sandboxed, context-isolated renderer without
 * Node, a strict CSP (in the built page), no navigation, no new windows, no permissions, and IPC only
 * through the preload's allowlist from our own page.
 */

const SAMPLE = 'samples/handshake-dns.pcapng';
const CAPTURE_EXTENSIONS = ['pcap', 'pcapng', 'cap'];

// Live captures spool under the app's own state directory, where an unsaved one is found again after a crash.
const service = new CaptureService({ workerScript: join(__dirname, 'captureWorker.js'), liveDirectory: join(app.getPath('userData'), 'live') });
const rendererUrl = process.env.ELECTRON_RENDERER_URL;
const rendererFile = join(__dirname, '../renderer/index.html');
let window: BrowserWindow | null = null;
let recent: RecentFiles | null = null;
let current: CaptureInfo | null = null;
/** A file macOS asked us to open before the app was ready. */
let pendingFile: string | null = null;

if (!app.requestSingleInstanceLock()) {
  // Another instance runs: it receives our argv through 'second-instance' and opens the file.
  app.quit();
} else {
  app.on('second-instance', (_event, argv, workingDirectory) => {
    const file = captureFromArgv(argv, app.isPackaged, workingDirectory);
    if (file) void openCapture(file);
    if (window) {
      if (window.isMinimized()) window.restore();
      window.focus();
    }
  });
  app.on('open-file', (event, path) => {
    event.preventDefault();
    if (app.isReady()) void openCapture(path);
    else pendingFile = path;
  });
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (navigation) => navigation.preventDefault());
    contents.on('will-attach-webview', (attach) => attach.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (!window) createWindow();
  });
  app.on('before-quit', () => {
    void service.dispose();
  });
  app.whenReady().then(start, (error: unknown) => {
    dialog.showErrorBox('Wirelens could not start', String(error));
    app.quit();
  });
}

async function start(): Promise<void> {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, decide) => decide(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  recent = new RecentFiles(app.getPath('userData'));
  await recent.load();
  service.subscribe((event) => {
    window?.webContents.send(EVENT_CHANNEL, event);
    if (event.type === 'capture.opened') shown(event.payload);
    else if (event.type === 'capture.closed' && current?.id === event.payload.id) shown(null);
    // The page shows failures itself once loaded; before that (a bad file on the command line) only a dialog can.
    else if (event.type === 'capture.failed' && (!window || window.webContents.isLoading())) dialog.showErrorBox('Cannot open capture', event.payload.message);
  });
  registerIpcHandlers(ipcMain, {
    service,
    trustedSender,
    showOpenDialog: () => showOpenDialog(),
    saveStream: (request) =>
      saveStreamSide(service, request, captureName(request.id), {
        async choosePath(suggestedName) {
          const options = { title: 'Save stream bytes', defaultPath: join(app.getPath('documents'), suggestedName) };
          const result = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
          return result.canceled || !result.filePath ? null : result.filePath;
        },
        writeFile: (path, bytes) => writeFile(path, bytes),
      }),
  });
  createWindow();
  const first = pendingFile ?? captureFromArgv(process.argv, app.isPackaged, process.cwd()) ?? firstStartSample();
  if (first) await openCapture(first);
}

function createWindow(): void {
  window = new BrowserWindow({
    width: 1280,
    height: 860,
    title: 'Wirelens',
    show: false,
    webPreferences: {
      preload: join(__dirname, '../preload/preload.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window?.show());
  window.on('closed', () => {
    window = null;
  });
  // The page sets document.title per capture too; the shell's title wins.
  window.on('page-title-updated', (event) => event.preventDefault());
  if (rendererUrl && !app.isPackaged) void window.loadURL(rendererUrl);
  else void window.loadFile(rendererFile);
  updateMenu();
}

/** Only our own page may use the IPC channels (not a frame or page navigated to by accident). */
function trustedSender(event: IpcMainInvokeEvent): boolean {
  const url = event.senderFrame?.url ?? '';
  if (rendererUrl && !app.isPackaged) return url.startsWith(rendererUrl);
  return url === pathToFileURL(rendererFile).href;
}

async function openCapture(path: string): Promise<void> {
  // The renderer shows the capture when the 'capture.opened' event arrives; failures arrive as 'capture.failed'.
  await service.openFromShell(path);
}

function captureName(id: string): string {
  return current?.id === id ? current.name : 'capture';
}

/** On the very first start (nothing ever opened) the bundled sample shows what the app does. */
function firstStartSample(): string | null {
  if (!recent?.empty) return null;
  const sample = app.isPackaged ? join(process.resourcesPath, SAMPLE) : join(app.getAppPath(), SAMPLE);
  return existsSync(sample) ? sample : null;
}

function shown(capture: CaptureInfo | null): void {
  current = capture;
  window?.setTitle(capture ? `${capture.name} — Wirelens` : 'Wirelens');
  if (capture) {
    app.addRecentDocument(capture.path);
    void recent?.add(capture.path).then(updateMenu);
  }
  updateMenu();
}

async function showOpenDialog(): Promise<void> {
  const options = {
    title: 'Open capture',
    properties: ['openFile' as const],
    filters: [
      { name: 'Packet captures', extensions: CAPTURE_EXTENSIONS },
      { name: 'All files', extensions: ['*'] },
    ],
  };
  const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
  if (!result.canceled && result.filePaths[0]) await openCapture(result.filePaths[0]);
}

function sendCommand(command: ShellCommand): void {
  window?.webContents.send(SHELL_COMMAND_CHANNEL, command);
}

function updateMenu(): void {
  const template = menuTemplate(
    {
      open: () => void showOpenDialog(),
      openRecent: (path) => void openCapture(path),
      clearRecent: () => {
        app.clearRecentDocuments();
        void recent?.clear().then(updateMenu);
      },
      close: () => {
        if (current) void service.call('capture.close', { id: current.id });
      },
      reload: () => {
        const capture = current;
        if (capture) void service.call('capture.close', { id: capture.id }).then(() => openCapture(capture.path));
      },
      command: sendCommand,
    },
    { recent: recent?.list() ?? [], hasCapture: current !== null, isMac: process.platform === 'darwin', development: !app.isPackaged },
  );
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
