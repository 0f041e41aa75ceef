import { escapeXml } from '../../app/diagram/svg';

/*
 * What the chart drawing needs from a surface, with two implementations: a canvas (on screen, PNG export)
 * and an SVG document (SVG export, tests). The drawing code runs unchanged on both, so the exported SVG
 * is the chart on screen.
 */

export interface TextStyle {
  colour: string;
  size: number;
  align: 'left' | 'center' | 'right';
  baseline: 'top' | 'middle' | 'bottom';
  bold?: boolean;
}

export type MarkerShape = 'dot' | 'tick' | 'cross';

export interface Painter {
  readonly width: number;
  readonly height: number;
  fillRect(x: number, y: number, width: number, height: number, colour: string): void;
  /** A polyline through [x0, y0, x1, y1, ...]; a NaN coordinate lifts the pen. */
  polyline(points: readonly number[], colour: string, lineWidth: number, dashed: boolean): void;
  /** Separate segments [x0, y0, x1, y1, x2, y2, x3, y3, ...] (pairs of points), one stroke. */
  segments(points: readonly number[], colour: string, lineWidth: number): void;
  markers(points: readonly number[], shape: MarkerShape, colour: string): void;
  text(x: number, y: number, content: string, style: TextStyle): void;
  /** Drawing between clip and unclip stays inside the rectangle. */
  clip(x: number, y: number, width: number, height: number): void;
  unclip(): void;
}

const FONT = 'sans-serif';
const MARKER_SIZE = 3;

/** Paints on a 2D canvas context (already scaled for the device pixel ratio by the caller). */
export class CanvasPainter implements Painter {
  constructor(
    private readonly context: CanvasRenderingContext2D,
    readonly width: number,
    readonly height: number,
  ) {}

  fillRect(x: number, y: number, width: number, height: number, colour: string): void {
    this.context.fillStyle = colour;
    this.context.fillRect(x, y, width, height);
  }

  polyline(points: readonly number[], colour: string, lineWidth: number, dashed: boolean): void {
    const c = this.context;
    c.beginPath();
    let pen = false;
    for (let i = 0; i + 1 < points.length; i += 2) {
      const x = points[i];
      const y = points[i + 1];
      if (Number.isNaN(x) || Number.isNaN(y)) {
        pen = false;
        continue;
      }
      if (pen) c.lineTo(x, y);
      else c.moveTo(x, y);
      pen = true;
    }
    c.setLineDash(dashed ? [6, 4] : []);
    c.strokeStyle = colour;
    c.lineWidth = lineWidth;
    c.stroke();
    c.setLineDash([]);
  }

  segments(points: readonly number[], colour: string, lineWidth: number): void {
    const c = this.context;
    c.beginPath();
    for (let i = 0; i + 3 < points.length; i += 4) {
      c.moveTo(points[i], points[i + 1]);
      c.lineTo(points[i + 2], points[i + 3]);
    }
    c.strokeStyle = colour;
    c.lineWidth = lineWidth;
    c.stroke();
  }

  markers(points: readonly number[], shape: MarkerShape, colour: string): void {
    const c = this.context;
    c.beginPath();
    for (let i = 0; i + 1 < points.length; i += 2) {
      const x = points[i];
      const y = points[i + 1];
      if (shape === 'dot') {
        c.moveTo(x + MARKER_SIZE / 1.5, y);
        c.arc(x, y, MARKER_SIZE / 1.5, 0, 2 * Math.PI);
      } else if (shape === 'tick') {
        c.moveTo(x - MARKER_SIZE, y);
        c.lineTo(x + MARKER_SIZE, y);
      } else {
        c.moveTo(x - MARKER_SIZE, y - MARKER_SIZE);
        c.lineTo(x + MARKER_SIZE, y + MARKER_SIZE);
        c.moveTo(x - MARKER_SIZE, y + MARKER_SIZE);
        c.lineTo(x + MARKER_SIZE, y - MARKER_SIZE);
      }
    }
    if (shape === 'dot') {
      c.fillStyle = colour;
      c.fill();
    } else {
      c.strokeStyle = colour;
      c.lineWidth = 1.5;
      c.stroke();
    }
  }

  text(x: number, y: number, content: string, style: TextStyle): void {
    const c = this.context;
    c.font = `${style.bold ? 'bold ' : ''}${style.size}px ${FONT}`;
    c.fillStyle = style.colour;
    c.textAlign = style.align;
    c.textBaseline = style.baseline;
    c.fillText(content, x, y);
  }

  clip(x: number, y: number, width: number, height: number): void {
    this.context.save();
    this.context.beginPath();
    this.context.rect(x, y, width, height);
    this.context.clip();
  }

  unclip(): void {
    this.context.restore();
  }
}

function n(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

/** Builds an SVG document of the drawing (string only; no DOM). */
export class SvgPainter implements Painter {
  private readonly parts: string[] = [];
  private clipCount = 0;
  private clipDepth = 0;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {}

  fillRect(x: number, y: number, width: number, height: number, colour: string): void {
    this.parts.push(`<rect x="${n(x)}" y="${n(y)}" width="${n(width)}" height="${n(height)}" fill="${escapeXml(colour)}"/>`);
  }

  polyline(points: readonly number[], colour: string, lineWidth: number, dashed: boolean): void {
    let d = '';
    let pen = false;
    for (let i = 0; i + 1 < points.length; i += 2) {
      const x = points[i];
      const y = points[i + 1];
      if (Number.isNaN(x) || Number.isNaN(y)) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${n(x)},${n(y)}`;
      pen = true;
    }
    if (d === '') return;
    this.parts.push(`<path d="${d}" fill="none" stroke="${escapeXml(colour)}" stroke-width="${lineWidth}"${dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
  }

  segments(points: readonly number[], colour: string, lineWidth: number): void {
    let d = '';
    for (let i = 0; i + 3 < points.length; i += 4) d += `M${n(points[i])},${n(points[i + 1])}L${n(points[i + 2])},${n(points[i + 3])}`;
    if (d !== '') this.parts.push(`<path d="${d}" fill="none" stroke="${escapeXml(colour)}" stroke-width="${lineWidth}"/>`);
  }

  markers(points: readonly number[], shape: MarkerShape, colour: string): void {
    if (points.length < 2) return;
    if (shape === 'dot') {
      const circles: string[] = [];
      for (let i = 0; i + 1 < points.length; i += 2) circles.push(`<circle cx="${n(points[i])}" cy="${n(points[i + 1])}" r="${n(MARKER_SIZE / 1.5)}"/>`);
      this.parts.push(`<g fill="${escapeXml(colour)}">${circles.join('')}</g>`);
      return;
    }
    let d = '';
    const s = MARKER_SIZE;
    for (let i = 0; i + 1 < points.length; i += 2) {
      const x = points[i];
      const y = points[i + 1];
      d += shape === 'tick' ? `M${n(x - s)},${n(y)}L${n(x + s)},${n(y)}` : `M${n(x - s)},${n(y - s)}L${n(x + s)},${n(y + s)}M${n(x - s)},${n(y + s)}L${n(x + s)},${n(y - s)}`;
    }
    this.parts.push(`<path d="${d}" fill="none" stroke="${escapeXml(colour)}" stroke-width="1.5"/>`);
  }

  text(x: number, y: number, content: string, style: TextStyle): void {
    const anchor = style.align === 'left' ? 'start' : style.align === 'right' ? 'end' : 'middle';
    const baseline = style.baseline === 'top' ? 'hanging' : style.baseline === 'middle' ? 'central' : 'alphabetic';
    this.parts.push(
      `<text x="${n(x)}" y="${n(y)}" font-family="${FONT}" font-size="${style.size}"${style.bold ? ' font-weight="bold"' : ''} fill="${escapeXml(style.colour)}" text-anchor="${anchor}" dominant-baseline="${baseline}">${escapeXml(content)}</text>`,
    );
  }

  clip(x: number, y: number, width: number, height: number): void {
    const id = `clip${this.clipCount++}`;
    this.parts.push(`<clipPath id="${id}"><rect x="${n(x)}" y="${n(y)}" width="${n(width)}" height="${n(height)}"/></clipPath><g clip-path="url(#${id})">`);
    this.clipDepth++;
  }

  unclip(): void {
    if (this.clipDepth === 0) return;
    this.parts.push('</g>');
    this.clipDepth--;
  }

  /** The finished document. */
  document(): string {
    const closing = '</g>'.repeat(this.clipDepth);
    return `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="${n(this.width)}" height="${n(this.height)}" viewBox="0 0 ${n(this.width)} ${n(this.height)}">\n${this.parts.join('\n')}${closing}\n</svg>\n`;
  }
}
