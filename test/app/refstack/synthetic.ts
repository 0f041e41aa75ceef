import { TCP_ACK, TCP_SYN, type SenderEvent } from '../../../app/refstack/events';

/*
 * Hand-made connections for unit tests: the modelled sender at 10.0.0.1:40000 sends MSS-sized packets
 * numbered 0, 1, 2, ... (packet i covers [ISN + 1 + i * mss, ISN + 1 + (i + 1) * mss)); its peer ACKs
 * and SACKs them by packet number. Times are seconds from 100.
 */

export const SENDER = '10.0.0.1:40000';
export const PEER = '10.0.0.2:80';

export interface SyntheticOptions {
  mss?: number;
  iss?: number;
  sack?: boolean;
  timestamps?: boolean;
  /** The peer's advertised window, bytes. */
  window?: number;
}

export class Synthetic {
  readonly events: SenderEvent[] = [];
  readonly mss: number;
  readonly iss: number;
  private readonly sack: boolean;
  private readonly timestamps: boolean;
  private readonly window: number;
  /** Next new packet number. */
  next = 0;

  constructor(options: SyntheticOptions = {}) {
    this.mss = options.mss ?? 1000;
    this.iss = options.iss ?? 1_000_000;
    this.sack = options.sack ?? true;
    this.timestamps = options.timestamps ?? false;
    this.window = options.window ?? 1 << 24;
  }

  /** Sequence number of the start of packet i. */
  seqOf(i: number): number {
    return (this.iss + 1 + i * this.mss) >>> 0;
  }

  private push(kind: 'data' | 'ack', time: number, fields: Partial<SenderEvent>): void {
    const fromSender = kind === 'data';
    this.events.push({
      kind,
      time: 100 + time,
      src: fromSender ? SENDER : PEER,
      dst: fromSender ? PEER : SENDER,
      seq: 0,
      ack: 0,
      len: 0,
      flags: TCP_ACK,
      window: this.window,
      sack: [],
      tsVal: null,
      tsEcr: null,
      syn: null,
      ...fields,
    });
  }

  /** SYN at t, SYN-ACK one rtt later, the sender's ACK right after. */
  handshake(t: number, rtt: number): this {
    const syn = { mss: this.mss + (this.timestamps ? 12 : 0), windowScale: 7, sackPermitted: this.sack, timestamps: this.timestamps };
    this.push('data', t, { seq: this.iss, flags: TCP_SYN, syn, tsVal: this.timestamps ? 1 : null });
    this.push('ack', t + rtt, { seq: 5000, ack: (this.iss + 1) >>> 0, flags: TCP_SYN | TCP_ACK, syn, window: 65535, tsVal: this.timestamps ? 1 : null, tsEcr: this.timestamps ? 1 : null });
    this.push('data', t + rtt + 1e-6, { seq: (this.iss + 1) >>> 0, ack: 5001 });
    return this;
  }

  /** `count` new packets, 1 microsecond apart from t. */
  send(t: number, count: number, tsVal: number | null = null): this {
    for (let k = 0; k < count; k++) {
      this.push('data', t + k * 1e-6, { seq: this.seqOf(this.next), ack: 5001, len: this.mss, tsVal });
      this.next++;
    }
    return this;
  }

  /** Retransmission of packet i. */
  resend(t: number, i: number, tsVal: number | null = null): this {
    this.push('data', t, { seq: this.seqOf(i), ack: 5001, len: this.mss, tsVal });
    return this;
  }

  /**
   * An ACK of every packet before `upTo`, with SACK blocks given as packet ranges [from, to) (the first
   * may be a DSACK below upTo).
   */
  ack(t: number, upTo: number, sack: readonly [number, number][] = [], extra: Partial<SenderEvent> = {}): this {
    const blocks: number[] = [];
    for (const [from, to] of sack) blocks.push(this.seqOf(from), this.seqOf(to));
    this.push('ack', t, { seq: 5001, ack: this.seqOf(upTo), sack: blocks, ...extra });
    return this;
  }

  /** One ACK per packet from `from` (exclusive) to `to` (inclusive), `gap` seconds apart from t. */
  ackEach(t: number, from: number, to: number, gap: number): this {
    for (let i = from + 1; i <= to; i++) this.ack(t + (i - from - 1) * gap, i);
    return this;
  }
}
