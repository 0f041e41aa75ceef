import type { FollowPiece } from '../app/api/types';
import { gapText, hexChunkText } from '../app/tcp/followFormat';

/*
 * The text of a followed stream's pieces in the three ways Wireshark's Follow TCP Stream window shows
 * them. Hex dumps and gaps use the formatter of `wirelens follow` (app/tcp/followFormat.ts), so the
 * window and the command line print the same lines.
 */

export type FollowMode = 'ascii' | 'hex' | 'raw';

/** Bytes beyond which the window stops drawing pieces (the browser would crawl); saving gives all of them. */
export const MAX_SHOWN_BYTES = 1024 * 1024;

/** Printable ASCII and line breaks as they are, CR dropped before LF, anything else as '.'. */
export function asciiText(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (byte === 0x0d && bytes[i + 1] === 0x0a) continue;
    text += byte === 0x0a || byte === 0x09 || (byte >= 0x20 && byte < 0x7f) ? String.fromCharCode(byte) : '.';
  }
  return text;
}

/** Continuous lower-case hex, one line per piece (Wireshark's "Raw", tshark's follow,tcp,raw). */
export function rawText(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += byte.toString(16).padStart(2, '0');
  return text;
}

export function pieceText(piece: FollowPiece, mode: FollowMode): string {
  if (piece.bytes === null) return mode === 'hex' ? hexChunkText({ ...piece, direction: 0 }, false).trimEnd() : gapText(piece.length);
  if (mode === 'ascii') return asciiText(piece.bytes);
  if (mode === 'raw') return rawText(piece.bytes);
  return hexChunkText({ ...piece, direction: 0 }, false).trimEnd();
}

/** The pieces the window draws: from the start, up to MAX_SHOWN_BYTES of stream bytes. */
export function shownPieces(pieces: readonly FollowPiece[]): { shown: readonly FollowPiece[]; hiddenBytes: number } {
  let bytes = 0;
  let at = 0;
  while (at < pieces.length && (bytes < MAX_SHOWN_BYTES || at === 0)) {
    if (pieces[at].bytes) bytes += pieces[at].length;
    at++;
  }
  let hiddenBytes = 0;
  for (let i = at; i < pieces.length; i++) if (pieces[i].bytes) hiddenBytes += pieces[i].length;
  return { shown: pieces.slice(0, at), hiddenBytes };
}
