/**
 * Round-trip time estimation and the retransmission timeout (RFC 6298 section 2).
 *
 * Two flavours: 'rfc6298' is the RFC as written (alpha 1/8, beta 1/4, RTO = SRTT + 4 RTTVAR, at least
 * 1 s); 'linux' is tcp_rtt_estimator/tcp_set_rto of tcp_input.c, which deviates on purpose: the variance
 * term never drops below the 200 ms minimum RTO (rttvar is floored, not the RTO), a decrease of the RTT
 * moves the deviation 8 times more slowly, and the deviation's maximum is forgotten once per round trip.
 * All times are seconds.
 */
export type RttFlavour = 'rfc6298' | 'linux';

/** Linux TCP_RTO_MIN (200 ms) and TCP_RTO_MAX (120 s). */
const LINUX_RTO_MIN = 0.2;
const RTO_MAX = 120;
/** RFC 6298 (2.1): RTO starts at 1 s before any sample; (2.4): never below 1 s. */
const RFC_RTO_INITIAL = 1;
const RFC_RTO_MIN = 1;

export interface RttState {
  /** Smoothed RTT, 0 until the first sample. */
  srtt: number;
  /** RTTVAR of RFC 6298 (for 'linux': mdev, a quarter of tcp_sock.mdev_us). */
  rttvar: number;
  /** Linux only: the largest deviation seen this round trip, and the variance term the RTO uses. */
  deviationMax: number;
  varianceTerm: number;
  /** Linux only: the deviation maximum decays once snd_una passes this sequence number. */
  roundEnd: number | null;
  /** Retransmission timeout before backoff. */
  rto: number;
  /** Smallest RTT sample seen (tcp_min_rtt; Linux's 5-minute window never expires in a capture). */
  minRtt: number;
}

export function newRttState(flavour: RttFlavour): RttState {
  return {
    srtt: 0,
    rttvar: 0,
    deviationMax: 0,
    varianceTerm: 0,
    roundEnd: null,
    rto: flavour === 'linux' ? 1 : RFC_RTO_INITIAL,
    minRtt: Infinity,
  };
}

/**
 * Folds one RTT measurement in. `roundPassed` tells the Linux flavour that snd_una moved past the
 * sequence number recorded when the deviation maximum was last reset; it then records `sndNxt`.
 */
export function addRttSample(
  state: RttState,
  flavour: RttFlavour,
  rtt: number,
  roundPassed: (roundEnd: number) => boolean,
  sndNxt: number,
): void {
  const sample = Math.max(rtt, 1e-6);
  state.minRtt = Math.min(state.minRtt, sample);
  if (flavour === 'rfc6298') {
    if (state.srtt === 0) {
      // (2.2) first measurement
      state.srtt = sample;
      state.rttvar = sample / 2;
    } else {
      // (2.3) RTTVAR first, with the old SRTT
      state.rttvar = 0.75 * state.rttvar + 0.25 * Math.abs(state.srtt - sample);
      state.srtt = 0.875 * state.srtt + 0.125 * sample;
    }
    state.rto = Math.min(RTO_MAX, Math.max(RFC_RTO_MIN, state.srtt + 4 * state.rttvar));
    return;
  }
  if (state.srtt === 0) {
    state.srtt = sample;
    state.rttvar = sample / 2;
    state.varianceTerm = Math.max(4 * state.rttvar, LINUX_RTO_MIN);
    state.deviationMax = state.varianceTerm;
    state.roundEnd = sndNxt;
  } else {
    let error = sample - state.srtt;
    state.srtt += error / 8;
    // Linux: a sample below SRTT moves the deviation 1/32 of the way, not 1/4 (tcp_rtt_estimator)
    if (error < 0) {
      error = -error - state.rttvar;
      if (error > 0) error /= 8;
    } else {
      error -= state.rttvar;
    }
    state.rttvar += error / 4;
    const deviation = 4 * state.rttvar;
    if (deviation > state.deviationMax) {
      state.deviationMax = deviation;
      if (state.deviationMax > state.varianceTerm) state.varianceTerm = state.deviationMax;
    }
    if (state.roundEnd !== null && roundPassed(state.roundEnd)) {
      if (state.deviationMax < state.varianceTerm) state.varianceTerm -= (state.varianceTerm - state.deviationMax) / 4;
      state.roundEnd = sndNxt;
      state.deviationMax = LINUX_RTO_MIN;
    }
  }
  state.rto = Math.min(RTO_MAX, state.srtt + state.varianceTerm);
}
