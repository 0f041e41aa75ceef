import { describe, expect, it } from 'vitest';
import { decodeFrame, newCaptureState } from '../../../app/decode/frame';
import type { Dissection } from '../../../app/decode/dissection';
import { formatFieldValue } from '../../../app/fields/format';
import { walkFields } from '../../../app/fields/tree';
import { TcpAnalysisFlag, TcpFlag } from '../../../app/tcp/analysis';
import { TcpAnalyzer, type TcpAnalyzerOptions, type TcpFrameRecord } from '../../../app/tcp/analyzer';
import type { ConversationSummary } from '../../../app/tcp/conversation';
import { rawFrame, SACK, tcpFrameBytes, udpFrameBytes, WINDOW_SCALE, type TcpFrameSpec } from './frames';
import { decodeWithAnalysis } from './pipeline';

const { syn, ack, fin, psh } = TcpFlag;

/** Decodes and analyses frames (TCP specs or ready bytes), 1 ms apart unless given. */
function run(frames: (TcpFrameSpec | Uint8Array)[], options: TcpAnalyzerOptions = {}) {
  const state = newCaptureState();
  const analyzer = new TcpAnalyzer(options);
  const dissections: Dissection[] = [];
  const records: (TcpFrameRecord | null)[] = [];
  frames.forEach((f, i) => {
    const bytes = f instanceof Uint8Array ? f : tcpFrameBytes(f);
    const d = decodeFrame(state, rawFrame(i + 1, i, bytes), true);
    const record = analyzer.observe(d);
    records.push(record && { ...record });
    dissections.push(d);
  });
  analyzer.finish();
  return { analyzer, dissections, records };
}

function field(d: Dissection, name: string): string | undefined {
  for (const node of walkFields(d.tree.roots)) if (node.field.name === name) return node.field.type === 'label' ? '1' : formatFieldValue(node, d.sources);
  return undefined;
}

const client = { src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 80 };
const server = { src: '10.0.0.2', dst: '10.0.0.1', sport: 80, dport: 40000 };

describe('stream numbering as tshark', () => {
  it('numbers conversations in order of first appearance, both directions together', () => {
    const { records } = run([
      { ...client, seq: 1, flags: syn },
      { ...client, sport: 40001, seq: 1, flags: syn },
      { ...server, seq: 9, ack: 2, flags: syn | ack },
    ]);
    expect(records.map((r) => r?.stream)).toEqual([0, 1, 0]);
  });

  it('a SYN with a new ISN on a known tuple starts a new stream, flagged reused ports', () => {
    const { records, dissections } = run([
      { ...client, seq: 100, flags: syn },
      { ...server, seq: 900, ack: 101, flags: syn | ack },
      { ...client, seq: 101, ack: 901, flags: fin | ack },
      { ...client, seq: 5000, flags: syn },
      { ...client, seq: 5000, flags: syn },
    ]);
    expect(records.map((r) => r?.stream)).toEqual([0, 0, 0, 1, 1]);
    expect(records[3]!.analysisFlags).toBe(TcpAnalysisFlag.reusedPorts);
    expect(field(dissections[3], 'tcp.analysis.reused_ports')).toBe('1');
    expect(records[4]!.analysisFlags).toBe(TcpAnalysisFlag.retransmission);
  });

  it('UDP pairs get udp.stream in order of first appearance', () => {
    const { dissections } = run([udpFrameBytes('10.0.0.1', 5000, '10.0.0.9', 53), udpFrameBytes('10.0.0.3', 5000, '10.0.0.9', 53), udpFrameBytes('10.0.0.9', 53, '10.0.0.1', 5000)]);
    expect(dissections.map((d) => field(d, 'udp.stream'))).toEqual(['0', '1', '0']);
  });
});

describe('fields in the tree', () => {
  it("adds the analysis to the tcp node in Wireshark's order", () => {
    const { dissections } = run([
      { ...client, seq: 100, flags: syn, options: WINDOW_SCALE(2) },
      { ...server, seq: 900, ack: 101, flags: syn | ack, options: WINDOW_SCALE(3) },
      { ...client, seq: 101, ack: 901, flags: ack, window: 100 },
      { ...client, seq: 101, ack: 901, flags: ack | psh, window: 100, payload: 'hello' },
    ]);
    const d = dissections[3];
    const tcp = d.tree.roots.find((n) => n.field.name === 'tcp')!;
    const names = tcp.children!.map((c) => c.field.name);
    const order = ['tcp.dstport', 'tcp.stream', 'tcp.seq', 'tcp.seq_raw', 'tcp.nxtseq', 'tcp.ack', 'tcp.ack_raw', 'tcp.window_size_value', 'tcp.window_size', 'tcp.time_relative', 'tcp.analysis'];
    expect(order.map((n) => names.indexOf(n))).toEqual(order.map((n) => names.indexOf(n)).slice().sort((a, b) => a - b));
    expect(order.every((n) => names.includes(n))).toBe(true);
    expect([field(d, 'tcp.seq'), field(d, 'tcp.nxtseq'), field(d, 'tcp.ack'), field(d, 'tcp.window_size')]).toEqual(['1', '6', '1', '400']);
    expect([field(d, 'tcp.analysis.bytes_in_flight'), field(d, 'tcp.analysis.initial_rtt')]).toEqual(['5', '0.002000000']);
  });

  it('shows SACK edges relative to the peer, as tshark', () => {
    const { dissections } = run([
      { ...client, seq: 100, flags: syn },
      { ...server, seq: 900, ack: 101, flags: syn | ack },
      { ...client, seq: 101, ack: 901, flags: ack, options: [1, 1, ...SACK([1001, 1101])] },
    ]);
    expect([field(dissections[2], 'tcp.options.sack_le'), field(dissections[2], 'tcp.options.sack_re')]).toEqual(['101', '201']);
  });
});

describe('conversations', () => {
  it('summaries: client, counts per direction, handshake, closer and both ends states', () => {
    const ended: ConversationSummary[] = [];
    run(
      [
        { ...client, seq: 100, flags: syn },
        { ...server, seq: 900, ack: 101, flags: syn | ack },
        { ...client, seq: 101, ack: 901, flags: ack, payload: 'abc' },
        { ...server, seq: 901, ack: 104, flags: fin | ack },
        { ...client, seq: 104, ack: 902, flags: fin | ack },
        { ...server, seq: 902, ack: 105, flags: ack },
      ],
      { onConversationEnd: (s) => ended.push(s) },
    );
    expect(ended).toHaveLength(1);
    const s = ended[0];
    expect([s.clientIsA, s.packetsAtoB, s.packetsBtoA, s.payloadAtoB]).toEqual([true, 3, 3, 3]);
    expect(s.tcp).toMatchObject({ handshakeCompleted: true, closedBy: 'b', stateA: 'CLOSED', stateB: 'TIME-WAIT', completeness: 31 });
  });

  it('the client is the SYN sender even when the capture starts with the SYN-ACK', () => {
    const ended: ConversationSummary[] = [];
    run([{ ...server, seq: 900, ack: 101, flags: syn | ack }, { ...client, seq: 101, ack: 901, flags: ack }], { onConversationEnd: (s) => ended.push(s) });
    expect(ended[0].clientIsA).toBe(false);
  });

  it('keeps at most maxLiveConversations; an evicted tuple keeps its stream number and relative numbers', () => {
    const ended: ConversationSummary[] = [];
    const frames: TcpFrameSpec[] = [];
    for (let i = 0; i < 5; i++) frames.push({ ...client, sport: 1000 + i, seq: 100, flags: syn });
    frames.push({ ...client, sport: 1000, seq: 101, ack: 1, flags: ack, payload: 'x' });
    const { records, analyzer } = run(frames, { maxLiveConversations: 2, onConversationEnd: (s) => ended.push(s) });
    expect(records.map((r) => r?.stream)).toEqual([0, 1, 2, 3, 4, 0]);
    expect([records[5]!.seq, records[5]!.nxtseq]).toEqual([1, 2]);
    expect(analyzer.liveConversationCount).toBe(0);
    const stream0 = ended.filter((s) => s.stream === 0);
    expect(stream0.map((s) => s.continued)).toEqual([false, true]);
  });

  it('bounded memory over many short streams', () => {
    const analyzer = new TcpAnalyzer({ maxLiveConversations: 1000 });
    const state = newCaptureState();
    let peak = 0;
    for (let i = 0; i < 20_000; i++) {
      const spec = { src: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, dst: '10.255.0.1', sport: 40000, dport: 80 };
      analyzer.observe(decodeFrame(state, rawFrame(i + 1, i, tcpFrameBytes({ ...spec, seq: 7, flags: syn })), false));
      peak = Math.max(peak, analyzer.liveConversationCount);
    }
    expect(analyzer.tcpStreamCount).toBe(20_000);
    expect(peak).toBe(1000);
  });
});

describe('DNS over TCP from the byte stream', () => {
  const query = [0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0x61, 0, 0, 1, 0, 1];
  const prefixed = Uint8Array.from([0, query.length, ...query]);
  const dnsClient = { ...client, dport: 53 };

  it('a message split over two segments is decoded in the frame that completes it', () => {
    const { dissections } = run([
      { ...dnsClient, seq: 100, flags: syn },
      { ...dnsClient, seq: 101, flags: ack | psh, payload: prefixed.subarray(0, 7) },
      { ...dnsClient, seq: 108, flags: ack | psh, payload: prefixed.subarray(7) },
    ]);
    expect(dissections[1].protocols).not.toContain('dns');
    expect(dissections[2].protocols).toContain('dns');
    expect(field(dissections[2], 'dns.id')).toBe('0x1234');
  });

  it('a message whole in one segment is decoded once', () => {
    const { dissections } = run([{ ...dnsClient, seq: 100, flags: syn }, { ...dnsClient, seq: 101, flags: ack | psh, payload: prefixed }]);
    expect(dissections[1].protocols.filter((p) => p === 'dns')).toHaveLength(1);
  });
});

describe('as the pipeline step after the transport layer (observeLayer)', () => {
  function runHooked(frames: TcpFrameSpec[]) {
    const state = newCaptureState();
    const analyzer = new TcpAnalyzer();
    return frames.map((spec, i) => ({ d: decodeWithAnalysis(state, analyzer, rawFrame(i + 1, i, tcpFrameBytes(spec)), true), record: analyzer.lastRecord && { ...analyzer.lastRecord } }));
  }

  const query = [0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0x61, 0, 0, 1, 0, 1];
  const prefixed = Uint8Array.from([0, query.length, ...query]);
  const dnsClient = { ...client, dport: 53 };

  it('every DNS-over-TCP message comes from the byte stream, once, and a retransmission carries none', () => {
    const out = runHooked([
      { ...dnsClient, seq: 100, flags: syn },
      { ...dnsClient, seq: 101, flags: ack | psh, payload: prefixed },
      { ...dnsClient, seq: 101, flags: ack | psh, payload: prefixed },
    ]);
    expect(out[1].d.protocols.filter((p) => p === 'dns')).toHaveLength(1);
    expect(field(out[1].d, 'dns.id')).toBe('0x1234');
    expect(out[2].record!.analysisFlags & TcpAnalysisFlag.retransmission).toBeTruthy();
    expect(out[2].d.protocols).not.toContain('dns');
  });
});

describe('following a stream under the memory bound', () => {
  it('a followed conversation is never evicted, so its byte stream does not restart', () => {
    const chunks: string[] = [];
    const frames: TcpFrameSpec[] = [{ ...client, seq: 100, flags: ack, payload: 'ab' }];
    for (let i = 0; i < 5; i++) frames.push({ ...client, sport: 2000 + i, seq: 7, flags: syn });
    frames.push({ ...client, seq: 102, flags: ack, payload: 'cd' });
    const { analyzer } = run(frames, {
      maxLiveConversations: 2,
      reassemble: (s) => (s.stream === 0 ? (c) => chunks.push(c.bytes ? new TextDecoder().decode(c.bytes) : `[${c.length}]`) : null),
    });
    expect(chunks).toEqual(['ab', 'cd']);
    expect(analyzer.tcpStreamCount).toBe(6);
  });
});
