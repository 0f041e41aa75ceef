import type { ShellCommand } from '../app/api/channels';
import { DESKTOP_BRIDGE_KEY, type DesktopBridge, type DroppedFile, type SaveStreamRequest, type SaveStreamResult } from '../app/api/desktop';
import type { MethodName, ParamsOf, ResultOf, ServiceEvent, WirelensService } from '../app/api/types';
import { decodeWire, unwrapResponse } from '../app/api/wire';

/**
 * The renderer's one way to reach the service: Electron IPC through the preload, or the local web
 * bridge (fetch for requests, Server-Sent Events for events, the token from the page URL).
 */
export interface Transport extends WirelensService {
  readonly kind: 'desktop' | 'web';
  /** Desktop only: the native Open dialog. */
  openDialog?(): Promise<void>;
  /** Desktop only: the file-system path of a dropped file. */
  pathForFile?(file: DroppedFile): string;
  /** Desktop only: one side of a stream saved through the Save dialog (the browser downloads it instead). */
  saveStream?(request: SaveStreamRequest): Promise<SaveStreamResult>;
  onShellCommand(listener: (command: ShellCommand) => void): () => void;
}

export function connect(): Transport {
  const desktop = (window as unknown as Record<string, DesktopBridge | undefined>)[DESKTOP_BRIDGE_KEY];
  return desktop ? desktopTransport(desktop) : webTransport();
}

function desktopTransport(bridge: DesktopBridge): Transport {
  return {
    kind: 'desktop',
    async call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
      return unwrapResponse(await bridge.call(method, params));
    },
    subscribe: (listener) => bridge.onEvent(listener),
    openDialog: () => bridge.openDialog(),
    pathForFile: (file) => bridge.pathForFile(file),
    saveStream: async (request) => unwrapResponse(await bridge.saveStream(request)),
    onShellCommand: (listener) => bridge.onShellCommand(listener),
  };
}

const TOKEN_HEADER = 'X-Wirelens-Token';

function webTransport(): Transport {
  const url = new URL(window.location.href);
  // The token arrives in the URL once; the bridge also set a cookie, so a reload works without it.
  const token = url.searchParams.get('token') ?? '';
  if (url.searchParams.has('token')) {
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url.pathname + url.search + url.hash);
  }
  const listeners = new Set<(event: ServiceEvent) => void>();
  let source: EventSource | null = null;
  const openEvents = () => {
    source = new EventSource(`api/events${token ? `?token=${encodeURIComponent(token)}` : ''}`);
    source.onmessage = (message: MessageEvent<string>) => {
      const event = decodeWire(message.data) as ServiceEvent;
      for (const listener of listeners) listener(event);
    };
  };
  return {
    kind: 'web',
    async call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
      const headers: Record<string, string> = { 'Content-Type': 'application/json' };
      if (token) headers[TOKEN_HEADER] = token;
      const response = await fetch('api/call', { method: 'POST', headers, body: JSON.stringify({ method, params }), credentials: 'same-origin' });
      if (response.status === 401) throw new Error('The bridge refused the request: open the exact URL `wirelens serve` printed (it contains the access token).');
      if (!response.ok) throw new Error(`The bridge answered ${response.status} ${response.statusText}.`);
      return unwrapResponse(decodeWire(await response.text())) as ResultOf<M>;
    },
    subscribe(listener) {
      listeners.add(listener);
      if (!source) openEvents();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && source) {
          source.close();
          source = null;
        }
      };
    },
    onShellCommand: () => () => undefined,
  };
}
