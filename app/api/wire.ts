import { ServiceError, type ServiceErrorCode } from './types';

/*
 * The text encoding of service values for transports that carry JSON (the web bridge). Structured-clone
 * transports (Electron IPC, worker messages) carry the values as they are. JSON has no bytes and no NaN:
 * a typed array travels as {"$typed": "Float64Array", "base64": "<its bytes>"} (so the NaN in a column
 * survives), and a number JSON cannot write (NaN, +-Infinity) as {"$number": "NaN"}. No other value of
 * the contract uses those keys. Typed arrays' bytes are in the platform's order: both ends run on the
 * same machine (the bridge serves the local browser).
 */

const TYPED_KEY = '$typed';
const NUMBER_KEY = '$number';

type TypedArrayKind = 'Float64Array' | 'Uint32Array' | 'Uint16Array' | 'Uint8Array';
type WireTypedArray = Float64Array | Uint32Array | Uint16Array | Uint8Array;

const TYPED_ARRAYS: Record<TypedArrayKind, { BYTES_PER_ELEMENT: number; new (buffer: ArrayBuffer, offset: number, length: number): WireTypedArray }> = {
  Float64Array,
  Uint32Array,
  Uint16Array,
  Uint8Array,
};

/** The kind of a typed array the contract carries (instanceof: a Node Buffer is a Uint8Array too). */
function typedKind(v: unknown): TypedArrayKind | null {
  if (v instanceof Uint8Array) return 'Uint8Array';
  if (v instanceof Float64Array) return 'Float64Array';
  if (v instanceof Uint32Array) return 'Uint32Array';
  if (v instanceof Uint16Array) return 'Uint16Array';
  return null;
}

export function encodeWire(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'number') return Number.isFinite(v) ? v : { [NUMBER_KEY]: String(v) };
    const kind = typedKind(v);
    if (kind === null) return v;
    const array = v as WireTypedArray;
    return { [TYPED_KEY]: kind, base64: toBase64(new Uint8Array(array.buffer, array.byteOffset, array.byteLength)) };
  });
}

export function decodeWire(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).length;
    if (keys === 1 && (o[NUMBER_KEY] === 'NaN' || o[NUMBER_KEY] === 'Infinity' || o[NUMBER_KEY] === '-Infinity')) return Number(o[NUMBER_KEY]);
    const kind = o[TYPED_KEY];
    if (keys === 2 && typeof kind === 'string' && Object.prototype.hasOwnProperty.call(TYPED_ARRAYS, kind) && typeof o.base64 === 'string') {
      return typedArray(kind as TypedArrayKind, fromBase64(o.base64));
    }
    return v;
  });
}

function typedArray(kind: TypedArrayKind, bytes: Uint8Array): WireTypedArray {
  const Kind = TYPED_ARRAYS[kind];
  if (bytes.length % Kind.BYTES_PER_ELEMENT !== 0) throw new ServiceError('internal', `The service sent a ${kind} of ${bytes.length} bytes.`);
  // fromBase64's result starts at offset 0 of its own buffer, so every element is aligned.
  return new Kind(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.length / Kind.BYTES_PER_ELEMENT);
}

/** A response as it crosses a transport: the result, or the error the client rethrows. */
export type WireResponseOf<T> = { ok: true; result: T } | { ok: false; error: { code: ServiceErrorCode; message: string } };
export type WireResponse = WireResponseOf<unknown>;

export function errorResponse(error: unknown): WireResponseOf<never> {
  if (error instanceof ServiceError) return { ok: false, error: { code: error.code, message: error.message } };
  const message = error instanceof Error ? error.message : String(error);
  return { ok: false, error: { code: 'internal', message: `Internal error: ${message}` } };
}

/** The client side: the result, or a ServiceError with the server's code and message. */
export function unwrapResponse<T>(response: WireResponseOf<T>): T;
export function unwrapResponse(response: unknown): unknown;
export function unwrapResponse(response: unknown): unknown {
  if (response === null || typeof response !== 'object') throw new ServiceError('internal', 'The service sent a malformed response.');
  const r = response as { ok?: unknown; result?: unknown; error?: { code?: unknown; message?: unknown } };
  if (r.ok === true) return r.result;
  const code = typeof r.error?.code === 'string' ? (r.error.code as ServiceErrorCode) : 'internal';
  const message = typeof r.error?.message === 'string' ? r.error.message : 'The service failed without a message.';
  throw new ServiceError(code, message);
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

/** RFC 4648 section 4 base64 with padding. */
export function toBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  let chunk = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    chunk += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + ALPHABET[(n >> 6) & 63] + ALPHABET[n & 63];
    // Joining bounded pieces keeps string building linear for large buffers.
    if (chunk.length >= 8192) {
      parts.push(chunk);
      chunk = '';
    }
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    chunk += `${ALPHABET[n >> 18]}${ALPHABET[(n >> 12) & 63]}==`;
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    chunk += `${ALPHABET[n >> 18]}${ALPHABET[(n >> 12) & 63]}${ALPHABET[(n >> 6) & 63]}=`;
  }
  parts.push(chunk);
  return parts.join('');
}

export function fromBase64(text: string): Uint8Array {
  const clean = text.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let value = 0;
  let at = 0;
  for (let i = 0; i < clean.length; i++) {
    const code = clean.charCodeAt(i);
    const digit = code < 128 ? DECODE[code] : -1;
    if (digit < 0) throw new ServiceError('internal', 'The service sent malformed base64.');
    value = (value << 6) | digit;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[at++] = (value >> bits) & 0xff;
    }
  }
  return out.subarray(0, at);
}
