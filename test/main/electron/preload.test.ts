import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { DesktopBridge } from '../../../app/api/desktop';

const electron = vi.hoisted(() => ({
  exposed: new Map<string, unknown>(),
  invoke: vi.fn(async (..._args: unknown[]) => ({ ok: true, result: 'answer' })),
  on: vi.fn(),
  removeListener: vi.fn(),
  getPathForFile: vi.fn(() => '/captures/dropped.pcap'),
}));

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => electron.exposed.set(key, api) },
  ipcRenderer: { invoke: electron.invoke, on: electron.on, removeListener: electron.removeListener },
  webUtils: { getPathForFile: electron.getPathForFile },
}));

await import('../../../main/electron/preload');
const bridge = electron.exposed.get('wirelens') as DesktopBridge;

describe('preload', () => {
  beforeEach(() => {
    electron.invoke.mockClear();
    electron.on.mockClear();
  });

  it('exposes only the desktop bridge, under one name', () => {
    expect([...electron.exposed.keys()]).toEqual(['wirelens']);
    expect(Object.keys(bridge).sort()).toEqual(['call', 'onEvent', 'onShellCommand', 'openDialog', 'pathForFile', 'saveStream']);
  });

  it('invokes the prefixed channel of a contract method', async () => {
    await expect(bridge.call('frames.page', { id: 'c1', from: 1, count: 10 })).resolves.toEqual({ ok: true, result: 'answer' });
    expect(electron.invoke).toHaveBeenCalledWith('wirelens:frames.page', { id: 'c1', from: 1, count: 10 });
  });

  it('refuses any other channel without touching IPC', async () => {
    const call = bridge.call as (method: string, params: unknown) => Promise<unknown>;
    await expect(call('ELECTRON_BROWSER_WINDOW_CLOSE', {})).rejects.toThrow(/Unknown request/);
    await expect(call('__proto__', {})).rejects.toThrow(/Unknown request/);
    expect(electron.invoke).not.toHaveBeenCalled();
  });

  it('passes on only known shell commands', () => {
    const seen: string[] = [];
    bridge.onShellCommand((command) => seen.push(command));
    const [channel, forward] = electron.on.mock.calls[0] as [string, (event: unknown, command: string) => void];
    expect(channel).toBe('wirelens:shell-command');
    forward({}, 'find');
    forward({}, 'rm -rf');
    expect(seen).toEqual(['find']);
  });

  it('strips the IPC event from service events and unsubscribes', () => {
    const seen: unknown[] = [];
    const stop = bridge.onEvent((event) => seen.push(event));
    const [channel, forward] = electron.on.mock.calls[0] as [string, (event: unknown, payload: unknown) => void];
    expect(channel).toBe('wirelens:event');
    forward({ sender: 'internal' }, { type: 'capture.closed', payload: { id: 'c1' } });
    expect(seen).toEqual([{ type: 'capture.closed', payload: { id: 'c1' } }]);
    stop();
    expect(electron.removeListener).toHaveBeenCalledWith('wirelens:event', forward);
  });

  it('asks main to save a stream side on its own channel', async () => {
    await bridge.saveStream({ id: 'c1', stream: 2, side: 'client' });
    expect(electron.invoke).toHaveBeenCalledWith('wirelens:save-stream', { id: 'c1', stream: 2, side: 'client' });
  });

  it('asks Electron for the path of a dropped file', () => {
    expect(bridge.pathForFile({ name: 'dropped.pcap' })).toBe('/captures/dropped.pcap');
  });
});
