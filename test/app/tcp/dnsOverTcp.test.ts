import { describe, expect, it } from 'vitest';
import { DnsTcpFramer } from '../../../app/tcp/dnsOverTcp';
import type { StreamChunk } from '../../../app/tcp/reassembly';

const chunk = (bytes: number[] | null, length = bytes?.length ?? 0): StreamChunk => ({ frame: 1, offset: 0, bytes: bytes ? Uint8Array.from(bytes) : null, length });
const prefixed = (body: number[]) => [body.length >> 8, body.length & 0xff, ...body];

describe('DNS over TCP framing (RFC 7766 section 8)', () => {
  it('a message split anywhere, even inside the length prefix, comes out whole', () => {
    const framer = new DnsTcpFramer();
    const message = prefixed([1, 2, 3, 4, 5]);
    expect(framer.push(chunk(message.slice(0, 1)))).toEqual([]);
    expect(framer.push(chunk(message.slice(1, 4)))).toEqual([]);
    expect(framer.push(chunk(message.slice(4)))).toEqual([{ bytes: Uint8Array.from(message), wholeInAlignedChunk: false }]);
  });

  it('a chunk starting mid-message: the messages after the completed one are not aligned either', () => {
    const framer = new DnsTcpFramer();
    framer.push(chunk([0, 2, 1]));
    const c = prefixed([5]);
    expect(framer.push(chunk([2, ...c]))).toEqual([
      { bytes: Uint8Array.from([0, 2, 1, 2]), wholeInAlignedChunk: false },
      { bytes: Uint8Array.from(c), wholeInAlignedChunk: false },
    ]);
  });

  it('two messages in one chunk', () => {
    const framer = new DnsTcpFramer();
    const a = prefixed([9]);
    const b = prefixed([7, 7]);
    expect(framer.push(chunk([...a, ...b]))).toEqual([
      { bytes: Uint8Array.from(a), wholeInAlignedChunk: true },
      { bytes: Uint8Array.from(b), wholeInAlignedChunk: true },
    ]);
  });

  it('a gap inside a message loses the boundaries; a gap between messages does not', () => {
    const lost = new DnsTcpFramer();
    lost.push(chunk([0, 5, 1]));
    lost.push(chunk(null, 2));
    expect(lost.push(chunk(prefixed([1])))).toEqual([]);
    const kept = new DnsTcpFramer();
    kept.push(chunk(null, 10));
    expect(kept.push(chunk(prefixed([1])))).toEqual([{ bytes: Uint8Array.from(prefixed([1])), wholeInAlignedChunk: true }]);
  });
});
