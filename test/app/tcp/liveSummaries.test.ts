import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Dissection } from '../../../app/decode/dissection';
import { decodeFrame, newCaptureState } from '../../../app/decode/frame';
import { walkFields } from '../../../app/fields/tree';
import { TcpFlag } from '../../../app/tcp/analysis';
import { TcpAnalyzer, type TcpFrameRecord } from '../../../app/tcp/analyzer';
import type { ConversationSummary } from '../../../app/tcp/conversation';
import type { FollowChunk } from '../../../app/tcp/follow';
import { CORPUS_DIR } from '../../helpers/tshark';
import { rawFrame, tcpFrameBytes, udpFrameBytes } from './frames';
import { analyzeCaptureWithTcp } from './pipeline';

/*
 * TcpAnalyzer.liveSummaries: the conversations still under way, as a capture being read shows them. Asking
 * must change nothing in the analysis, and a conversation's live summary is what onConversationEnd reports
 * for it once nothing more arrives.
 */

const CAPTURE = join(CORPUS_DIR, 'pcapplusplus/Pcap++Test/PcapExamples/example.pcap');
const haveCorpus = existsSync(CAPTURE);

interface Run {
  records: (TcpFrameRecord | null)[];
  ended: ConversationSummary[];
  /** Byte streams of the followed conversation (stream 3). */
  chunks: FollowChunk[];
  /** For each conversation ("tcp:3"), its live summary right after its last frame (asking after every frame). */
  liveAfterLast: Map<string, ConversationSummary>;
  /** The most conversations live at once. */
  mostLive: number;
}

const key = (s: { protocol: string; stream: number }) => `${s.protocol}:${s.stream}`;

/** The frame's tcp.stream or udp.stream ("tcp:3"), from the record or the tree. */
function conversationOf(d: Dissection, record: TcpFrameRecord | null): string | null {
  if (record) return `tcp:${record.stream}`;
  for (const node of walkFields(d.tree.roots)) if (node.field.name === 'udp.stream') return `udp:${String(node.value)}`;
  return null;
}

/** Analyses CAPTURE; with `ask`, liveSummaries is called after every frame. */
async function analyze(maxLiveConversations: number | undefined, ask: boolean): Promise<Run> {
  const ended: ConversationSummary[] = [];
  const chunks: FollowChunk[] = [];
  const analyzer = new TcpAnalyzer({
    maxLiveConversations,
    onConversationEnd: (s) => ended.push(s),
    reassemble: (s) => (s.stream === 3 ? (chunk) => chunks.push({ ...chunk, bytes: chunk.bytes?.slice() ?? null }) : null),
  });
  const records: (TcpFrameRecord | null)[] = [];
  const liveAfterLast = new Map<string, ConversationSummary>();
  let mostLive = 0;
  await analyzeCaptureWithTcp(CAPTURE, newCaptureState(), analyzer, true, (d) => {
    const record = analyzer.lastRecord;
    records.push(record ? { ...record } : null);
    if (!ask) return;
    const live = analyzer.liveSummaries();
    mostLive = Math.max(mostLive, live.length);
    const own = conversationOf(d, record);
    const summary = live.find((s) => key(s) === own);
    if (own && summary) liveAfterLast.set(own, summary);
  });
  return { records, ended, chunks, liveAfterLast, mostLive };
}

describe.skipIf(!haveCorpus)(`live conversation summaries${haveCorpus ? '' : ` (skipped: corpus not found at ${CORPUS_DIR})`}`, () => {
  for (const maxLive of [undefined, 4]) {
    const bound = maxLive === undefined ? 'the default bound' : `at most ${maxLive} live (evicted and continued)`;

    it(`asking after every frame changes no record, end summary or followed byte, with ${bound}`, async () => {
      const quiet = await analyze(maxLive, false);
      const asked = await analyze(maxLive, true);
      expect(asked.records.length).toBe(4631);
      expect(asked.records).toEqual(quiet.records);
      expect(asked.ended).toEqual(quiet.ended);
      expect(asked.chunks).toEqual(quiet.chunks);
      expect(quiet.chunks.length).toBeGreaterThan(0);
      expect(asked.mostLive).toBeGreaterThan(maxLive ?? 10);
      if (maxLive !== undefined) expect(asked.ended.some((s) => s.continued)).toBe(true);
    });

    it(`a conversation's live summary after its last frame is what onConversationEnd reports, with ${bound}`, async () => {
      const { ended, liveAfterLast } = await analyze(maxLive, true);
      // The last part reported of each conversation (an evicted one is reported in parts).
      const lastPart = new Map(ended.map((s) => [key(s), s]));
      expect([...liveAfterLast.keys()].sort()).toEqual([...lastPart.keys()].sort());
      expect(lastPart.size).toBeGreaterThan(100);
      for (const [conversation, summary] of lastPart) expect(liveAfterLast.get(conversation), conversation).toEqual(summary);
    });
  }
});

describe('live conversation summaries of made-up frames', () => {
  const client = { src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 80 };
  const server = { src: '10.0.0.2', dst: '10.0.0.1', sport: 80, dport: 40000 };

  it('lists TCP and UDP conversations under way with their counts, states and RTT so far, and none once finished', () => {
    const analyzer = new TcpAnalyzer();
    const state = newCaptureState();
    const frames = [
      tcpFrameBytes({ ...client, seq: 100, flags: TcpFlag.syn }),
      tcpFrameBytes({ ...server, seq: 900, ack: 101, flags: TcpFlag.syn | TcpFlag.ack }),
      udpFrameBytes('10.0.0.1', 5000, '10.0.0.9', 53),
      tcpFrameBytes({ ...client, seq: 101, ack: 901, flags: TcpFlag.ack, payload: 'abc' }),
    ];
    frames.forEach((bytes, i) => analyzer.observe(decodeFrameAt(state, i, bytes)));
    const live = analyzer.liveSummaries();
    expect(live.map((s) => [key(s), s.packetsAtoB, s.packetsBtoA, s.payloadAtoB])).toEqual([
      ['tcp:0', 2, 1, 3],
      ['udp:0', 1, 0, 4],
    ]);
    expect(live[0].tcp).toMatchObject({ handshakeCompleted: true, stateA: 'ESTABLISHED', stateB: 'ESTABLISHED', completeness: 11 });
    // The SYN-ACK acknowledged the SYN 1 ms after it.
    expect(live[0].tcp?.rttAtoB).toMatchObject({ samples: 1, minRttNs: 1e6 });
    // Given out as copies: changing one changes nothing kept.
    live[0].packetsAtoB = 99;
    live[0].tcp!.stateA = 'CLOSED';
    expect(analyzer.liveSummaries()[0]).toMatchObject({ packetsAtoB: 2, tcp: { stateA: 'ESTABLISHED' } });
    analyzer.finish();
    expect(analyzer.liveSummaries()).toEqual([]);
  });
});

function decodeFrameAt(state: ReturnType<typeof newCaptureState>, index: number, bytes: Uint8Array): Dissection {
  return decodeFrame(state, rawFrame(index + 1, index, bytes), false);
}
