import { describe, expect, it } from 'vitest';
import { ServiceError } from '../../../app/api/types';
import { decodeWire, encodeWire, errorResponse, fromBase64, toBase64, unwrapResponse } from '../../../app/api/wire';

describe('wire encoding', () => {
  it('encodes base64 as RFC 4648 section 10 test vectors', () => {
    const vectors: [string, string][] = [['', ''], ['f', 'Zg=='], ['fo', 'Zm8='], ['foo', 'Zm9v'], ['foob', 'Zm9vYg=='], ['fooba', 'Zm9vYmE='], ['foobar', 'Zm9vYmFy']];
    for (const [text, encoded] of vectors) {
      const bytes = new TextEncoder().encode(text);
      expect(toBase64(bytes)).toBe(encoded);
      expect(fromBase64(encoded)).toEqual(bytes);
    }
  });

  it('round-trips every byte value and large buffers', () => {
    const bytes = new Uint8Array(70_000).map((_, i) => (i * 7919) & 0xff);
    expect(fromBase64(toBase64(bytes))).toEqual(bytes);
  });

  it('refuses malformed base64', () => {
    expect(() => fromBase64('Zm9v!')).toThrow(ServiceError);
  });

  it('carries Uint8Array inside JSON and leaves look-alike objects alone', () => {
    const value = { sources: [{ name: 'Frame', bytes: Uint8Array.of(0, 1, 254, 255) }], note: { $typed: 'Uint8Array', base64: 'AA==', other: 1 } };
    const back = decodeWire(encodeWire(value)) as typeof value;
    expect(back.sources[0].bytes).toBeInstanceOf(Uint8Array);
    expect(back.sources[0].bytes).toEqual(Uint8Array.of(0, 1, 254, 255));
    expect(back.note).toEqual({ $typed: 'Uint8Array', base64: 'AA==', other: 1 });
  });

  it('carries the chart columns (typed arrays with NaN, views into larger buffers) and non-finite numbers', () => {
    const shared = new Float64Array([9, 1.5, NaN, -0, 2 ** 53, 9]);
    const value = {
      time: shared.subarray(1, 5),
      frame: Uint32Array.of(1, 0xffffffff, 7),
      flags: Uint16Array.of(0x012, 0xffff),
      state: Uint8Array.of(),
      duration: NaN,
      limits: [Infinity, -Infinity, 3],
      lookAlike: { $number: 'NaN', other: 1 },
      unknownKind: { $typed: 'BigInt64Array', base64: 'AAAAAAAAAAA=' },
    };
    const text = encodeWire(value);
    expect(text).not.toContain('null');
    const back = decodeWire(text) as typeof value;
    expect(back.time).toBeInstanceOf(Float64Array);
    expect(Array.from(back.time)).toEqual([1.5, NaN, -0, 2 ** 53]);
    expect(Object.is(back.time[2], -0)).toBe(true);
    expect(back.frame).toBeInstanceOf(Uint32Array);
    expect(Array.from(back.frame)).toEqual([1, 0xffffffff, 7]);
    expect(back.flags).toBeInstanceOf(Uint16Array);
    expect(Array.from(back.flags)).toEqual([0x012, 0xffff]);
    expect(back.state).toBeInstanceOf(Uint8Array);
    expect(back.state.length).toBe(0);
    expect(back.duration).toBeNaN();
    expect(back.limits).toEqual([Infinity, -Infinity, 3]);
    expect(back.lookAlike).toEqual({ $number: 'NaN', other: 1 });
    expect(back.unknownKind).toEqual({ $typed: 'BigInt64Array', base64: 'AAAAAAAAAAA=' });
  });

  it('refuses a typed array whose bytes do not fill whole elements', () => {
    expect(() => decodeWire('{"$typed":"Float64Array","base64":"AAAA"}')).toThrow(/Float64Array of 3 bytes/);
  });

  it('turns errors into responses and back into ServiceErrors', () => {
    expect(errorResponse(new ServiceError('not-found', 'No open capture c2.'))).toEqual({ ok: false, error: { code: 'not-found', message: 'No open capture c2.' } });
    expect(errorResponse(new Error('boom'))).toEqual({ ok: false, error: { code: 'internal', message: 'Internal error: boom' } });
    expect(unwrapResponse({ ok: true, result: 3 })).toBe(3);
    const error = (() => {
      try {
        unwrapResponse({ ok: false, error: { code: 'unreadable', message: 'Cannot open x.' } });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ServiceError);
    expect(error).toMatchObject({ code: 'unreadable', message: 'Cannot open x.' });
    expect(() => unwrapResponse('nonsense')).toThrow(/malformed response/);
  });
});
