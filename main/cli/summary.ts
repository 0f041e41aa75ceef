import { CaptureSummaryBuilder, type CaptureSummary, type ProtocolNode } from '../../app/index/captureSummary';
import { TcpAnalyzer } from '../../app/tcp/analyzer';
import { analyzeFile, BUNDLED_DECODE_WORKER } from '../io/analyzeFile';
import type { DecodeThread } from '../io/decodeThread';

export interface SummaryOptions {
  json: boolean;
}

/**
 * `wirelens summary FILE [--json]`: runs the whole analysis pipeline and prints the capture-wide counts.
 * `decoding`: the decoding thread already started on the file, if the caller started it.
 */
export async function runSummary(file: string, options: SummaryOptions, write: (text: string) => void, decoding?: DecodeThread): Promise<void> {
  const tcp = new TcpAnalyzer();
  const builder = new CaptureSummaryBuilder(tcp);
  const { problem } = await analyzeFile(file, { withTree: false, tcp, onFrame: (d) => builder.add(d), decodeWorker: decoding ?? BUNDLED_DECODE_WORKER });
  if (problem) builder.setFileProblem(problem);
  const summary = builder.result();
  write(options.json ? `${JSON.stringify({ file, ...summary }, null, 2)}\n` : formatSummary(file, summary));
}

const LINK_TYPE_NAMES: Readonly<Record<string, string>> = {
  '0': 'BSD loopback (NULL)',
  '1': 'Ethernet',
  '101': 'Raw IP',
  '108': 'OpenBSD loopback',
  '113': 'Linux cooked (SLL)',
  '228': 'Raw IPv4',
  '229': 'Raw IPv6',
  '276': 'Linux cooked v2 (SLL2)',
};

function formatSummary(file: string, s: CaptureSummary): string {
  const lines = [
    `File:          ${file}`,
    `Frames:        ${s.frames}`,
    `Bytes:         ${s.bytes} on the wire, ${s.capturedBytes} captured`,
    `Duration:      ${s.durationSeconds.toFixed(6)} s`,
    `Link types:    ${Object.entries(s.linkTypes).map(([type, n]) => `${LINK_TYPE_NAMES[type] ?? `linktype ${type}`} (${n})`).join(', ') || 'none'}`,
    `Conversations: ${s.conversations.tcp} TCP, ${s.conversations.udp} UDP, ${s.conversations.ip} IP pairs`,
    `TCP analysis:  ${Object.entries(s.tcpAnalysis).filter(([, n]) => n > 0).map(([name, n]) => `${name} ${n}`).join(', ') || 'no problems flagged'}`,
    `Malformed:     ${s.malformed} frames`,
  ];
  for (const m of s.malformedExamples) lines.push(`  frame ${m.frame}: ${m.issue.layer} at byte ${m.issue.offset}: ${m.issue.message}`);
  if (s.fileProblem) lines.push(`File problem:  at byte ${s.fileProblem.offset}: ${s.fileProblem.message}`);
  lines.push('Protocol hierarchy (frames, bytes):');
  const walk = (nodes: ProtocolNode[], depth: number) => {
    for (const node of nodes) {
      lines.push(`${'  '.repeat(depth + 1)}${node.protocol}  ${node.frames}  ${node.bytes}`);
      walk(node.children, depth + 1);
    }
  };
  walk(s.protocols, 0);
  return `${lines.join('\n')}\n`;
}
