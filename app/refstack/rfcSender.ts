import { seqAdd, seqDiff, seqGe, seqGt, seqLe, seqLt } from '../tcp/seq';
import { TCP_FIN, TCP_RST, type SenderEvent } from './events';
import { DEFAULT_MSS, Handshake } from './handshake';
import type { ModelStats, SenderModel, SenderSnapshot, Violation } from './model';
import { addRttSample, newRttState } from './rtt';
import { Scoreboard, type Unit } from './scoreboard';

/**
 * TCP senders as the RFCs describe them, in bytes, without any one stack's refinements: the
 * alternatives the model selection weighs against the Linux models.
 *
 * - Congestion control: Reno (RFC 5681 section 3.1, byte counting as RFC 3465 allows in congestion
 *   avoidance) or CUBIC (RFC 9438 section 4, without HyStart).
 * - Loss recovery: NewReno (RFC 6582: cwnd inflation by dupacks, partial-ACK deflation), SACK-based
 *   (RFC 6675: DupThresh, IsLost, pipe, cwnd = ssthresh during recovery) or PRR (RFC 6937 with
 *   RFC 6675's loss detection).
 * - Timeout (RFC 5681 section 3.1 (4), RFC 6298): ssthresh from FlightSize, cwnd = 1 SMSS.
 * - Restart after idle (RFC 5681 section 4.1): cwnd = min(IW, cwnd) after more than an RTO of silence.
 * - cwnd grows on every ACK that acknowledges new data: no congestion window validation (RFC 7661).
 *
 * Like the Linux model it is replayed from the capture: the observed transmissions are checked against
 * what the model allows, a transmission beyond it is a violation (and the model adopts the window the
 * sender showed), and a retransmission the model cannot explain is attributed to a timer.
 */

export type RfcCongestion = 'reno' | 'cubic';
export type RfcRecovery = 'newreno' | 'sack' | 'prr';

export interface RfcSenderOptions {
  congestion: RfcCongestion;
  recovery: RfcRecovery;
  /** Initial window in segments (RFC 6928: 10). */
  initialWindow: number;
}

const DUP_THRESH = 3;
/** RFC 9438 section 4.6 and 5: beta_cubic and C. */
const CUBIC_BETA = 0.7;
const CUBIC_C = 0.4;
/** RFC 9438 section 4.3: alpha_cubic for the Reno-friendly region. */
const CUBIC_ALPHA = (3 * (1 - CUBIC_BETA)) / (1 + CUBIC_BETA);
/** An ACK followed this quickly by a transmission after this much idleness released it (see LinuxSender). */
const ACK_CLOCK_IDLE = 0.0002;
const ACK_CLOCK_REACTION = 0.0002;

export class RfcSender implements SenderModel {
  readonly name: string;
  private readonly options: RfcSenderOptions;
  private readonly handshake = new Handshake();
  private readonly board = new Scoreboard();
  private readonly rtt = newRttState('rfc6298');
  private established = false;
  private mss = DEFAULT_MSS;
  private sackOk = false;

  private sndUna = 0;
  private sndNxt = 0;
  private sndWnd = 0;
  private sndWl1 = 0;

  /** Congestion window and slow-start threshold in bytes; ssthresh starts "arbitrarily high". */
  private cwnd = 0;
  private ssthresh = Infinity;
  /** RFC 3465 byte counting in congestion avoidance. */
  private bytesAcked = 0;
  private dupAcks = 0;
  private inRecovery = false;
  /** RFC 6582 "recover" / RFC 6675 RecoveryPoint: the highest sequence sent when recovery began. */
  private recoveryPoint = 0;
  /** Set after a retransmission timeout: everything outstanding counts as lost (RFC 6675 section 5.1). */
  private afterTimeout = false;
  /** One retransmission allowed regardless of the window: the fast retransmit (RFC 5681 3.2 step 4). */
  private fastRetransmitPending = false;
  /** PRR (RFC 6937) state: bytes delivered and sent since recovery began, the flight then, and the allowance. */
  private prrDelivered = 0;
  private prrOut = 0;
  private recoverFlight = 0;
  private prrAllowance = 0;
  /** CUBIC (RFC 9438) state, in segments and seconds. */
  private cubicWmax = 0;
  private cubicK = 0;
  private cubicEpoch: number | null = null;
  private cubicWest = 0;
  private sackedBytes = 0;

  private now = 0;
  private lastSendTime: number | null = null;
  private lastAckTime = 0;
  private timeouts = 0;
  private waitBeforeAck: { time: number; room: number; windowEnd: number } | null = null;

  readonly violations: Violation[] = [];
  private violationCount = 0;
  private underuseCount = 0;
  private rwndViolationCount = 0;
  private sentUnits = 0;
  private spareWindowSum = 0;
  private newDataTransmissions = 0;

  constructor(options: RfcSenderOptions) {
    this.options = options;
    this.name = rfcModelName(options);
  }

  step(e: SenderEvent): void {
    if (e.flags & TCP_RST) return;
    this.now = e.time;
    if (e.kind === 'data') {
      this.checkUnderuse(e);
      this.onTransmit(e);
    } else {
      this.noteWaitBeforeAck(e);
      this.onAck(e);
    }
  }

  finish(): void {}

  /* ---------------------------------------------------------------- setup */

  private establish(at: number): void {
    this.established = true;
    const negotiated = this.handshake.negotiated();
    this.mss = negotiated.mss;
    this.sackOk = negotiated.sackOk && this.options.recovery !== 'newreno';
    this.sndUna = at;
    this.recoveryPoint = at;
    this.cwnd = this.options.initialWindow * this.mss;
  }

  /* -------------------------------------------------------- transmissions */

  private onTransmit(e: SenderEvent): void {
    if (this.handshake.onSyn(e)) {
      this.sndUna = e.seq;
      this.sndNxt = seqAdd(e.seq, 1);
      return;
    }
    if (!this.established) {
      if (e.len === 0) return;
      this.sndUna = this.sndNxt = e.seq;
      this.establish(e.seq);
      this.mss = Math.max(this.mss, e.len);
      this.sackOk = this.options.recovery !== 'newreno';
      this.cwnd = this.options.initialWindow * this.mss;
    }
    const start = e.seq;
    const end = seqAdd(start, e.len + (e.flags & TCP_FIN ? 1 : 0));
    if (seqLe(end, start)) return;
    if (seqLt(start, this.sndNxt)) this.onRetransmit(start, seqLt(end, this.sndNxt) ? end : this.sndNxt, e);
    if (seqGt(end, this.sndNxt)) this.onNewData(seqGt(start, this.sndNxt) ? start : this.sndNxt, end, e);
    this.lastSendTime = this.now;
  }

  private onNewData(start: number, end: number, e: SenderEvent): void {
    // RFC 5681 section 4.1: restart window after an idle period longer than the RTO.
    if (this.board.packetsOut === 0 && this.lastSendTime !== null && this.now - this.lastSendTime > this.rtt.rto) {
      this.cwnd = Math.min(this.cwnd, this.options.initialWindow * this.mss);
    }
    let at = start;
    while (seqLt(at, end)) {
      const size = Math.min(this.mss, seqDiff(at, end));
      const unitEnd = seqAdd(at, size);
      if (!this.mayTransmit(size)) this.recordViolation(at, size);
      if (seqGt(unitEnd, seqAdd(this.sndUna, this.sndWnd))) this.rwndViolationCount++;
      this.board.append(at, unitEnd, this.mss, e.time, e.tsVal);
      this.consumeAllowance(size);
      this.sentUnits++;
      at = unitEnd;
    }
    this.sndNxt = end;
    this.spareWindowSum += Math.max(0, (this.window() - this.outstanding()) / this.mss);
    this.newDataTransmissions++;
  }

  private onRetransmit(start: number, end: number, e: SenderEvent): void {
    for (const u of this.board.overlapping(start, end)) {
      if (u.sacked) continue;
      const size = seqDiff(u.start, u.end);
      if (!this.explainedRetransmission(u)) {
        const quiet = this.now - Math.max(this.lastAckTime, this.lastSendTime ?? 0);
        if (quiet >= 0.8 * this.rtt.rto * 2 ** Math.min(this.timeouts, 6) || (u === this.board.first() && quiet >= 2 * Math.max(this.rtt.srtt, 0.001))) {
          this.onTimeout();
        } else {
          // Sooner than the RFC allows: count it, and go into recovery as the sender evidently did.
          this.recordViolation(u.start, size);
          if (!this.inRecovery) this.enterRecovery();
        }
      } else if (this.fastRetransmitPending) {
        this.fastRetransmitPending = false;
      } else if (!this.mayTransmit(size)) {
        this.recordViolation(u.start, size);
      }
      u.retransmitted = true;
      this.board.setRetransInFlight(u, true);
      u.sentAt = e.time;
      this.consumeAllowance(size);
      this.sentUnits++;
    }
  }

  /** A retransmission the model itself would make now: the fast retransmit, a partial ACK's, or a lost segment's. */
  private explainedRetransmission(u: Unit): boolean {
    if (this.fastRetransmitPending && u === this.board.first()) return true;
    if (!this.inRecovery && !this.afterTimeout) return false;
    if (this.options.recovery === 'newreno') return u === this.board.first();
    return this.isLost(u);
  }

  private mayTransmit(size: number): boolean {
    if (this.inRecovery && this.options.recovery === 'prr') return this.prrAllowance >= size;
    // RFC 6675 section 5 step (C): send while cwnd - pipe >= 1 SMSS.
    if (this.inRecovery && this.options.recovery === 'sack') return this.window() - this.pipe() >= this.mss;
    return this.outstanding() + size <= this.window() + 1;
  }

  private consumeAllowance(size: number): void {
    if (this.inRecovery && this.options.recovery === 'prr') {
      this.prrOut += size;
      this.prrAllowance -= size;
    }
  }

  private recordViolation(seq: number, len: number): void {
    this.violationCount++;
    if (this.violations.length < 1000) {
      this.violations.push({ time: this.now, kind: 'cwnd', seq, len, cwnd: Math.round(this.window() / this.mss), inFlight: Math.round(this.outstanding() / this.mss) });
    }
    // The sender showed a larger window: adopt it.
    const shown = this.outstanding() + len;
    if (this.inRecovery && this.options.recovery === 'prr') this.prrAllowance = Math.max(this.prrAllowance, len);
    else if (shown > this.cwnd) this.cwnd = shown;
  }

  /** FlightSize (RFC 5681) without SACK, pipe (RFC 6675) with it. */
  private outstanding(): number {
    return this.sackOk ? this.pipe() : seqDiff(this.sndUna, this.sndNxt);
  }

  /** The window the sender may fill: cwnd, or for PRR the pipe plus this ACK's allowance. */
  private window(): number {
    if (this.inRecovery && this.options.recovery === 'prr') return this.pipe() + Math.max(0, this.prrAllowance);
    return Math.max(this.cwnd, this.mss);
  }

  /* ------------------------------------------------------------------ ACKs */

  private onAck(e: SenderEvent): void {
    if (this.handshake.onSyn(e)) {
      this.sndWnd = e.window;
      this.sndWl1 = e.seq;
    }
    if (!this.established) {
      if (this.handshake.acksOurSyn(e) && this.handshake.synSentAt !== null) {
        this.establish(e.ack);
        addRttSample(this.rtt, 'rfc6298', this.now - this.handshake.synSentAt, () => false, this.sndNxt);
      }
      return;
    }
    if (seqLt(e.ack, this.sndUna) || seqGt(e.ack, this.sndNxt)) return;
    this.lastAckTime = this.now;
    const newlyAcked = seqDiff(this.sndUna, e.ack);
    const windowChanged = e.window !== this.sndWnd;
    if (seqGt(e.ack, this.sndUna) || seqGt(e.seq, this.sndWl1) || (e.seq === this.sndWl1 && e.window > this.sndWnd)) {
      this.sndWnd = e.window;
      this.sndWl1 = e.seq;
    }
    const sackedBefore = this.sackedBytes;
    const newSack = this.sackOk ? this.applySack(e.sack) : false;
    let sample: number | null = null;
    let retransmittedAcked = false;
    for (const u of this.board.takeAcked(e.ack)) {
      if (u.sacked) this.sackedBytes -= seqDiff(u.start, u.end);
      if (u.retransmitted) retransmittedAcked = true;
      else sample = this.now - u.sentAt;
    }
    // Karn's algorithm (RFC 6298 section 3): no sample when retransmitted data is acknowledged.
    if (sample !== null && !retransmittedAcked) addRttSample(this.rtt, 'rfc6298', sample, () => false, this.sndNxt);
    this.sndUna = e.ack;
    if (newlyAcked > 0) {
      this.timeouts = 0;
      if (this.afterTimeout && seqGe(this.sndUna, this.recoveryPoint)) this.afterTimeout = false;
    }
    // RFC 5681 section 2 (duplicate ACK), RFC 6675 section 2 (DupAck: new SACK information).
    const duplicate = newlyAcked === 0 && this.board.packetsOut > 0 && (this.sackOk ? newSack : e.len === 0 && !windowChanged);
    const delivered = newlyAcked + (this.sackedBytes - sackedBefore);

    if (this.inRecovery) {
      this.duringRecovery(newlyAcked, duplicate, delivered);
    } else {
      if (duplicate) this.dupAcks++;
      else if (newlyAcked > 0) this.dupAcks = 0;
      const lossEvident = this.sackOk && this.board.first() !== null && this.isLost(this.board.first() as Unit);
      if ((this.dupAcks >= DUP_THRESH || lossEvident) && seqGt(this.sndUna, this.recoveryPointGuard())) {
        this.enterRecovery();
        if (this.options.recovery === 'prr') this.prrOnAck(delivered);
      } else if (newlyAcked > 0) {
        this.grow(newlyAcked);
      }
    }
  }

  /** RFC 6582 section 3.2 step 2 / RFC 6675 section 5: no new recovery until the previous one is ACKed. */
  private recoveryPointGuard(): number {
    return (this.recoveryPoint - 1) >>> 0;
  }

  private duringRecovery(newlyAcked: number, duplicate: boolean, delivered: number): void {
    const full = seqGe(this.sndUna, this.recoveryPoint);
    if (this.options.recovery === 'newreno') {
      if (full) {
        // RFC 6582 section 3.2 step 6, option (2): deflate to ssthresh.
        this.cwnd = this.ssthresh;
        this.exitRecovery();
      } else if (duplicate) {
        this.cwnd += this.mss; // step 4: inflate
      } else if (newlyAcked > 0) {
        // Step 5: partial ACK, deflate by what it acknowledged, retransmit the next hole.
        this.cwnd = Math.max(this.mss, this.cwnd - newlyAcked + (newlyAcked >= this.mss ? this.mss : 0));
        this.fastRetransmitPending = true;
      }
      return;
    }
    if (full) {
      this.exitRecovery();
      this.cwnd = this.ssthresh;
      return;
    }
    if (this.options.recovery === 'prr') this.prrOnAck(delivered);
  }

  /** RFC 6937 section 3, with the slow-start reduction bound (PRR-SSRB). */
  private prrOnAck(delivered: number): void {
    this.prrDelivered += delivered;
    const pipe = this.pipe();
    let sendCount: number;
    if (pipe > this.ssthresh) {
      sendCount = Math.ceil((this.prrDelivered * this.ssthresh) / this.recoverFlight) - this.prrOut;
    } else {
      const limit = Math.max(this.prrDelivered - this.prrOut, delivered) + this.mss;
      sendCount = Math.min(this.ssthresh - pipe, limit);
    }
    this.prrAllowance = Math.max(0, sendCount);
    this.cwnd = pipe + this.prrAllowance;
  }

  private enterRecovery(): void {
    const flight = seqDiff(this.sndUna, this.sndNxt);
    this.ssthresh = this.reducedThreshold(flight);
    this.recoveryPoint = this.sndNxt;
    this.inRecovery = true;
    this.fastRetransmitPending = true;
    this.dupAcks = 0;
    if (this.options.recovery === 'newreno') {
      this.cwnd = this.ssthresh + DUP_THRESH * this.mss; // RFC 6582 step 3 (RFC 5681 3.2 step 3)
    } else if (this.options.recovery === 'sack') {
      this.cwnd = this.ssthresh; // RFC 6675 section 5 step (4.2)
    } else {
      this.prrDelivered = 0;
      this.prrOut = 0;
      this.prrAllowance = 0;
      this.recoverFlight = Math.max(flight, this.mss);
    }
    this.noteCongestionEvent();
  }

  private exitRecovery(): void {
    this.inRecovery = false;
    this.fastRetransmitPending = false;
    this.dupAcks = 0;
    this.bytesAcked = 0;
  }

  /** RFC 5681 (4): ssthresh = max(FlightSize / 2, 2 SMSS); RFC 9438 4.6: FlightSize * beta_cubic. */
  private reducedThreshold(flight: number): number {
    if (this.options.congestion === 'cubic') return Math.max(Math.floor(flight * CUBIC_BETA), 2 * this.mss);
    return Math.max(Math.floor(flight / 2), 2 * this.mss);
  }

  private noteCongestionEvent(): void {
    if (this.options.congestion !== 'cubic') return;
    const cwndSegments = this.cwnd / this.mss;
    // RFC 9438 section 4.7: fast convergence.
    this.cubicWmax = cwndSegments < this.cubicWmax ? (cwndSegments * (1 + CUBIC_BETA)) / 2 : cwndSegments;
    this.cubicEpoch = null;
  }

  /** RFC 6298 section 5 / RFC 5681 (4): the retransmission timer fired. */
  private onTimeout(): void {
    const flight = seqDiff(this.sndUna, this.sndNxt);
    if (this.timeouts === 0) this.ssthresh = this.reducedThreshold(flight);
    if (this.options.congestion === 'cubic') this.noteCongestionEvent();
    this.cwnd = this.mss;
    this.inRecovery = false;
    this.afterTimeout = true;
    this.fastRetransmitPending = true;
    this.recoveryPoint = this.sndNxt;
    this.dupAcks = 0;
    this.bytesAcked = 0;
    this.timeouts++;
    for (const u of this.board.live()) if (!u.sacked) this.board.setRetransInFlight(u, false);
  }

  /** Slow start (RFC 5681 3.1: cwnd += min(N, SMSS)) and congestion avoidance. */
  private grow(newlyAcked: number): void {
    if (this.cwnd < this.ssthresh) {
      this.cwnd += Math.min(newlyAcked, this.mss);
      return;
    }
    if (this.options.congestion === 'reno') {
      this.bytesAcked += newlyAcked;
      if (this.bytesAcked >= this.cwnd) {
        this.bytesAcked -= this.cwnd;
        this.cwnd += this.mss;
      }
      return;
    }
    this.cubicGrow(newlyAcked / this.mss);
  }

  /** RFC 9438 section 4.2-4.4. */
  private cubicGrow(segmentsAcked: number): void {
    const cwnd = this.cwnd / this.mss;
    if (this.cubicEpoch === null) {
      this.cubicEpoch = this.now;
      this.cubicK = cwnd < this.cubicWmax ? Math.cbrt((this.cubicWmax - cwnd) / CUBIC_C) : 0;
      if (cwnd >= this.cubicWmax) this.cubicWmax = cwnd;
      this.cubicWest = cwnd;
    }
    const t = this.now - this.cubicEpoch;
    const rtt = this.rtt.srtt || 0.001;
    const cubicAt = (time: number) => CUBIC_C * (time - this.cubicK) ** 3 + this.cubicWmax;
    const target = Math.min(Math.max(cubicAt(t + rtt), cwnd), 1.5 * cwnd);
    const alpha = this.cubicWest >= this.cubicWmax ? 1 : CUBIC_ALPHA;
    this.cubicWest += (alpha * segmentsAcked) / cwnd;
    const next = cubicAt(t) < this.cubicWest ? this.cubicWest : cwnd + ((target - cwnd) / cwnd) * segmentsAcked;
    this.cwnd = Math.max(this.mss, Math.floor(next * this.mss));
  }

  /* ----------------------------------------------------------------- SACK */

  /** Tags SACKed units; returns whether the ACK SACKed anything new (RFC 6675's DupAck). */
  private applySack(blocks: readonly number[]): boolean {
    let news = false;
    for (let i = 0; i + 1 < blocks.length; i += 2) {
      const start = blocks[i];
      const end = blocks[i + 1];
      if (!seqLt(start, end) || seqLe(end, this.sndUna) || seqGt(end, this.sndNxt)) continue;
      for (const u of this.board.inside(start, end)) {
        if (u.sacked) continue;
        this.board.setSacked(u);
        this.board.setRetransInFlight(u, false);
        this.sackedBytes += seqDiff(u.start, u.end);
        news = true;
      }
    }
    return news;
  }

  /** RFC 6675 section 4, IsLost: DupThresh SACKed segments above it (or a timeout). */
  private isLost(u: Unit): boolean {
    if (u.sacked) return false;
    if (this.afterTimeout && !u.retransInFlight) return true;
    let sackedAbove = 0;
    const live = this.board.live();
    for (let i = live.length - 1; i >= 0 && live[i] !== u; i--) {
      if (live[i].sacked && ++sackedAbove >= DUP_THRESH) return true;
    }
    return false;
  }

  /** RFC 6675 section 4, SetPipe. */
  private pipe(): number {
    const first = this.board.first();
    const last = this.board.last();
    if (!first || !last) return 0;
    // Nothing SACKed, retransmitted or timed out (most of a transfer): every unit counts once, and the units
    // are contiguous, so pipe is their span, without a walk over a window that may hold thousands of them.
    if (this.board.sackedOut === 0 && this.board.retransOut === 0 && !this.afterTimeout) return seqDiff(first.start, last.end);
    let pipe = 0;
    let sackedAbove = 0;
    const live = this.board.live();
    for (let i = live.length - 1; i >= 0; i--) {
      const u = live[i];
      const size = seqDiff(u.start, u.end);
      if (u.sacked) {
        sackedAbove++;
        continue;
      }
      const lost = (this.afterTimeout && !u.retransInFlight) || sackedAbove >= DUP_THRESH;
      if (!lost) pipe += size;
      if (u.retransInFlight) pipe += size;
    }
    return pipe;
  }

  /* -------------------------------------------------------------- underuse */

  private noteWaitBeforeAck(ack: SenderEvent): void {
    if (!this.established) return;
    const idle = this.lastSendTime !== null && ack.time - this.lastSendTime >= ACK_CLOCK_IDLE;
    this.waitBeforeAck = idle ? { time: ack.time, room: (this.window() - this.outstanding()) / this.mss, windowEnd: seqAdd(this.sndUna, this.sndWnd) } : null;
  }

  private checkUnderuse(e: SenderEvent): void {
    const wait = this.waitBeforeAck;
    this.waitBeforeAck = null;
    if (!wait || e.time - wait.time > ACK_CLOCK_REACTION || e.len === 0 || !seqGe(e.seq, this.sndNxt)) return;
    if (wait.room >= 2 && !seqGt(seqAdd(e.seq, Math.min(e.len, this.mss)), wait.windowEnd)) this.underuseCount++;
  }

  /* ---------------------------------------------------------------- output */

  snapshot(): SenderSnapshot {
    return {
      time: this.now,
      sndUna: this.sndUna,
      sndNxt: this.sndNxt,
      inFlight: this.outstanding(),
      sacked: this.sackedBytes,
      rwnd: this.sndWnd,
      cwnd: this.window(),
      ssthresh: this.ssthresh === Infinity ? null : this.ssthresh,
      srtt: this.rtt.srtt,
      state: this.inRecovery ? 'recovery' : this.afterTimeout ? 'loss' : 'open',
      established: this.established,
    };
  }

  stats(): ModelStats {
    return {
      sentPackets: this.sentUnits,
      violations: this.violationCount,
      underuse: this.underuseCount,
      rwndViolations: this.rwndViolationCount,
      meanSpareWindow: this.newDataTransmissions ? this.spareWindowSum / this.newDataTransmissions : 0,
    };
  }
}

export function rfcModelName(options: RfcSenderOptions): string {
  if (options.congestion === 'cubic') return `rfc9438-cubic-${options.recovery}`;
  return { newreno: 'rfc6582-newreno', sack: 'rfc6675-sack', prr: 'rfc6937-prr' }[options.recovery];
}
