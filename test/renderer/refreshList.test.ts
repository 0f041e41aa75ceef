import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { refreshList, REFRESH_MS, type InFlight } from '../../renderer/useRefreshedList';

/** A list request the test answers by hand. */
interface Pending {
  resolve(rows: number[]): void;
  reject(error: Error): void;
}

/** An `ask` whose requests are kept, answered by the test, so when each is made can be checked. */
function service() {
  const requests: Pending[] = [];
  const ask = () =>
    new Promise<number[]>((resolve, reject) => {
      requests.push({ resolve, reject });
    });
  return { requests, ask };
}

/** Lets every settled promise's continuations run (the refresh awaits twice per request). */
const settle = () => vi.advanceTimersByTimeAsync(0);

describe('refreshList', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('asks once when not repeating', async () => {
    const { requests, ask } = service();
    const answers: number[][] = [];
    refreshList({ request: null }, ask, false, (rows) => answers.push(rows), () => undefined);
    await settle();
    expect(requests).toHaveLength(1);
    requests[0].resolve([1, 2]);
    await settle();
    expect(answers).toEqual([[1, 2]]);
    await vi.advanceTimersByTimeAsync(10 * REFRESH_MS);
    expect(requests).toHaveLength(1);
  });

  it('repeats REFRESH_MS after each answer, not after each request', async () => {
    const { requests, ask } = service();
    const answers: number[][] = [];
    const stop = refreshList({ request: null }, ask, true, (rows) => answers.push(rows), () => undefined);
    await settle();
    expect(requests).toHaveLength(1);
    // A slow answer: nothing more is asked while it is awaited.
    await vi.advanceTimersByTimeAsync(3 * REFRESH_MS);
    expect(requests).toHaveLength(1);
    requests[0].resolve([1]);
    await vi.advanceTimersByTimeAsync(REFRESH_MS - 1);
    expect(requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(requests).toHaveLength(2);
    requests[1].resolve([1, 2]);
    await vi.advanceTimersByTimeAsync(REFRESH_MS);
    expect(requests).toHaveLength(3);
    expect(answers).toEqual([[1], [1, 2]]);
    stop();
    requests[2].resolve([1, 2, 3]);
    await vi.advanceTimersByTimeAsync(10 * REFRESH_MS);
    // Stopped: the last answer is not reported and nothing more is asked.
    expect(answers).toEqual([[1], [1, 2]]);
    expect(requests).toHaveLength(3);
  });

  it('stopped before its timer fires, asks nothing more', async () => {
    const { requests, ask } = service();
    const stop = refreshList({ request: null }, ask, true, () => undefined, () => undefined);
    await settle();
    requests[0].resolve([]);
    await vi.advanceTimersByTimeAsync(REFRESH_MS / 2);
    stop();
    await vi.advanceTimersByTimeAsync(10 * REFRESH_MS);
    expect(requests).toHaveLength(1);
  });

  it('a restarted refresh waits for the request of the stopped one: one in flight at a time', async () => {
    const { requests, ask } = service();
    const inFlight: InFlight = { request: null };
    const answers: number[][] = [];
    const stop = refreshList(inFlight, ask, true, (rows) => answers.push(rows), () => undefined);
    await settle();
    expect(requests).toHaveLength(1);
    stop();
    // The capture completes while the request is out: the final ask waits for it.
    refreshList(inFlight, ask, false, (rows) => answers.push(rows), () => undefined);
    await settle();
    expect(requests).toHaveLength(1);
    requests[0].resolve([1]);
    await settle();
    expect(requests).toHaveLength(2);
    requests[1].resolve([1, 2]);
    await settle();
    // The stopped refresh's answer is ignored, the final one reported.
    expect(answers).toEqual([[1, 2]]);
  });

  it('a failed request reports its error, ends the refreshing and does not block the next', async () => {
    const { requests, ask } = service();
    const inFlight: InFlight = { request: null };
    const errors: unknown[] = [];
    refreshList(inFlight, ask, true, () => undefined, (e) => errors.push(e));
    await settle();
    requests[0].reject(new Error('capture closed'));
    await settle();
    expect(errors).toEqual([new Error('capture closed')]);
    await vi.advanceTimersByTimeAsync(10 * REFRESH_MS);
    expect(requests).toHaveLength(1);
    const answers: number[][] = [];
    refreshList(inFlight, ask, false, (rows) => answers.push(rows), () => undefined);
    await settle();
    expect(requests).toHaveLength(2);
    requests[1].resolve([7]);
    await settle();
    expect(answers).toEqual([[7]]);
  });
});
