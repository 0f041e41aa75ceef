import type { SaveStreamRequest } from './desktop';
import { ServiceError, type FollowDirection, type LiveStartRequest, type LiveStopConditions, type MethodName, type ParamsOf, type ServiceMethods, type StreamSide } from './types';

/*
 * Every transport receives requests from outside the engine (a renderer, a browser); nothing in them is
 * trusted. These checks run before any handler: a method that is not in the contract, a missing or
 * mistyped parameter, or a number out of range is refused with a 'bad-request' ServiceError.
 */

/** The largest page a client may ask for; pages are the unit in which rows cross a transport. */
export const MAX_PAGE_ROWS = 5000;
/** Paths longer than this are not real files on any platform we run on. */
const MAX_PATH_LENGTH = 4096;
const MAX_FIND_TEXT = 1000;
/** tcp.stream numbers are counted in 32 bits by Wireshark; more streams than this do not fit in a file. */
const MAX_STREAM = 0x7fffffff;
const FOLLOW_DIRECTIONS: readonly FollowDirection[] = ['client', 'server', 'both'];
const STREAM_SIDES: readonly StreamSide[] = ['client', 'server'];
const SAVE_FORMATS: readonly ('pcap' | 'pcapng')[] = ['pcap', 'pcapng'];
/** dumpcap's largest snapshot length (WTAP_MAX_PACKET_SIZE_STANDARD). */
const MAX_SNAPLEN = 262144;
const MAX_FILTER_LENGTH = 4096;
/** A week: longer timed captures are mistakes (a ring buffer and a manual stop serve long captures). */
const MAX_STOP_SECONDS = 7 * 24 * 3600;
const MAX_STOP_MEGABYTES = 1e7;

type Validators = { [M in MethodName]: (params: Record<string, unknown>) => ParamsOf<M> };

const VALIDATORS: Validators = {
  'capture.open': (p) => ({ path: path(p, 'path') }),
  'capture.close': (p) => ({ id: captureId(p) }),
  'capture.list': () => ({}),
  'capture.status': (p) => ({ id: captureId(p) }),
  'frames.page': (p) => ({
    id: captureId(p),
    from: integer(p, 'from', 1),
    count: integer(p, 'count', 0, MAX_PAGE_ROWS),
    ...(p.filter === undefined ? {} : { filter: string(p, 'filter', MAX_FILTER_LENGTH) }),
  }),
  'frames.filter': (p) => ({ id: captureId(p), filter: string(p, 'filter', MAX_FILTER_LENGTH) }),
  'filter.check': (p) => ({ text: string(p, 'text', MAX_FILTER_LENGTH) }),
  'filter.suggest': (p) => {
    const text = string(p, 'text', MAX_FILTER_LENGTH);
    return { text, cursor: integer(p, 'cursor', 0, text.length) };
  },
  'frames.find': (p) => ({
    id: captureId(p),
    text: string(p, 'text', MAX_FIND_TEXT),
    from: integer(p, 'from', 1),
    backwards: boolean(p, 'backwards'),
  }),
  'frame.detail': (p) => ({ id: captureId(p), number: integer(p, 'number', 1) }),
  'flows.list': (p) => ({ id: captureId(p) }),
  'dns.transactions': (p) => ({ id: captureId(p) }),
  'tcp.follow': (p) => ({ id: captureId(p), stream: integer(p, 'stream', 0, MAX_STREAM), dir: oneOf(p, 'dir', FOLLOW_DIRECTIONS) }),
  'tcp.analysis': (p) => ({ id: captureId(p), stream: integer(p, 'stream', 0, MAX_STREAM) }),
  'tcp.diagram': (p) => ({ id: captureId(p), stream: integer(p, 'stream', 0, MAX_STREAM) }),
  'tcp.streamSeries': (p) => ({ id: captureId(p), stream: integer(p, 'stream', 0, MAX_STREAM) }),
  'live.interfaces': () => ({}),
  'live.checkFilter': (p) => ({ iface: interfaceName(p), filter: captureFilter(p) }),
  'live.start': (p) => ({ iface: interfaceName(p), filter: captureFilter(p), snaplen: integer(p, 'snaplen', 1, MAX_SNAPLEN), stop: stopConditions(p), ring: ring(p) }),
  'live.stop': (p) => ({ id: captureId(p) }),
  'live.save': (p) => ({ id: captureId(p), path: path(p, 'path'), format: oneOf(p, 'format', SAVE_FORMATS) }),
  'live.recoverable': () => ({}),
  'live.recover': (p) => ({ key: recoverableKey(p) }),
  'live.discardRecovered': (p) => ({ key: recoverableKey(p) }),
};

export const METHOD_NAMES: readonly MethodName[] = Object.keys(VALIDATORS) as MethodName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(VALIDATORS, name);
}

/** Checks a request from outside; returns the parameters typed for the method or throws ServiceError('bad-request'). */
export function validateRequest<M extends MethodName>(method: M, params: unknown): ServiceMethods[M]['params'];
export function validateRequest(method: unknown, params: unknown): ParamsOf<MethodName>;
export function validateRequest(method: unknown, params: unknown): ParamsOf<MethodName> {
  if (!isMethodName(method)) throw new ServiceError('bad-request', `Unknown request '${String(method).slice(0, 100)}'.`);
  const fields = params ?? {};
  if (typeof fields !== 'object' || Array.isArray(fields)) throw new ServiceError('bad-request', `${method}: parameters must be an object.`);
  return VALIDATORS[method](fields as Record<string, unknown>);
}

/** What the desktop shell's "save one side of a stream" request must hold (app/api/desktop.ts). */
export function validateSaveStream(request: unknown): SaveStreamRequest {
  if (request === null || typeof request !== 'object' || Array.isArray(request)) throw new ServiceError('bad-request', 'save-stream: the request must be an object.');
  const p = request as Record<string, unknown>;
  return { id: captureId(p), stream: integer(p, 'stream', 0, MAX_STREAM), side: oneOf(p, 'side', STREAM_SIDES) };
}

function captureId(p: Record<string, unknown>): string {
  const id = p.id;
  if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw bad('id', 'a capture id');
  return id;
}

function interfaceName(p: Record<string, unknown>): string {
  const value = p.iface;
  // Any name the helper lists, but never one that could read as an option or hold control characters.
  if (typeof value !== 'string' || value.length === 0 || value.length > 1024 || value.startsWith('-') || /[\u0000-\u001f]/.test(value)) {
    throw bad('iface', 'an interface name');
  }
  return value;
}

function captureFilter(p: Record<string, unknown>): string {
  const value = string(p, 'filter', MAX_FILTER_LENGTH);
  if (/[\u0000-\u001f]/.test(value)) throw bad('filter', 'one line of text');
  return value;
}

function stopConditions(p: Record<string, unknown>): LiveStopConditions {
  const stop = p.stop ?? {};
  if (stop === null || typeof stop !== 'object' || Array.isArray(stop)) throw bad('stop', 'an object');
  const s = stop as Record<string, unknown>;
  const conditions: LiveStopConditions = {};
  if (s.packets !== undefined) conditions.packets = integer(s, 'packets', 1, 2 ** 31 - 1);
  if (s.seconds !== undefined) conditions.seconds = positive(s, 'seconds', MAX_STOP_SECONDS);
  if (s.megabytes !== undefined) conditions.megabytes = positive(s, 'megabytes', MAX_STOP_MEGABYTES);
  return conditions;
}

function ring(p: Record<string, unknown>): LiveStartRequest['ring'] {
  const value = p.ring;
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) throw bad('ring', 'an object or null');
  const r = value as Record<string, unknown>;
  return { fileMegabytes: positive(r, 'fileMegabytes', MAX_STOP_MEGABYTES), files: integer(r, 'files', 2, 100_000) };
}

function recoverableKey(p: Record<string, unknown>): string {
  const key = p.key;
  // A directory name under the live directory: no separators, no dots, so never a path outside it.
  if (typeof key !== 'string' || !/^[A-Za-z0-9_-]{1,128}$/.test(key)) throw bad('key', 'a recoverable capture key');
  return key;
}

function positive(p: Record<string, unknown>, name: string, max: number): number {
  const value = p[name];
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > max) throw bad(name, `a number above 0 and at most ${max}`);
  return value;
}

function path(p: Record<string, unknown>, name: string): string {
  const value = p[name];
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_PATH_LENGTH) throw bad(name, 'a file path');
  // A NUL byte would silently cut the path short in the operating system's file calls.
  if (value.includes('\0')) throw bad(name, 'a file path without NUL characters');
  return value;
}

function string(p: Record<string, unknown>, name: string, maxLength: number): string {
  const value = p[name];
  if (typeof value !== 'string' || value.length > maxLength) throw bad(name, `a string of at most ${maxLength} characters`);
  return value;
}

function integer(p: Record<string, unknown>, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = p[name];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw bad(name, `an integer from ${min} to ${max}`);
  }
  return value;
}

function boolean(p: Record<string, unknown>, name: string): boolean {
  const value = p[name];
  if (typeof value !== 'boolean') throw bad(name, 'true or false');
  return value;
}

function oneOf<T extends string>(p: Record<string, unknown>, name: string, values: readonly T[]): T {
  const value = p[name];
  if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) throw bad(name, `one of ${values.join(', ')}`);
  return value as T;
}

function bad(name: string, expected: string): ServiceError {
  return new ServiceError('bad-request', `Parameter '${name}' must be ${expected}.`);
}
