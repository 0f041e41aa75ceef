import { useCallback, useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { drawChart, type ChartGeometry } from './draw';
import { hitTest, legendAt, type Hit } from './hitTest';
import { defaultHidden, layerCsv, type ChartSpec } from './layers';
import { CanvasPainter, SvgPainter } from './painter';
import type { Range } from './scale';
import type { LinkedTimeAxis } from './timeAxis';
import './charts.css';

/*
 * One interactive chart on a canvas. Its time axis is shared (LinkedTimeAxis); its value axis is its own.
 *   wheel: zoom time about the pointer; shift+wheel: zoom values
 *   drag: box zoom (time and values); shift+drag or middle-button drag: pan
 *   double-click or Reset: whole stream, values fitted
 *   hover: the nearest point's frame and values; click: onSelectFrame(frame)
 *   click a legend entry: hide or show that layer
 *   keys (when focused): + and - zoom, arrows pan, 0 resets
 * Exports: PNG (the canvas), SVG (the same drawing as a document), CSV of any layer.
 */

export interface ChartCanvasProps {
  spec: ChartSpec;
  axis: LinkedTimeAxis;
  /** CSS pixels; the width follows the container. */
  height?: number;
  /** Called with the frame of the point clicked. */
  onSelectFrame?(frame: number): void;
  /** Base name of exported files. */
  fileName?: string;
}

interface Drag {
  pointerId: number;
  startX: number;
  startY: number;
  mode: 'box' | 'pan';
  x: Range;
  y: Range;
  moved: boolean;
}

const CLICK_SLOP = 4;
const MIN_BOX = 5;

/** Offers a file to the user (an object URL on a temporary link). */
export function download(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has taken the URL by the next task.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

export function ChartCanvas({ spec, axis, height = 280, onSelectFrame, fileName = spec.id }: ChartCanvasProps) {
  const container = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const geometry = useRef<ChartGeometry | null>(null);
  const drag = useRef<Drag | null>(null);
  const [width, setWidth] = useState(0);
  const [xView, setXView] = useState<Range>(axis.range);
  const [yView, setYView] = useState<Range | null>(null);
  const [hidden, setHidden] = useState<ReadonlySet<string>>(() => defaultHidden(spec));
  const [hover, setHover] = useState<{ hit: Hit; x: number; y: number } | null>(null);
  const [box, setBox] = useState<{ left: number; top: number; width: number; height: number } | null>(null);

  useEffect(() => {
    setXView(axis.range);
    return axis.subscribe(setXView);
  }, [axis]);

  useLayoutEffect(() => {
    const element = container.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setWidth(Math.floor(element.clientWidth)));
    observer.observe(element);
    setWidth(Math.floor(element.clientWidth));
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    const element = canvas.current;
    if (!element || width <= 0) return;
    const ratio = window.devicePixelRatio || 1;
    element.width = Math.round(width * ratio);
    element.height = Math.round(height * ratio);
    const context = element.getContext('2d');
    if (!context) return;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    geometry.current = drawChart(new CanvasPainter(context, width, height), spec, { x: xView, y: yView }, hidden);
  }, [spec, width, height, xView, yView, hidden]);

  const pointer = (event: { clientX: number; clientY: number }) => {
    const rect = canvas.current!.getBoundingClientRect();
    return { x: event.clientX - rect.left, y: event.clientY - rect.top };
  };

  const reset = useCallback(() => {
    axis.reset();
    setYView(null);
  }, [axis]);

  // Wheel listeners must not be passive to keep the page from scrolling.
  useEffect(() => {
    const element = canvas.current;
    if (!element) return;
    const onWheel = (event: WheelEvent) => {
      const g = geometry.current;
      if (!g) return;
      event.preventDefault();
      const { x: px, y: py } = pointer(event);
      const delta = event.deltaMode === 1 ? event.deltaY * 16 : event.deltaY;
      const factor = Math.exp(delta * 0.0015);
      if (event.shiftKey) {
        const anchor = g.y.invert(py);
        const { start, end } = g.y.domain;
        setYView({ start: anchor - (anchor - start) * factor, end: anchor + (end - anchor) * factor });
      } else {
        axis.zoom(factor, g.x.invert(px));
      }
    };
    element.addEventListener('wheel', onWheel, { passive: false });
    return () => element.removeEventListener('wheel', onWheel);
  }, [axis]);

  const onPointerDown = (event: PointerEvent<HTMLCanvasElement>) => {
    const g = geometry.current;
    if (!g || (event.button !== 0 && event.button !== 1)) return;
    const { x, y } = pointer(event);
    event.currentTarget.setPointerCapture(event.pointerId);
    drag.current = { pointerId: event.pointerId, startX: x, startY: y, mode: event.shiftKey || event.button === 1 ? 'pan' : 'box', x: g.x.domain, y: g.y.domain, moved: false };
  };

  const onPointerMove = (event: PointerEvent<HTMLCanvasElement>) => {
    const g = geometry.current;
    if (!g) return;
    const { x, y } = pointer(event);
    const d = drag.current;
    if (!d) {
      const hit = hitTest(spec, g, x, y, hidden);
      setHover(hit ? { hit, x, y } : null);
      return;
    }
    if (Math.abs(x - d.startX) > CLICK_SLOP || Math.abs(y - d.startY) > CLICK_SLOP) d.moved = true;
    if (!d.moved) return;
    setHover(null);
    if (d.mode === 'pan') {
      const secondsPerPixel = (d.x.end - d.x.start) / g.plot.width;
      const shift = -(x - d.startX) * secondsPerPixel;
      axis.set({ start: d.x.start + shift, end: d.x.end + shift });
      if (yView) {
        const valuesPerPixel = (d.y.end - d.y.start) / g.plot.height;
        const lift = (y - d.startY) * valuesPerPixel;
        setYView({ start: d.y.start + lift, end: d.y.end + lift });
      }
      return;
    }
    const { plot } = g;
    const clampX = (v: number) => Math.min(plot.left + plot.width, Math.max(plot.left, v));
    const clampY = (v: number) => Math.min(plot.top + plot.height, Math.max(plot.top, v));
    const left = clampX(Math.min(x, d.startX));
    const top = clampY(Math.min(y, d.startY));
    setBox({ left, top, width: clampX(Math.max(x, d.startX)) - left, height: clampY(Math.max(y, d.startY)) - top });
  };

  const onPointerUp = (event: PointerEvent<HTMLCanvasElement>) => {
    const g = geometry.current;
    const d = drag.current;
    drag.current = null;
    setBox(null);
    if (!g || !d || d.pointerId !== event.pointerId) return;
    const { x, y } = pointer(event);
    if (!d.moved) {
      const legend = legendAt(g, x, y);
      if (legend) {
        setHidden((current) => {
          const next = new Set(current);
          if (next.has(legend)) next.delete(legend);
          else next.add(legend);
          return next;
        });
        return;
      }
      const hit = hitTest(spec, g, x, y, hidden);
      if (hit && hit.frame !== null) onSelectFrame?.(hit.frame);
      return;
    }
    if (d.mode !== 'box') return;
    const x0 = Math.min(x, d.startX);
    const x1 = Math.max(x, d.startX);
    const y0 = Math.min(y, d.startY);
    const y1 = Math.max(y, d.startY);
    if (x1 - x0 >= MIN_BOX) axis.set({ start: g.x.invert(x0), end: g.x.invert(x1) });
    if (y1 - y0 >= MIN_BOX) setYView({ start: g.y.invert(y1), end: g.y.invert(y0) });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLCanvasElement>) => {
    const span = xView.end - xView.start;
    const middle = (xView.start + xView.end) / 2;
    const actions: Record<string, () => void> = {
      '+': () => axis.zoom(0.5, middle),
      '=': () => axis.zoom(0.5, middle),
      '-': () => axis.zoom(2, middle),
      ArrowLeft: () => axis.pan(-span / 4),
      ArrowRight: () => axis.pan(span / 4),
      '0': reset,
    };
    const action = actions[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  };

  const exportPng = () => canvas.current?.toBlob((blob) => blob && download(`${fileName}.png`, blob), 'image/png');
  const exportSvg = () => {
    const painter = new SvgPainter(width, height);
    drawChart(painter, spec, { x: xView, y: yView }, hidden);
    download(`${fileName}.svg`, new Blob([painter.document()], { type: 'image/svg+xml' }));
  };
  const exportCsv = (name: string) => {
    const layer = spec.layers.find((l) => l.name === name);
    if (layer) download(`${fileName}-${slug(name)}.csv`, new Blob([layerCsv(layer)], { type: 'text/csv' }));
  };

  return (
    <div
      className="wl-chart"
      ref={container}
      data-chart={spec.id}
      data-view={`${xView.start},${xView.end}`}
      data-values={yView ? `${yView.start},${yView.end}` : 'fit'}
      data-hidden={[...hidden].join(',')}
    >
      <div className="wl-chart-tools">
        <button type="button" onClick={reset} disabled={axis.isReset && yView === null} title="Whole stream, values fitted (double-click)">
          Reset
        </button>
        <button type="button" onClick={exportPng}>PNG</button>
        <button type="button" onClick={exportSvg}>SVG</button>
        <select aria-label="Export a series as CSV" value="" onChange={(e) => exportCsv(e.target.value)}>
          <option value="">CSV…</option>
          {spec.layers.map((l) => (
            <option key={l.name} value={l.name}>
              {l.name}
            </option>
          ))}
        </select>
      </div>
      <canvas
        ref={canvas}
        className="wl-chart-canvas"
        style={{ width: `${width}px`, height: `${height}px` }}
        tabIndex={0}
        role="img"
        aria-label={spec.title}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={() => {
          drag.current = null;
          setBox(null);
        }}
        onPointerLeave={() => setHover(null)}
        onDoubleClick={reset}
        onKeyDown={onKeyDown}
      />
      {box && <div className="wl-chart-box" style={{ left: `${box.left}px`, top: `${box.top}px`, width: `${box.width}px`, height: `${box.height}px` }} />}
      {hover && (
        <div className="wl-chart-tooltip" role="tooltip" style={{ left: `${Math.min(hover.x + 12, Math.max(0, width - 320))}px`, top: `${hover.y + 14}px` }}>
          {hover.hit.text}
          {hover.hit.frame !== null && onSelectFrame ? <span className="wl-chart-hint"> (click to select)</span> : null}
        </div>
      )}
    </div>
  );
}
