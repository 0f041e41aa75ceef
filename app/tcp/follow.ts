import { TcpFlag } from './analysis';
import { StreamReassembler, type ReassemblyLimits, type ReassemblyStats, type StreamChunk } from './reassembly';

/** A chunk of one direction of a conversation: direction 0 is sent by endpoint A (the first packet's source). */
export interface FollowChunk extends StreamChunk {
  direction: 0 | 1;
}

/**
 * Both directions of one conversation rebuilt as byte streams, chunks handed on in the order the capture
 * makes them available (what "follow TCP stream" shows, what DNS over TCP is parsed from).
 */
export class ConversationStreams {
  private readonly directions: [StreamReassembler, StreamReassembler];

  constructor(emit: (chunk: FollowChunk) => void, limits: ReassemblyLimits = {}) {
    this.directions = [
      new StreamReassembler((chunk) => emit({ ...chunk, direction: 0 }), limits),
      new StreamReassembler((chunk) => emit({ ...chunk, direction: 1 }), limits),
    ];
  }

  /**
   * One segment sent in `direction`: raw seq and ack, the announced payload length and the captured payload.
   * Its acknowledgment is applied first, as Wireshark's follow does: it may show that bytes of the other
   * direction reached the receiver without being captured.
   */
  observe(frame: number, direction: 0 | 1, flags: number, seq: number, ack: number, payloadLength: number, payload: Uint8Array): void {
    if (flags & TcpFlag.ack) this.directions[direction === 0 ? 1 : 0].acknowledge(frame, ack);
    // The SYN takes one sequence number before any data it carries (RFC 9293 section 3.4).
    const dataSeq = flags & TcpFlag.syn ? (seq + 1) >>> 0 : seq;
    this.directions[direction].segment(frame, dataSeq, payloadLength, payload);
  }

  /** No more segments: data still waiting behind a hole is delivered after a gap. */
  finish(frame: number): void {
    this.directions[0].finish(frame);
    this.directions[1].finish(frame);
  }

  stats(direction: 0 | 1): ReassemblyStats {
    return this.directions[direction].stats;
  }
}
