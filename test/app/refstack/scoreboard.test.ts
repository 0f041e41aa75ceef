import { describe, expect, it } from 'vitest';
import { Scoreboard } from '../../../app/refstack/scoreboard';

describe('Scoreboard', () => {
  it('cuts sent data into MSS units and counts them as packets', () => {
    const b = new Scoreboard();
    expect(b.append(1000, 4500, 1000, 1, null)).toBe(4);
    expect(b.live().map((u) => [u.start, u.end])).toEqual([[1000, 2000], [2000, 3000], [3000, 4000], [4000, 4500]]);
    expect(b.packetsOut).toBe(4);
    expect(b.inFlight).toBe(4);
  });

  it('works across sequence-number wraparound', () => {
    const b = new Scoreboard();
    b.append(0xffffff00, 0x00000300, 0x200, 1, null);
    expect(b.live().map((u) => [u.start, u.end])).toEqual([[0xffffff00, 0x100], [0x100, 0x300]]);
    expect(b.inside(0xffffff00, 0x100).length).toBe(1);
    expect(b.takeAcked(0x100).length).toBe(1);
    expect(b.first()?.start).toBe(0x100);
  });

  it('keeps the S, L and R counts and in flight = out - (sacked + lost) + retransmitted', () => {
    const b = new Scoreboard();
    b.append(0, 5000, 1000, 1, null);
    const [u0, u1, u2] = b.live();
    b.setLost(u0, true);
    b.setRetransInFlight(u0, true);
    b.setSacked(u1);
    b.setSacked(u2);
    expect([b.sackedOut, b.lostOut, b.retransOut]).toEqual([2, 1, 1]);
    expect(b.inFlight).toBe(5 - 3 + 1);
    // A lost unit cannot be SACKed and lost at once.
    b.setSacked(u0);
    expect([b.sackedOut, b.lostOut]).toEqual([3, 0]);
    expect(b.highestSacked(0)).toBe(3000);
  });

  it('drops what a cumulative ACK covers, trimming a unit it cuts', () => {
    const b = new Scoreboard();
    b.append(0, 3000, 1000, 1, null);
    b.setSacked(b.live()[0]);
    const acked = b.takeAcked(1500);
    expect(acked.length).toBe(1);
    expect(b.sackedOut).toBe(0);
    expect(b.first()).toMatchObject({ start: 1500, end: 2000 });
    expect(b.overlapping(1800, 2100).map((u) => u.start)).toEqual([1500, 2000]);
  });
});
