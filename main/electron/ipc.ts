import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { OPEN_DIALOG_CHANNEL, requestChannel } from '../../app/api/channels';
import { ServiceError } from '../../app/api/types';
import { METHOD_NAMES } from '../../app/api/validate';
import { errorResponse, type WireResponse } from '../../app/api/wire';
import type { CaptureService } from '../service/service';

export interface IpcOptions {
  service: CaptureService;
  /** True for requests from our own page (Electron security checklist: validate every IPC sender). */
  trustedSender(event: IpcMainInvokeEvent): boolean;
  showOpenDialog(event: IpcMainInvokeEvent): Promise<void>;
}

/**
 * One invoke handler per service method. Handlers answer with wire responses ({ ok, result | error }):
 * an error thrown across invoke reaches the renderer wrapped in Electron's own text, a response keeps
 * the service's code and message. Parameters are validated by service.handle.
 */
export function registerIpcHandlers(ipcMain: IpcMain, options: IpcOptions): void {
  for (const method of METHOD_NAMES) {
    ipcMain.handle(requestChannel(method), async (event, params: unknown): Promise<WireResponse> => {
      if (!options.trustedSender(event)) return errorResponse(new ServiceError('bad-request', 'Request from an unknown page.'));
      try {
        return { ok: true, result: await options.service.handle(method, params) };
      } catch (error) {
        return errorResponse(error);
      }
    });
  }
  ipcMain.handle(OPEN_DIALOG_CHANNEL, async (event) => {
    if (options.trustedSender(event)) await options.showOpenDialog(event);
  });
}
