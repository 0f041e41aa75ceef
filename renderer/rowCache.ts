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
  /** More of the page's rows exist now: it is shown as it is while it is fetched again. */
  stale: boolean;
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
    /** The applied display filter: rows are then its matches, numbered from 1 in capture order. */
    private readonly filter: string | null = null,
  ) {}

  /**
   * The number of frames indexed grew: partial pages that now have more rows are refreshed. They keep
   * their rows meanwhile, so a list that grows (loading, live capture) never blanks the rows it had.
   */
  setTotal(total: number): void {
    if (total === this.total) return;
    this.total = total;
    this.failed.clear();
    for (const [index, page] of this.pages) {
      if (page.partial && index * PAGE_ROWS + page.rows.length < total) page.stale = true;
    }
  }

  /** Row of frame number n (1-based), or undefined while its page is on the way. */
  get(n: number): FrameRow | undefined {
    const index = Math.floor((n - 1) / PAGE_ROWS);
    const page = this.pages.get(index);
    if (page) {
      page.lastUsed = ++this.clock;
      if (page.stale) this.fetch(index);
      return page.rows[(n - 1) % PAGE_ROWS];
    }
    this.fetch(index);
    return undefined;
  }

  /** The highest frame number whose row is cached (0 when none): where a list following a capture shows. */
  newestCached(): number {
    let newest = 0;
    for (const [index, page] of this.pages) newest = Math.max(newest, index * PAGE_ROWS + page.rows.length);
    return newest;
  }

  /** Fetches the page of frame n unless it is cached and current, without drawing anything. */
  prefetch(n: number): void {
    const index = Math.floor((n - 1) / PAGE_ROWS);
    const page = this.pages.get(index);
    if (!page || page.stale) this.fetch(index);
  }

  dispose(): void {
    this.disposed = true;
    this.pages.clear();
  }

  private fetch(index: number): void {
    if (this.inFlight.has(index) || this.failed.has(index) || this.disposed) return;
    this.inFlight.add(index);
    this.transport
      .call('frames.page', { id: this.id, from: index * PAGE_ROWS + 1, count: PAGE_ROWS, ...(this.filter ? { filter: this.filter } : {}) })
      .then(
        (page) => {
          if (this.disposed) return;
          this.pages.set(index, { rows: page.rows, partial: page.rows.length < PAGE_ROWS && !page.complete, stale: false, lastUsed: ++this.clock });
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
