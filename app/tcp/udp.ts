import type { FrameMeta } from '../decode/dissection';
import { conversationKey, countPacket, newSummary, type ConversationSummary, type Endpoint } from './conversation';

/*
 * UDP conversations: udp.stream numbers the address/port pairs in order of first appearance, both
 * directions together and never reused (Wireshark's find_or_create_conversation in packet-udp.c).
 * Like TCP's, live summaries are bounded; an evicted pair keeps only its number.
 */
export class UdpConversations {
  private readonly live = new Map<string, { summary: ConversationSummary; aKey: string }>();
  /** Stream number and endpoints of evicted pairs. */
  private readonly tombstones = new Map<string, { stream: number; a: Endpoint; b: Endpoint; aKey: string }>();
  private nextStream = 0;

  constructor(
    private readonly maxLive: number,
    private readonly onConversationEnd?: (summary: ConversationSummary) => void,
  ) {}

  get liveCount(): number {
    return this.live.size;
  }

  get streamCount(): number {
    return this.nextStream;
  }

  /** Counts one datagram; returns its udp.stream. */
  observe(src: string, srcPort: number, dst: string, dstPort: number, frame: FrameMeta, payloadBytes: number): number {
    const key = conversationKey(src, srcPort, dst, dstPort);
    const srcKey = `${src} ${srcPort}`;
    let entry = this.live.get(key);
    if (entry) {
      this.live.delete(key);
    } else {
      const tomb = this.tombstones.get(key);
      const stream = tomb ? tomb.stream : this.nextStream++;
      const summary = tomb
        ? newSummary('udp', stream, tomb.a, tomb.b, frame.tsSeconds, frame.tsNanos)
        : newSummary('udp', stream, { address: src, port: srcPort }, { address: dst, port: dstPort }, frame.tsSeconds, frame.tsNanos);
      summary.continued = tomb !== undefined;
      entry = { summary, aKey: tomb ? tomb.aKey : srcKey };
      if (tomb) this.tombstones.delete(key);
    }
    this.live.set(key, entry);
    countPacket(entry.summary, srcKey === entry.aKey ? 0 : 1, frame.tsSeconds, frame.tsNanos, frame.originalLength, payloadBytes);
    while (this.live.size > this.maxLive) {
      const [oldKey, oldest] = this.live.entries().next().value as [string, { summary: ConversationSummary; aKey: string }];
      this.live.delete(oldKey);
      this.onConversationEnd?.({ ...oldest.summary });
      this.tombstones.set(oldKey, { stream: oldest.summary.stream, a: oldest.summary.a, b: oldest.summary.b, aKey: oldest.aKey });
    }
    return entry.summary.stream;
  }

  finish(): void {
    for (const entry of this.live.values()) this.onConversationEnd?.({ ...entry.summary });
    this.live.clear();
  }
}
