import { TcpFlag } from './analysis';
import { seqGe, seqAdd } from './seq';

/*
 * The RFC 9293 connection state machine (section 3.3.2, figure 5) of both ends, as a passive observer
 * infers it from the segments it sees. A segment changes its sender's state when it is sent and its
 * receiver's state when it arrives; the observer sees each segment once, so it applies both at once
 * (exact at either end's vantage point, approximate in between: what is in flight is assumed delivered).
 * Acceptability checks of section 3.10.7.4 are reduced to "the ACK covers our FIN/SYN": the observer
 * cannot know the receiver's window.
 */

export const TcpState = {
  closed: 0,
  listen: 1,
  synSent: 2,
  synReceived: 3,
  established: 4,
  finWait1: 5,
  finWait2: 6,
  closeWait: 7,
  closing: 8,
  lastAck: 9,
  timeWait: 10,
} as const;
export type TcpStateValue = (typeof TcpState)[keyof typeof TcpState];

export const TCP_STATE_NAMES: Readonly<Record<TcpStateValue, string>> = {
  0: 'CLOSED',
  1: 'LISTEN',
  2: 'SYN-SENT',
  3: 'SYN-RECEIVED',
  4: 'ESTABLISHED',
  5: 'FIN-WAIT-1',
  6: 'FIN-WAIT-2',
  7: 'CLOSE-WAIT',
  8: 'CLOSING',
  9: 'LAST-ACK',
  10: 'TIME-WAIT',
};

const { fin: FIN, syn: SYN, rst: RST, ack: ACK } = TcpFlag;
const S = TcpState;

/** What one end has sent that the state machine needs: its SYN and FIN positions. */
interface EndProgress {
  /** Sequence number just after this end's SYN (ISN + 1), once seen. */
  synEnd: number | null;
  /** Sequence number just after this end's FIN, once seen. */
  finEnd: number | null;
}

/**
 * Both ends' states. Ends are numbered like conversation directions: end 0 is the source of direction 0.
 * Before anything is seen an end is CLOSED; an end that receives a SYN is assumed to have been LISTENing.
 */
export class TcpConnectionStates {
  /** Current state of end 0 and end 1. */
  readonly states: [TcpStateValue, TcpStateValue] = [S.closed, S.closed];
  private readonly progress: [EndProgress, EndProgress] = [
    { synEnd: null, finEnd: null },
    { synEnd: null, finEnd: null },
  ];
  /** Set once any segment has been seen (an end first seen mid-connection is taken as ESTABLISHED). */
  private started = false;

  /** Applies one segment sent by end `from`; seglen is the payload length (0 when unknown). */
  observe(from: 0 | 1, flags: number, seq: number, ack: number, seglen: number): void {
    const to = from === 0 ? 1 : 0;
    const sender = this.progress[from];
    if (!this.started) {
      this.started = true;
      // Picked up mid-connection: without a SYN both ends are already synchronized.
      if (!(flags & SYN)) this.states[0] = this.states[1] = S.established;
    }
    if (flags & RST) {
      // RFC 9293 section 3.10.7: a reset aborts both ends (the receiver's check of its window is unknown here).
      this.states[from] = S.closed;
      this.states[to] = S.closed;
      return;
    }
    if (flags & SYN) {
      sender.synEnd = seqAdd(seq, 1);
      const own = this.states[from];
      if (flags & ACK) {
        if (own !== S.established) this.states[from] = S.synReceived;
      } else {
        // A SYN from an end that already received one answers a passive or simultaneous open (figure 8).
        this.states[from] = own === S.listen || own === S.synReceived ? S.synReceived : S.synSent;
        const peer = this.states[to];
        this.states[to] = peer === S.synSent ? S.synReceived : peer === S.closed ? S.listen : peer;
      }
    }
    if (flags & ACK) this.applyAck(to, ack);
    if (flags & FIN) {
      const synAdjust = flags & SYN ? 1 : 0;
      sender.finEnd = seqAdd(seq, seglen + synAdjust + 1);
      this.states[from] = finSent(this.states[from]);
      this.states[to] = finReceived(this.states[to]);
    }
  }

  /** The sender of `ack` acknowledges the receiver's SYN and/or FIN; the receiver moves on arrival. */
  private applyAck(to: 0 | 1, ack: number): void {
    const peer = this.progress[to];
    const state = this.states[to];
    // The state first: on an established connection (nearly every segment) nothing is compared.
    if ((state === S.synSent || state === S.synReceived) && peer.synEnd !== null && seqGe(ack, peer.synEnd)) {
      this.states[to] = S.established;
    }
    if (peer.finEnd !== null && seqGe(ack, peer.finEnd)) {
      if (state === S.finWait1) this.states[to] = S.finWait2;
      else if (state === S.closing) this.states[to] = S.timeWait;
      else if (state === S.lastAck) this.states[to] = S.closed;
    }
  }

  /** Both ends are CLOSED or in TIME-WAIT after having been connected: nothing more is expected. */
  get finished(): boolean {
    const done = (s: TcpStateValue) => s === S.closed || s === S.timeWait;
    return this.started && done(this.states[0]) && done(this.states[1]);
  }
}

function finSent(state: TcpStateValue): TcpStateValue {
  switch (state) {
    case S.established:
    case S.synReceived:
      return S.finWait1;
    case S.closeWait:
      return S.lastAck;
    default:
      return state;
  }
}

function finReceived(state: TcpStateValue): TcpStateValue {
  switch (state) {
    case S.established:
    case S.synReceived:
      return S.closeWait;
    case S.finWait1:
      return S.closing;
    case S.finWait2:
      return S.timeWait;
    default:
      return state;
  }
}
