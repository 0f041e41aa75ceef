import { describe, expect, it } from 'vitest';
import { ServiceError } from '../../../app/api/types';
import { METHOD_NAMES, MAX_PAGE_ROWS, isMethodName, validateRequest, validateSaveStream } from '../../../app/api/validate';

function refusal(method: unknown, params: unknown): string {
  try {
    validateRequest(method, params);
  } catch (error) {
    if (error instanceof ServiceError && error.code === 'bad-request') return error.message;
    throw error;
  }
  throw new Error(`accepted ${String(method)} ${JSON.stringify(params)}`);
}

describe('validateRequest', () => {
  it('knows exactly the contract methods', () => {
    expect([...METHOD_NAMES].sort()).toEqual(
      ['capture.close', 'capture.list', 'capture.open', 'capture.status', 'dns.transactions', 'flows.list', 'filter.check', 'filter.suggest', 'frame.detail', 'frames.filter', 'frames.find', 'frames.page',
        'live.checkFilter', 'live.discardRecovered', 'live.interfaces', 'live.recover', 'live.recoverable', 'live.save', 'live.start', 'live.stop',
        'tcp.analysis', 'tcp.diagram', 'tcp.follow', 'tcp.streamSeries'].sort(),
    );
    expect(isMethodName('toString')).toBe(false);
    expect(isMethodName('__proto__')).toBe(false);
  });

  it('returns only the known parameters', () => {
    expect(validateRequest('frames.page', { id: 'c1', from: 1, count: 500, extra: 'ignored' })).toEqual({ id: 'c1', from: 1, count: 500 });
  });

  it('display filters: text bounded, the cursor within it, the page filter optional', () => {
    expect(validateRequest('frames.page', { id: 'c1', from: 1, count: 5, filter: 'dns' })).toEqual({ id: 'c1', from: 1, count: 5, filter: 'dns' });
    expect(refusal('frames.page', { id: 'c1', from: 1, count: 5, filter: 7 })).toMatch(/'filter'/);
    expect(validateRequest('frames.filter', { id: 'c1', filter: 'tcp' })).toEqual({ id: 'c1', filter: 'tcp' });
    expect(refusal('frames.filter', { id: 'c1', filter: 'x'.repeat(4097) })).toMatch(/'filter'/);
    expect(validateRequest('filter.suggest', { text: 'tcp.a', cursor: 5 })).toEqual({ text: 'tcp.a', cursor: 5 });
    expect(refusal('filter.suggest', { text: 'tcp.a', cursor: 6 })).toMatch(/'cursor'/);
    expect(refusal('filter.check', {})).toMatch(/'text'/);
  });

  it('refuses unknown methods, non-object parameters and wrong types', () => {
    expect(refusal('fs.readFile', {})).toMatch(/Unknown request/);
    expect(refusal('capture.list', [1])).toMatch(/must be an object/);
    expect(refusal('frames.page', { id: 'c1', from: '1', count: 5 })).toMatch(/'from'/);
    expect(refusal('frames.page', { id: 'c1', from: 1.5, count: 5 })).toMatch(/'from'/);
    expect(refusal('frames.page', { id: 'c1', from: 1, count: MAX_PAGE_ROWS + 1 })).toMatch(/'count'/);
    expect(refusal('frames.find', { id: 'c1', text: 'x', from: 1, backwards: 'no' })).toMatch(/'backwards'/);
    expect(refusal('frame.detail', { id: '../c1', number: 1 })).toMatch(/'id'/);
  });

  it('refuses paths that are empty, huge or carry NUL', () => {
    expect(refusal('capture.open', { path: '' })).toMatch(/'path'/);
    expect(refusal('capture.open', { path: 'x'.repeat(5000) })).toMatch(/'path'/);
    expect(refusal('capture.open', { path: '/tmp/a.pcap\0.txt' })).toMatch(/NUL/);
    expect(validateRequest('capture.open', { path: '/tmp/a.pcap' })).toEqual({ path: '/tmp/a.pcap' });
  });

  it('checks stream numbers and directions of the tcp.* requests', () => {
    expect(validateRequest('tcp.follow', { id: 'c1', stream: 0, dir: 'both' })).toEqual({ id: 'c1', stream: 0, dir: 'both' });
    expect(validateRequest('tcp.analysis', { id: 'c1', stream: 12 })).toEqual({ id: 'c1', stream: 12 });
    expect(refusal('tcp.follow', { id: 'c1', stream: 0, dir: 'up' })).toBe("Parameter 'dir' must be one of client, server, both.");
    expect(refusal('tcp.follow', { id: 'c1', stream: 0 })).toMatch(/'dir'/);
    expect(refusal('tcp.analysis', { id: 'c1', stream: -1 })).toMatch(/'stream'/);
    expect(refusal('tcp.analysis', { id: 'c1', stream: 2 ** 31 })).toMatch(/'stream'/);
    expect(refusal('tcp.analysis', { id: 'c1', stream: '3' })).toMatch(/'stream'/);
    for (const method of ['tcp.diagram', 'tcp.streamSeries'] as const) {
      expect(validateRequest(method, { id: 'c1', stream: 0, extra: 1 })).toEqual({ id: 'c1', stream: 0 });
      expect(refusal(method, { id: 'c1', stream: 2 ** 31 })).toMatch(/'stream'/);
      expect(refusal(method, { id: 'c1' })).toMatch(/'stream'/);
    }
  });

  it('checks the desktop save-stream request', () => {
    expect(validateSaveStream({ id: 'c2', stream: 5, side: 'server', data: 'x' })).toEqual({ id: 'c2', stream: 5, side: 'server' });
    expect(() => validateSaveStream({ id: 'c2', stream: 5, side: 'both' })).toThrow("Parameter 'side' must be one of client, server.");
    expect(() => validateSaveStream(null)).toThrow(/must be an object/);
    expect(() => validateSaveStream([1])).toThrow(/must be an object/);
  });
});
