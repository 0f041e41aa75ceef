import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import {
  EVENT_CHANNEL,
  OPEN_DIALOG_CHANNEL,
  REQUEST_CHANNELS,
  SAVE_STREAM_CHANNEL,
  SHELL_COMMAND_CHANNEL,
  SHELL_COMMANDS,
  requestChannel,
  type ShellCommand,
} from '../../app/api/channels';
import { DESKTOP_BRIDGE_KEY, type DesktopBridge, type SaveStreamResult } from '../../app/api/desktop';
import type { MethodName, ResultOf, ServiceEvent } from '../../app/api/types';
import { isMethodName } from '../../app/api/validate';
import type { WireResponseOf } from '../../app/api/wire';

/*
 * The only door between the sandboxed renderer and the main process: a fixed set of 'wirelens:'
 * channels, each behind a function. The renderer never sees ipcRenderer itself, so it cannot send on
 * any other channel or receive Electron's own messages.
 */

const bridge: DesktopBridge = {
  call<M extends MethodName>(method: M, params: unknown) {
    const channel = isMethodName(method) ? requestChannel(method) : '';
    if (!REQUEST_CHANNELS.includes(channel)) return Promise.reject(new Error(`Unknown request '${String(method)}'.`));
    // main/electron/ipc.ts answers every request channel with the wire response of its method.
    return ipcRenderer.invoke(channel, params) as Promise<WireResponseOf<ResultOf<M>>>;
  },
  onEvent(listener) {
    const forward = (_event: IpcRendererEvent, serviceEvent: ServiceEvent) => listener(serviceEvent);
    ipcRenderer.on(EVENT_CHANNEL, forward);
    return () => ipcRenderer.removeListener(EVENT_CHANNEL, forward);
  },
  onShellCommand(listener) {
    const forward = (_event: IpcRendererEvent, command: ShellCommand) => {
      if (SHELL_COMMANDS.includes(command)) listener(command);
    };
    ipcRenderer.on(SHELL_COMMAND_CHANNEL, forward);
    return () => ipcRenderer.removeListener(SHELL_COMMAND_CHANNEL, forward);
  },
  async openDialog() {
    await ipcRenderer.invoke(OPEN_DIALOG_CHANNEL);
  },
  saveStream(request) {
    return ipcRenderer.invoke(SAVE_STREAM_CHANNEL, request) as Promise<WireResponseOf<SaveStreamResult>>;
  },
  pathForFile(file) {
    return webUtils.getPathForFile(file as File);
  },
};

contextBridge.exposeInMainWorld(DESKTOP_BRIDGE_KEY, bridge);
