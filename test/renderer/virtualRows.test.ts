import { describe, expect, it } from 'vitest';
import { MAX_SCROLL_HEIGHT, ROW_HEIGHT, rowWindow, scrollHeight, scrollIntoView, scrollTopFor } from '../../renderer/virtualRows';

const VIEW = 400; // 20 rows of 20 px

describe('packet list scroll mapping', () => {
  it('maps pixels to rows one to one for small captures', () => {
    expect(scrollHeight(1000)).toBe(1000 * ROW_HEIGHT);
    expect(rowWindow(0, VIEW, 1000)).toEqual({ first: 1, count: 21, offset: 0 });
    expect(rowWindow(210, VIEW, 1000)).toEqual({ first: 11, count: 21, offset: 10 });
    expect(scrollTopFor(11, VIEW, 1000)).toBe(200);
  });

  it('caps the scrolled height and reaches the first and last of ten million rows', () => {
    const total = 10_000_000;
    expect(scrollHeight(total)).toBe(MAX_SCROLL_HEIGHT);
    expect(rowWindow(0, VIEW, total).first).toBe(1);
    const bottom = rowWindow(MAX_SCROLL_HEIGHT - VIEW, VIEW, total);
    expect(bottom.first + 20 - 1).toBe(total); // the last full screen ends with the last row
    expect(bottom.first + bottom.count - 1).toBeLessThanOrEqual(total);
  });

  it('inverts: scrolling to a row puts it at the top, at any scale', () => {
    for (const total of [50, 1000, 400_000, 10_000_000]) {
      for (const n of [1, 2, Math.floor(total / 3), total - 20]) {
        const window = rowWindow(scrollTopFor(n, VIEW, total), VIEW, total);
        expect(window.first, `${n} of ${total}`).toBe(n);
      }
    }
  });

  it('scrolls a row into view only when it is out of view', () => {
    expect(scrollIntoView(5, 0, VIEW, 1000)).toBe(0);
    expect(scrollIntoView(25, 0, VIEW, 1000)).toBe(5 * ROW_HEIGHT); // row 25 becomes the last visible
    expect(scrollIntoView(3, 400, VIEW, 1000)).toBe(2 * ROW_HEIGHT);
    const total = 10_000_000;
    const top = scrollIntoView(total, 0, VIEW, total);
    const window = rowWindow(top, VIEW, total);
    expect(window.first + 19).toBeGreaterThanOrEqual(total);
  });

  it('draws nothing for an empty capture', () => {
    expect(rowWindow(0, VIEW, 0)).toEqual({ first: 1, count: 0, offset: 0 });
  });
});
