import { describe, expect, it } from 'vitest';
import type { FollowPiece } from '../../app/api/types';
import { streamBytes } from '../../app/api/follow';
import { MAX_SHOWN_BYTES, asciiText, pieceText, rawText, shownPieces } from '../../renderer/followText';

const bytes = (text: string) => new TextEncoder().encode(text);

// 'GET / HTTP/1.1\r\n' then the bytes 00 7f 80 ff and a tab.
const REQUEST: FollowPiece = { side: 'client', frame: 4, offset: 0, bytes: Uint8Array.from([...bytes('GET / HTTP/1.1\r\n'), 0x00, 0x7f, 0x80, 0xff, 0x09]), length: 21 };
const GAP: FollowPiece = { side: 'client', frame: 9, offset: 21, bytes: null, length: 1448 };

describe('follow window text', () => {
  it('shows printable ASCII and line breaks, CR before LF dropped, anything else as a dot', () => {
    expect(asciiText(REQUEST.bytes!)).toBe('GET / HTTP/1.1\n....\t');
    expect(asciiText(bytes('a\rb'))).toBe('a.b');
  });

  it('writes raw pieces as continuous lower-case hex', () => {
    expect(rawText(Uint8Array.from([0x00, 0x0a, 0xab, 0xff]))).toBe('000aabff');
    expect(pieceText(REQUEST, 'raw')).toBe('474554202f20485454502f312e310d0a007f80ff09');
  });

  it('writes hex dumps in the layout of `wirelens follow --hex`, offsets within the side\'s stream', () => {
    expect(pieceText(REQUEST, 'hex').split('\n')).toEqual([
      '00000000  47 45 54 20 2f 20 48 54  54 50 2f 31 2e 31 0d 0a  GET / HT TP/1.1..',
      '00000010  00 7f 80 ff 09                                    .....',
    ]);
  });

  it('marks a gap by its size in every mode, at its stream offset in the hex dump', () => {
    expect(pieceText(GAP, 'ascii')).toBe('[1448 bytes missing]');
    expect(pieceText(GAP, 'raw')).toBe('[1448 bytes missing]');
    expect(pieceText(GAP, 'hex')).toBe('00000015  [1448 bytes missing]');
  });

  it('draws pieces up to the byte limit and counts the bytes left undrawn', () => {
    const big: FollowPiece = { side: 'server', frame: 1, offset: 0, bytes: new Uint8Array(MAX_SHOWN_BYTES - 10), length: MAX_SHOWN_BYTES - 10 };
    const next: FollowPiece = { side: 'server', frame: 2, offset: MAX_SHOWN_BYTES - 10, bytes: new Uint8Array(100), length: 100 };
    const last: FollowPiece = { side: 'server', frame: 3, offset: MAX_SHOWN_BYTES + 90, bytes: new Uint8Array(7), length: 7 };
    const { shown, hiddenBytes } = shownPieces([big, next, GAP, last]);
    expect(shown).toEqual([big, next]);
    expect(hiddenBytes).toBe(7);
    // A single piece larger than the limit is still drawn.
    expect(shownPieces([{ ...big, bytes: new Uint8Array(MAX_SHOWN_BYTES * 2), length: MAX_SHOWN_BYTES * 2 }]).shown).toHaveLength(1);
  });

  it('saves a side as its bytes in order with the gaps left out', () => {
    const tail: FollowPiece = { side: 'client', frame: 10, offset: 1469, bytes: bytes('end'), length: 3 };
    expect(streamBytes([REQUEST, GAP, tail])).toEqual(Uint8Array.from([...REQUEST.bytes!, ...bytes('end')]));
    expect(streamBytes([])).toEqual(new Uint8Array(0));
  });
});
