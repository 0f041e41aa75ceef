import type { ByteSource } from '../app/api/types';

interface Props {
  sources: ByteSource[];
  /** Which source is shown (a selected field's source). */
  sourceIndex: number;
  onSource(index: number): void;
  /** Highlighted byte range [start, end) of the shown source. */
  highlight: { start: number; end: number } | null;
  /** A byte was clicked: select the field that covers it. */
  onByte(source: number, offset: number): void;
}

const BYTES_PER_LINE = 16;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function printable(byte: number): string {
  return byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.';
}

/** Offset, hex and ASCII columns, 16 bytes a line, as Wireshark's bytes pane; one tab per byte source. */
export function HexView({ sources, sourceIndex, onSource, highlight, onByte }: Props) {
  const source = sources[sourceIndex] ?? sources[0];
  if (!source) return <div className="hex" />;
  const bytes = source.bytes;
  const lines: number[] = [];
  for (let at = 0; at < bytes.length; at += BYTES_PER_LINE) lines.push(at);
  const marked = (i: number) => highlight !== null && i >= highlight.start && i < highlight.end;
  const byteCells = (at: number, render: (i: number) => string, className: string) =>
    Array.from({ length: Math.min(BYTES_PER_LINE, bytes.length - at) }, (_, k) => {
      const i = at + k;
      return (
        <span key={i} data-offset={i} className={`${className}${marked(i) ? ' marked' : ''}`} onMouseDown={() => onByte(sourceIndex, i)}>
          {render(i)}
        </span>
      );
    });

  return (
    <div className="hex-pane">
      {sources.length > 1 && (
        <div className="hex-tabs" role="tablist">
          {sources.map((s, i) => (
            <button key={i} role="tab" aria-selected={i === sourceIndex} className={i === sourceIndex ? 'active' : ''} onClick={() => onSource(i)}>
              {s.name} ({s.bytes.length} bytes)
            </button>
          ))}
        </div>
      )}
      <div className="hex" aria-label="Packet bytes">
        {lines.map((at) => (
          <div key={at} className="hex-line">
            <span className="hex-offset">{at.toString(16).padStart(4, '0')}</span>
            <span className="hex-bytes">{byteCells(at, (i) => HEX[bytes[i]], 'hex-byte')}</span>
            <span className="hex-ascii">{byteCells(at, (i) => printable(bytes[i]), 'hex-char')}</span>
          </div>
        ))}
      </div>
    </div>
  );
}
