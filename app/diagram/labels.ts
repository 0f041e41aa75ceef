import { arrowLineCount, formatDuration, type Ladder, type LadderArrow, type LadderGap, type LadderSummary, type SequenceNumber, type SideTotals } from './ladder';

/*
 * The text of the ladder, shared by the SVG and Mermaid renderings. Sequence and acknowledgment numbers
 * are relative to each side's initial sequence number (as Wireshark shows them) or absolute (as sent).
 */

export type Numbering = 'relative' | 'absolute';

/** tshark's order of flag names in the Info column, lowest bit first (tcp.flags). */
const FLAG_NAMES = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR', 'AE'];

export function flagsText(flags: number): string {
  const names = FLAG_NAMES.filter((_, bit) => flags & (1 << bit));
  return names.length > 0 ? names.join(', ') : '<None>';
}

function number(n: SequenceNumber, numbering: Numbering): number {
  return numbering === 'relative' ? n.relative : n.raw;
}

/** The label of an arrow, one string per line (arrowLineCount lines whatever the numbering). */
export function arrowLabel(arrow: LadderArrow, numbering: Numbering): string[] {
  const parts: string[] = [];
  if (arrow.segments > 1) parts.push(`${arrow.segments} segments`);
  parts.push(`[${flagsText(arrow.flags)}]`);
  const seq = number(arrow.seq, numbering);
  const end = number(arrow.end, numbering);
  parts.push(arrow.segments > 1 && end !== seq ? `Seq=${seq}–${end}` : `Seq=${seq}`);
  if (arrow.ack) parts.push(`Ack=${number(arrow.ack, numbering)}`);
  if (arrow.segments === 1) parts.push(`Win=${arrow.role === 'syn' || arrow.role === 'syn-ack' ? arrow.windowRaw : arrow.window}`);
  parts.push(`Len=${arrow.len}`);
  for (const block of arrow.sack) parts.push(`SLE=${number(block.left, numbering)} SRE=${number(block.right, numbering)}`);
  const lines = [parts.join(' ')];
  if (arrow.options.length > 0) lines.push(arrow.options.join(' · '));
  if (arrow.notes.length > 0) lines.push(arrow.notes.join('; '));
  if (lines.length !== arrowLineCount(arrow)) throw new Error('arrow label lines disagree with the layout');
  return lines;
}

/** Capture time since the stream's first packet, as the gutter shows it. */
export function timeText(ns: number): string {
  return `${(ns / 1e9).toFixed(6)} s`;
}

export function framesText(first: number, last: number): string {
  return first === last ? `#${first}` : `#${first}–#${last}`;
}

function totalsText(t: SideTotals): string {
  const retransmitted = t.retransmissions > 0 ? `, ${t.retransmissions} retransmitted` : '';
  return `${t.segments} segment${t.segments === 1 ? '' : 's'}, ${t.payloadBytes} B${retransmitted}`;
}

/** The lines of a summary box (SUMMARY_LINES). */
export function summaryLines(s: LadderSummary): string[] {
  return [
    `frames ${framesText(s.firstFrame, s.lastFrame)} over ${formatDuration(s.endTimeNs - s.timeNs)}, not drawn one by one`,
    `client → server: ${totalsText(s.client)}`,
    `server → client: ${totalsText(s.server)}`,
  ];
}

export function gapText(g: LadderGap): string {
  return `${formatDuration(g.endTimeNs - g.timeNs)} without segments (not to scale)`;
}

const OPENING_TEXT: Record<Ladder['opening'], string> = {
  'three-way': 'three-way handshake',
  simultaneous: 'simultaneous open',
  refused: 'refused (RST)',
  incomplete: 'incomplete handshake',
  'not-captured': 'not captured',
};

const CLOSING_TEXT: Record<Ladder['closing'], string> = {
  fin: 'FIN from both sides',
  simultaneous: 'simultaneous close',
  half: 'FIN from one side only',
  rst: 'RST',
  none: 'still open at the end of the capture',
};

export function rttText(ladder: Ladder): string | null {
  const rtt = ladder.rtt;
  if (!rtt) return null;
  return `handshake RTT ${formatDuration(rtt.totalNs)} (SYN→SYN-ACK ${formatDuration(rtt.synToSynAckNs)}, SYN-ACK→ACK ${formatDuration(rtt.synAckToAckNs)})`;
}

/** The footer: how the stream opened and closed, its totals, and how to read the drawing. */
export function footerLines(ladder: Ladder, numbering: Numbering): string[] {
  const closedBy = ladder.closedBy ? ` (started by the ${ladder.closedBy})` : '';
  const rtt = rttText(ladder);
  const { client, server, durationNs } = ladder.totals;
  const scale =
    ladder.layout.pxPerSecond > 0 ? `vertical scale ${formatDuration((100 / ladder.layout.pxPerSecond) * 1e9)} per 100 px where labels leave room` : 'no vertical scale (all segments at one instant)';
  return [
    `Opening: ${OPENING_TEXT[ladder.opening]}${rtt ? `, ${rtt}` : ''}. Closing: ${CLOSING_TEXT[ladder.closing]}${closedBy}.`,
    `Client ${totalsText(client)}; server ${totalsText(server)}; ${formatDuration(durationNs)} from first to last segment.`,
    `Capture times at one vantage point; ${scale}. ${numbering === 'relative' ? 'Relative' : 'Absolute'} sequence numbers.`,
  ];
}
