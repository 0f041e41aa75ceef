import type { ShellCommand } from './channels';
import type { MethodName, ParamsOf, ServiceEvent } from './types';

/** A file dropped on the window (a DOM File satisfies this). */
export interface DroppedFile {
  readonly name: string;
}

/**
 * What the Electron preload exposes to the renderer as `window.wirelens` (contextBridge). Results come
 * back as the contract's values; errors as { ok: false } wire responses that the renderer unwraps.
 */
export interface DesktopBridge {
  call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<unknown>;
  onEvent(listener: (event: ServiceEvent) => void): () => void;
  onShellCommand(listener: (command: ShellCommand) => void): () => void;
  /** Shows the native Open dialog; the capture chosen arrives as a 'capture.opened' event. */
  openDialog(): Promise<void>;
  /** The path of a dropped file (Electron's webUtils.getPathForFile); '' when it has none. */
  pathForFile(file: DroppedFile): string;
}

/** The name under which the preload exposes the bridge on window. */
export const DESKTOP_BRIDGE_KEY = 'wirelens';
