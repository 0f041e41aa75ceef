import { beforeAll, describe, expect, it } from 'vitest';
import type { Ladder } from '../../../app/diagram/ladder';
import { ladderMermaid, mermaidText } from '../../../app/diagram/mermaid';
import { ladderSvg } from '../../../app/diagram/svg';
import { TcpFlag } from '../../../app/tcp/analysis';
import { MSS, SACK, WINDOW_SCALE } from '../tcp/frames';
import { arrows, client, ladderOfFile, server, writeCapture } from './captures';
import { elements, parseXml } from './xml';

const { syn, ack, fin, rst, psh, ece, cwr } = TcpFlag;
const TIMESTAMPS = (value: number, echo: number) => [8, 10, ...[24, 16, 8, 0].map((s) => (value >>> s) & 0xff), ...[24, 16, 8, 0].map((s) => (echo >>> s) & 0xff)];

/*
 * One connection with everything the renderings must carry: ECN and every SYN option, a retransmitted
 * SYN, a segment without flags ('<None>'), a SACK, a long idle period, data after a FIN and a RST.
 */
let ladder: Ladder;
beforeAll(async () => {
  const file = writeCapture('render', [
    { ms: 0, spec: { ...client, seq: 4_000_000_000, flags: syn | ece | cwr, options: [...MSS(1460), 4, 2, ...TIMESTAMPS(7, 0), 1, ...WINDOW_SCALE(7)] } },
    { ms: 1000, spec: { ...client, seq: 4_000_000_000, flags: syn | ece | cwr, options: [...MSS(1460), 4, 2, ...TIMESTAMPS(1007, 0), 1, ...WINDOW_SCALE(7)] } },
    { ms: 1030, spec: { ...server, seq: 77, ack: 4_000_000_001, flags: syn | ack | ece, options: [...MSS(1400), 4, 2, ...TIMESTAMPS(99, 1007), 1, ...WINDOW_SCALE(2)] } },
    { ms: 1031, spec: { ...client, seq: 4_000_000_001, ack: 78, flags: ack, window: 500 } },
    { ms: 1040, spec: { ...client, seq: 4_000_000_001, ack: 78, flags: 0, payload: 'odd' } },
    { ms: 1070, spec: { ...server, seq: 78, ack: 4_000_000_001, flags: ack, options: [1, 1, ...SACK([4_000_000_002, 4_000_000_004])] } },
    { ms: 61_000, spec: { ...client, seq: 4_000_000_004, ack: 78, flags: fin | ack } },
    { ms: 61_030, spec: { ...server, seq: 78, ack: 4_000_000_005, flags: ack | psh, payload: 'late data; #1 <b>' } },
    { ms: 61_031, spec: { ...client, seq: 4_000_000_005, flags: rst } },
  ]);
  ladder = await ladderOfFile(file, 0);
});

describe('SVG', () => {
  it('is a well-formed document of the layout size, one group per arrow with its frames', () => {
    const svg = ladderSvg(ladder);
    const root = parseXml(svg);
    expect(root.name).toBe('svg');
    expect(root.attributes.get('xmlns')).toBe('http://www.w3.org/2000/svg');
    expect([root.attributes.get('width'), root.attributes.get('height')]).toEqual([String(ladder.layout.width), String(ladder.layout.height)]);
    expect(Number.isInteger(ladder.layout.height)).toBe(true);
    const groups = [...elements(root)].filter((e) => e.name === 'g' && e.attributes.get('class')?.startsWith('arrow '));
    expect(groups.map((g) => [Number(g.attributes.get('data-first-frame')), Number(g.attributes.get('data-last-frame'))])).toEqual(
      arrows(ladder).map((a) => [a.firstFrame, a.lastFrame]),
    );
    // The SYN backoff (1 s) and the idle minute are both far longer than the typical wait (30 ms).
    expect([...elements(root)].filter((e) => e.name === 'g' && e.attributes.get('class') === 'gap')).toHaveLength(2);
    // Fonts are generic families only.
    const families = new Set([...elements(root)].map((e) => e.attributes.get('font-family')).filter((f) => f !== undefined));
    expect([...families].sort()).toEqual(['monospace', 'sans-serif']);
  });

  it('labels arrows with flags, numbers, options and notes; escaped text reads back as written', () => {
    const texts = [...elements(parseXml(ladderSvg(ladder)))].filter((e) => e.name === 'text').map((e) => e.text);
    expect(texts).toContain('[SYN, ECE, CWR] Seq=0 Win=65535 Len=0');
    expect(texts).toContain('MSS 1460 · WS 7 (x128) · SACK_PERM · TS val 7 ecr 0 · ECN setup');
    expect(texts).toContain('MSS 1400 · WS 2 (x4) · SACK_PERM · TS val 99 ecr 1007 · ECN accepted');
    expect(texts).toContain('retransmitted SYN #1 (+1.000 s)');
    // No ACK flag, no acknowledgment number; the window is scaled (x128) once the handshake showed it.
    expect(texts).toContain('[<None>] Seq=1 Win=8388480 Len=3');
    expect(texts).toContain('[RST] Seq=5 Win=8388480 Len=0');
    // Wireshark's view of frame 6: a duplicate ACK (of the handshake ACK's number) carrying a SACK block.
    expect(texts).toContain('[ACK] Seq=1 Ack=1 Win=262140 Len=0 SLE=2 SRE=4');
    expect(texts).toContain('duplicate ACK');
    expect(texts.some((t) => t.startsWith('59.930 s without segments'))).toBe(true);
  });

  it('switches to absolute sequence numbers', () => {
    const texts = [...elements(parseXml(ladderSvg(ladder, { numbering: 'absolute' })))].filter((e) => e.name === 'text').map((e) => e.text);
    expect(texts).toContain('[SYN, ECE, CWR] Seq=4000000000 Win=65535 Len=0');
    expect(texts).toContain('[SYN, ACK, ECE] Seq=77 Ack=4000000001 Win=65535 Len=0');
    expect(texts).toContain('[ACK] Seq=78 Ack=4000000001 Win=262140 Len=0 SLE=4000000002 SRE=4000000004');
    expect(texts.some((t) => t.endsWith('Absolute sequence numbers.'))).toBe(true);
  });
});

describe('Mermaid', () => {
  it('is a sequence diagram whose every statement is a participant, a message or a note', () => {
    const lines = ladderMermaid(ladder).trimEnd().split('\n');
    expect(lines.slice(0, 3)).toEqual(['sequenceDiagram', '  participant C as Client 10.0.0.1:40000', '  participant S as Server 10.0.0.2:80']);
    for (const line of lines.slice(3)) {
      const statement = /^ {2}(Note over C,S|C(->>|-->>|-x|--x)S|S(->>|-->>|-x|--x)C): (.+)$/.exec(line);
      expect(statement, line).not.toBeNull();
      // Only Mermaid entity codes and line breaks: no raw ';', '#', '<' or '>' in the text.
      expect(statement![4].replace(/#\d+;/g, '').replace(/<br\/>/g, ''), line).not.toMatch(/[;#<>]/);
    }
    const messages = lines.filter((l) => !l.includes('Note over') && l.includes(': '));
    expect(messages).toHaveLength(arrows(ladder).length);
    expect(messages[1]).toMatch(/^ {2}C-->>S: /);
    expect(messages[messages.length - 1]).toMatch(/^ {2}C-xS: /);
  });

  it('writes statement separators, entity starts and angle brackets as entity codes', () => {
    expect(mermaidText('a;b #1 <None>\nnext')).toBe('a#59;b #35;1 #60;None#62;<br/>next');
  });
});

describe('the XML check itself', () => {
  it.each([
    ['<a><b></a></b>', 'does not close'],
    ['<a x=1/>', 'bad attribute'],
    ['<a>&nbsp;</a>', 'unknown entity'],
    ['<a>x < y</a>', 'bad start tag'],
    ['<a x="1" x="2"/>', 'duplicate attribute'],
    ['<a/><b/>', 'more than one root'],
    ['<a>', 'unclosed'],
    ['<a><!-- c --></a>', 'unsupported markup'],
  ])('rejects %s', (source, reason) => {
    expect(() => parseXml(source)).toThrow(reason);
  });
});
