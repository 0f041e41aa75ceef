import { describe, expect, it, vi } from 'vitest';
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import type { SaveStreamRequest, SaveStreamResult } from '../../../app/api/desktop';
import { ServiceError } from '../../../app/api/types';
import { METHOD_NAMES } from '../../../app/api/validate';
import { registerIpcHandlers } from '../../../main/electron/ipc';
import type { CaptureService } from '../../../main/service/service';

type Handler = (event: IpcMainInvokeEvent, params?: unknown) => Promise<unknown>;

function setUp(handle: (method: unknown, params: unknown) => Promise<unknown>) {
  const handlers = new Map<string, Handler>();
  const ipcMain = { handle: (channel: string, handler: Handler) => handlers.set(channel, handler) } as unknown as IpcMain;
  const showOpenDialog = vi.fn(async () => undefined);
  const saveStream = vi.fn(async (request: SaveStreamRequest): Promise<SaveStreamResult> => ({ path: `/saved/${request.side}.bin`, bytes: 10, missingBytes: 0, complete: true }));
  const service = { handle: vi.fn(handle) } as unknown as CaptureService;
  registerIpcHandlers(ipcMain, {
    service,
    trustedSender: (event) => (event as unknown as { senderFrame: { url: string } }).senderFrame.url === 'file:///app/out/renderer/index.html',
    showOpenDialog,
    saveStream,
  });
  return { handlers, service, showOpenDialog, saveStream };
}

const trusted = { senderFrame: { url: 'file:///app/out/renderer/index.html' } } as unknown as IpcMainInvokeEvent;
const stranger = { senderFrame: { url: 'https://evil.example/' } } as unknown as IpcMainInvokeEvent;

describe('IPC handlers', () => {
  it('registers one prefixed channel per contract method, and the open dialog', () => {
    const { handlers } = setUp(async () => null);
    expect([...handlers.keys()].sort()).toEqual([...METHOD_NAMES.map((m) => `wirelens:${m}`), 'wirelens:open-dialog', 'wirelens:save-stream'].sort());
    expect(handlers.has('wirelens:tcp.follow')).toBe(true);
    expect(handlers.has('wirelens:tcp.analysis')).toBe(true);
  });

  it('answers with the service result', async () => {
    const { handlers, service } = setUp(async () => ['row']);
    await expect(handlers.get('wirelens:frames.page')?.(trusted, { id: 'c1' })).resolves.toEqual({ ok: true, result: ['row'] });
    expect(service.handle).toHaveBeenCalledWith('frames.page', { id: 'c1' });
  });

  it('turns service errors into wire errors with their code and message', async () => {
    const { handlers } = setUp(async () => {
      throw new ServiceError('not-found', 'No open capture c9.');
    });
    await expect(handlers.get('wirelens:capture.status')?.(trusted, { id: 'c9' })).resolves.toEqual({
      ok: false,
      error: { code: 'not-found', message: 'No open capture c9.' },
    });
  });

  it('refuses requests from any page but ours', async () => {
    const { handlers, service, showOpenDialog } = setUp(async () => 'secret');
    await expect(handlers.get('wirelens:capture.open')?.(stranger, { path: '/etc/shadow' })).resolves.toMatchObject({
      ok: false,
      error: { code: 'bad-request' },
    });
    await handlers.get('wirelens:open-dialog')?.(stranger);
    expect(service.handle).not.toHaveBeenCalled();
    expect(showOpenDialog).not.toHaveBeenCalled();
    await handlers.get('wirelens:open-dialog')?.(trusted);
    expect(showOpenDialog).toHaveBeenCalledTimes(1);
  });

  it('saves a stream side only for a valid request from our page', async () => {
    const { handlers, saveStream } = setUp(async () => null);
    const save = handlers.get('wirelens:save-stream');
    await expect(save?.(trusted, { id: 'c1', stream: 3, side: 'server' })).resolves.toEqual({
      ok: true,
      result: { path: '/saved/server.bin', bytes: 10, missingBytes: 0, complete: true },
    });
    expect(saveStream).toHaveBeenCalledWith({ id: 'c1', stream: 3, side: 'server' });
    // Extra fields are dropped, wrong ones refused, strangers ignored.
    await save?.(trusted, { id: 'c1', stream: 3, side: 'client', path: '/etc/passwd' });
    expect(saveStream).toHaveBeenLastCalledWith({ id: 'c1', stream: 3, side: 'client' });
    await expect(save?.(trusted, { id: 'c1', stream: 3, side: 'both' })).resolves.toMatchObject({ ok: false, error: { code: 'bad-request' } });
    await expect(save?.(trusted, { id: 'c1', stream: -1, side: 'client' })).resolves.toMatchObject({ ok: false, error: { code: 'bad-request' } });
    await expect(save?.(trusted, 'c1')).resolves.toMatchObject({ ok: false, error: { code: 'bad-request' } });
    await expect(save?.(stranger, { id: 'c1', stream: 3, side: 'client' })).resolves.toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect(saveStream).toHaveBeenCalledTimes(2);
  });
});
