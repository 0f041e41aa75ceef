import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Ladder, LadderArrow, LadderGap, LadderSummary } from '../../../app/diagram/ladder';
import { TcpFlag } from '../../../app/tcp/analysis';
import { CORPUS_DIR, tsharkFields, tsharkSkipReason } from '../../helpers/tshark';
import { MSS, WINDOW_SCALE } from '../tcp/frames';
import { arrows, client, ladderOfFile, outline, server, writeCapture, type TimedSpec } from './captures';

const { syn, ack, fin, rst, psh } = TcpFlag;
const corpus = (path: string) => join(CORPUS_DIR, path);
const tsharkSkip = tsharkSkipReason();

/**
 * Every arrow agrees with tshark on the frames it draws: a single segment's flags, relative and raw
 * sequence and acknowledgment numbers and length; a flight's first sequence number and summed length;
 * the handshake RTT with tcp.analysis.initial_rtt.
 */
async function expectTsharkAgrees(file: string, stream: number, ladder: Ladder): Promise<void> {
  const fields = ['frame.number', 'tcp.stream', 'tcp.flags', 'tcp.seq', 'tcp.seq_raw', 'tcp.ack', 'tcp.ack_raw', 'tcp.len', 'tcp.analysis.initial_rtt'];
  const { rows } = await tsharkFields(file, fields);
  const byFrame = new Map(rows.filter((r) => r[1] === String(stream)).map((r) => [Number(r[0]), r]));
  for (const arrow of arrows(ladder)) {
    const first = byFrame.get(arrow.firstFrame)!;
    expect(first, `frame ${arrow.firstFrame}`).toBeDefined();
    expect([arrow.seq.relative, arrow.seq.raw], `seq of frame ${arrow.firstFrame}`).toEqual([Number(first[3]), Number(first[4])]);
    let len = 0;
    for (let n = arrow.firstFrame; n <= arrow.lastFrame; n++) len += Number(byFrame.get(n)?.[7] ?? 0);
    expect(arrow.len, `len of frames ${arrow.firstFrame}-${arrow.lastFrame}`).toBe(len);
    if (arrow.segments === 1) {
      expect(arrow.flags, `flags of frame ${arrow.firstFrame}`).toBe(Number(first[2]));
      if (arrow.flags & ack) expect([arrow.ack?.relative, arrow.ack?.raw], `ack of frame ${arrow.firstFrame}`).toEqual([Number(first[5]), Number(first[6])]);
      else expect(arrow.ack).toBeNull();
    }
  }
  const irtt = [...byFrame.values()].find((r) => r[8] !== '')?.[8];
  if (ladder.rtt) expect(ladder.rtt.totalNs).toBe(Math.round(Number(irtt) * 1e9));
}

function summaries(ladder: Ladder): LadderSummary[] {
  return ladder.elements.filter((e): e is LadderSummary => e.kind === 'summary');
}

function gaps(ladder: Ladder): LadderGap[] {
  return ladder.elements.filter((e): e is LadderGap => e.kind === 'gap');
}

function arrowAt(ladder: Ladder, frame: number): LadderArrow {
  const arrow = arrows(ladder).find((a) => a.firstFrame <= frame && frame <= a.lastFrame);
  if (!arrow) throw new Error(`no arrow draws frame ${frame}`);
  return arrow;
}

describe.skipIf(tsharkSkip !== null)(`ladders of corpus captures, checked against tshark${tsharkSkip ? ` (skipped: ${tsharkSkip})` : ''}`, () => {
  it('normal open and close: three-way handshake with options, first exchange as flights, FIN from both sides', async () => {
    // tcpdump tests/print-flags.pcap: an HTTP request on loopback, closed 1.29 s later by the client.
    const file = corpus('tcpdump/tests/print-flags.pcap');
    const ladder = await ladderOfFile(file, 0);
    expect(outline(ladder)).toEqual([
      'c>s syn #1',
      's>c syn-ack #2',
      'c>s handshake-ack #3',
      'c>s data #4',
      's>c data #5-#6',
      'c>s ack #7',
      'gap',
      'c>s fin #8',
      's>c fin #9',
      'c>s ack #10',
    ]);
    expect([ladder.client, ladder.server, ladder.clientIsA]).toEqual(['127.0.0.1:55920', '127.0.0.1:80', true]);
    expect([ladder.opening, ladder.closing, ladder.closedBy]).toEqual(['three-way', 'fin', 'client']);
    expect(ladder.notes).toEqual([]);
    expect(arrowAt(ladder, 1).options).toEqual(['MSS 16396', 'WS 2 (x4)', 'SACK_PERM', 'TS val 1306300950 ecr 0']);
    expect(arrowAt(ladder, 2).options).toEqual(['MSS 16396', 'WS 2 (x4)', 'SACK_PERM', 'TS val 1306300950 ecr 1306300950']);
    expect(arrowAt(ladder, 5).segments).toBe(2);
    expect(arrowAt(ladder, 5).end.relative).toBe(5560);
    expect(ladder.rtt).toMatchObject({ totalNs: 101_000, synToSynAckNs: 56_000, synAckToAckNs: 45_000, synFrame: 1, synAckFrame: 2, ackFrame: 3 });
    expect(gaps(ladder).map((g) => g.endTimeNs - g.timeNs)).toEqual([1_291_509_000 - 3_194_000]);
    expect(ladder.totals).toEqual({
      client: { segments: 6, payloadBytes: 202, retransmissions: 0 },
      server: { segments: 4, payloadBytes: 5559, retransmissions: 0 },
      durationNs: 1_292_834_000,
    });
    await expectTsharkAgrees(file, 0, ladder);
  });

  it('reset: the server resets after a 908 s idle period, drawn as a compressed gap', async () => {
    // Arkime long-session.pcap: handshake, 15 minutes idle, 5 bytes of data, RST.
    const file = corpus('arkime/pcap/long-session.pcap');
    const ladder = await ladderOfFile(file, 0);
    expect(outline(ladder)).toEqual(['c>s syn #1', 's>c syn-ack #2', 'c>s handshake-ack #3', 'gap', 'c>s data #4', 's>c rst #5']);
    expect([ladder.opening, ladder.closing, ladder.closedBy]).toEqual(['three-way', 'rst', 'server']);
    expect(arrowAt(ladder, 2).options).toEqual(['MSS 1460', 'WS 3 (x8)', 'SACK_PERM']);
    const [gap] = gaps(ladder);
    expect(gap.endTimeNs - gap.timeNs).toBe(908_493_631_000 - 1_300_000);
    // The gap takes a fixed height, far less than 908 s to scale.
    expect(arrowAt(ladder, 4).y - arrowAt(ladder, 3).y).toBeLessThan(150);
    await expectTsharkAgrees(file, 0, ladder);
  });

  it('simultaneous close: both FINs cross, each is retransmitted', async () => {
    // Arkime v6.pcap stream 0: an IPv6 SSH session; frames 72 and 73 are FINs that do not acknowledge each other.
    const file = corpus('arkime/pcap/v6.pcap');
    const ladder = await ladderOfFile(file, 0);
    expect([ladder.client, ladder.server]).toEqual(['[3ffe:507:0:1:200:86ff:fe05:80da]:1022', '[3ffe:501:410:0:2c0:dfff:fe47:33e]:22']);
    expect([ladder.opening, ladder.closing, ladder.closedBy]).toEqual(['three-way', 'simultaneous', 'client']);
    expect(ladder.notes).toEqual(['Simultaneous close: both FINs were sent before either arrived (RFC 9293 section 3.6, case 3).']);
    expect(outline(ladder).slice(-6)).toEqual(['c>s fin #72', 's>c fin #73', 'c>s fin #74', 's>c fin #75', 'c>s ack #76', 's>c ack #77']);
    expect([arrowAt(ladder, 74).notes, arrowAt(ladder, 74).retransmissions]).toEqual([['retransmission'], 1]);
    // The middle of the session is one summary box.
    expect(summaries(ladder).map((s) => [s.firstFrame, s.lastFrame])).toEqual([[23, 71]]);
    await expectTsharkAgrees(file, 0, ladder);
  });

  it('retransmitted SYN: each retransmission drawn and numbered; the RTT runs from the last SYN as in Wireshark', async () => {
    // Zeek ssh.pcap stream 18: SYN and SYN-ACK each sent three times, about 100 ms apart.
    const file = corpus('zeek/Traces/ssh/ssh.pcap');
    const ladder = await ladderOfFile(file, 18);
    expect(outline(ladder).slice(0, 7)).toEqual(['c>s syn #865', 's>c syn-ack #866', 'gap', 'c>s syn #867', 's>c syn-ack #868', 'gap', 'c>s syn #869']);
    expect(arrowAt(ladder, 867).notes).toEqual(['retransmitted SYN #1 (+112.503 ms)']);
    expect(arrowAt(ladder, 869).notes).toEqual(['retransmitted SYN #2 (+213.700 ms)']);
    expect(arrowAt(ladder, 868).notes).toEqual(['retransmitted SYN-ACK #1 (+112.471 ms)']);
    expect(ladder.notes).toEqual(['The SYN was sent 3 times.', 'The SYN-ACK was sent 3 times.']);
    expect(ladder.rtt).toMatchObject({ synFrame: 869, synAckFrame: 870, ackFrame: 871 });
    await expectTsharkAgrees(file, 18, ladder);
  });

  it('missing SYN: the stream starts with the SYN-ACK; the transfer is summarised', async () => {
    // Zeek tcp/missing-syn.pcap: HTTP download whose SYN was not captured.
    const file = corpus('zeek/Traces/tcp/missing-syn.pcap');
    const ladder = await ladderOfFile(file, 0);
    expect([ladder.client, ladder.server]).toEqual(['141.42.64.125:56730', '125.190.109.199:80']);
    expect([ladder.opening, ladder.closing, ladder.rtt]).toEqual(['incomplete', 'fin', null]);
    expect(ladder.notes).toEqual(['The SYN was not captured: the stream starts with the SYN-ACK.']);
    expect(outline(ladder)).toEqual([
      's>c syn-ack #1',
      'c>s handshake-ack #2',
      'c>s data #3',
      's>c data #4-#5',
      'c>s ack #6-#7',
      's>c data #8-#11',
      'summary #12-#17',
      'gap',
      'c>s fin #18',
      's>c ack #19',
      's>c fin #20',
      'c>s ack #21',
    ]);
    const [summary] = summaries(ladder);
    expect([summary.client, summary.server]).toEqual([
      { segments: 5, payloadBytes: 0, retransmissions: 0 },
      { segments: 1, payloadBytes: 729, retransmissions: 0 },
    ]);
    await expectTsharkAgrees(file, 0, ladder);
  });
});

describe('ladders of built connections', () => {
  const open: TimedSpec[] = [
    { ms: 0, spec: { ...client, seq: 1000, flags: syn, options: [...MSS(1460), 1, ...WINDOW_SCALE(7), 4, 2] } },
    { ms: 20, spec: { ...server, seq: 5000, ack: 1001, flags: syn | ack, options: [...MSS(1400), 1, ...WINDOW_SCALE(9), 4, 2] } },
    { ms: 21, spec: { ...client, seq: 1001, ack: 5001, flags: ack } },
  ];

  it('simultaneous open: both SYNs, then both SYN-ACKs; no handshake RTT', async () => {
    const file = writeCapture('simultaneous-open', [
      { ms: 0, spec: { ...client, seq: 100, flags: syn, options: MSS(1460) } },
      { ms: 1, spec: { ...server, seq: 300, flags: syn, options: MSS(1400) } },
      { ms: 10, spec: { ...client, seq: 100, ack: 301, flags: syn | ack, options: MSS(1460) } },
      { ms: 11, spec: { ...server, seq: 300, ack: 101, flags: syn | ack, options: MSS(1400) } },
      { ms: 20, spec: { ...client, seq: 101, ack: 301, flags: ack | psh, payload: 'hello' } },
      { ms: 30, spec: { ...server, seq: 301, ack: 106, flags: ack } },
    ]);
    const ladder = await ladderOfFile(file, 0);
    expect(ladder.opening).toBe('simultaneous');
    expect(ladder.notes).toEqual([
      'Simultaneous open: both sides sent a SYN (RFC 9293 section 3.5, figure 7).',
      'Neither FIN nor RST: the capture ends with the connection open.',
    ]);
    expect(outline(ladder)).toEqual(['c>s syn #1', 's>c syn #2', 'c>s syn-ack #3', 's>c syn-ack #4', 'c>s data #5', 's>c ack #6']);
    expect(ladder.rtt).toBeNull();
    expect(arrowAt(ladder, 2).notes).toEqual([]);
  });

  it('simultaneous close: FINs that do not acknowledge each other', async () => {
    const file = writeCapture('simultaneous-close', [
      ...open,
      { ms: 100, spec: { ...client, seq: 1001, ack: 5001, flags: fin | ack } },
      { ms: 100.5, spec: { ...server, seq: 5001, ack: 1001, flags: fin | ack } },
      { ms: 120, spec: { ...server, seq: 5002, ack: 1002, flags: ack } },
      { ms: 120.5, spec: { ...client, seq: 1002, ack: 5002, flags: ack } },
    ]);
    const ladder = await ladderOfFile(file, 0);
    expect([ladder.closing, ladder.closedBy]).toEqual(['simultaneous', 'client']);
    const orderly = await ladderOfFile(
      writeCapture('orderly-close', [
        ...open,
        { ms: 100, spec: { ...client, seq: 1001, ack: 5001, flags: fin | ack } },
        { ms: 120, spec: { ...server, seq: 5001, ack: 1002, flags: fin | ack } },
        { ms: 121, spec: { ...client, seq: 1002, ack: 5002, flags: ack } },
      ]),
      0,
    );
    expect([orderly.closing, orderly.closedBy]).toEqual(['fin', 'client']);
  });

  it('a late SYN after data never joins the data flight; a flight shows the flags of all its segments', async () => {
    const file = writeCapture('late-syn', [
      ...open,
      { ms: 22, spec: { ...client, seq: 1001, ack: 5001, flags: ack } },
      { ms: 23, spec: { ...client, seq: 1001, ack: 5001, flags: ack | psh, payload: 'abc' } },
      { ms: 24, spec: { ...client, seq: 1000, flags: syn, options: MSS(1460) } },
    ]);
    const ladder = await ladderOfFile(file, 0);
    expect(outline(ladder)).toEqual(['c>s syn #1', 'gap', 's>c syn-ack #2', 'c>s handshake-ack #3', 'c>s data #4-#5', 'c>s syn #6']);
    expect(arrowAt(ladder, 4).flags).toBe(ack | psh);
  });

  it('refused: a SYN answered by RST-ACK', async () => {
    const file = writeCapture('refused', [
      { ms: 0, spec: { ...client, seq: 1000, flags: syn } },
      { ms: 0.2, spec: { ...server, seq: 0, ack: 1001, flags: rst | ack, window: 0 } },
    ]);
    const ladder = await ladderOfFile(file, 0);
    expect([ladder.opening, ladder.closing, ladder.closedBy]).toEqual(['refused', 'rst', 'server']);
    expect(outline(ladder)).toEqual(['c>s syn #1', 's>c rst #2']);
    expect(arrowAt(ladder, 2).notes).toEqual(['connection refused']);
    expect(ladder.notes).toEqual(['The server answered the SYN with a RST: connection refused.']);
  });

  it.skipIf(tsharkSkip !== null)('retransmitted SYN with exponential backoff (1 s, then 2 s): numbered, RTT from the last SYN', async () => {
    const synSpec = { ...client, seq: 1000, flags: syn, options: MSS(1460) };
    const file = writeCapture('syn-backoff', [
      { ms: 0, spec: synSpec },
      { ms: 1000, spec: synSpec },
      { ms: 3000, spec: synSpec },
      { ms: 3040, spec: { ...server, seq: 5000, ack: 1001, flags: syn | ack, options: MSS(1400) } },
      { ms: 3041, spec: { ...client, seq: 1001, ack: 5001, flags: ack } },
    ]);
    const ladder = await ladderOfFile(file, 0);
    expect(outline(ladder)).toEqual(['c>s syn #1', 'c>s syn #2', 'c>s syn #3', 's>c syn-ack #4', 'c>s handshake-ack #5']);
    // The backoff is drawn to scale: the second wait is twice the first.
    const [y1, y2, y3] = arrows(ladder).map((a) => a.y);
    expect(y3 - y2).toBe(2 * (y2 - y1));
    expect(arrows(ladder).map((a) => a.notes)).toEqual([[], ['retransmitted SYN #1 (+1.000 s)'], ['retransmitted SYN #2 (+3.000 s)'], [], []]);
    expect(arrows(ladder).map((a) => a.retransmissions)).toEqual([0, 1, 1, 0, 0]);
    expect(ladder.rtt).toMatchObject({ totalNs: 41_000_000, synToSynAckNs: 40_000_000, synAckToAckNs: 1_000_000, synFrame: 3 });
    expect([ladder.closing, ladder.notes]).toEqual(['none', ['The SYN was sent 3 times.', 'Neither FIN nor RST: the capture ends with the connection open.']]);
    await expectTsharkAgrees(file, 0, ladder);
  });

  it('missing handshake: the capture starts mid-stream; relative numbers count from the first segment seen', async () => {
    const file = writeCapture('mid-stream', [
      { ms: 0, spec: { ...client, seq: 70_000, ack: 900_000, flags: ack | psh, payload: 'x'.repeat(100) } },
      { ms: 30, spec: { ...server, seq: 900_000, ack: 70_100, flags: ack } },
      { ms: 31, spec: { ...server, seq: 900_000, ack: 70_100, flags: ack | psh, payload: 'y'.repeat(50) } },
      { ms: 60, spec: { ...client, seq: 70_100, ack: 900_050, flags: fin | ack } },
      { ms: 90, spec: { ...server, seq: 900_050, ack: 70_101, flags: fin | ack } },
      { ms: 91, spec: { ...client, seq: 70_101, ack: 900_051, flags: ack } },
    ]);
    const ladder = await ladderOfFile(file, 0);
    expect([ladder.opening, ladder.closing, ladder.rtt, ladder.clientIsA]).toEqual(['not-captured', 'fin', null, true]);
    expect(ladder.notes).toEqual([
      'The capture starts mid-stream: no SYN was seen, so the options and initial sequence numbers are unknown.',
      'Relative numbers count from the first segment seen of each side.',
    ]);
    expect(outline(ladder)).toEqual(['c>s data #1', 's>c data #2-#3', 'c>s fin #4', 's>c fin #5', 'c>s ack #6']);
    const first = arrowAt(ladder, 1);
    expect([first.seq, first.ack, first.options]).toEqual([{ relative: 1, raw: 70_000 }, { relative: 1, raw: 900_000 }, []]);
    expect(arrowAt(ladder, 2).end).toEqual({ relative: 51, raw: 900_050 });
  });

  it('a long transfer and a long half-closed tail stay bounded: head, summaries, last arrows', async () => {
    const frames: TimedSpec[] = [...open];
    let ms = 30;
    let clientSeq = 1001;
    let serverSeq = 5001;
    // 3000 request/response rounds, then the client closes while the server still sends 2000 segments.
    for (let i = 0; i < 3000; i++) {
      frames.push({ ms: (ms += 1), spec: { ...client, seq: clientSeq, ack: serverSeq, flags: ack | psh, payload: 'q'.repeat(10) } });
      clientSeq += 10;
      frames.push({ ms: (ms += 1), spec: { ...server, seq: serverSeq, ack: clientSeq, flags: ack, payload: 'r'.repeat(100) } });
      serverSeq += 100;
    }
    frames.push({ ms: (ms += 1), spec: { ...client, seq: clientSeq, ack: serverSeq, flags: fin | ack } });
    clientSeq += 1;
    for (let i = 0; i < 2000; i++) {
      frames.push({ ms: (ms += 1), spec: { ...server, seq: serverSeq, ack: clientSeq, flags: ack, payload: 'r'.repeat(100) } });
      serverSeq += 100;
      frames.push({ ms: (ms += 0.1), spec: { ...client, seq: clientSeq, ack: serverSeq, flags: ack } });
    }
    frames.push({ ms: (ms += 1), spec: { ...server, seq: serverSeq, ack: clientSeq, flags: fin | ack } });
    frames.push({ ms: (ms += 1), spec: { ...client, seq: clientSeq, ack: serverSeq + 1, flags: ack } });
    const ladder = await ladderOfFile(writeCapture('long', frames), 0);
    const last = frames.length;
    expect(ladder.elements.length).toBeLessThanOrEqual(3 + 4 + 1 + 10 + 1 + 8 + 10);
    expect(outline(ladder).slice(-3)).toEqual([`c>s ack #${last - 2}`, `s>c fin #${last - 1}`, `c>s ack #${last}`]);
    const boxes = summaries(ladder);
    expect(boxes).toHaveLength(2);
    // What is neither drawn nor summarised does not exist: every segment is counted once.
    const drawn = arrows(ladder).reduce((n, a) => n + a.segments, 0);
    const summarised = boxes.reduce((n, s) => n + s.client.segments + s.server.segments, 0);
    expect(drawn + summarised).toBe(last);
    expect(ladder.totals.server).toEqual({ segments: 3000 + 2000 + 2, payloadBytes: 5000 * 100, retransmissions: 0 });
    expect(ladder.closing).toBe('fin');
    // Vertical positions only grow, and the drawing ends below the last element.
    const ys = ladder.elements.map((e) => e.y);
    expect(ys).toEqual([...ys].sort((a, b) => a - b));
    expect(ladder.layout.height).toBeGreaterThan(ys[ys.length - 1]);
  });
});
