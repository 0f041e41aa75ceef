import { useEffect, useRef, useState, type RefObject } from 'react';
import type { CaptureId, ResultOf } from '../app/api/types';
import { message } from './format';
import type { Transport } from './transport';

/** While the capture is read and the view is shown, the list is asked for again this long after an answer. */
export const REFRESH_MS = 2000;

/** The service's lists of a whole capture, asked for by its id alone. */
type ListMethod = 'flows.list' | 'dns.transactions';

/** The request of a list not yet answered, if any: shared by every refresh of one view, so one is in flight at a time. */
export interface InFlight {
  request: Promise<unknown> | null;
}

/**
 * Asks for a list now and, when `repeat`, again REFRESH_MS after each answer until stopped (the returned
 * function). Each request first waits for the one before it in `inFlight`, even one of an earlier, stopped
 * refresh. After stop nothing is asked and no answer or error is reported; an error ends the refreshing.
 */
export function refreshList<Rows>(inFlight: InFlight, ask: () => Promise<Rows>, repeat: boolean, onAnswer: (rows: Rows) => void, onError: (error: unknown) => void): () => void {
  let current = true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const fetchRows = async () => {
    await inFlight.request;
    if (!current) return;
    const request = ask();
    inFlight.request = request.catch(() => undefined);
    try {
      const rows = await request;
      if (!current) return;
      onAnswer(rows);
      if (repeat) timer = setTimeout(() => void fetchRows(), REFRESH_MS);
    } catch (e) {
      if (current) onError(e);
    }
  };
  void fetchRows();
  return () => {
    current = false;
    clearTimeout(timer);
  };
}

/**
 * A view's list of the capture: asked for once when the capture is complete, shown or not; while it is
 * read (a live capture), asked for when the section is shown and again every REFRESH_MS while it stays
 * shown, and once more when it completes. The rows and error are the current capture's: an answer about the
 * capture shown before is ignored (null rows until this one's arrives).
 */
export function useRefreshedList<M extends ListMethod>(
  transport: Transport,
  method: M,
  captureId: CaptureId,
  complete: boolean,
  section: RefObject<HTMLElement | null>,
): { rows: ResultOf<M> | null; error: string | null } {
  const [answer, setAnswer] = useState<{ captureId: CaptureId; rows: ResultOf<M> | null; error: string | null } | null>(null);
  const shown = useShown(section);
  const inFlight = useRef<InFlight>({ request: null });
  const fetching = complete || shown;

  useEffect(() => {
    if (!fetching) return;
    return refreshList(
      inFlight.current,
      () => transport.call(method, { id: captureId }),
      !complete,
      (rows) => setAnswer({ captureId, rows, error: null }),
      (e) => setAnswer((old) => ({ captureId, rows: old?.captureId === captureId ? old.rows : null, error: message(e) })),
    );
  }, [transport, method, captureId, complete, fetching]);

  return answer?.captureId === captureId ? { rows: answer.rows, error: answer.error } : { rows: null, error: null };
}

/** Whether the element is on screen: App keeps a visited view mounted in a hidden pane when another is shown. */
function useShown(ref: RefObject<HTMLElement | null>): boolean {
  const [shown, setShown] = useState(false);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new IntersectionObserver((entries) => setShown(entries[entries.length - 1].isIntersecting));
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return shown;
}
