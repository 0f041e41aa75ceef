import type { ShellCommand } from './channels';
import type { CaptureId, MethodName, ParamsOf, ResultOf, ServiceEvent, StreamSide } from './types';
import type { WireResponseOf } from './wire';

/** A file dropped on the window (a DOM File satisfies this). */
export interface DroppedFile {
  readonly name: string;
}

/** Save one side of a TCP stream to a file the user picks (the desktop's Save dialog). */
export interface SaveStreamRequest {
  id: CaptureId;
  stream: number;
  side: StreamSide;
}

/** Nothing was written when the user cancelled the dialog (path null). */
export type SaveStreamResult =
  | { path: null }
  | {
      /** Where the bytes were written. */
      path: string;
      bytes: number;
      /** Bytes the capture lacks (gaps), not in the file. */
      missingBytes: number;
      /** False when the stream was longer than the transfer limit and the file holds its beginning only. */
      complete: boolean;
    };

/**
 * What the Electron preload exposes to the renderer as `window.wirelens` (contextBridge). Answers are
 * wire responses ({ ok, result | error }) that the renderer unwraps, typed by method.
 */
export interface DesktopBridge {
  call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<WireResponseOf<ResultOf<M>>>;
  onEvent(listener: (event: ServiceEvent) => void): () => void;
  onShellCommand(listener: (command: ShellCommand) => void): () => void;
  /** Shows the native Open dialog; the capture chosen arrives as a 'capture.opened' event. */
  openDialog(): Promise<void>;
  /** Shows the native Save dialog and writes one side of a TCP stream's bytes (gaps left out) there. */
  saveStream(request: SaveStreamRequest): Promise<WireResponseOf<SaveStreamResult>>;
  /** The path of a dropped file (Electron's webUtils.getPathForFile); '' when it has none. */
  pathForFile(file: DroppedFile): string;
}

/** The name under which the preload exposes the bridge on window. */
export const DESKTOP_BRIDGE_KEY = 'wirelens';
