import { seqDiff } from '../tcp/seq';
import { TCP_SYN, senderEvents, type ObservedSegment } from './events';
import type { SenderSnapshot } from './model';
import { CANDIDATES, selectModel, type ModelSelection } from './select';

/**
 * The windows of one TCP connection over time, per direction that sends data: what the reference
 * stack's selected model believes (cwnd, ssthresh, recovery state) next to what the capture shows
 * (snd_una, snd_nxt, the advertised window), one row per event that changes any value. This is what
 * `wirelens windows --csv` prints and what the window chart draws.
 */

export const WINDOWS_CSV_HEADER = 'stream,src,dst,time,snd_una,snd_nxt,in_flight,rwnd,cwnd,ssthresh,srtt,model';

export interface WindowRow {
  /** Capture time, epoch seconds. */
  time: number;
  /** Sequence numbers relative to the sender's initial sequence number (the first data byte is 1). */
  sndUna: number;
  sndNxt: number;
  /** Bytes the model believes in flight, and SACKed above snd_una. */
  inFlight: number;
  sacked: number;
  /** The peer's advertised window, scaled, bytes. */
  rwnd: number;
  /** Congestion window and slow-start threshold in bytes; null when no model fits or ssthresh is still infinite. */
  cwnd: number | null;
  ssthresh: number | null;
  /** Smoothed RTT, seconds (0 before the first sample). */
  srtt: number;
  /** Loss-recovery state of the model ('open', 'recovery', 'loss', ...). */
  state: string;
  /** Bytes newly acknowledged or SACKed per second over the last smoothed RTT. */
  deliveryRate: number;
}

export interface DirectionWindows {
  stream: number;
  /** 'ip:port' of the data sender and of its peer. */
  src: string;
  dst: string;
  selection: ModelSelection;
  /** The model the rows come from: the one asked for, else the selected one, or 'none' when no cwnd model fits. */
  model: string;
  rows: WindowRow[];
}

export interface WindowsOptions {
  /** Replay this candidate model (see select.ts CANDIDATES) instead of the selected one. */
  model?: string;
}

/** The windows of each direction of one connection that carries data, the bigger sender first. */
export function windowsSeries(stream: number, segments: readonly ObservedSegment[], options: WindowsOptions = {}): DirectionWindows[] {
  const payload = new Map<string, { dst: string; bytes: number }>();
  for (const s of segments) {
    if (s.len <= 0) continue;
    const entry = payload.get(s.src) ?? { dst: s.dst, bytes: 0 };
    entry.bytes += s.len;
    payload.set(s.src, entry);
  }
  return [...payload.entries()]
    .sort((a, b) => b[1].bytes - a[1].bytes)
    .map(([src, { dst }]) => directionWindows(stream, src, dst, segments, options));
}

function directionWindows(stream: number, src: string, dst: string, segments: readonly ObservedSegment[], options: WindowsOptions): DirectionWindows {
  const events = senderEvents(segments, src);
  const selection = selectModel(events);
  const forced = options.model === undefined ? undefined : CANDIDATES.find((c) => c.name === options.model);
  if (options.model !== undefined && !forced) throw new Error(`unknown reference model '${options.model}'`);
  const replayed = forced?.name ?? selection.selected ?? selection.results[0].name;
  const candidate = CANDIDATES.find((c) => c.name === replayed) ?? CANDIDATES[0];
  const model = candidate.create();
  const fits = forced !== undefined || selection.selected !== null;
  const base = initialSequence(events.filter((e) => e.kind === 'data'));
  const rows: WindowRow[] = [];
  const delivery = new DeliveryRate();
  let last: WindowRow | null = null;
  // Rows carry the model's own time: an ACK held back for a moment (the socket backlog) shows when processed.
  const emit = (snapshot: SenderSnapshot) => {
    if (!snapshot.established) return;
    const time = snapshot.time;
    delivery.update(time, snapshot);
    const row: WindowRow = {
      time,
      sndUna: seqDiff(base, snapshot.sndUna) >>> 0,
      sndNxt: seqDiff(base, snapshot.sndNxt) >>> 0,
      inFlight: snapshot.inFlight,
      sacked: snapshot.sacked,
      rwnd: snapshot.rwnd,
      cwnd: fits ? snapshot.cwnd : null,
      ssthresh: fits ? snapshot.ssthresh : null,
      srtt: snapshot.srtt,
      state: snapshot.state,
      deliveryRate: delivery.rate(),
    };
    if (last === null || changed(last, row)) rows.push(row);
    last = row;
  };
  for (const e of events) {
    model.step(e);
    emit(model.snapshot());
  }
  model.finish();
  emit(model.snapshot());
  return { stream, src, dst, selection, model: forced?.name ?? selection.selected ?? 'none', rows };
}

/** The sender's ISN: its SYN's sequence number, else one before the first byte it was seen sending. */
function initialSequence(transmissions: readonly ObservedSegment[]): number {
  const syn = transmissions.find((e) => e.flags & TCP_SYN);
  if (syn) return syn.seq;
  return transmissions.length > 0 ? (transmissions[0].seq - 1) >>> 0 : 0;
}

function changed(a: WindowRow, b: WindowRow): boolean {
  return (
    a.sndUna !== b.sndUna ||
    a.sndNxt !== b.sndNxt ||
    a.inFlight !== b.inFlight ||
    a.rwnd !== b.rwnd ||
    a.cwnd !== b.cwnd ||
    a.ssthresh !== b.ssthresh ||
    a.srtt !== b.srtt
  );
}

/** Delivered bytes (cumulatively ACKed plus SACKed) per second over the last smoothed RTT (at least 1 ms). */
class DeliveryRate {
  private delivered = 0;
  private lastUna: number | null = null;
  private lastSacked = 0;
  private readonly history: { time: number; delivered: number }[] = [];
  private window = 0.001;

  update(time: number, s: SenderSnapshot): void {
    if (this.lastUna !== null) this.delivered += Math.max(0, seqDiff(this.lastUna, s.sndUna) + s.sacked - this.lastSacked);
    this.lastUna = s.sndUna;
    this.lastSacked = s.sacked;
    this.window = Math.max(s.srtt, 0.001);
    this.history.push({ time, delivered: this.delivered });
    while (this.history.length > 2 && this.history[1].time <= time - this.window) this.history.shift();
  }

  rate(): number {
    const first = this.history[0];
    const last = this.history[this.history.length - 1];
    const span = Math.max(last.time - first.time, this.window);
    return (last.delivered - first.delivered) / span;
  }
}

/** One CSV line per row (of rows [from, to), all by default), as `wirelens windows --csv` prints them (no header). */
export function windowsCsvLines(d: DirectionWindows, from = 0, to = d.rows.length): string[] {
  return d.rows.slice(from, to).map((r) =>
    [
      d.stream,
      d.src,
      d.dst,
      r.time.toFixed(6),
      r.sndUna,
      r.sndNxt,
      r.inFlight,
      r.rwnd,
      r.cwnd ?? '',
      r.ssthresh ?? '',
      r.srtt.toFixed(6),
      d.model,
    ].join(','),
  );
}
