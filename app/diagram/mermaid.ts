import { arrowLabel, footerLines, framesText, gapText, rttText, summaryLines, timeText, type Numbering } from './labels';
import type { Ladder, LadderArrow } from './ladder';

/*
 * The ladder as Mermaid sequence-diagram text. Mermaid has no time axis: the times go into the messages
 * and idle periods become notes. Retransmissions are dotted arrows (-->>), resets end in a cross (-x).
 */

export interface MermaidOptions {
  numbering?: Numbering;
}

/**
 * Message text Mermaid reads literally: ';' ends a statement, '#' starts an entity code and '<' '>' would
 * be taken for HTML, so all four are written as Mermaid's numeric entity codes (in one pass: the codes
 * contain '#' and ';' themselves); line breaks become <br/>.
 */
export function mermaidText(text: string): string {
  return text.replace(/[#;<>]/g, (c) => `#${c.charCodeAt(0)};`).replace(/\n/g, '<br/>');
}

function arrowSyntax(arrow: LadderArrow): string {
  if (arrow.role === 'rst') return arrow.retransmissions > 0 ? '--x' : '-x';
  return arrow.retransmissions > 0 ? '-->>' : '->>';
}

export function ladderMermaid(ladder: Ladder, options: MermaidOptions = {}): string {
  const numbering = options.numbering ?? 'relative';
  const lines = ['sequenceDiagram', `  participant C as Client ${mermaidText(ladder.client)}`, `  participant S as Server ${mermaidText(ladder.server)}`];
  for (const note of ladder.notes) lines.push(`  Note over C,S: ${mermaidText(note)}`);
  for (const element of ladder.elements) {
    if (element.kind === 'arrow') {
      const [from, to] = element.from === 'client' ? ['C', 'S'] : ['S', 'C'];
      const label = [`${timeText(element.timeNs)} ${framesText(element.firstFrame, element.lastFrame)}`, ...arrowLabel(element, numbering)].join('\n');
      lines.push(`  ${from}${arrowSyntax(element)}${to}: ${mermaidText(label)}`);
      if (ladder.rtt && element.lastFrame === ladder.rtt.ackFrame) lines.push(`  Note over C,S: ${mermaidText(rttText(ladder) ?? '')}`);
    } else if (element.kind === 'summary') {
      lines.push(`  Note over C,S: ${mermaidText([`${timeText(element.timeNs)} to ${timeText(element.endTimeNs)}`, ...summaryLines(element)].join('\n'))}`);
    } else {
      lines.push(`  Note over C,S: ${mermaidText(gapText(element))}`);
    }
  }
  for (const line of footerLines(ladder, numbering).slice(0, 2)) lines.push(`  Note over C,S: ${mermaidText(line)}`);
  return `${lines.join('\n')}\n`;
}
