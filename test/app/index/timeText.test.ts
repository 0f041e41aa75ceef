import { describe, expect, it } from 'vitest';
import { formatAbsolute, formatDifference } from '../../../app/index/timeText';

describe('formatDifference', () => {
  it('borrows a second when the nanoseconds go negative', () => {
    expect(formatDifference(101, 100_000, 100, 900_000_000, 6)).toBe('0.100100');
  });

  it('is exact where a double of epoch seconds is not', () => {
    // 1700000000.000000001 - 1700000000.000000000: a double rounds both to the same value.
    expect(formatDifference(1_700_000_000, 1, 1_700_000_000, 0, 9)).toBe('0.000000001');
  });

  it('prints negative differences (timestamps going back) with a sign', () => {
    expect(formatDifference(100, 0, 100, 120_000, 6)).toBe('-0.000120');
    expect(formatDifference(99, 500_000_000, 101, 0, 6)).toBe('-1.500000');
  });

  it('truncates to microseconds for microsecond captures', () => {
    expect(formatDifference(5, 999_999_000, 0, 0, 6)).toBe('5.999999');
  });
});

describe('formatAbsolute', () => {
  it('prints UTC date and time of day', () => {
    // tshark -r arkime/pcap/dns-udp.pcap -t ud: 2013-11-25 17:30:47.217572
    expect(formatAbsolute(1_385_400_647, 217_572_000, 6)).toBe('2013-11-25 17:30:47.217572');
  });

  it('handles pcapng times beyond 2106', () => {
    // tcpdump/tests/time_2106_overflow.pcapng, frame.time_epoch 4294967296.000000000;
    // TZ=UTC tshark -t ud prints 2106-02-07 06:28:16.000000.
    expect(formatAbsolute(4_294_967_296, 0, 9)).toBe('2106-02-07 06:28:16.000000000');
  });
});
