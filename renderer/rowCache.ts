import type { CaptureId, FrameRow } from '../app/api/types';
import type { Transport } from './transport';

/** Rows per request: big enough to fill several screens, small enough to arrive at once. */
export const PAGE_ROWS = 500;
/** Pages kept; older ones are dropped and fetched again when scrolled back to. */
const MAX_PAGES = 64;

interface Page {
  rows: FrameRow[];
  /** The page had fewer rows than PAGE_ROWS when fetched because indexing had not reached its end. */
  partial: boolean;
  lastUsed: number;
}

/**
 * The packet list's rows, fetched by page on demand. get() answers from the cache or returns undefined
 * and fetches the page; onChange fires when a page arrives. Pages fetched while the file was still being
 * indexed are fetched again once more frames exist.
 */
export class RowCache {
  private readonly pages = new Map<number, Page>();
  private readonly inFlight = new Set<number>();
  /** Pages whose request failed: not asked again until the total changes (no request loop). */
  private readonly failed = new Set<number>();
  private clock = 0;
  private total = 0;
  private disposed = false;

  constructor(
    private readonly transport: Transport,
    private readonly id: CaptureId,
    private readonly onChange: () => void,
    private readonly onError: (message: string) => void,
  ) {}

  /** The number of frames indexed grew: partial pages that now have more rows are refreshed. */
  setTotal(total: number): void {
    if (total === this.total) return;
    this.total = total;
    this.failed.clear();
    for (const [index, page] of this.pages) {
      if (page.partial && index * PAGE_ROWS + page.rows.length < total) this.pages.delete(index);
    }
  }

  /** Row of frame number n (1-based), or undefined while its page is on the way. */
  get(n: number): FrameRow | undefined {
    const index = Math.floor((n - 1) / PAGE_ROWS);
    const page = this.pages.get(index);
    if (page) {
      page.lastUsed = ++this.clock;
      return page.rows[(n - 1) % PAGE_ROWS];
    }
    this.fetch(index);
    return undefined;
  }

  dispose(): void {
    this.disposed = true;
    this.pages.clear();
  }

  private fetch(index: number): void {
    if (this.inFlight.has(index) || this.failed.has(index) || this.disposed) return;
    this.inFlight.add(index);
    this.transport
      .call('frames.page', { id: this.id, from: index * PAGE_ROWS + 1, count: PAGE_ROWS })
      .then(
        (page) => {
          if (this.disposed) return;
          this.pages.set(index, { rows: page.rows, partial: page.rows.length < PAGE_ROWS && !page.complete, lastUsed: ++this.clock });
          this.evict();
          this.onChange();
        },
        (error: unknown) => {
          this.failed.add(index);
          if (!this.disposed) this.onError(error instanceof Error ? error.message : String(error));
        },
      )
      .finally(() => this.inFlight.delete(index));
  }

  private evict(): void {
    if (this.pages.size <= MAX_PAGES) return;
    const oldest = [...this.pages.entries()].sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    for (const [index] of oldest.slice(0, this.pages.size - MAX_PAGES)) this.pages.delete(index);
  }
}
