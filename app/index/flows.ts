import type { FlowRow } from '../api/types';
import type { ConversationSummary } from '../tcp/conversation';

/**
 * The flows view's rows, from the conversation summaries the TCP analyzer reports (app/tcp/analyzer.ts):
 * one row per tcp.stream / udp.stream. A conversation evicted for memory and seen again is reported in
 * parts ("continued"); the parts are added up here. While a capture is read, the conversations still under
 * way are added to the ended parts on request (result), without being kept: they change with every packet.
 */
export class FlowTable {
  /** Rows of the ended parts, by protocol and stream (flowKey). */
  private readonly rows = new Map<string, FlowRow>();
  private captureStart: { seconds: number; nanos: number } | null = null;

  /** The first frame's time, for relative start times. */
  start(seconds: number, nanos: number): void {
    this.captureStart ??= { seconds, nanos };
  }

  /** An ended part of a conversation (onConversationEnd). */
  add(summary: ConversationSummary): void {
    const key = flowKey(summary);
    const existing = this.rows.get(key);
    if (existing) this.addPart(existing, summary);
    else this.rows.set(key, this.newRow(summary));
  }

  /**
   * Every row, TCP streams first, then UDP, each by stream number: the ended parts plus `live`, the
   * summaries of the conversations still under way (TcpAnalyzer.liveSummaries), each added to its ended
   * parts in a copy. Rows without a live part are the stored ones.
   */
  result(live: readonly ConversationSummary[] = []): FlowRow[] {
    const withLive = new Map<string, FlowRow>();
    for (const summary of live) {
      const key = flowKey(summary);
      const ended = this.rows.get(key);
      const row = ended ? { ...ended } : this.newRow(summary);
      if (ended) this.addPart(row, summary);
      withLive.set(key, row);
    }
    const all: FlowRow[] = [];
    for (const [key, row] of this.rows) if (!withLive.has(key)) all.push(row);
    for (const row of withLive.values()) all.push(row);
    return all.sort((a, b) => (a.protocol === b.protocol ? a.stream - b.stream : a.protocol === 'tcp' ? -1 : 1));
  }

  private newRow(summary: ConversationSummary): FlowRow {
    const start = this.startOf(summary);
    const relativeStart = seconds(summary.firstSeconds, summary.firstNanos, start);
    return {
      protocol: summary.protocol,
      stream: summary.stream,
      addressA: summary.a.address,
      portA: summary.a.port,
      addressB: summary.b.address,
      portB: summary.b.port,
      framesAToB: summary.packetsAtoB,
      bytesAToB: summary.bytesAtoB,
      framesBToA: summary.packetsBtoA,
      bytesBToA: summary.bytesBtoA,
      relativeStart,
      duration: seconds(summary.lastSeconds, summary.lastNanos, start) - relativeStart,
    };
  }

  /** Adds a later part of the row's conversation to it: counts add up, the part's last packet ends it. */
  private addPart(row: FlowRow, summary: ConversationSummary): void {
    row.framesAToB += summary.packetsAtoB;
    row.bytesAToB += summary.bytesAtoB;
    row.framesBToA += summary.packetsBtoA;
    row.bytesBToA += summary.bytesBtoA;
    row.duration = seconds(summary.lastSeconds, summary.lastNanos, this.startOf(summary)) - row.relativeStart;
  }

  private startOf(summary: ConversationSummary): { seconds: number; nanos: number } {
    return this.captureStart ?? { seconds: summary.firstSeconds, nanos: summary.firstNanos };
  }
}

function flowKey(summary: ConversationSummary): string {
  return `${summary.protocol}:${summary.stream}`;
}

function seconds(s: number, ns: number, from: { seconds: number; nanos: number }): number {
  return s - from.seconds + (ns - from.nanos) / 1e9;
}
