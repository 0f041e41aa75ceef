import type { MethodName } from './types';
import { METHOD_NAMES } from './validate';

/*
 * Electron IPC channel names. The preload exposes exactly these (an allowlist); every name carries the
 * 'wirelens:' prefix so no Electron-internal or third-party channel can be reached through the bridge.
 */

export const CHANNEL_PREFIX = 'wirelens:';

/** One invoke channel per service method: 'wirelens:frames.page'. */
export function requestChannel(method: MethodName): string {
  return `${CHANNEL_PREFIX}${method}`;
}

export const REQUEST_CHANNELS: readonly string[] = METHOD_NAMES.map(requestChannel);

/** Service events (ServiceEvent), main -> renderer. */
export const EVENT_CHANNEL = `${CHANNEL_PREFIX}event`;

/** Commands of the desktop shell (menus, shortcuts), main -> renderer. */
export const SHELL_COMMAND_CHANNEL = `${CHANNEL_PREFIX}shell-command`;

/** Renderer -> main: show the native Open dialog (a request without parameters). */
export const OPEN_DIALOG_CHANNEL = `${CHANNEL_PREFIX}open-dialog`;

/** Renderer -> main: save one side of a TCP stream through the native Save dialog (SaveStreamRequest). */
export const SAVE_STREAM_CHANNEL = `${CHANNEL_PREFIX}save-stream`;

/** Menu commands the renderer carries out itself. */
export type ShellCommand =
  | 'find'
  | 'find-next'
  | 'find-previous'
  | 'go-to-first'
  | 'go-to-last'
  | 'show-packets'
  | 'show-conversations'
  | 'show-dns'
  | 'follow-tcp-stream'
  /** Start a live capture (the Capture dialog), or stop the running one. */
  | 'toggle-capture';

export const SHELL_COMMANDS: readonly ShellCommand[] = [
  'find',
  'find-next',
  'find-previous',
  'go-to-first',
  'go-to-last',
  'show-packets',
  'show-conversations',
  'show-dns',
  'follow-tcp-stream',
  'toggle-capture',
];
