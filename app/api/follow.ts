import type { FollowPiece } from './types';

/**
 * One side's bytes of a followed stream in stream order, the gaps left out (they have no content), as a
 * saved file holds them and as `wirelens follow --raw` writes them.
 */
export function streamBytes(pieces: readonly FollowPiece[]): Uint8Array {
  let size = 0;
  for (const piece of pieces) if (piece.bytes) size += piece.bytes.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const piece of pieces) {
    if (!piece.bytes) continue;
    out.set(piece.bytes, at);
    at += piece.bytes.length;
  }
  return out;
}
