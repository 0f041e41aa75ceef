import { useEffect, useMemo, useState, type MouseEvent } from 'react';
import type { CaptureId, Ladder } from '../app/api/types';
import type { Numbering } from '../app/diagram/labels';
import { ladderMermaid } from '../app/diagram/mermaid';
import { ladderSvg } from '../app/diagram/svg';
import { download } from './charts/ChartCanvas';
import { message } from './format';
import type { Transport } from './transport';

interface Props {
  transport: Transport;
  captureId: CaptureId;
  /** Base name of exported files. */
  fileName: string;
  stream: number;
  onGoToFrame(frame: number): void;
}

/** Draws an SVG document on a canvas of its own size (through a data: image, which the CSP allows) as a PNG. */
function svgPng(svg: string, width: number, height: number): Promise<Blob> {
  return new Promise((resolve, reject) => {
    const image = new Image(width, height);
    image.onload = () => {
      const canvas = document.createElement('canvas');
      canvas.width = width;
      canvas.height = height;
      const context = canvas.getContext('2d');
      if (!context) return reject(new Error('This browser cannot draw on a canvas.'));
      context.drawImage(image, 0, 0, width, height);
      canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('The PNG could not be made.'))), 'image/png');
    };
    image.onerror = () => reject(new Error('The diagram could not be drawn as an image.'));
    image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  });
}

/** The Diagram tab of a TCP stream: its connection ladder (tcp.diagram); clicking an arrow selects its frame. */
export function StreamDiagram({ transport, captureId, fileName, stream, onGoToFrame }: Props) {
  const [ladder, setLadder] = useState<Ladder | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [numbering, setNumbering] = useState<Numbering>('relative');

  useEffect(() => {
    let current = true;
    setLadder(null);
    setError(null);
    transport.call('tcp.diagram', { id: captureId, stream }).then(
      (l) => current && setLadder(l),
      (e: unknown) => current && setError(message(e)),
    );
    return () => {
      current = false;
    };
  }, [transport, captureId, stream]);

  // Our own renderer's output: every text in it is escaped (app/diagram/svg.ts), so it may be set as markup.
  const svg = useMemo(() => (ladder ? ladderSvg(ladder, { numbering }) : ''), [ladder, numbering]);

  const selectArrow = (event: MouseEvent<HTMLDivElement>) => {
    const arrow = (event.target as Element).closest('g[data-first-frame]');
    const frame = Number(arrow?.getAttribute('data-first-frame'));
    if (frame > 0) onGoToFrame(frame);
  };

  const exportPng = async () => {
    if (!ladder) return;
    try {
      download(`${fileName}.png`, await svgPng(svg, ladder.layout.width, ladder.layout.height));
    } catch (e) {
      setError(message(e));
    }
  };

  const copyMermaid = async () => {
    if (!ladder) return;
    try {
      await navigator.clipboard.writeText(ladderMermaid(ladder, { numbering }));
      setNotice('Copied the Mermaid sequence diagram.');
    } catch (e) {
      setError(`Cannot copy to the clipboard: ${message(e)}`);
    }
  };

  if (error) return <div className="view-message error-text" role="alert">{error}</div>;
  if (!ladder) return <div className="view-message">Drawing the stream's diagram…</div>;
  return (
    <div className="stream-diagram">
      <div className="view-bar">
        <div className="segmented" role="group" aria-label="Sequence numbers">
          {(
            [
              ['relative', 'Relative'],
              ['absolute', 'Absolute'],
            ] as const
          ).map(([value, label]) => (
            <button key={value} type="button" aria-pressed={numbering === value} className={numbering === value ? 'active' : ''} onClick={() => setNumbering(value)}>
              {label}
            </button>
          ))}
        </div>
        <button type="button" onClick={() => download(`${fileName}.svg`, new Blob([svg], { type: 'image/svg+xml' }))}>
          Export SVG
        </button>
        <button type="button" onClick={() => void exportPng()}>
          Export PNG
        </button>
        <button type="button" onClick={() => void copyMermaid()}>
          Copy Mermaid
        </button>
        <span className="view-note">Click an arrow to show its packet.</span>
        {notice ? <span className="view-note" data-testid="diagram-notice">{notice}</span> : null}
      </div>
      <div className="diagram-scroller" data-testid="stream-diagram" onClick={selectArrow} dangerouslySetInnerHTML={{ __html: svg }} />
    </div>
  );
}
