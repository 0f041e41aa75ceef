import { useCallback, useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { FrameRow } from '../app/api/types';
import type { RowCache } from './rowCache';
import { ROW_HEIGHT, rowWindow, rowsPerView, scrollHeight, scrollIntoView } from './virtualRows';

export type TimeMode = 'relative' | 'absolute' | 'delta';

const TIME_LABELS: Record<TimeMode, string> = { relative: 'Time', absolute: 'Time (UTC)', delta: 'Delta' };

interface Props {
  rows: RowCache;
  /** Frames indexed so far. */
  total: number;
  /** Changes whenever pages arrive, so the list redraws. */
  version: number;
  selected: number | null;
  onSelect(n: number): void;
  timeMode: TimeMode;
  onTimeMode(mode: TimeMode): void;
  /** Keep the newest row in view as rows arrive (a live capture, until a packet is selected). */
  follow?: boolean;
}

/**
 * The packet list: a fixed-row virtual list. Only the rows in view are in the DOM; the scrolled content
 * is capped and mapped to rows by ./virtualRows, so ten million rows scroll like a thousand.
 * Keyboard: arrows, Page Up/Down, Home/End move the selection.
 */
export function PacketList({ rows, total, version, selected, onSelect, timeMode, onTimeMode, follow = false }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(400);

  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setViewport(element.clientHeight));
    observer.observe(element);
    setViewport(element.clientHeight);
    return () => observer.disconnect();
  }, []);

  const reveal = useCallback(
    (n: number) => {
      const element = scroller.current;
      if (!element) return;
      const top = scrollIntoView(n, element.scrollTop, element.clientHeight, total);
      if (top !== element.scrollTop) {
        element.scrollTop = top;
        setScrollTop(element.scrollTop);
      }
    },
    [total],
  );

  useEffect(() => {
    if (selected !== null) reveal(selected);
  }, [selected, reveal]);

  // Following shows the newest rows already fetched (never a screen of rows still on the way) and asks
  // for the newest page meanwhile; at tens of thousands of packets a second that is a page per update.
  useEffect(() => {
    if (!follow || total === 0) return;
    rows.prefetch(total);
    const newest = rows.newestCached();
    if (newest > 0) reveal(newest);
  }, [follow, total, version, rows, reveal]);

  const move = (n: number) => {
    if (total === 0) return;
    onSelect(Math.min(Math.max(1, n), total));
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const page = rowsPerView(viewport) - 1;
    const at = selected ?? 0;
    const keys: Record<string, () => void> = {
      ArrowDown: () => move(at + 1),
      ArrowUp: () => move(at - 1),
      PageDown: () => move(at + page),
      PageUp: () => move(at - page),
      Home: () => move(1),
      End: () => move(total),
    };
    const action = keys[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  };

  const window = rowWindow(scrollTop, viewport, total);
  const drawn: { n: number; row: FrameRow | undefined }[] = [];
  for (let k = 0; k < window.count; k++) drawn.push({ n: window.first + k, row: rows.get(window.first + k) });

  return (
    <div className={`packet-list time-${timeMode}`} data-total={total} data-version={version}>
      <div className="packet-row packet-header" role="row">
        <span>No.</span>
        <span>
          <select aria-label="Time format" value={timeMode} onChange={(e) => onTimeMode(e.target.value as TimeMode)}>
            {(Object.keys(TIME_LABELS) as TimeMode[]).map((mode) => (
              <option key={mode} value={mode}>
                {TIME_LABELS[mode]}
              </option>
            ))}
          </select>
        </span>
        <span>Source</span>
        <span>Destination</span>
        <span>Protocol</span>
        <span className="number">Length</span>
        <span>Info</span>
      </div>
      <div
        className="packet-scroller"
        ref={scroller}
        tabIndex={0}
        role="grid"
        aria-label="Packet list"
        aria-rowcount={total}
        onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
        onKeyDown={onKeyDown}
      >
        <div style={{ height: Math.max(scrollHeight(total), viewport) }}>
          <div className="packet-rows" style={{ height: viewport }}>
            {drawn.map(({ n, row }, k) => (
              <div
                key={n}
                role="row"
                aria-rowindex={n}
                aria-selected={n === selected}
                data-frame={n}
                className={`packet-row ${row ? `colour-${row.colour}` : 'loading'}${n === selected ? ' selected' : ''}`}
                style={{ top: k * ROW_HEIGHT - window.offset }}
                onMouseDown={() => onSelect(n)}
              >
                {row ? (
                  <>
                    <span className="number">{row.number}</span>
                    <span>{timeMode === 'relative' ? row.timeRelative : timeMode === 'absolute' ? row.timeAbsolute : row.timeDelta}</span>
                    <span title={row.source}>{row.source}</span>
                    <span title={row.destination}>{row.destination}</span>
                    <span>{row.protocol}</span>
                    <span className="number">{row.length}</span>
                    <span title={row.info}>{row.info}</span>
                  </>
                ) : (
                  <span className="number">{n}</span>
                )}
              </div>
            ))}
          </div>
        </div>
      </div>
    </div>
  );
}
