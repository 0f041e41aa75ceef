import { seqAdd, seqDiff, seqGe, seqGt, seqLe, seqLt } from '../tcp/seq';
import { TCP_ECE, TCP_FIN, TCP_RST, TCP_SYN, type SenderEvent } from './events';
import { DEFAULT_MSS, Handshake } from './handshake';
import { HZ, inSlowStart, linuxCubic, linuxReno, type CongestionHost, type CongestionOps } from './linuxCongestion';
import { addRttSample, newRttState, type RttState } from './rtt';
import { Scoreboard, type Unit } from './scoreboard';
import type { ModelStats, SenderModel, SenderSnapshot, Violation } from './model';

/**
 * The Linux TCP sender (kernel 6.x, tcp_input.c / tcp_output.c / tcp_recovery.c) replayed from a capture:
 * the observed segments drive it, it never decides what to send. On every ACK it runs tcp_ack() as Linux
 * does (SACK tagging, RACK loss detection, the Open/Disorder/CWR/Recovery/Loss state machine, undo by
 * DSACK and timestamps, PRR during reductions, then the congestion-control hook); on every transmission
 * it books the segment, checks it against cwnd (a violation when Linux could not have sent it) and keeps
 * Linux's cwnd-limited bookkeeping (tcp_cwnd_validate), which decides whether ACKs may grow cwnd.
 *
 * Timers are invisible in a capture. The RACK reordering timer is run lazily on the next event; a
 * retransmission that the model's own loss detection does not explain is taken as the timer that must
 * have fired: the retransmission timeout after a silence of about one RTO (tcp_enter_loss), a tail loss
 * probe for the last segment after about two RTTs, otherwise the RACK reordering timer.
 */

/** Linux congestion-avoidance states (tcp_ca_state). */
export const CA_OPEN = 0;
export const CA_DISORDER = 1;
export const CA_CWR = 2;
export const CA_RECOVERY = 3;
export const CA_LOSS = 4;
const CA_NAMES = ['open', 'disorder', 'cwr', 'recovery', 'loss'];

/** TCP_INFINITE_SSTHRESH, what the kernel reports before the first reduction. */
export const INFINITE_SSTHRESH = 0x7fffffff;

/* ACK flags of tcp_input.c */
const FLAG_DATA = 0x01;
const FLAG_WIN_UPDATE = 0x02;
const FLAG_DATA_ACKED = 0x04;
const FLAG_RETRANS_DATA_ACKED = 0x08;
const FLAG_DATA_SACKED = 0x20;
const FLAG_ECE = 0x40;
const FLAG_LOST_RETRANS = 0x80;
const FLAG_ORIG_SACK_ACKED = 0x200;
const FLAG_SND_UNA_ADVANCED = 0x400;
const FLAG_DSACKING_ACK = 0x800;
const FLAG_SACK_RENEGING = 0x2000;
const FLAG_DSACK_TLP = 0x20000;
const FLAG_ACKED = FLAG_DATA_ACKED;
const FLAG_NOT_DUP = FLAG_DATA | FLAG_WIN_UPDATE | FLAG_ACKED;
const FLAG_CA_ALERT = FLAG_DATA_SACKED | FLAG_ECE | FLAG_DSACKING_ACK;
const FLAG_FORWARD_PROGRESS = FLAG_ACKED | FLAG_DATA_SACKED;

/** sysctl defaults: tcp_reordering and tcp_max_reordering. */
const SYSCTL_REORDERING = 3;
const MAX_REORDERING = 300;
/** TCP_TIMEOUT_MIN: 2 jiffies. */
const TIMEOUT_MIN = 2 / HZ;
/** How long after an ACK the sender may still be pushing data that was sendable before it (socket backlog). */
const ACK_BACKLOG_WINDOW = 0.0005;
/** A sender idle this long before an ACK and transmitting within the reaction time after it is ACK-clocked. */
const ACK_CLOCK_IDLE = 0.0002;
const ACK_CLOCK_REACTION = 0.0002;

export interface LinuxSenderOptions {
  congestion: 'reno' | 'cubic';
  /** Initial window in packets (RFC 6928, Linux TCP_INIT_CWND = 10). */
  initialCwnd: number;
  /** CUBIC only: HyStart on (the default). */
  hystart: boolean;
  /** Raise cwnd to what the sender demonstrably had in flight when it sends beyond the model's window. */
  adoptObservedWindow: boolean;
}

export const DEFAULT_LINUX_OPTIONS: LinuxSenderOptions = {
  congestion: 'cubic',
  initialCwnd: 10,
  hystart: true,
  adoptObservedWindow: true,
};

interface SackTagState {
  flag: number;
  /** Lowest never-retransmitted sequence number newly (S)ACKed: reordering evidence. */
  reord: number;
  firstSackt: number | null;
  lastSackt: number | null;
  delivered: number;
}

export class LinuxSender implements SenderModel, CongestionHost {
  readonly name: string;
  private readonly options: LinuxSenderOptions;
  private readonly cc: CongestionOps;
  private readonly board = new Scoreboard();

  /* Connection setup */
  private readonly handshake = new Handshake();
  private established = false;
  mss = DEFAULT_MSS;
  private sackOk = false;
  private timestampsOk = false;

  /* Sequence space. Invariant: sndUna <= sndNxt; the scoreboard holds exactly [sndUna, sndNxt). */
  sndUna = 0;
  sndNxt = 0;
  /** Peer's advertised window in bytes (scaled) and the segment sequence that last updated it (snd_wl1). */
  private sndWnd = 0;
  private sndWl1 = 0;
  private maxWindow = 0;

  /* Congestion state, in packets. */
  cwnd = 10;
  ssthresh = INFINITE_SSTHRESH;
  cwndCount = 0;
  priorCwnd = 0;
  private priorSsthresh = 0;
  private caState: number = CA_OPEN;
  /** snd_nxt when the current recovery or reduction began; the episode ends once it is ACKed. */
  private highSeq = 0;
  private undoMarker: number | null = null;
  /** Retransmissions not yet proven spurious by DSACK; -1 when none were outstanding at the start. */
  private undoRetrans = -1;
  /** TSval of the first retransmission of the episode (tp->retrans_stamp), for timestamp-based undo. */
  private retransStamp: number | null = null;
  private prrDelivered = 0;
  private prrOut = 0;
  private frto = false;
  private timeoutRetransmits = 0;
  private reordering = SYSCTL_REORDERING;
  private reordSeen = 0;
  private renoSackedOut = 0;
  private totalRetrans = 0;
  private dsackDups = 0;
  private tlpHighSeq: number | null = null;
  private tlpRetrans = false;

  /* tcp_cwnd_validate bookkeeping */
  private cwndLimitedFlag = false;
  private maxPacketsOut = 0;
  private cwndUsageSeq = 0;
  private cwndUsed = 0;
  private cwndStamp = 0;
  private lastSendTime: number | null = null;

  /* RACK (tcp_recovery.c) */
  private rackMstamp = 0;
  private rackEndSeq = 0;
  private rackRtt = 0;
  private rackAdvanced = false;
  private reoTimerAt: number | null = null;

  /* Counters */
  private delivered = 0;
  private lostCount = 0;
  private readonly rtt: RttState = newRttState('linux');
  /** Offset of the sender's TSval clock from capture time in ms: TSval ~ time * 1000 + tsOffset. */
  private tsOffset: number | null = null;
  private lastTsEcr: number | null = null;
  private lastAckTime = 0;
  now = 0;

  /** ACKs received but not yet processed, because the sender was still pushing data (socket backlog). */
  private pendingAcks: SenderEvent[] = [];
  private waitBeforeAck: { lastAck: number; room: number; windowEnd: number } | null = null;
  private underuseCount = 0;
  /** Sum over new-data transmissions of the window left unused after them, for tightness. */
  private spareWindowSum = 0;
  private newDataTransmissions = 0;
  readonly violations: Violation[] = [];
  private violationCount = 0;
  private rwndViolationCount = 0;
  private sentUnits = 0;

  constructor(options: Partial<LinuxSenderOptions> = {}) {
    this.options = { ...DEFAULT_LINUX_OPTIONS, ...options };
    this.cc =
      this.options.congestion === 'reno'
        ? linuxReno()
        : linuxCubic({ hystart: this.options.hystart });
    this.name = `linux-${this.options.congestion}`;
    this.cwnd = this.options.initialCwnd;
  }

  /* ---------------------------------------------------------------- events */

  step(event: SenderEvent): void {
    if (event.flags & TCP_RST) return;
    // The backlog is short-lived: ACKs wait at most ACK_BACKLOG_WINDOW for the data being pushed.
    if (this.pendingAcks.length > 0 && event.time - this.pendingAcks[0].time > ACK_BACKLOG_WINDOW) this.finish();
    if (event.kind === 'ack' && this.established && !(event.flags & TCP_SYN)) {
      this.noteWaitBeforeAck(event);
      this.pendingAcks.push(event);
      return;
    }
    if (event.kind === 'data') this.checkUnderuse(event);
    if (this.pendingAcks.length > 0 && !(event.kind === 'data' && this.sendableBeforePendingAcks(event))) this.finish();
    this.process(event, event.time);
  }

  /**
   * The other half of fitting a model (Jaiswal et al. count only one): a sender that sat idle although
   * the model allowed it to send, and sent as soon as an ACK arrived, was held back by a smaller window
   * than the model's. The room is taken when the first ACK after the sender went idle arrives (ACKs
   * that reach Linux while the application holds the socket are processed together later, so a burst
   * may follow only the second ACK), and judged at the next transmission.
   */
  private noteWaitBeforeAck(ack: SenderEvent): void {
    if (this.waitBeforeAck) {
      this.waitBeforeAck.lastAck = ack.time;
      return;
    }
    if (this.lastSendTime === null || ack.time - this.lastSendTime < ACK_CLOCK_IDLE) return;
    this.waitBeforeAck = { lastAck: ack.time, room: this.cwnd - this.inFlight(), windowEnd: seqAdd(this.sndUna, this.sndWnd) };
  }

  private checkUnderuse(e: SenderEvent): void {
    const wait = this.waitBeforeAck;
    this.waitBeforeAck = null;
    if (!wait || e.time - wait.lastAck > ACK_CLOCK_REACTION || e.len === 0 || !seqGe(e.seq, this.sndNxt)) return;
    // One packet of tolerance: the model's growth may be an ACK early or late.
    if (wait.room >= 2 && !seqGt(seqAdd(e.seq, Math.min(e.len, this.mss)), wait.windowEnd)) this.underuseCount++;
  }

  /** Processes the ACKs still held back (see sendableBeforePendingAcks). */
  finish(): void {
    const acks = this.pendingAcks;
    this.pendingAcks = [];
    for (const ack of acks) this.process(ack, Math.max(ack.time, this.now));
  }

  /**
   * Linux processes an ACK that arrives while the application holds the socket (inside sendmsg) only
   * when the lock is released (the socket backlog), after the data that sendmsg was pushing anyway.
   * So new data sent just after an ACK, that the window before the ACK already allowed, is booked
   * before it: what snd_nxt, packets_out and the cwnd-limited state were when the ACK was processed.
   */
  private sendableBeforePendingAcks(e: SenderEvent): boolean {
    if (e.flags & (TCP_SYN | TCP_FIN) || e.len === 0 || !seqGe(e.seq, this.sndNxt)) return false;
    const end = seqAdd(e.seq, e.len);
    return this.inFlight() + Math.ceil(e.len / this.mss) <= this.cwnd && !seqGt(end, seqAdd(this.sndUna, this.sndWnd));
  }

  private process(event: SenderEvent, now: number): void {
    this.now = now;
    if (this.reoTimerAt !== null && now >= this.reoTimerAt) this.rackReorderTimeout();
    if (event.kind === 'data') this.onTransmit(event);
    else this.onAck(event);
  }

  /* ---------------------------------------------------------- connection setup */

  private establish(at: number): void {
    this.established = true;
    const negotiated = this.handshake.negotiated();
    this.mss = negotiated.mss;
    this.sackOk = negotiated.sackOk;
    this.timestampsOk = negotiated.timestampsOk;
    this.sndUna = at;
    this.highSeq = at;
    this.cwndUsageSeq = at;
    this.rackEndSeq = at;
    this.cwndStamp = this.now;
    // tcp_init_congestion_control runs when the connection is established.
    this.cc.packetsAcked(this, null);
  }

  /** A capture that starts mid-connection: begin at the first data segment with Linux's defaults. */
  private establishMidStream(e: SenderEvent): void {
    this.sndUna = this.sndNxt = e.seq;
    this.establish(e.seq);
    this.mss = Math.max(this.mss, e.len);
    this.sackOk = true;
    this.timestampsOk = e.tsVal !== null;
  }

  /* -------------------------------------------------------------- transmissions */

  private onTransmit(e: SenderEvent): void {
    if (this.handshake.onSyn(e)) {
      this.sndUna = e.seq;
      this.sndNxt = seqAdd(e.seq, 1);
      this.noteTsVal(e);
      return;
    }
    if (!this.established) {
      if (e.len === 0) return;
      this.establishMidStream(e);
    }
    this.noteTsVal(e);
    const start = e.seq;
    const end = seqAdd(start, e.len + (e.flags & TCP_FIN ? 1 : 0));
    if (seqLe(end, start)) return; // a pure ACK of our own
    if (seqLt(start, this.sndNxt)) this.onRetransmit(start, seqLt(end, this.sndNxt) ? end : this.sndNxt, e);
    if (seqGt(end, this.sndNxt)) this.onNewData(seqGt(start, this.sndNxt) ? start : this.sndNxt, end, e);
  }

  private noteTsVal(e: SenderEvent): void {
    if (e.tsVal === null) return;
    const offset = e.tsVal - Math.floor(e.time * 1000);
    // The stamp is taken just before the capture sees the segment, so the largest offset is the closest.
    if (this.tsOffset === null || ((offset - this.tsOffset) | 0) > 0) this.tsOffset = offset | 0;
  }

  private onNewData(start: number, end: number, e: SenderEvent): void {
    if (seqGt(start, this.sndNxt)) {
      // A gap in what we saw sent (capture loss): book the missing range as sent now.
      this.board.append(this.sndNxt, start, this.mss, e.time, e.tsVal);
    }
    if (this.lastSendTime !== null) {
      // tcp_slow_start_after_idle_check: restart the window after an idle period longer than the RTO.
      if (this.board.packetsOut === 0 && this.now - this.lastSendTime > this.rtt.rto) this.cwndRestart(this.now - this.lastSendTime);
      if (this.inFlight() === 0) this.cc.transmitStart(this, this.lastSendTime);
    }
    const lossProbe = this.isLossProbeTime();
    let probeUsed = false;
    let at = start;
    while (seqLt(at, end)) {
      const size = Math.min(this.mss, seqDiff(at, end));
      const unitEnd = seqAdd(at, size);
      if (this.inFlight() >= this.cwnd) {
        if (lossProbe && !probeUsed) {
          // A tail loss probe of new data may exceed cwnd by one packet (tcp_send_loss_probe).
          probeUsed = true;
          this.tlpHighSeq = unitEnd;
          this.tlpRetrans = false;
        } else {
          this.recordViolation('cwnd', at, unitEnd);
        }
      }
      if (seqGt(unitEnd, seqAdd(this.sndUna, this.sndWnd))) this.rwndViolationCount++;
      this.board.append(at, unitEnd, this.mss, e.time, e.tsVal);
      if (this.inCwndReduction()) this.prrOut++;
      this.sentUnits++;
      at = unitEnd;
    }
    this.sndNxt = end;
    this.lastSendTime = this.now;
    this.spareWindowSum += Math.max(0, this.cwnd - this.inFlight());
    this.newDataTransmissions++;
    this.cwndValidate();
  }

  /** tcp_cwnd_restart: halve cwnd for every RTO of idleness, down to the initial window. */
  private cwndRestart(idle: number): void {
    const restartCwnd = Math.min(this.options.initialCwnd, this.cwnd);
    this.ssthresh = this.currentSsthresh();
    let cwnd = this.cwnd;
    let delta = idle - this.rtt.rto;
    while (delta > 0 && cwnd > restartCwnd) {
      cwnd >>= 1;
      delta -= this.rtt.rto;
    }
    this.cwnd = Math.max(cwnd, restartCwnd);
    this.cwndStamp = this.now;
    this.cwndUsed = 0;
  }

  /** Whether a probe timeout (about 2 SRTT without any event) could have fired by now. */
  private isLossProbeTime(): boolean {
    if (!this.sackOk || (this.caState !== CA_OPEN && this.caState !== CA_CWR) || this.rtt.srtt === 0) return false;
    const quiet = this.now - Math.max(this.lastAckTime, this.lastSendTime ?? 0);
    return quiet >= 1.5 * this.rtt.srtt;
  }

  private onRetransmit(start: number, end: number, e: SenderEvent): void {
    const units = this.board.overlapping(start, end);
    for (const u of units) {
      if (u.sacked) continue; // Linux never retransmits SACKed data
      if (!u.lost) this.explainRetransmission(u);
      const probe = this.tlpRetrans && this.tlpHighSeq !== null && u === this.board.last();
      if (!probe && this.inFlight() >= this.cwnd) this.recordViolation('cwnd', u.start, u.end);
      if (u.retransInFlight) {
        // Sent again while the model still thought the previous retransmission in flight: it was lost.
        this.board.setRetransInFlight(u, false);
        this.lostCount++;
      }
      u.retransmitted = true;
      this.board.setRetransInFlight(u, true);
      u.sentAt = e.time;
      u.sentTsVal = e.tsVal;
      // Without timestamps only its presence matters (tcp_any_retrans_done); the value is for undo.
      if (this.retransStamp === null) this.retransStamp = e.tsVal ?? 1;
      if (this.undoRetrans < 0) this.undoRetrans = 0;
      this.undoRetrans++;
      if (this.inCwndReduction()) this.prrOut++;
      this.totalRetrans++;
      this.sentUnits++;
    }
    this.lastSendTime = this.now;
  }

  /**
   * A retransmission of a unit the model has not marked lost: some timer must have fired. After a
   * silence of about one RTO it is the retransmission timeout; for the last unit after about two RTTs
   * in Open state a tail loss probe; otherwise the RACK reordering timer (or a loss detection the
   * model missed), which marks the unit lost and starts recovery (tcp_rack_reo_timeout).
   */
  private explainRetransmission(u: Unit): void {
    const quiet = this.now - Math.max(this.lastAckTime, this.lastSendTime ?? 0);
    const isHead = u === this.board.first();
    if (isHead && quiet >= 0.8 * this.rtoWithBackoff()) {
      this.enterLoss();
      if (!u.lost) this.markLost(u);
      return;
    }
    if (u === this.board.last() && this.isLossProbeTime() && this.tlpHighSeq === null) {
      this.tlpHighSeq = this.sndNxt;
      this.tlpRetrans = true;
      return;
    }
    const priorInFlight = this.inFlight();
    const lost = this.lostCount;
    this.markLost(u);
    if (priorInFlight !== this.inFlight() && this.caState !== CA_RECOVERY && this.caState !== CA_LOSS) {
      this.enterRecovery(false);
      this.cwndReduction(1, this.lostCount - lost, 0);
    }
  }

  private rtoWithBackoff(): number {
    return Math.min(120, Math.max(this.rtt.rto, 0.2) * 2 ** Math.min(this.timeoutRetransmits, 10));
  }

  /**
   * Linux never sends beyond cwnd (loss probes aside), so a transmission the model did not allow proves
   * the real window larger: after counting the violation the model adopts the window the sender showed
   * (the packets in flight once this one is out), unless the options ask for the raw model.
   */
  private recordViolation(kind: Violation['kind'], start: number, end: number): void {
    this.violationCount++;
    if (this.violations.length < 1000) {
      this.violations.push({ time: this.now, kind, seq: start, len: seqDiff(start, end), cwnd: this.cwnd, inFlight: this.inFlight() });
    }
    if (this.options.adoptObservedWindow) this.cwnd = Math.max(this.cwnd, this.inFlight() + 1);
  }

  /** tcp_cwnd_validate after a transmission. */
  private cwndValidate(): void {
    const isCwndLimited = this.inFlight() >= this.cwnd;
    if (!seqLt(this.sndUna, this.cwndUsageSeq) || isCwndLimited || (!this.cwndLimitedFlag && this.board.packetsOut > this.maxPacketsOut)) {
      this.cwndLimitedFlag = isCwndLimited;
      this.maxPacketsOut = this.board.packetsOut;
      this.cwndUsageSeq = this.sndNxt;
    }
    if (this.isCwndLimited()) {
      this.cwndUsed = 0;
      this.cwndStamp = this.now;
    } else {
      // Network starves.
      if (this.board.packetsOut > this.cwndUsed) this.cwndUsed = this.board.packetsOut;
      if (this.now - this.cwndStamp >= this.rtt.rto) this.cwndApplicationLimited();
    }
  }

  /**
   * tcp_cwnd_application_limited (RFC 2861): after an RTO without using the window, shrink it to halfway
   * between cwnd and what was used. Linux skips this while the application is blocked on a full send
   * buffer (SOCK_NOSPACE); a sender held back by the receive window is taken to be in that case.
   */
  private cwndApplicationLimited(): void {
    const receiveWindowBound = seqGe(seqAdd(this.sndNxt, this.mss), seqAdd(this.sndUna, this.sndWnd));
    if (this.caState === CA_OPEN && !receiveWindowBound) {
      const used = Math.max(this.cwndUsed, this.options.initialCwnd);
      if (used < this.cwnd) {
        this.ssthresh = this.currentSsthresh();
        this.cwnd = (this.cwnd + used) >> 1;
      }
      this.cwndUsed = 0;
    }
    this.cwndStamp = this.now;
  }

  /** tcp_is_cwnd_limited. */
  isCwndLimited(): boolean {
    if (this.cwndLimitedFlag) return true;
    // In slow start, ensure cwnd grows to twice what was ACKed.
    if (inSlowStart(this)) return this.cwnd < 2 * this.maxPacketsOut;
    return false;
  }

  /* ------------------------------------------------------------------ ACKs */

  private onAck(e: SenderEvent): void {
    if (this.handshake.onSyn(e)) {
      this.sndWnd = this.maxWindow = e.window;
      this.sndWl1 = e.seq;
    }
    if (!this.established) {
      // A SYN-ACK acknowledging our SYN (we are the client), or the ACK of our SYN-ACK.
      if (this.handshake.acksOurSyn(e) && this.handshake.synSentAt !== null) {
        this.establish(e.ack);
        this.addRtt(this.now - this.handshake.synSentAt);
        if (!(e.flags & TCP_SYN)) this.updateWindow(e);
      }
      return;
    }
    if (e.flags & TCP_SYN) return;
    this.lastAckTime = this.now;
    this.lastTsEcr = e.tsEcr;
    this.tcpAck(e);
  }

  private updateWindow(e: SenderEvent): boolean {
    // tcp_may_update_window
    const ok =
      seqGt(e.ack, this.sndUna) || seqGt(e.seq, this.sndWl1) || (e.seq === this.sndWl1 && (e.window > this.sndWnd || e.window === 0));
    if (!ok) return false;
    this.sndWl1 = e.seq;
    this.sndWnd = e.window;
    if (e.window > this.maxWindow) this.maxWindow = e.window;
    return true;
  }

  /** tcp_ack(). */
  private tcpAck(e: SenderEvent): void {
    const ack = e.ack;
    const priorSndUna = this.sndUna;
    const priorPackets = this.board.packetsOut;
    const priorDelivered = this.delivered;
    const priorLost = this.lostCount;
    let flag = 0;
    const sackState: SackTagState = { flag: 0, reord: this.sndNxt, firstSackt: null, lastSackt: null, delivered: 0 };
    const hasSack = this.sackOk && e.sack.length >= 2;

    if (seqLt(ack, priorSndUna)) {
      // An old ACK: only its SACK information matters.
      if (hasSack) {
        flag |= this.sacktag(e, priorSndUna, sackState);
        this.delivered += sackState.delivered;
        this.fastRetransAlert(priorSndUna, 0, flag);
      }
      return;
    }
    if (seqGt(ack, this.sndNxt)) return; // ACKs data never sent
    if (seqGt(ack, priorSndUna)) {
      flag |= FLAG_SND_UNA_ADVANCED;
      this.timeoutRetransmits = 0;
    }
    const priorFack = this.sackOk ? this.board.highestSacked(this.sndUna) : this.sndUna;
    if (e.len > 0 || e.flags & TCP_FIN) flag |= FLAG_DATA;
    if (this.updateWindow(e)) flag |= FLAG_WIN_UPDATE;
    this.sndUna = ack;
    if (hasSack) flag |= this.sacktag(e, priorSndUna, sackState);
    if (e.flags & TCP_ECE && this.ecnOk()) flag |= FLAG_ECE;
    this.delivered += sackState.delivered;

    if (priorPackets === 0) {
      if (flag & FLAG_DSACKING_ACK) this.fastRetransAlert(priorSndUna, 0, flag);
      if (this.tlpHighSeq !== null) this.processTlpAck(ack, flag);
      return;
    }
    flag |= this.cleanRetransmissionQueue(e, priorFack, sackState);
    if (this.tlpHighSeq !== null) this.processTlpAck(ack, flag);

    if (!(flag & FLAG_NOT_DUP) || flag & FLAG_CA_ALERT || this.caState !== CA_OPEN) {
      const numDupack = flag & (FLAG_SND_UNA_ADVANCED | FLAG_NOT_DUP | FLAG_DSACKING_ACK) ? 0 : 1;
      flag = this.fastRetransAlert(priorSndUna, numDupack, flag);
    }
    const delivered = this.delivered - priorDelivered;
    const newlyLost = this.lostCount - priorLost;
    this.congestionControl(delivered, newlyLost, flag);
  }

  /** ECN is not negotiated by the connections we model unless both SYNs said so; not tracked yet. */
  private ecnOk(): boolean {
    return false;
  }

  /** tcp_cong_control for the classic (non cong_control) algorithms. */
  private congestionControl(delivered: number, newlyLost: number, flag: number): void {
    if (this.inCwndReduction()) {
      this.cwndReduction(delivered, newlyLost, flag);
    } else if (this.mayRaiseCwnd(flag)) {
      this.cc.congestionAvoid(this, delivered);
      this.cwndStamp = this.now;
    }
  }

  private mayRaiseCwnd(flag: number): boolean {
    if (this.reordering > SYSCTL_REORDERING) return (flag & FLAG_FORWARD_PROGRESS) !== 0;
    return (flag & FLAG_DATA_ACKED) !== 0;
  }

  /* --------------------------------------------------------------- SACK */

  private sacktag(e: SenderEvent, priorSndUna: number, st: SackTagState): number {
    const blocks = e.sack;
    const foundDup = this.checkDsack(blocks, e.ack, priorSndUna, st);
    const highest = this.board.highestSacked(this.sndUna);
    for (let i = 0; i + 1 < blocks.length; i += 2) {
      const start = blocks[i];
      const end = blocks[i + 1];
      const dup = foundDup && i === 0;
      if (!this.isSackBlockValid(dup, start, end)) continue;
      for (const u of this.board.inside(start, end)) this.sacktagOne(u, dup, highest, st);
    }
    if (this.caState !== CA_LOSS || this.undoMarker !== null) this.checkSackReordering(st.reord);
    return st.flag;
  }

  /** tcp_check_dsack: the first block reports a duplicate (RFC 2883). */
  private checkDsack(blocks: readonly number[], ack: number, priorSndUna: number, st: SackTagState): boolean {
    if (blocks.length < 2) return false;
    const start0 = blocks[0];
    const end0 = blocks[1];
    if (!seqLt(start0, ack)) {
      if (blocks.length < 4) return false;
      if (seqGt(end0, blocks[3]) || seqLt(start0, blocks[2])) return false;
    }
    const dupSegments = this.dsackSeen(start0, end0, st);
    if (!dupSegments) return false;
    if (this.undoMarker !== null && this.undoRetrans > 0 && !seqGt(end0, priorSndUna) && seqGt(end0, this.undoMarker)) {
      this.undoRetrans = Math.max(0, this.undoRetrans - dupSegments);
    }
    return true;
  }

  private dsackSeen(start: number, end: number, st: SackTagState): number {
    if (!seqLt(start, end)) return 0;
    const length = seqDiff(start, end);
    if (length > this.maxWindow) return 0;
    let dupSegments = 1;
    if (length > this.mss) dupSegments = Math.ceil(length / this.mss);
    else if (this.tlpHighSeq !== null && this.tlpHighSeq === end) st.flag |= FLAG_DSACK_TLP;
    this.dsackDups += dupSegments;
    // Skip the DSACK if the duplicates were not retransmitted by us.
    if (this.dsackDups > this.totalRetrans) return 0;
    st.flag |= FLAG_DSACKING_ACK;
    st.delivered += dupSegments;
    return dupSegments;
  }

  private isSackBlockValid(isDsack: boolean, start: number, end: number): boolean {
    if (seqGt(end, this.sndNxt) || !seqLt(start, end)) return false;
    if (!seqLt(start, this.sndNxt)) return false;
    if (seqGt(start, this.sndUna)) return true;
    if (!isDsack || this.undoMarker === null) return false;
    if (seqGt(end, this.sndUna)) return false;
    if (!seqLt(start, this.undoMarker)) return true;
    if (!seqGt(end, this.undoMarker)) return false;
    return !seqLt(start, (end - this.maxWindow) >>> 0);
  }

  /** tcp_sacktag_one. */
  private sacktagOne(u: Unit, dup: boolean, highest: number, st: SackTagState): void {
    if (dup && u.retransmitted) {
      if (this.undoMarker !== null && this.undoRetrans > 0 && seqGt(u.end, this.undoMarker)) this.undoRetrans--;
      if (u.sacked && seqLt(u.start, st.reord)) st.reord = u.start;
    }
    if (!seqGt(u.end, this.sndUna)) return;
    if (!u.sacked) {
      this.rackAdvance(u.retransmitted, u.end, u.sentAt);
      if (u.retransInFlight) {
        // A lost segment's retransmission arrived; an unlost one's is still believed in flight.
        if (u.lost) {
          this.board.setLost(u, false);
          this.board.setRetransInFlight(u, false);
        }
      } else {
        if (!u.retransmitted) {
          if (seqLt(u.start, highest) && seqLt(u.start, st.reord)) st.reord = u.start;
          if (!seqGt(u.end, this.highSeq)) st.flag |= FLAG_ORIG_SACK_ACKED;
          if (st.firstSackt === null) st.firstSackt = u.sentAt;
          st.lastSackt = u.sentAt;
        }
        this.board.setLost(u, false);
      }
      this.board.setSacked(u);
      st.flag |= FLAG_DATA_SACKED;
      st.delivered++;
    }
    if (dup && u.retransInFlight) this.board.setRetransInFlight(u, false);
  }

  /** tcp_check_sack_reordering: a never-retransmitted hole below the highest SACK was filled. */
  private checkSackReordering(lowSeq: number): void {
    const fack = this.board.highestSacked(this.sndUna);
    if (!seqLt(lowSeq, fack)) return;
    const metric = seqDiff(lowSeq, fack);
    if (metric > this.reordering * this.mss) this.reordering = Math.min(Math.ceil(metric / this.mss), MAX_REORDERING);
    this.reordSeen++;
  }

  /* ------------------------------------------------------ cumulative ACK */

  /** tcp_clean_rtx_queue: drops what the ACK covers, takes RTT samples, feeds pkts_acked. */
  private cleanRetransmissionQueue(e: SenderEvent, priorFack: number, st: SackTagState): number {
    let flag = 0;
    let firstAckt: number | null = null;
    let lastAckt: number | null = null;
    let reord = this.sndNxt;
    let packetsAcked = 0;
    for (const u of this.board.takeAcked(this.sndUna)) {
      if (u.retransmitted) {
        flag |= FLAG_RETRANS_DATA_ACKED;
      } else if (!u.sacked) {
        lastAckt = u.sentAt;
        if (firstAckt === null) firstAckt = u.sentAt;
        if (seqLt(u.start, reord)) reord = u.start;
        if (!seqGt(u.end, this.highSeq)) flag |= FLAG_ORIG_SACK_ACKED;
      }
      if (!u.sacked && this.sackOk) {
        this.delivered++;
        if (!this.isSpuriousRetransmission(u)) this.rackAdvance(u.retransmitted, u.end, u.sentAt);
      }
      packetsAcked++;
      flag |= FLAG_DATA_ACKED;
    }
    const head = this.board.first();
    if (head && head.sacked) flag |= FLAG_SACK_RENEGING;

    let seqRtt = firstAckt !== null && !(flag & FLAG_RETRANS_DATA_ACKED) ? this.now - firstAckt : null;
    let caRtt = lastAckt !== null && !(flag & FLAG_RETRANS_DATA_ACKED) ? this.now - lastAckt : null;
    let sackRtt: number | null = null;
    if (st.firstSackt !== null && st.lastSackt !== null) {
      sackRtt = this.now - st.firstSackt;
      caRtt = this.now - st.lastSackt;
    }
    // tcp_ack_update_rtt: ACK timing first (Karn's rule forbids retransmitted data), then SACK, then TS-ECR.
    if (seqRtt === null) seqRtt = sackRtt;
    if (seqRtt === null && this.timestampsOk && e.tsEcr && flag & FLAG_ACKED) {
      seqRtt = caRtt = this.rttFromTsEcr(e.tsEcr);
    }
    if (seqRtt !== null) {
      if (caRtt !== null) this.rtt.minRtt = Math.min(this.rtt.minRtt, Math.max(caRtt, 1e-6));
      this.addRtt(seqRtt);
    }

    if (flag & FLAG_ACKED) {
      if (!this.sackOk) this.removeRenoSacks(packetsAcked);
      else if (seqLt(reord, priorFack)) this.checkSackReordering(reord);
    }
    this.cc.packetsAcked(this, caRtt);
    return flag;
  }

  private addRtt(sample: number): void {
    addRttSample(this.rtt, 'linux', sample, (roundEnd) => seqGt(this.sndUna, roundEnd), this.sndNxt);
  }

  private rttFromTsEcr(tsEcr: number): number | null {
    if (this.tsOffset === null) return null;
    const nowTs = (Math.floor(this.now * 1000) + this.tsOffset) | 0;
    const delta = (nowTs - tsEcr) | 0;
    if (delta < 0) return null;
    return Math.max(delta, 1) / 1000;
  }

  /** tcp_skb_spurious_retrans: the ACK echoes a timestamp older than the retransmission. */
  private isSpuriousRetransmission(u: Unit): boolean {
    return u.retransmitted && u.sentTsVal !== null && this.tsEcrBefore(u.sentTsVal);
  }

  private tsEcrBefore(when: number): boolean {
    return this.timestampsOk && this.lastTsEcr !== null && this.lastTsEcr !== 0 && ((this.lastTsEcr - when) | 0) < 0;
  }

  /* ------------------------------------------------------------------ RACK */

  private rackAdvance(retransmitted: boolean, endSeq: number, sentAt: number): void {
    const rtt = this.now - sentAt;
    // A SACK of retransmitted data faster than min_rtt may belong to the original: ambiguous, skip.
    if (rtt < this.rtt.minRtt && retransmitted) return;
    this.rackAdvanced = true;
    this.rackRtt = rtt;
    if (rackSentAfter(sentAt, this.rackMstamp, endSeq, this.rackEndSeq)) {
      this.rackMstamp = sentAt;
      this.rackEndSeq = endSeq;
    }
  }

  private rackReorderWindow(): number {
    if (!this.reordSeen) {
      // Without reordering evidence, be aggressive in recovery or once DUPACK-threshold many are SACKed.
      if (this.caState >= CA_RECOVERY) return 0;
      if (this.sackedOut() >= this.reordering) return 0;
    }
    return Math.min(this.rtt.minRtt === Infinity ? 0 : this.rtt.minRtt / 4, this.rtt.srtt);
  }

  /** tcp_rack_detect_loss; returns the longest wait still needed, 0 when none. */
  private rackDetectLoss(): number {
    const reorderWindow = this.rackReorderWindow();
    let timeout = 0;
    for (const u of this.board.live()) {
      if (u.sacked) continue;
      if (u.lost && !u.retransInFlight) continue;
      if (!rackSentAfter(this.rackMstamp, u.sentAt, this.rackEndSeq, u.end)) continue;
      const remaining = this.rackRtt + reorderWindow - (this.now - u.sentAt);
      if (remaining <= 1e-7) this.markLost(u);
      else timeout = Math.max(timeout, remaining);
    }
    return timeout;
  }

  private rackMarkLost(): void {
    if (!this.rackAdvanced) return;
    this.rackAdvanced = false;
    const timeout = this.rackDetectLoss();
    this.reoTimerAt = timeout ? this.now + Math.ceil(timeout * HZ) / HZ + TIMEOUT_MIN : null;
  }

  /** tcp_rack_reo_timeout, run when the next event shows the timer has expired. */
  private rackReorderTimeout(): void {
    const firedAt = this.reoTimerAt ?? this.now;
    this.reoTimerAt = null;
    const eventTime = this.now;
    this.now = firedAt;
    const priorInFlight = this.inFlight();
    const lost = this.lostCount;
    const timeout = this.rackDetectLoss();
    if (priorInFlight !== this.inFlight() && this.caState !== CA_RECOVERY) {
      this.enterRecovery(false);
      this.cwndReduction(1, this.lostCount - lost, 0);
    }
    if (timeout) this.reoTimerAt = firedAt + Math.ceil(timeout * HZ) / HZ + TIMEOUT_MIN;
    this.now = eventTime;
  }

  /** tcp_mark_skb_lost. */
  private markLost(u: Unit): void {
    if (u.sacked) return;
    if (u.lost) {
      if (u.retransInFlight) {
        // The retransmission is lost again.
        this.board.setRetransInFlight(u, false);
        this.lostCount++;
      }
    } else {
      this.board.setLost(u, true);
      this.lostCount++;
    }
  }

  /* --------------------------------------------------- recovery state machine */

  private inCwndReduction(): boolean {
    return this.caState === CA_CWR || this.caState === CA_RECOVERY;
  }

  private sackedOut(): number {
    return this.sackOk ? this.board.sackedOut : this.renoSackedOut;
  }

  /** tcp_packets_in_flight. */
  inFlight(): number {
    return this.board.inFlight - (this.sackOk ? 0 : this.renoSackedOut);
  }

  private currentSsthresh(): number {
    if (this.inCwndReduction()) return this.ssthresh;
    return Math.max(this.ssthresh, (this.cwnd >> 1) + (this.cwnd >> 2));
  }

  private setCaState(state: number): void {
    if (state === CA_LOSS) this.cc.enterLoss(this);
    this.caState = state;
  }

  private anyRetransDone(): boolean {
    if (this.board.retransOut) return true;
    const head = this.board.first();
    return head !== null && head.retransmitted;
  }

  /** tcp_fastretrans_alert; returns the ACK flags, possibly with FLAG_LOST_RETRANS added. */
  private fastRetransAlert(priorSndUna: number, numDupack: number, flag: number): number {
    const ece = (flag & FLAG_ECE) !== 0;
    if (ece) this.priorSsthresh = 0;
    // B. SACK reneging: Linux waits a little for more ACKs before clearing the scoreboard.
    if (flag & FLAG_SACK_RENEGING && flag & FLAG_SND_UNA_ADVANCED) return flag;

    // D. Check state exit conditions: the episode ends once high_seq is ACKed.
    if (this.caState === CA_OPEN) {
      this.retransStamp = null;
    } else if (!seqLt(this.sndUna, this.highSeq)) {
      if (this.caState === CA_CWR) {
        if (this.sndUna !== this.highSeq) {
          this.endCwndReduction();
          this.setCaState(CA_OPEN);
        }
      } else if (this.caState === CA_RECOVERY) {
        if (!this.sackOk) this.renoSackedOut = 0;
        if (this.tryUndoRecovery()) return flag;
        this.endCwndReduction();
      }
    }

    // E. Process state.
    if (this.caState === CA_RECOVERY) {
      if (!(flag & FLAG_SND_UNA_ADVANCED)) {
        if (!this.sackOk) this.addRenoSack(numDupack);
      } else if (this.tryUndoPartial(priorSndUna)) {
        return flag;
      }
      if (this.tryUndoDsack()) this.tryKeepOpen();
      flag = this.identifyPacketLoss(flag);
      if (this.caState !== CA_RECOVERY) {
        if (!this.timeToRecover()) return flag;
        this.enterRecovery(ece);
      }
      return flag;
    }
    if (this.caState === CA_LOSS) {
      this.processLoss(flag, numDupack);
      flag = this.identifyPacketLoss(flag);
      // processLoss may have reopened the state; TypeScript keeps the narrowing from the test above.
      if (!((this.caState as number) === CA_OPEN || flag & FLAG_LOST_RETRANS)) return flag;
      // Change state if cwnd is undone or retransmits are lost: fall through.
    }
    if (!this.sackOk) {
      if (flag & FLAG_SND_UNA_ADVANCED) this.renoSackedOut = 0;
      this.addRenoSack(numDupack);
    }
    if (this.caState <= CA_DISORDER) this.tryUndoDsack();
    flag = this.identifyPacketLoss(flag);
    if (!this.timeToRecover()) {
      this.tryToOpen(flag);
      return flag;
    }
    this.enterRecovery(ece);
    return flag;
  }

  private identifyPacketLoss(flag: number): number {
    if (this.board.packetsOut === 0) return flag;
    if (!this.sackOk) {
      this.newRenoMarkLost((flag & FLAG_SND_UNA_ADVANCED) !== 0);
    } else {
      const priorRetrans = this.board.retransOut;
      this.rackMarkLost();
      if (priorRetrans > this.board.retransOut) flag |= FLAG_LOST_RETRANS;
    }
    return flag;
  }

  /** tcp_newreno_mark_lost: without SACK, the head is lost after dupthresh dupacks or a partial ACK. */
  private newRenoMarkLost(sndUnaAdvanced: boolean): void {
    if ((this.caState < CA_RECOVERY && this.renoSackedOut >= this.reordering) || (this.caState === CA_RECOVERY && sndUnaAdvanced)) {
      const head = this.board.first();
      if (head && !head.lost) this.markLost(head);
    }
  }

  /** With RACK (Linux's default loss detection) recovery starts once something is marked lost. */
  private timeToRecover(): boolean {
    return this.board.lostOut > 0;
  }

  private enterRecovery(ece: boolean): void {
    this.priorSsthresh = 0;
    this.initUndo();
    if (!this.inCwndReduction()) {
      if (!ece) this.priorSsthresh = this.currentSsthresh();
      this.initCwndReduction();
    }
    this.setCaState(CA_RECOVERY);
  }

  private initUndo(): void {
    this.undoMarker = this.sndUna;
    // Retransmissions still in flight may cause DSACKs later.
    this.undoRetrans = this.board.retransOut || -1;
  }

  private initCwndReduction(): void {
    this.highSeq = this.sndNxt;
    this.tlpHighSeq = null;
    this.cwndCount = 0;
    this.priorCwnd = this.cwnd;
    this.prrDelivered = 0;
    this.prrOut = 0;
    this.ssthresh = this.cc.ssthreshOnLoss(this);
  }

  /** Proportional Rate Reduction (RFC 6937), as tcp_cwnd_reduction. */
  private cwndReduction(newlyAckedSacked: number, newlyLost: number, flag: number): void {
    if (newlyAckedSacked <= 0 || !this.priorCwnd) return;
    const inFlight = this.inFlight();
    const delta = this.ssthresh - inFlight;
    this.prrDelivered += newlyAckedSacked;
    let sendCount: number;
    if (delta < 0) {
      // RFC 6937 proportional part: spread the reduction over one round trip.
      sendCount = Math.floor((this.ssthresh * this.prrDelivered + this.priorCwnd - 1) / this.priorCwnd) - this.prrOut;
    } else {
      // Slow-start reduction bound: send as much as delivered, one more when snd_una advanced cleanly.
      sendCount = Math.max(this.prrDelivered - this.prrOut, newlyAckedSacked);
      if (flag & FLAG_SND_UNA_ADVANCED && !newlyLost) sendCount++;
      sendCount = Math.min(delta, sendCount);
    }
    // Force a fast retransmit upon entering fast recovery.
    sendCount = Math.max(sendCount, this.prrOut ? 0 : 1);
    this.cwnd = inFlight + sendCount;
  }

  private endCwndReduction(): void {
    // Reset cwnd to ssthresh in CWR or Recovery (unless it was undone).
    if (this.ssthresh < INFINITE_SSTHRESH && (this.caState === CA_CWR || this.undoMarker !== null)) {
      this.cwnd = this.ssthresh;
      this.cwndStamp = this.now;
    }
  }

  private tryKeepOpen(): void {
    const state = this.board.lostOut + this.sackedOut() > 0 || this.anyRetransDone() ? CA_DISORDER : CA_OPEN;
    if (this.caState !== state) {
      this.setCaState(state);
      this.highSeq = this.sndNxt;
    }
  }

  private tryToOpen(flag: number): void {
    if (!this.anyRetransDone()) this.retransStamp = null;
    if (flag & FLAG_ECE) this.enterCwr();
    if (this.caState !== CA_CWR) this.tryKeepOpen();
  }

  private enterCwr(): void {
    this.priorSsthresh = 0;
    if (this.caState < CA_CWR) {
      this.undoMarker = null;
      this.initCwndReduction();
      this.setCaState(CA_CWR);
    }
  }

  /* ------------------------------------------------------------------ undo */

  private packetDelayed(): boolean {
    return this.retransStamp !== null && this.tsEcrBefore(this.retransStamp);
  }

  private mayUndo(): boolean {
    return this.undoMarker !== null && (this.undoRetrans === 0 || this.packetDelayed());
  }

  private undoCwndReduction(unmarkLoss: boolean): void {
    if (unmarkLoss) for (const u of this.board.live()) this.board.setLost(u, false);
    if (this.priorSsthresh) {
      this.cwnd = this.cc.undoCwnd(this);
      if (this.priorSsthresh > this.ssthresh) this.ssthresh = this.priorSsthresh;
    }
    this.cwndStamp = this.now;
    this.undoMarker = null;
    this.rackAdvanced = true;
  }

  private nonSackPreventingReopen(): boolean {
    if (this.sndUna === this.highSeq && !this.sackOk) {
      // Hold the state until something above high_seq is ACKed (RFC 6582 section 3.2 step 6).
      if (!this.anyRetransDone()) this.retransStamp = null;
      return true;
    }
    return false;
  }

  private tryUndoRecovery(): boolean {
    if (this.mayUndo()) this.undoCwndReduction(false);
    if (this.nonSackPreventingReopen()) return true;
    this.setCaState(CA_OPEN);
    return false;
  }

  private tryUndoDsack(): boolean {
    if (this.undoMarker !== null && this.undoRetrans === 0) {
      this.undoCwndReduction(false);
      return true;
    }
    return false;
  }

  private tryUndoLoss(frtoUndo: boolean): boolean {
    if (frtoUndo || this.mayUndo()) {
      this.undoCwndReduction(true);
      this.timeoutRetransmits = 0;
      if (this.nonSackPreventingReopen()) return true;
      if (frtoUndo || this.sackOk) {
        this.setCaState(CA_OPEN);
          }
      return true;
    }
    return false;
  }

  private tryUndoPartial(priorSndUna: number): boolean {
    if (this.undoMarker !== null && this.packetDelayed()) {
      // The hole was filled by a delayed original, not by the retransmission: reordering.
      this.checkSackReordering(priorSndUna);
      if (this.board.retransOut) return true;
      if (!this.anyRetransDone()) this.retransStamp = null;
      this.undoCwndReduction(true);
      this.tryKeepOpen();
    }
    return false;
  }

  /** tcp_process_loss: ACK processing in Loss state, with F-RTO (RFC 5682 section 3.1). */
  private processLoss(flag: number, numDupack: number): void {
    const recovered = !seqLt(this.sndUna, this.highSeq);
    if (flag & FLAG_SND_UNA_ADVANCED && this.tryUndoLoss(false)) return;
    if (this.frto) {
      // Step 3.b: the timeout was spurious if never-retransmitted data is (S)ACKed.
      if (flag & FLAG_ORIG_SACK_ACKED && this.tryUndoLoss(true)) return;
      if (seqGt(this.sndNxt, this.highSeq)) {
        if (flag & FLAG_DATA_SACKED || numDupack) this.frto = false; // step 3.a: the loss was real
      } else if (flag & FLAG_SND_UNA_ADVANCED && !recovered) {
        // Step 2.b: new data goes out next (seen in the capture); high_seq marks where it starts.
        this.highSeq = this.sndNxt;
        return;
      }
    }
    if (recovered) {
      this.tryUndoRecovery();
      return;
    }
    if (!this.sackOk) {
      if (seqGt(this.sndNxt, this.highSeq) && numDupack) this.addRenoSack(numDupack);
      else if (flag & FLAG_SND_UNA_ADVANCED) this.renoSackedOut = 0;
    }
  }

  /** tcp_enter_loss: the retransmission timeout fired. */
  private enterLoss(): void {
    const newRecovery = this.caState < CA_RECOVERY;
    this.timeoutMarkLost();
    // Reduce ssthresh if it has not yet been made inside this window.
    if (this.caState <= CA_DISORDER || !seqGt(this.highSeq, this.sndUna) || (this.caState === CA_LOSS && !this.timeoutRetransmits)) {
      this.priorSsthresh = this.currentSsthresh();
      this.priorCwnd = this.cwnd;
      this.ssthresh = this.cc.ssthreshOnLoss(this);
      this.initUndo();
    }
    this.cwnd = this.inFlight() + 1;
    this.cwndCount = 0;
    this.cwndStamp = this.now;
    if (this.caState <= CA_DISORDER && this.sackedOut() >= SYSCTL_REORDERING) this.reordering = Math.min(this.reordering, SYSCTL_REORDERING);
    this.setCaState(CA_LOSS);
    this.highSeq = this.sndNxt;
    this.frto = newRecovery || this.timeoutRetransmits > 0;
    this.timeoutRetransmits++;
  }

  /** tcp_timeout_mark_lost: everything outstanding is lost, except what RACK says was sent too recently. */
  private timeoutMarkLost(): void {
    const head = this.board.first();
    const reneging = head !== null && head.sacked;
    if (reneging) {
      this.board.clearSacks();
    } else if (!this.sackOk) {
      this.renoSackedOut = 0;
    }
    for (const u of this.board.live()) {
      if (!reneging && u !== head && this.rackRtt > 0 && this.rackRtt - (this.now - u.sentAt) > 0) continue;
      this.markLost(u);
    }
    this.reoTimerAt = null;
  }

  /** tcp_process_tlp_ack: a tail loss probe episode ends; a repaired loss costs a CWR reduction. */
  private processTlpAck(ack: number, flag: number): void {
    const high = this.tlpHighSeq;
    if (high === null || seqLt(ack, high)) return;
    if (!this.tlpRetrans) {
      this.tlpHighSeq = null;
    } else if (flag & FLAG_DSACK_TLP) {
      this.tlpHighSeq = null;
    } else if (seqGt(ack, high)) {
      this.initCwndReduction();
      this.setCaState(CA_CWR);
      this.endCwndReduction();
      this.tryKeepOpen();
    } else if (!(flag & (FLAG_SND_UNA_ADVANCED | FLAG_NOT_DUP | FLAG_DATA_SACKED))) {
      this.tlpHighSeq = null;
    }
  }

  /* -------------------------------------------------- Reno (no SACK) emulation */

  private addRenoSack(numDupack: number): void {
    if (!numDupack) return;
    const prior = this.renoSackedOut;
    this.renoSackedOut += numDupack;
    this.checkRenoReordering(0);
    if (this.renoSackedOut > prior) this.delivered += this.renoSackedOut - prior;
  }

  private removeRenoSacks(acked: number): void {
    if (acked > 0) {
      // One ACK filled the hole; the rest eat duplicate ACKs.
      this.delivered += Math.max(acked - this.renoSackedOut, 1);
      if (acked - 1 >= this.renoSackedOut) this.renoSackedOut = 0;
      else this.renoSackedOut -= acked - 1;
    }
    this.checkRenoReordering(acked);
  }

  /** More dupacks than holes can explain: reordering (tcp_check_reno_reordering). */
  private checkRenoReordering(addend: number): void {
    const packets = this.board.packetsOut;
    const holes = Math.min(Math.max(this.board.lostOut, 1), packets);
    if (this.renoSackedOut + holes <= packets) return;
    this.renoSackedOut = packets - holes;
    this.reordering = Math.min(packets + addend, MAX_REORDERING);
    this.reordSeen++;
  }

  /* --------------------------------------------------------------- output */

  snapshot(): SenderSnapshot {
    let inFlightBytes = 0;
    let sackedBytes = 0;
    for (const u of this.board.live()) {
      const size = seqDiff(u.start, u.end);
      if (u.sacked) sackedBytes += size;
      else if (!u.lost || u.retransInFlight) inFlightBytes += size;
      if (u.sacked && u.retransInFlight) inFlightBytes += size;
    }
    if (!this.sackOk) inFlightBytes = Math.max(0, inFlightBytes - this.renoSackedOut * this.mss);
    return {
      time: this.now,
      sndUna: this.sndUna,
      sndNxt: this.sndNxt,
      inFlight: inFlightBytes,
      sacked: sackedBytes,
      rwnd: this.sndWnd,
      cwnd: this.cwnd * this.mss,
      ssthresh: this.ssthresh >= INFINITE_SSTHRESH ? null : this.ssthresh * this.mss,
      srtt: this.rtt.srtt,
      state: CA_NAMES[this.caState],
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

  debugState(): Record<string, unknown> {
    return {
      cwnd: this.cwnd,
      ssthresh: this.ssthresh,
      state: CA_NAMES[this.caState],
      inFlight: this.inFlight(),
      packetsOut: this.board.packetsOut,
      sacked: this.sackedOut(),
      lost: this.board.lostOut,
      retrans: this.board.retransOut,
      maxPacketsOut: this.maxPacketsOut,
      cwndLimited: this.cwndLimitedFlag,
      srtt: this.rtt.srtt,
      rto: this.rtt.rto,
      minRtt: this.rtt.minRtt,
      undoMarker: this.undoMarker,
      prrDelivered: this.prrDelivered,
      prrOut: this.prrOut,
      undoRetrans: this.undoRetrans,
      reordering: this.reordering,
      reordSeen: this.reordSeen,
      cc: this.cc.describe(),
    };
  }
}

/** tcp_rack_sent_after: t1 after t2, ties broken by sequence. */
function rackSentAfter(t1: number, t2: number, seq1: number, seq2: number): boolean {
  return t1 > t2 || (t1 === t2 && seqGt(seq1, seq2));
}
