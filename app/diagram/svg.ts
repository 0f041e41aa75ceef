import { arrowLabel, footerLines, framesText, gapText, summaryLines, timeText, type Numbering } from './labels';
import { formatDuration, type ArrowRole, type Ladder, type LadderArrow, type LadderGap, type LadderSummary } from './ladder';

/*
 * The ladder as a standalone SVG document (a string: no DOM). Its size is the model's layout; fonts are
 * the generic families so it renders the same wherever it is opened. Each arrow is a <g> with a <title>
 * (the tooltip) and data-first-frame / data-last-frame attributes, so a UI can select the frames clicked.
 */

export interface SvgOptions {
  numbering?: Numbering;
}

const ROLE_COLOURS: Record<ArrowRole, string> = {
  syn: '#1f5fbf',
  'syn-ack': '#1f5fbf',
  'handshake-ack': '#1f5fbf',
  data: '#222222',
  ack: '#6b6b6b',
  fin: '#7a3db8',
  rst: '#c62828',
};
const RETRANSMISSION_COLOUR = '#d35400';
const MONO = 'font-family="monospace" font-size="11"';
const SANS = 'font-family="sans-serif"';

/** Text for XML character data and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

function num(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

function text(x: number, y: number, content: string, attributes: string): string {
  return `<text x="${num(x)}" y="${num(y)}" ${attributes}>${escapeXml(content)}</text>`;
}

function colourOf(arrow: LadderArrow): string {
  return arrow.retransmissions > 0 && arrow.retransmissions === arrow.segments ? RETRANSMISSION_COLOUR : ROLE_COLOURS[arrow.role];
}

function markerId(colour: string): string {
  return `head-${colour.slice(1)}`;
}

export function ladderSvg(ladder: Ladder, options: SvgOptions = {}): string {
  const numbering = options.numbering ?? 'relative';
  const L = ladder.layout;
  const out: string[] = [];
  const colours = new Set<string>(Object.values(ROLE_COLOURS));
  colours.add(RETRANSMISSION_COLOUR);
  out.push(`<?xml version="1.0" encoding="UTF-8"?>`);
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${L.width}" height="${L.height}" viewBox="0 0 ${L.width} ${L.height}">`);
  out.push(`<title>${escapeXml(`TCP stream ${ladder.stream}: ${ladder.client} ⇄ ${ladder.server}`)}</title>`);
  out.push('<defs>');
  for (const colour of colours) {
    out.push(`<marker id="${markerId(colour)}" viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" markerWidth="11" markerHeight="11" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${colour}"/></marker>`);
  }
  out.push('</defs>');
  out.push(`<rect x="0" y="0" width="${L.width}" height="${L.height}" fill="#ffffff"/>`);
  out.push(header(ladder));
  ladder.notes.forEach((note, i) => out.push(text(16, L.notesTop + (i + 1) * L.lineHeight - 3, note, `${SANS} font-size="12" font-style="italic" fill="#8a4b00"`)));
  const lifelineBottom = L.footerTop - 10;
  for (const x of [L.clientX, L.serverX]) out.push(`<line x1="${x}" y1="${L.headerBottom}" x2="${x}" y2="${lifelineBottom}" stroke="#9e9e9e" stroke-width="1.5"/>`);
  for (const element of ladder.elements) {
    if (element.kind === 'arrow') out.push(arrowSvg(ladder, element, numbering));
    else if (element.kind === 'summary') out.push(summarySvg(ladder, element));
    else out.push(gapSvg(ladder, element));
  }
  const rtt = rttSvg(ladder);
  if (rtt) out.push(rtt);
  footerLines(ladder, numbering).forEach((line, i) => out.push(text(16, L.footerTop + (i + 1) * L.lineHeight, line, `${SANS} font-size="11.5" fill="#333333"`)));
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

function header(ladder: Ladder): string {
  const L = ladder.layout;
  const parts: string[] = [];
  const box = (x: number, role: string, endpoint: string) => {
    // 6.6 px per monospace character at 11 px is what the generic fonts take, with room to spare.
    const width = Math.min(440, Math.max(140, endpoint.length * 7.2 + 24));
    parts.push(`<rect x="${num(x - width / 2)}" y="30" width="${num(width)}" height="${L.headerBottom - 34}" rx="6" fill="#eef3fb" stroke="#1f5fbf"/>`);
    parts.push(text(x, 49, role, `${SANS} font-size="13" font-weight="bold" text-anchor="middle" fill="#1b2a41"`));
    parts.push(text(x, 66, endpoint, `font-family="monospace" font-size="12" text-anchor="middle" fill="#1b2a41"`));
  };
  const start = new Date(ladder.startSeconds * 1000).toISOString().slice(0, 19).replace('T', ' ');
  parts.push(text(12, 18, `TCP stream ${ladder.stream}, first packet ${start} UTC`, `${SANS} font-size="12" font-weight="bold" fill="#333333"`));
  box(L.clientX, 'Client', ladder.client);
  box(L.serverX, 'Server', ladder.server);
  return parts.join('\n');
}

function arrowSvg(ladder: Ladder, arrow: LadderArrow, numbering: Numbering): string {
  const L = ladder.layout;
  const fromX = arrow.from === 'client' ? L.clientX : L.serverX;
  const toX = arrow.from === 'client' ? L.serverX : L.clientX;
  const colour = colourOf(arrow);
  const dashed = arrow.retransmissions > 0 ? ' stroke-dasharray="7 4"' : '';
  const width = arrow.segments > 1 ? 3 : 1.6;
  const lines = arrowLabel(arrow, numbering);
  const midX = (L.clientX + L.serverX) / 2;
  const tooltip = `${arrow.segments > 1 ? 'Frames' : 'Frame'} ${framesText(arrow.firstFrame, arrow.lastFrame)} at ${timeText(arrow.timeNs)}, ${arrow.from} → ${arrow.from === 'client' ? 'server' : 'client'}\n${lines.join('\n')}`;
  const parts = [
    `<g class="arrow ${arrow.role}" data-first-frame="${arrow.firstFrame}" data-last-frame="${arrow.lastFrame}">`,
    `<title>${escapeXml(tooltip)}</title>`,
    `<line x1="${fromX}" y1="${num(arrow.y)}" x2="${toX}" y2="${num(arrow.y)}" stroke="${colour}" stroke-width="${width}"${dashed} marker-end="url(#${markerId(colour)})"/>`,
  ];
  lines.forEach((line, i) => {
    const y = arrow.y - 4 - (lines.length - 1 - i) * L.lineHeight;
    const fill = i === 0 ? colour : i === 1 && arrow.options.length > 0 ? '#1b4f8f' : RETRANSMISSION_COLOUR;
    parts.push(text(midX, y, line, `${MONO} text-anchor="middle" fill="${fill}"`));
  });
  parts.push(text(12, arrow.y - 3, timeText(arrow.timeNs), `${MONO} fill="#333333"`));
  parts.push(text(12, arrow.y + 10, framesText(arrow.firstFrame, arrow.lastFrame), `${MONO} fill="#777777"`));
  parts.push('</g>');
  return parts.join('\n');
}

function summarySvg(ladder: Ladder, summary: LadderSummary): string {
  const L = ladder.layout;
  const left = L.clientX - 30;
  const right = L.serverX + 30;
  const parts = [
    `<g class="summary" data-first-frame="${summary.firstFrame}" data-last-frame="${summary.lastFrame}">`,
    `<rect x="${left}" y="${num(summary.y)}" width="${right - left}" height="${num(summary.height)}" rx="4" fill="#f3f3f3" stroke="#9e9e9e" stroke-dasharray="4 3"/>`,
  ];
  summaryLines(summary).forEach((line, i) => {
    parts.push(text((left + right) / 2, summary.y + 8 + (i + 1) * L.lineHeight - 3, line, `${MONO} text-anchor="middle" fill="#333333"`));
  });
  parts.push(text(12, summary.y + L.lineHeight, timeText(summary.timeNs), `${MONO} fill="#333333"`));
  parts.push(text(12, summary.y + 2 * L.lineHeight, `to ${timeText(summary.endTimeNs)}`, `${MONO} fill="#777777"`));
  parts.push('</g>');
  return parts.join('\n');
}

/** A break across the lifelines: two wavy lines with the real length of the idle period between them. */
function gapSvg(ladder: Ladder, gap: LadderGap): string {
  const L = ladder.layout;
  const left = L.clientX - 40;
  const right = L.serverX + 40;
  const wave = (y: number) => {
    let d = `M${left},${num(y)}`;
    for (let x = left; x < right; x += 20) d += ` q5,-4 10,0 q5,4 10,0`;
    return `<path d="${d}" fill="none" stroke="#9e9e9e" stroke-width="1.2"/>`;
  };
  return [
    '<g class="gap">',
    `<rect x="${left}" y="${num(gap.y)}" width="${right - left}" height="${gap.height}" fill="#ffffff"/>`,
    wave(gap.y + 4),
    wave(gap.y + gap.height - 4),
    text((left + right) / 2, gap.y + gap.height / 2 + 4, gapText(gap), `${SANS} font-size="12" font-style="italic" text-anchor="middle" fill="#555555"`),
    '</g>',
  ].join('\n');
}

/** A bracket right of the server column from the SYN to the ACK of the SYN-ACK, ticked at the SYN-ACK. */
function rttSvg(ladder: Ladder): string | null {
  const rtt = ladder.rtt;
  if (!rtt) return null;
  const x = ladder.layout.annotationX + 8;
  const tick = (y: number) => `<line x1="${x - 6}" y1="${num(y)}" x2="${x}" y2="${num(y)}" stroke="#1f5fbf" stroke-width="1.5"/>`;
  const middle = (rtt.synY + rtt.ackY) / 2;
  const lines = ['handshake RTT', formatDuration(rtt.totalNs), `SYN→SYN-ACK ${formatDuration(rtt.synToSynAckNs)}`, `SYN-ACK→ACK ${formatDuration(rtt.synAckToAckNs)}`];
  const top = middle - (lines.length * 14) / 2 + 10;
  return [
    `<g class="rtt" data-first-frame="${rtt.synFrame}" data-last-frame="${rtt.ackFrame}">`,
    `<line x1="${x}" y1="${num(rtt.synY)}" x2="${x}" y2="${num(rtt.ackY)}" stroke="#1f5fbf" stroke-width="1.5"/>`,
    tick(rtt.synY),
    tick(rtt.synAckY),
    tick(rtt.ackY),
    ...lines.map((line, i) => text(x + 8, top + i * 14, line, `${SANS} font-size="${i < 2 ? 12 : 11}"${i < 2 ? ' font-weight="bold"' : ''} fill="#1b4f8f"`)),
    '</g>',
  ].join('\n');
}
