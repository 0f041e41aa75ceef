import type { StreamChunk } from './reassembly';

/** DNS over TCP: the well-known port (RFC 7766). */
export const DNS_TCP_PORT = 53;
const LENGTH_PREFIX = 2;

export interface FramedMessage {
  /** The message, its two-byte length prefix included. */
  bytes: Uint8Array;
  /**
   * It lies entirely in one chunk that began at a message boundary: decoding that segment's payload on its
   * own finds it (app/decode/tcp.ts hands such payloads to the DNS decoder directly).
   */
  wholeInAlignedChunk: boolean;
}

/**
 * Splits one direction of a DNS-over-TCP byte stream into messages: each is preceded by a two-byte length
 * (RFC 1035 section 4.2.2, RFC 7766 section 8). Messages come out whole, length prefix included, in the
 * chunk that completes them, whatever the segmentation. After a gap inside a message the boundaries are
 * lost and the direction is given up (a gap exactly between messages is harmless). Holds at most one
 * message (64 KiB + 2).
 */
export class DnsTcpFramer {
  /** Bytes of the message being assembled, prefix included. */
  private pending = new Uint8Array(0);
  private lost = false;

  /** Feeds one chunk; returns the messages it completes. */
  push(chunk: StreamChunk): FramedMessage[] {
    if (this.lost) return [];
    if (chunk.bytes === null) {
      if (this.pending.length > 0) this.lost = true;
      return [];
    }
    const messages: FramedMessage[] = [];
    let input = chunk.bytes;
    const aligned = this.pending.length === 0;
    // Whether the message being assembled began in this chunk.
    let startedHere = false;
    while (input.length > 0) {
      if (this.pending.length === 0) startedHere = true;
      const need = this.bytesNeeded();
      const take = Math.min(need, input.length);
      const grown = new Uint8Array(this.pending.length + take);
      grown.set(this.pending);
      grown.set(input.subarray(0, take), this.pending.length);
      this.pending = grown;
      input = input.subarray(take);
      if (this.pending.length >= LENGTH_PREFIX && this.pending.length === LENGTH_PREFIX + messageLength(this.pending)) {
        messages.push({ bytes: this.pending, wholeInAlignedChunk: aligned && startedHere });
        this.pending = new Uint8Array(0);
      }
    }
    return messages;
  }

  /** Bytes still missing before the current message (or its prefix) is complete. */
  private bytesNeeded(): number {
    if (this.pending.length < LENGTH_PREFIX) return LENGTH_PREFIX - this.pending.length;
    return LENGTH_PREFIX + messageLength(this.pending) - this.pending.length;
  }
}

function messageLength(prefixed: Uint8Array): number {
  return (prefixed[0] << 8) | prefixed[1];
}
