import { seqAdd } from '../tcp/seq';
import { TCP_SYN, type SenderEvent, type SynOptions } from './events';

/** RFC 9293 section 3.7.1: the MSS to assume when the peer announced none. */
export const DEFAULT_MSS = 536;
/** TCP option bytes taken from every segment when timestamps are on (RFC 7323, padded to 12). */
const TIMESTAMP_OPTION_BYTES = 12;

export interface Negotiated {
  /** Payload bytes per full segment (SMSS, Linux mss_cache). */
  mss: number;
  sackOk: boolean;
  timestampsOk: boolean;
}

/**
 * The three-way handshake seen from the modelled sender: its own SYN (or SYN-ACK) and the peer's.
 * The connection is established when the peer acknowledges the sender's SYN; from then on the
 * negotiated options are fixed.
 */
export class Handshake {
  ownSyn: SynOptions | null = null;
  peerSyn: SynOptions | null = null;
  /** Initial send sequence number + 1 once our SYN was seen. */
  firstDataSeq: number | null = null;
  synSentAt: number | null = null;
  /** The peer's window from its SYN (never scaled) and the segment sequence that carried it. */
  peerWindow = 0;
  peerSeq = 0;

  /** Feeds a SYN of either side; returns true when it was one. */
  onSyn(e: SenderEvent): boolean {
    if (!(e.flags & TCP_SYN)) return false;
    if (e.kind === 'data') {
      this.ownSyn = e.syn;
      this.firstDataSeq = seqAdd(e.seq, 1);
      if (this.synSentAt === null) this.synSentAt = e.time;
    } else {
      this.peerSyn = e.syn;
      this.peerWindow = e.window;
      this.peerSeq = e.seq;
    }
    return true;
  }

  /** Whether this segment of the peer acknowledges our SYN (a SYN-ACK, or the ACK of our SYN-ACK). */
  acksOurSyn(e: SenderEvent): boolean {
    return e.kind === 'ack' && this.firstDataSeq !== null && this.peerSyn !== null && e.ack === this.firstDataSeq;
  }

  negotiated(): Negotiated {
    const peerMss = this.peerSyn?.mss ?? DEFAULT_MSS;
    const ownMss = this.ownSyn?.mss ?? peerMss;
    const timestampsOk = Boolean(this.ownSyn?.timestamps && this.peerSyn?.timestamps);
    return {
      mss: Math.min(peerMss, ownMss) - (timestampsOk ? TIMESTAMP_OPTION_BYTES : 0),
      sackOk: Boolean(this.ownSyn?.sackPermitted && this.peerSyn?.sackPermitted),
      timestampsOk,
    };
  }
}
