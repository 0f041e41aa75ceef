import type { FlowRow } from '../api/types';
import type { ConversationSummary } from '../tcp/conversation';

/**
 * The flows view's rows, from the conversation summaries the TCP analyzer reports (app/tcp/analyzer.ts):
 * one row per tcp.stream / udp.stream. A conversation evicted for memory and seen again is reported in
 * parts ("continued"); the parts are added up here.
 */
export class FlowTable {
  private readonly rows = new Map<string, FlowRow>();
  private captureStart: { seconds: number; nanos: number } | null = null;

  /** The first frame's time, for relative start times. */
  start(seconds: number, nanos: number): void {
    this.captureStart ??= { seconds, nanos };
  }

  add(summary: ConversationSummary): void {
    const key = `${summary.protocol}:${summary.stream}`;
    const start = this.captureStart ?? { seconds: summary.firstSeconds, nanos: summary.firstNanos };
    const existing = this.rows.get(key);
    if (existing) {
      existing.framesAToB += summary.packetsAtoB;
      existing.bytesAToB += summary.bytesAtoB;
      existing.framesBToA += summary.packetsBtoA;
      existing.bytesBToA += summary.bytesBtoA;
      existing.duration = seconds(summary.lastSeconds, summary.lastNanos, start) - existing.relativeStart;
      return;
    }
    const relativeStart = seconds(summary.firstSeconds, summary.firstNanos, start);
    this.rows.set(key, {
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
    });
  }

  /** TCP streams first, then UDP, each by stream number. */
  result(): FlowRow[] {
    return [...this.rows.values()].sort((a, b) => (a.protocol === b.protocol ? a.stream - b.stream : a.protocol === 'tcp' ? -1 : 1));
  }
}

function seconds(s: number, ns: number, from: { seconds: number; nanos: number }): number {
  return s - from.seconds + (ns - from.nanos) / 1e9;
}
