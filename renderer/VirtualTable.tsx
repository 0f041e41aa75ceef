import { useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactElement } from 'react';
import { ROW_HEIGHT, rowWindow, rowsPerView, scrollHeight, scrollIntoView } from './virtualRows';

export interface Column<T> {
  key: string;
  label: string;
  /** CSS grid track of the column ('90px', 'minmax(200px, 1fr)'). */
  width: string;
  numeric?: boolean;
  text(row: T): string;
  /** What the column sorts by; numbers sort numerically, strings by locale. */
  sortValue(row: T): number | string;
}

export interface SortOrder {
  key: string;
  descending: boolean;
}

interface Props<T> {
  label: string;
  columns: readonly Column<T>[];
  rows: readonly T[];
  rowKey(row: T): string;
  /** Extra class of a row (colouring). */
  rowClass?(row: T): string;
  sort: SortOrder;
  onSort(sort: SortOrder): void;
  selectedKey: string | null;
  onSelect(row: T): void;
  /** Double click or Enter. */
  onActivate?(row: T): void;
}

/** Sorts a copy; ties keep the given order (Array.prototype.sort is stable). */
export function sortRows<T>(rows: readonly T[], column: Column<T>, descending: boolean): T[] {
  const sign = descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = column.sortValue(a);
    const y = column.sortValue(b);
    const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return sign * order;
  });
}

/**
 * A table of many rows (conversations, DNS transactions): click a header to sort by it (again to reverse;
 * the order is the owner's, so it survives switching tables),
 * rows drawn only while in view with the packet list's fixed-row mapping (./virtualRows).
 */
export function VirtualTable<T>({ label, columns, rows, rowKey, rowClass, sort, onSort, selectedKey, onSelect, onActivate }: Props<T>) {
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

  const sorted = useMemo(() => {
    const column = columns.find((c) => c.key === sort.key) ?? columns[0];
    return sortRows(rows, column, sort.descending);
  }, [rows, columns, sort]);

  const selectedIndex = useMemo(() => (selectedKey === null ? -1 : sorted.findIndex((row) => rowKey(row) === selectedKey)), [sorted, selectedKey, rowKey]);

  // Keep the selected row in view when the order changes or the selection moves.
  useEffect(() => {
    const element = scroller.current;
    if (!element || selectedIndex < 0) return;
    const top = scrollIntoView(selectedIndex + 1, element.scrollTop, element.clientHeight, sorted.length);
    if (top !== element.scrollTop) {
      element.scrollTop = top;
      setScrollTop(element.scrollTop);
    }
  }, [selectedIndex, sorted.length]);

  const template = columns.map((c) => c.width).join(' ');
  const window = rowWindow(scrollTop, viewport, sorted.length);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const page = rowsPerView(viewport) - 1;
    const at = Math.max(selectedIndex, 0);
    const targets: Record<string, number> = {
      ArrowDown: at + (selectedIndex < 0 ? 0 : 1),
      ArrowUp: at - 1,
      PageDown: at + page,
      PageUp: at - page,
      Home: 0,
      End: sorted.length - 1,
    };
    if (event.key === 'Enter' && selectedIndex >= 0) {
      event.preventDefault();
      onActivate?.(sorted[selectedIndex]);
      return;
    }
    const target = targets[event.key];
    if (target === undefined || sorted.length === 0) return;
    event.preventDefault();
    onSelect(sorted[Math.min(Math.max(0, target), sorted.length - 1)]);
  };

  const cells: ReactElement[] = [];
  for (let k = 0; k < window.count; k++) {
    const index = window.first - 1 + k;
    const row = sorted[index];
    const key = rowKey(row);
    const selected = index === selectedIndex;
    cells.push(
      <div
        key={key}
        role="row"
        aria-rowindex={index + 1}
        aria-selected={selected}
        data-key={key}
        className={`table-row${rowClass ? ` ${rowClass(row)}` : ''}${selected ? ' selected' : ''}`}
        style={{ top: k * ROW_HEIGHT - window.offset, gridTemplateColumns: template }}
        onMouseDown={() => onSelect(row)}
        onDoubleClick={() => onActivate?.(row)}
      >
        {columns.map((column) => {
          const text = column.text(row);
          return (
            <span key={column.key} className={column.numeric ? 'number' : undefined} title={text}>
              {text}
            </span>
          );
        })}
      </div>,
    );
  }

  return (
    <div className="table" aria-label={label}>
      <div className="table-row table-header" role="row" style={{ gridTemplateColumns: template }}>
        {columns.map((column) => (
          <button
            key={column.key}
            type="button"
            role="columnheader"
            aria-sort={sort.key === column.key ? (sort.descending ? 'descending' : 'ascending') : 'none'}
            className={column.numeric ? 'number' : undefined}
            onClick={() => onSort({ key: column.key, descending: sort.key === column.key ? !sort.descending : false })}
          >
            {column.label}
            {sort.key === column.key ? (sort.descending ? ' ▼' : ' ▲') : ''}
          </button>
        ))}
      </div>
      <div
        className="table-scroller"
        ref={scroller}
        tabIndex={0}
        role="grid"
        aria-label={label}
        aria-rowcount={sorted.length}
        onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
        onKeyDown={onKeyDown}
      >
        <div style={{ height: Math.max(scrollHeight(sorted.length), viewport) }}>
          <div className="table-rows" style={{ height: viewport }}>
            {cells}
          </div>
        </div>
      </div>
    </div>
  );
}
