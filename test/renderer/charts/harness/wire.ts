/*
 * Typed arrays through JSON for the component test page: each becomes {"$typed": name, "base64": bytes}
 * (NaN survives, unlike in a JSON number array).
 */

type TypedArray = Float64Array | Uint32Array | Uint16Array | Uint8Array | Int32Array;
const KINDS: Record<string, new (buffer: ArrayBuffer) => TypedArray> = { Float64Array, Uint32Array, Uint16Array, Uint8Array, Int32Array };

export function encodeTyped(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (!ArrayBuffer.isView(v)) return v;
    const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return { $typed: v.constructor.name, base64: btoa(binary) };
  });
}

export function decodeTyped<T>(text: string): T {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || !('$typed' in v)) return v;
    const { $typed, base64 } = v as { $typed: string; base64: string };
    const binary = atob(base64);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return new KINDS[$typed](bytes.buffer);
  }) as T;
}
