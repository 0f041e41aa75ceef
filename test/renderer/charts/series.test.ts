import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { TcpFlag } from '../../../app/tcp/analysis';
import type { TcpSegmentEvent } from '../../../app/tcp/analyzer';
import { isRetransmission, type StreamSeries } from '../../../renderer/charts/series';
import { SequenceUnwrapper } from '../../../app/tcp/seriesBuilder';
import { runTshark, tsharkSkipReason } from '../../helpers/tshark';
import { client, server, writeCapture } from '../../app/diagram/captures';
import { streamSeriesOfFile } from './captures';

const { syn, ack, psh } = TcpFlag;
const KERNEL_TRUTH = resolve(__dirname, '../../../../shared/data/kernel-truth');
/** A CUBIC bulk transfer through a 20 Mbit/s bottleneck with 0.5% random loss: SACKs, retransmissions, recovery. */
const LOSSY = join(KERNEL_TRUTH, 'cubic-20mbit-q60k-loss0.5.pcap');
const skip = tsharkSkipReason(false) ?? (existsSync(LOSSY) ? null : `kernel-truth capture not found at ${LOSSY}`);

describe('SequenceUnwrapper', () => {
  it('climbs past 2^32 and steps back a little without wrapping', () => {
    const u = new SequenceUnwrapper();
    expect([0xffffff00, 0x10, 0xfffffff0, 0x20, 0x7fffffff].map((v) => u.at(v))).toEqual([0xffffff00, 2 ** 32 + 0x10, 2 ** 32 - 0x10, 2 ** 32 + 0x20, 2 ** 32 + 0x7fffffff]);
  });
});

describe('series of built connections', () => {
  it('keeps rows in time order (stable) when the capture clock steps back', async () => {
    const file = writeCapture('clock-back', [
      { ms: 0, spec: { ...client, seq: 100, flags: syn } },
      { ms: 10, spec: { ...server, seq: 900, ack: 101, flags: syn | ack } },
      { ms: 11, spec: { ...client, seq: 101, ack: 901, flags: ack | psh, payload: 'a'.repeat(10) } },
      // Captured later, stamped earlier (a clock step).
      { ms: 5, spec: { ...client, seq: 111, ack: 901, flags: ack | psh, payload: 'b'.repeat(10) } },
      { ms: 12, spec: { ...client, seq: 121, ack: 901, flags: ack | psh, payload: 'c'.repeat(10) } },
    ]);
    const { series } = await streamSeriesOfFile(file, 0);
    const s = series.directions[0].segments;
    expect([...s.frame]).toEqual([1, 4, 3, 5]);
    expect([...s.time]).toEqual([0, 0.005, 0.011, 0.012]);
    expect([...s.seq]).toEqual([0, 11, 1, 21]);
    expect([...s.end]).toEqual([1, 21, 11, 31]);
    expect(series.clientDirection).toBe(0);
    expect([series.directions[0].src, series.directions[0].dst]).toEqual(['10.0.0.1:40000', '10.0.0.2:80']);
  });
});

describe.skipIf(skip !== null)(`series of a lossy bulk transfer, checked against tshark${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let series: StreamSeries;
  let events: TcpSegmentEvent[];
  let rows: string[][];
  beforeAll(async () => {
    ({ series, events } = await streamSeriesOfFile(LOSSY, 0));
    // tcp.analysis.retransmission is on every kind of retransmission (tshark adds it to fast and spurious ones).
    const fields = ['frame.number', 'ip.src', 'tcp.flags', 'tcp.seq', 'tcp.nxtseq', 'tcp.len', 'tcp.ack', 'tcp.window_size', 'tcp.analysis.retransmission', 'tcp.analysis.bytes_in_flight', 'tcp.options.sack_le', 'tcp.options.sack_re'];
    const args = ['-n', '-r', LOSSY, '-Y', 'tcp.stream == 0', '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=;'];
    for (const f of fields) args.push('-e', f);
    const run = await runTshark(args);
    rows = run.stdout.trimEnd().split('\n').map((line) => line.split('\t'));
  });

  it('segments of the data direction: frames, seq..nxtseq, lengths, retransmissions and bytes in flight as tshark', () => {
    const data = series.directions[0];
    expect(data.src).toBe('10.91.1.1:35760');
    const expected = rows.filter((r) => r[1] === '10.91.1.1' && (Number(r[5]) > 0 || Number(r[2]) & (TcpFlag.syn | TcpFlag.fin)));
    const s = data.segments;
    expect(s.frame.length).toBe(expected.length);
    expect(expected.length).toBeGreaterThan(4000);
    expected.forEach((r, i) => {
      const got = [s.frame[i], s.seq[i], s.end[i], s.len[i], s.inFlight[i]];
      expect(got, `frame ${r[0]}`).toEqual([Number(r[0]), Number(r[3]), Number(r[4]), Number(r[5]), Number(r[9] || 0)]);
    });
    const retransmitted = [...s.frame].filter((_, i) => isRetransmission(s.analysis[i]));
    expect(retransmitted).toEqual(expected.filter((r) => r[8] !== '').map((r) => Number(r[0])));
    expect(retransmitted.length).toBeGreaterThan(10);
  });

  it('acknowledgments and SACK blocks of the receiver as tshark (relative, scaled window)', () => {
    const a = series.directions[0].acks;
    const expected = rows.filter((r) => r[1] === '10.91.2.1' && Number(r[2]) & TcpFlag.ack);
    expect([...a.frame]).toEqual(expected.map((r) => Number(r[0])));
    expect([...a.ack]).toEqual(expected.map((r) => Number(r[6])));
    expect([...a.window]).toEqual(expected.map((r) => Number(r[7])));
    const k = series.directions[0].sacks;
    const blocks = expected.flatMap((r) => (r[10] === '' ? [] : r[10].split(';').map((left, i) => [Number(r[0]), Number(left), Number(r[11].split(';')[i])])));
    expect(blocks.length).toBeGreaterThan(100);
    expect([...k.frame].map((f, i) => [f, k.left[i], k.right[i]])).toEqual(blocks);
  });

  it('RTT samples are the analyzer’s own, with the RFC 6298 estimate after each', () => {
    const r = series.directions[0].rtt;
    const samples = events.filter((e) => e.direction === 1).flatMap((e) => e.rttSamples);
    expect([...r.frame]).toEqual(samples.map((s) => s.frame));
    expect([...r.rtt]).toEqual(samples.map((s) => s.rttNs / 1e9));
    expect(r.rtt.length).toBeGreaterThan(1000);
    // SRTT stays between the extremes of the samples; RTO is at least RFC 6298's 1 s floor.
    const low = Math.min(...r.rtt);
    const high = Math.max(...r.rtt);
    for (let i = 0; i < r.rtt.length; i++) {
      expect(r.srtt[i]).toBeGreaterThanOrEqual(low);
      expect(r.srtt[i]).toBeLessThanOrEqual(high);
      expect(r.rto[i]).toBeGreaterThanOrEqual(1);
      expect(r.minRtt[i]).toBeLessThanOrEqual(r.rtt[i]);
    }
  });

  it('the reference model replays the sender: a CUBIC fit with recovery periods; the receiver sent no data', () => {
    const d = series.directions[0];
    expect(d.model).toMatch(/cubic/);
    expect(d.windows.time.length).toBeGreaterThan(1000);
    expect(d.states).toContain('recovery');
    const cwnd = [...d.windows.cwnd].filter((v) => !Number.isNaN(v));
    expect(cwnd.length).toBe(d.windows.time.length);
    const receiver = series.directions[1];
    // Its SYN-ACK and FIN take sequence space; it sent no payload, so no model replays it.
    expect([receiver.model, receiver.windows.time.length, receiver.segments.frame.length]).toEqual(['none', 0, 2]);
    expect(series.duration).toBeCloseTo(2.5124, 3);
  });
});
