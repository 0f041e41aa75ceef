import type { FrameMeta } from '../decode/dissection';
import { countPacket, endpointKey, endpointsOfKey, newSummary, TupleKeyCache, type ConversationSummary } from './conversation';
import { LruMap } from './lru';
import { TombstoneStore } from './tombstones';

/*
 * UDP conversations: udp.stream numbers the address/port pairs in order of first appearance, both
 * directions together and never reused (Wireshark's find_or_create_conversation in packet-udp.c).
 * Like TCP's, live summaries are bounded; an evicted pair keeps only its number.
 */
export class UdpConversations {
  private readonly live = new LruMap<{ summary: ConversationSummary; aKey: string }>();
  private readonly tupleKey = new TupleKeyCache();
  /** Stream number and endpoint A of evicted pairs. */
  private readonly tombstones = new TombstoneStore();
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
    const key = this.tupleKey.of(src, srcPort, dst, dstPort);
    let entry = this.live.touch(key);
    if (!entry) {
      const tomb = this.tombstones.take(key);
      if (tomb) {
        const [first, second] = endpointsOfKey(key);
        const [a, b] = tomb.aFirstInKey ? [first, second] : [second, first];
        const summary = newSummary('udp', tomb.stream, a, b, frame.tsSeconds, frame.tsNanos);
        summary.continued = true;
        entry = { summary, aKey: endpointKey(a.address, a.port) };
      } else {
        const summary = newSummary('udp', this.nextStream++, { address: src, port: srcPort }, { address: dst, port: dstPort }, frame.tsSeconds, frame.tsNanos);
        entry = { summary, aKey: endpointKey(src, srcPort) };
      }
      this.live.set(key, entry);
    }
    const a = entry.summary.a;
    countPacket(entry.summary, src === a.address && srcPort === a.port ? 0 : 1, frame.tsSeconds, frame.tsNanos, frame.originalLength, payloadBytes);
    while (this.live.size > this.maxLive) {
      const [oldKey, oldest] = this.live.shift()!;
      this.onConversationEnd?.({ ...oldest.summary });
      this.tombstones.set(oldKey, {
        stream: oldest.summary.stream,
        aFirstInKey: oldKey.startsWith(`${oldest.aKey} `),
        clientIsA: true,
        baseSeq: [0, 0],
        baseSeqSet: [false, false],
      });
    }
    return entry.summary.stream;
  }

  /** Summaries of the pairs still live, as finish() would report them now (nothing is ended or reordered). */
  liveSummaries(): ConversationSummary[] {
    return Array.from(this.live.values(), (entry) => ({ ...entry.summary }));
  }

  finish(): void {
    for (const entry of this.live.values()) this.onConversationEnd?.({ ...entry.summary });
    this.live.clear();
  }
}
