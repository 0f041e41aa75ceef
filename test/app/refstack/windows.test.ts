import { describe, expect, it } from 'vitest';
import { WINDOWS_CSV_HEADER, windowsCsvLines, windowsSeries } from '../../../app/refstack/windows';
import { endpointText } from '../../../app/refstack/fromAnalyzer';
import { PEER, SENDER, Synthetic } from './synthetic';

describe('windows series', () => {
  const s = new Synthetic({ window: 200_000 }).handshake(0, 0.01).send(0.02, 10).ackEach(0.03, 0, 10, 0.0006);
  const [direction, ...others] = windowsSeries(7, s.events);

  it('has one direction per data sender, with the CSV header of DESIGN section 3', () => {
    expect(others).toEqual([]);
    expect(direction).toMatchObject({ stream: 7, src: SENDER, dst: PEER });
    expect(WINDOWS_CSV_HEADER).toBe('stream,src,dst,time,snd_una,snd_nxt,in_flight,rwnd,cwnd,ssthresh,srtt,model');
  });

  it('writes rows only when a value changes, with sequence numbers relative to the ISN', () => {
    const lines = windowsCsvLines(direction);
    // Established at the SYN-ACK, then 10 transmissions and 10 ACKs, each changing snd_nxt or snd_una.
    expect(lines.length).toBe(21);
    expect(lines[0]).toBe(`7,${SENDER},${PEER},100.010000,1,1,0,65535,10000,,0.010000,${direction.model}`);
    const last = lines[lines.length - 1].split(',');
    expect(last.slice(4, 10)).toEqual(['10001', '10001', '0', '200000', '20000', '']);
  });

  it('reports the delivery rate over the last RTT', () => {
    const rate = direction.rows[direction.rows.length - 1].deliveryRate;
    // 10 packets of 1000 bytes ACKed over 5.4 ms; the window is one smoothed RTT (about 12 ms).
    expect(rate).toBeGreaterThan(500_000);
    expect(rate).toBeLessThan(2_000_000);
  });

  it('prints IPv6 endpoints in brackets', () => {
    expect(endpointText(6, '2001:db8::1', 443)).toBe('[2001:db8::1]:443');
    expect(endpointText(4, '192.0.2.1', 80)).toBe('192.0.2.1:80');
  });
});
