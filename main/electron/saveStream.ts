import type { SaveStreamRequest, SaveStreamResult } from '../../app/api/desktop';
import { streamBytes } from '../../app/api/follow';
import { ServiceError, type WirelensService } from '../../app/api/types';

export interface SaveStreamIo {
  /** Shows the Save dialog with a suggested file name; the chosen path, or null when cancelled. */
  choosePath(suggestedName: string): Promise<string | null>;
  writeFile(path: string, bytes: Uint8Array): Promise<void>;
}

/**
 * Writes one side of a TCP stream to a file the user picks: the bytes that side sent, in stream order,
 * without the gaps (bytes the capture lacks have no content; `wirelens follow --raw` leaves them out the
 * same way). The bytes come from the service, never from the renderer, so the page can only choose
 * which stream is saved, not what is written.
 */
export async function saveStreamSide(service: WirelensService, request: SaveStreamRequest, captureName: string, io: SaveStreamIo): Promise<SaveStreamResult> {
  const base = captureName.replace(/\.(pcapng|pcap|cap)$/i, '') || 'capture';
  const path = await io.choosePath(`${base}-stream${request.stream}-${request.side}.bin`);
  if (path === null) return { path: null };
  const follow = await service.call('tcp.follow', { id: request.id, stream: request.stream, dir: request.side });
  const totals = request.side === 'client' ? follow.clientTotals : follow.serverTotals;
  const bytes = streamBytes(follow.pieces);
  try {
    await io.writeFile(path, bytes);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ENOSPC' ? 'the disk is full' : (error as Error).message;
    throw new ServiceError('unwritable', `Cannot save ${path}: ${reason}.`);
  }
  return { path, bytes: bytes.length, missingBytes: totals.missingBytes, complete: follow.complete };
}
