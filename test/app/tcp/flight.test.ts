import { describe, expect, it } from 'vitest';
import { FlightTracker } from '../../../app/tcp/flight';

const MS = 1_000_000;

describe('FlightTracker (Little\'s law)', () => {
  it('time-averages snd_nxt - snd_una and compares it with throughput x mean RTT', () => {
    const flight = new FlightTracker();
    // 1000 bytes in flight for 10 ms, then acknowledged; 1000 more for 10 ms, acknowledged.
    flight.onSend(1000, 0);
    flight.onAck(0, 0);
    flight.onAck(1000, 10 * MS);
    flight.onSend(2000, 10 * MS);
    flight.onAck(2000, 20 * MS);
    const summary = flight.summary(10 * MS);
    expect(summary.meanBytesInFlight).toBe(1000);
    expect(summary.throughputBytesPerSecond).toBe(100_000);
    expect(summary.littlesLawBytes).toBe(1000);
  });

  it('counts an idle stretch with nothing in flight as zero', () => {
    const flight = new FlightTracker();
    flight.onSend(500, 0);
    flight.onAck(0, 0);
    flight.onAck(500, 10 * MS);
    flight.onSend(500, 30 * MS); // a pure ACK-only turn: nothing new sent
    const summary = flight.summary(null);
    expect(summary.meanBytesInFlight).toBeCloseTo((500 * 10) / 30, 9);
    expect(summary.littlesLawBytes).toBeNull();
  });

  it('handles sequence wrap and ignores old acknowledgments', () => {
    const flight = new FlightTracker();
    const start = 0xffff_ff00;
    flight.onSend(start, 0);
    flight.onAck(start, 0);
    flight.onSend((start + 0x200) >>> 0, 1 * MS);
    flight.onAck((start - 100) >>> 0, 2 * MS); // older than snd_una: no effect
    flight.onAck((start + 0x200) >>> 0, 3 * MS);
    const summary = flight.summary(2 * MS);
    expect(summary.meanBytesInFlight).toBeCloseTo((0x200 * 2) / 3, 9);
    expect(summary.throughputBytesPerSecond).toBeCloseTo(0x200 / 0.003, 6);
  });
});
