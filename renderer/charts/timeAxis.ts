import type { Range } from './scale';

/*
 * The time axis the charts of one stream share: zooming or panning any chart moves them all. A plain
 * observable object (no React, no DOM), so the linking is testable on its own.
 */

/** Narrowest view, seconds: below capture timestamp resolution nothing more can be seen. */
export const MIN_SPAN_SECONDS = 1e-6;

export class LinkedTimeAxis {
  private view: Range;
  private readonly listeners = new Set<(view: Range) => void>();

  /** `full` is the whole stream; the view starts there. */
  constructor(private full: Range) {
    this.full = normalised(full);
    this.view = { ...this.full };
  }

  get range(): Range {
    return this.view;
  }

  get extent(): Range {
    return this.full;
  }

  /** Whether the view shows the whole stream. */
  get isReset(): boolean {
    return this.view.start === this.full.start && this.view.end === this.full.end;
  }

  /** Shows a time range, kept within the stream and no narrower than MIN_SPAN_SECONDS. */
  set(range: Range): void {
    let { start, end } = range.start <= range.end ? range : { start: range.end, end: range.start };
    const fullSpan = this.full.end - this.full.start;
    if (end - start < MIN_SPAN_SECONDS) {
      const middle = (start + end) / 2;
      start = middle - MIN_SPAN_SECONDS / 2;
      end = middle + MIN_SPAN_SECONDS / 2;
    }
    if (end - start >= fullSpan) {
      start = this.full.start;
      end = this.full.end;
    } else if (start < this.full.start) {
      end += this.full.start - start;
      start = this.full.start;
    } else if (end > this.full.end) {
      start -= end - this.full.end;
      end = this.full.end;
    }
    if (start === this.view.start && end === this.view.end) return;
    this.view = { start, end };
    for (const listener of this.listeners) listener(this.view);
  }

  /** Zooms by `factor` (< 1 zooms in) keeping the time `anchor` where it is on screen. */
  zoom(factor: number, anchor: number): void {
    const { start, end } = this.view;
    this.set({ start: anchor - (anchor - start) * factor, end: anchor + (end - anchor) * factor });
  }

  /** Moves the view by `seconds` (positive: later). */
  pan(seconds: number): void {
    this.set({ start: this.view.start + seconds, end: this.view.end + seconds });
  }

  reset(): void {
    this.set(this.full);
  }

  /** A new stream (or the same one grown): the view resets to it. */
  setExtent(full: Range): void {
    this.full = normalised(full);
    this.view = { start: Number.NaN, end: Number.NaN };
    this.set(this.full);
  }

  /** Calls `listener` on every change of the view; returns the unsubscribe function. */
  subscribe(listener: (view: Range) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** A stream of one instant still gets a visible span. */
function normalised(range: Range): Range {
  if (range.end - range.start >= MIN_SPAN_SECONDS) return { ...range };
  return { start: range.start - MIN_SPAN_SECONDS, end: range.start + MIN_SPAN_SECONDS };
}
