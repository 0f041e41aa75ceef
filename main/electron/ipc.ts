import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { OPEN_DIALOG_CHANNEL, SAVE_STREAM_CHANNEL, requestChannel } from '../../app/api/channels';
import type { SaveStreamRequest, SaveStreamResult } from '../../app/api/desktop';
import { ServiceError, type MethodName, type ResultOf } from '../../app/api/types';
import { METHOD_NAMES, validateSaveStream } from '../../app/api/validate';
import { errorResponse, type WireResponseOf } from '../../app/api/wire';
import type { CaptureService } from '../service/service';

export interface IpcOptions {
  service: CaptureService;
  /** True for requests from our own page (Electron security checklist: validate every IPC sender). */
  trustedSender(event: IpcMainInvokeEvent): boolean;
  showOpenDialog(event: IpcMainInvokeEvent): Promise<void>;
  /** Asks where to save one side of a stream and writes it there (./saveStream.ts). */
  saveStream(request: SaveStreamRequest): Promise<SaveStreamResult>;
}

/**
 * One invoke handler per service method. Handlers answer with wire responses ({ ok, result | error }):
 * an error thrown across invoke reaches the renderer wrapped in Electron's own text, a response keeps
 * the service's code and message. Parameters are validated by service.handle.
 */
export function registerIpcHandlers(ipcMain: IpcMain, options: IpcOptions): void {
  const untrusted = () => errorResponse(new ServiceError('bad-request', 'Request from an unknown page.'));
  const serve = <M extends MethodName>(method: M) =>
    ipcMain.handle(requestChannel(method), async (event, params: unknown): Promise<WireResponseOf<ResultOf<M>>> => {
      if (!options.trustedSender(event)) return untrusted();
      try {
        // service.handle validated the parameters against the contract of `method`, so its result is that method's.
        return { ok: true, result: (await options.service.handle(method, params)) as ResultOf<M> };
      } catch (error) {
        return errorResponse(error);
      }
    });
  for (const method of METHOD_NAMES) serve(method);
  ipcMain.handle(OPEN_DIALOG_CHANNEL, async (event) => {
    if (options.trustedSender(event)) await options.showOpenDialog(event);
  });
  ipcMain.handle(SAVE_STREAM_CHANNEL, async (event, request: unknown): Promise<WireResponseOf<SaveStreamResult>> => {
    if (!options.trustedSender(event)) return untrusted();
    try {
      return { ok: true, result: await options.saveStream(validateSaveStream(request)) };
    } catch (error) {
      return errorResponse(error);
    }
  });
}
