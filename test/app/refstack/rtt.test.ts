import { describe, expect, it } from 'vitest';
import { addRttSample, newRttState } from '../../../app/refstack/rtt';

describe('RTT estimation (RFC 6298)', () => {
  const never = () => false;

  it('rfc6298: first sample sets SRTT = R, RTTVAR = R/2, RTO = max(1 s, SRTT + 4 RTTVAR)', () => {
    const s = newRttState('rfc6298');
    expect(s.rto).toBe(1);
    addRttSample(s, 'rfc6298', 0.1, never, 0);
    expect(s.srtt).toBeCloseTo(0.1, 12);
    expect(s.rttvar).toBeCloseTo(0.05, 12);
    expect(s.rto).toBe(1);
    addRttSample(s, 'rfc6298', 2.1, never, 0);
    // (2.3): RTTVAR = 3/4 * 0.05 + 1/4 * |0.1 - 2.1|, then SRTT = 7/8 * 0.1 + 1/8 * 2.1.
    expect(s.rttvar).toBeCloseTo(0.5375, 12);
    expect(s.srtt).toBeCloseTo(0.35, 12);
    expect(s.rto).toBeCloseTo(0.35 + 4 * 0.5375, 12);
  });

  it('linux: the variance term never drops below the 200 ms minimum RTO', () => {
    const s = newRttState('linux');
    for (let i = 0; i < 50; i++) addRttSample(s, 'linux', 0.01, () => true, i);
    expect(s.srtt).toBeCloseTo(0.01, 9);
    expect(s.rto).toBeCloseTo(0.21, 9);
    expect(s.minRtt).toBeCloseTo(0.01, 12);
  });

  it('linux: a sample below SRTT moves the deviation an eighth as much as one above', () => {
    const low = newRttState('linux');
    const high = newRttState('linux');
    addRttSample(low, 'linux', 0.1, never, 0);
    addRttSample(high, 'linux', 0.1, never, 0);
    addRttSample(low, 'linux', 0.02, never, 0);
    addRttSample(high, 'linux', 0.18, never, 0);
    expect(high.rttvar - 0.05).toBeCloseTo(8 * (low.rttvar - 0.05), 12);
  });
});
