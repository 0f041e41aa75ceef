/*
 * Scroll position <-> row mapping of the packet list. Browsers cap an element's height (Chrome near
 * 33.5 million px, Firefox near 17.9 million), far below 10 million rows of 20 px, so the scrolled
 * content is at most MAX_SCROLL_HEIGHT px and, past it, scroll positions map to rows by proportion (a
 * scale factor) rather than by pixels.
 */

export const ROW_HEIGHT = 20;
export const MAX_SCROLL_HEIGHT = 8_000_000;

export interface RowWindow {
  /** 1-based number of the first row drawn (possibly partly hidden above). */
  first: number;
  /** Rows to draw. */
  count: number;
  /** Pixels the first row is shifted up. */
  offset: number;
}

/** Height of the scrolled content for `total` rows. */
export function scrollHeight(total: number): number {
  return Math.min(total * ROW_HEIGHT, MAX_SCROLL_HEIGHT);
}

/** Rows fully visible in a viewport. */
export function rowsPerView(viewport: number): number {
  return Math.max(1, Math.floor(viewport / ROW_HEIGHT));
}

/** The rows to draw for a scroll position. */
export function rowWindow(scrollTop: number, viewport: number, total: number): RowWindow {
  if (total === 0) return { first: 1, count: 0, offset: 0 };
  const drawn = Math.ceil(viewport / ROW_HEIGHT) + 1;
  const height = scrollHeight(total);
  let firstExact: number;
  if (height === total * ROW_HEIGHT) {
    firstExact = scrollTop / ROW_HEIGHT;
  } else {
    const maxScroll = Math.max(1, height - viewport);
    const maxFirst = Math.max(0, total - rowsPerView(viewport));
    firstExact = (Math.min(Math.max(scrollTop, 0), maxScroll) / maxScroll) * maxFirst;
  }
  // Past the cap, a row's top lands between pixels: the epsilon keeps scrollTopFor's round trip exact.
  const firstIndex = Math.min(Math.max(0, Math.floor(firstExact + 1e-6)), total - 1);
  return { first: firstIndex + 1, count: Math.min(drawn, total - firstIndex), offset: Math.max(0, firstExact - firstIndex) * ROW_HEIGHT };
}

/** The scroll position that shows row n (1-based) at the top of the viewport. */
export function scrollTopFor(n: number, viewport: number, total: number): number {
  const height = scrollHeight(total);
  if (height === total * ROW_HEIGHT) return (n - 1) * ROW_HEIGHT;
  const maxScroll = Math.max(1, height - viewport);
  const maxFirst = Math.max(1, total - rowsPerView(viewport));
  return (Math.min(n - 1, maxFirst) / maxFirst) * maxScroll;
}

/** The scroll position after which row n is fully visible, moving as little as possible. */
export function scrollIntoView(n: number, scrollTop: number, viewport: number, total: number): number {
  const window = rowWindow(scrollTop, viewport, total);
  const lastFull = window.first + rowsPerView(viewport) - (window.offset > 0 ? 2 : 1);
  if (n < window.first || (n === window.first && window.offset > 0)) return scrollTopFor(n, viewport, total);
  if (n > lastFull) return scrollTopFor(Math.max(1, n - rowsPerView(viewport) + 1), viewport, total);
  return scrollTop;
}
