import { describe, expect, expectTypeOf, it } from 'vitest';
import type { DesktopBridge, SaveStreamResult } from '../../../app/api/desktop';
import type { DnsTransaction, ServiceMethods, TcpFollow, TcpStreamAnalysis } from '../../../app/api/types';
import { unwrapResponse, type WireResponseOf } from '../../../app/api/wire';

/*
 * The desktop IPC contract is typed end to end: what the preload's call() returns for a method is the wire
 * response of that method's result, and unwrapping it gives the result type, with no cast in between.
 * These are compile-time checks (tsc fails on a mismatch); the runtime assertions check unwrapResponse.
 */

describe('desktop bridge types', () => {
  it('types each method\'s answer by the method', () => {
    const follow = (bridge: DesktopBridge) => bridge.call('tcp.follow', { id: 'c1', stream: 0, dir: 'both' });
    const analysis = (bridge: DesktopBridge) => bridge.call('tcp.analysis', { id: 'c1', stream: 0 });
    const dns = (bridge: DesktopBridge) => bridge.call('dns.transactions', { id: 'c1' });
    expectTypeOf(follow).returns.toEqualTypeOf<Promise<WireResponseOf<TcpFollow>>>();
    expectTypeOf(analysis).returns.toEqualTypeOf<Promise<WireResponseOf<TcpStreamAnalysis>>>();
    expectTypeOf(dns).returns.toEqualTypeOf<Promise<WireResponseOf<DnsTransaction[]>>>();
    expectTypeOf<ReturnType<DesktopBridge['saveStream']>>().toEqualTypeOf<Promise<WireResponseOf<SaveStreamResult>>>();
    expectTypeOf(unwrapResponse<TcpFollow>).returns.toEqualTypeOf<TcpFollow>();
    expectTypeOf<ServiceMethods['tcp.follow']['params']['dir']>().toEqualTypeOf<'client' | 'server' | 'both'>();
  });

  it('unwraps results and rethrows errors with their code', () => {
    const ok: WireResponseOf<SaveStreamResult> = { ok: true, result: { path: null } };
    expect(unwrapResponse(ok)).toEqual({ path: null });
    const failed: WireResponseOf<SaveStreamResult> = { ok: false, error: { code: 'unwritable', message: 'Cannot save /x: permission denied.' } };
    expect(() => unwrapResponse(failed)).toThrow('Cannot save /x: permission denied.');
  });
});
