import { seqGt } from '../tcp/seq';

/**
 * Linux's pluggable congestion-control hooks (struct tcp_congestion_ops) for the two algorithms the
 * reference stack models: Reno (tcp_cong.c) and CUBIC with HyStart (tcp_cubic.c, RFC 9438). Written from
 * the kernel's behaviour, with its integer arithmetic and its jiffies clock (HZ = 250 on the kernels the
 * truth was recorded on; every jiffies-based rule below rounds the way the kernel does).
 */

export const HZ = 250;

/** What a congestion-control module reads and writes on the socket (a view of tcp_sock). */
export interface CongestionHost {
  /** Congestion window and slow-start threshold, in packets. */
  cwnd: number;
  ssthresh: number;
  /** snd_cwnd_cnt: ACKed packets counted towards the next additive increase. */
  cwndCount: number;
  /** prior_cwnd: cwnd when the current reduction started. */
  priorCwnd: number;
  sndUna: number;
  sndNxt: number;
  /** Current time, seconds. */
  now: number;
  /** tcp_is_cwnd_limited. */
  isCwndLimited(): boolean;
}

export interface CongestionOps {
  readonly name: 'reno' | 'cubic';
  /** ca_ops->ssthresh: the new threshold when a reduction starts. */
  ssthreshOnLoss(tp: CongestionHost): number;
  /** ca_ops->cong_avoid: growth on an ACK that delivered `acked` packets. */
  congestionAvoid(tp: CongestionHost, acked: number): void;
  /** ca_ops->undo_cwnd: the window to restore when a reduction proves spurious. */
  undoCwnd(tp: CongestionHost): number;
  /** ca_ops->pkts_acked: called for every ACK that reaches the retransmission queue; rtt in seconds or null. */
  packetsAcked(tp: CongestionHost, rtt: number | null): void;
  /** ca_ops->set_state for TCP_CA_Loss (an RTO). */
  enterLoss(tp: CongestionHost): void;
  /** CA_EVENT_TX_START: the first transmission after nothing was in flight; `lastSent` is the previous one's time. */
  transmitStart(tp: CongestionHost, lastSent: number): void;
  /** A snapshot of internal state worth reporting (for tests and debugging). */
  describe(): Record<string, number | boolean>;
}

/** tcp_in_slow_start: cwnd < ssthresh. */
export function inSlowStart(tp: CongestionHost): boolean {
  return tp.cwnd < tp.ssthresh;
}

/** tcp_slow_start: grows cwnd by the ACKed packets up to ssthresh; returns the packets left over. */
export function slowStart(tp: CongestionHost, acked: number): number {
  const cwnd = Math.min(tp.cwnd + acked, tp.ssthresh);
  const left = acked - (cwnd - tp.cwnd);
  tp.cwnd = cwnd;
  return left;
}

/** tcp_cong_avoid_ai: one packet of growth per `w` packets ACKed. */
export function congestionAvoidAdditive(tp: CongestionHost, w: number, acked: number): void {
  // If credits accumulated at a higher w, apply them gently now.
  if (tp.cwndCount >= w) {
    tp.cwndCount = 0;
    tp.cwnd += 1;
  }
  tp.cwndCount += acked;
  if (tp.cwndCount >= w) {
    const delta = Math.floor(tp.cwndCount / w);
    tp.cwndCount -= delta * w;
    tp.cwnd += delta;
  }
}

/** Reno: RFC 5681 slow start and congestion avoidance, as tcp_reno_cong_avoid. */
export function linuxReno(): CongestionOps {
  return {
    name: 'reno',
    ssthreshOnLoss: (tp) => Math.max(tp.cwnd >> 1, 2),
    congestionAvoid(tp, acked) {
      if (!tp.isCwndLimited()) return;
      if (inSlowStart(tp)) {
        acked = slowStart(tp, acked);
        if (!acked) return;
      }
      congestionAvoidAdditive(tp, tp.cwnd, acked);
    },
    undoCwnd: (tp) => Math.max(tp.cwnd, tp.priorCwnd),
    packetsAcked() {},
    enterLoss() {},
    transmitStart() {},
    describe: () => ({}),
  };
}

/* CUBIC constants (tcp_cubic.c defaults). */
const BETA = 717; // multiplicative decrease 717/1024 ~ 0.7 (RFC 9438 section 4.6)
const BETA_SCALE = 1024;
const BIC_SCALE = 41; // C = 41/1024 * 10 ~ 0.4 (RFC 9438 section 5)
const CUBE_RTT_SCALE = BIC_SCALE * 10;
const CUBE_FACTOR = 2 ** 40 / (BIC_SCALE * 10);
/** 8 * (1 + beta) / 3 / (1 - beta) in integer arithmetic: the Reno-friendly region's slope (RFC 9438 4.3). */
const FRIENDLINESS_SCALE = Math.floor(Math.floor((8 * (BETA_SCALE + BETA)) / 3) / (BETA_SCALE - BETA));
const HYSTART_LOW_WINDOW = 16;
const HYSTART_ACK_DELTA = 0.002;
const HYSTART_MIN_SAMPLES = 8;
const HYSTART_DELAY_MIN = 0.004;
const HYSTART_DELAY_MAX = 0.016;

function jiffies(seconds: number): number {
  return Math.floor(seconds * HZ);
}

/** usecs_to_jiffies rounds up. */
function secondsToJiffiesUp(seconds: number): number {
  return Math.ceil(seconds * HZ - 1e-9);
}

export interface CubicOptions {
  /** HyStart (hybrid slow start) on, as by default. */
  hystart: boolean;
}

/** CUBIC (RFC 9438) with HyStart, as tcp_cubic.c. */
export function linuxCubic(options: CubicOptions): CongestionOps {
  // struct bictcp
  let cnt = 0;
  let lastMaxCwnd = 0;
  let lastCwnd = 0;
  let lastTime = 0; // jiffies
  let originPoint = 0;
  let k = 0; // in 1/1024 s
  let delayMin = 0; // seconds, 0 = none yet
  let epochStart = 0; // jiffies, 0 = no epoch
  let ackCount = 0;
  let renoCwnd = 0; // tcp_cwnd: the Reno-friendly estimate
  let found = false;
  let roundStart = 0; // seconds
  let endSeq = 0;
  let lastAck = 0; // seconds
  let currentRtt = Infinity;
  let sampleCount = 0;
  let started = false;

  const hystartReset = (tp: CongestionHost) => {
    roundStart = lastAck = tp.now;
    endSeq = tp.sndNxt;
    currentRtt = Infinity;
    sampleCount = 0;
  };

  const reset = () => {
    cnt = lastMaxCwnd = lastCwnd = lastTime = originPoint = k = delayMin = epochStart = ackCount = renoCwnd = 0;
    found = false;
  };

  const update = (tp: CongestionHost, cwnd: number, acked: number) => {
    const now = jiffies(tp.now);
    ackCount += acked;
    if (lastCwnd === cwnd && now - lastTime <= Math.floor(HZ / 32)) return;
    // The cubic function is evaluated at most once per jiffy.
    if (!(epochStart && now === lastTime)) {
      lastCwnd = cwnd;
      lastTime = now;
      if (epochStart === 0) {
        epochStart = now || 1;
        ackCount = acked;
        renoCwnd = cwnd;
        if (lastMaxCwnd <= cwnd) {
          k = 0;
          originPoint = cwnd;
        } else {
          k = Math.floor(Math.cbrt(CUBE_FACTOR * (lastMaxCwnd - cwnd)));
          originPoint = lastMaxCwnd;
        }
      }
      const t = Math.floor(((now - epochStart + secondsToJiffiesUp(delayMin)) * 1024) / HZ);
      const offset = t < k ? k - t : t - k;
      const delta = Math.floor((CUBE_RTT_SCALE * offset * offset * offset) / 2 ** 40);
      const target = t < k ? originPoint - delta : originPoint + delta;
      cnt = target > cwnd ? Math.floor(cwnd / (target - cwnd)) : 100 * cwnd;
      // The initial growth may be too conservative while the available bandwidth is unknown.
      if (lastMaxCwnd === 0 && cnt > 20) cnt = 20;
    }
    // Reno-friendly region (RFC 9438 section 4.3)
    const step = (cwnd * FRIENDLINESS_SCALE) >> 3;
    if (step > 0) {
      while (ackCount > step) {
        ackCount -= step;
        renoCwnd++;
      }
    }
    if (renoCwnd > cwnd) {
      const maxCnt = Math.floor(cwnd / (renoCwnd - cwnd));
      if (cnt > maxCnt) cnt = maxCnt;
    }
    // At most 1 packet per 2 ACKed: 1.5x per RTT.
    cnt = Math.max(cnt, 2);
  };

  const hystartUpdate = (tp: CongestionHost, delay: number) => {
    // ACK-train detection: ACKs closely spaced for longer than half the minimum delay. Linux adds a
    // cushion for GSO bursts at the pacing rate (hystart_ack_delay); it made no difference on any of
    // the recordings, with or without TSO, so it is left out.
    if (tp.now - lastAck <= HYSTART_ACK_DELTA) {
      lastAck = tp.now;
      // Non-paced senders halve the threshold.
      const threshold = delayMin / 2;
      if (tp.now - roundStart > threshold) {
        found = true;
        tp.ssthresh = tp.cwnd;
      }
    }
    // Delay detection: the round's minimum RTT rose by delay_min/8 (clamped to 4..16 ms).
    if (currentRtt > delay) currentRtt = delay;
    if (sampleCount < HYSTART_MIN_SAMPLES) {
      sampleCount++;
    } else if (currentRtt > delayMin + Math.min(Math.max(delayMin / 8, HYSTART_DELAY_MIN), HYSTART_DELAY_MAX)) {
      found = true;
      tp.ssthresh = tp.cwnd;
    }
  };

  return {
    name: 'cubic',
    ssthreshOnLoss(tp) {
      epochStart = 0;
      // Fast convergence (RFC 9438 section 4.7)
      lastMaxCwnd = tp.cwnd < lastMaxCwnd ? Math.floor((tp.cwnd * (BETA_SCALE + BETA)) / (2 * BETA_SCALE)) : tp.cwnd;
      return Math.max(Math.floor((tp.cwnd * BETA) / BETA_SCALE), 2);
    },
    congestionAvoid(tp, acked) {
      if (!tp.isCwndLimited()) return;
      if (inSlowStart(tp)) {
        acked = slowStart(tp, acked);
        if (!acked) return;
      }
      update(tp, tp.cwnd, acked);
      congestionAvoidAdditive(tp, cnt, acked);
    },
    undoCwnd: (tp) => Math.max(tp.cwnd, tp.priorCwnd),
    packetsAcked(tp, rtt) {
      if (!started) {
        started = true;
        hystartReset(tp);
      }
      if (rtt === null) return;
      // Discard delay samples right after fast recovery.
      if (epochStart && jiffies(tp.now) - epochStart < HZ) return;
      const delay = Math.max(rtt, 1e-6);
      if (delayMin === 0 || delayMin > delay) delayMin = delay;
      if (!options.hystart || found || !inSlowStart(tp)) return;
      // A new round starts once snd_una passes the last one's end, whatever cwnd is (Linux 6.13 and later;
      // before, only once cwnd reached hystart_low_window).
      if (seqGt(tp.sndUna, endSeq)) hystartReset(tp);
      if (tp.cwnd >= HYSTART_LOW_WINDOW) hystartUpdate(tp, delay);
    },
    enterLoss(tp) {
      reset();
      hystartReset(tp);
    },
    transmitStart(tp, lastSent) {
      // Application-limited (idle) for a while: shift the epoch to keep growth on the cubic curve.
      const delta = jiffies(tp.now) - jiffies(lastSent);
      if (epochStart && delta > 0) epochStart = Math.min(epochStart + delta, jiffies(tp.now));
    },
    describe: () => ({ cnt, lastMaxCwnd, k, originPoint, delayMin, epochStart, renoCwnd, hystartFound: found }),
  };
}
