import { describe, expect, it, vi } from 'vitest';
import type { FollowPiece, MethodName, ParamsOf, ResultOf, TcpFollow, WirelensService } from '../../../app/api/types';
import { ServiceError } from '../../../app/api/types';
import { saveStreamSide } from '../../../main/electron/saveStream';

const bytes = (text: string) => new TextEncoder().encode(text);

/** Stream 4's server side: 'HTTP/1.1 ', a gap of 3 bytes, '200 OK'. */
const SERVER_PIECES: FollowPiece[] = [
  { side: 'server', frame: 4, offset: 0, bytes: bytes('HTTP/1.1 '), length: 9 },
  { side: 'server', frame: 6, offset: 9, bytes: null, length: 3 },
  { side: 'server', frame: 7, offset: 12, bytes: bytes('200 OK'), length: 6 },
];

function service(follow: Omit<TcpFollow, 'id'>): WirelensService & { calls: unknown[] } {
  const calls: unknown[] = [];
  return {
    calls,
    async call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
      calls.push([method, params]);
      if (method !== 'tcp.follow') throw new Error(`unexpected ${method}`);
      return { id: 'c1', ...follow } as ResultOf<M>;
    },
    subscribe: () => () => undefined,
  };
}

const FOLLOW: Omit<TcpFollow, 'id'> = {
  stream: 4,
  client: { address: '10.0.0.1', port: 40000 },
  server: { address: '10.0.0.2', port: 80 },
  pieces: SERVER_PIECES,
  clientTotals: { bytes: 0, missingBytes: 0, gaps: 0 },
  serverTotals: { bytes: 15, missingBytes: 3, gaps: 1 },
  complete: true,
};

describe('saving one side of a stream (desktop)', () => {
  it('suggests a name, asks the service for that side and writes its bytes without the gaps', async () => {
    const svc = service(FOLLOW);
    const choosePath = vi.fn(async () => '/home/me/out.bin');
    const writeFile = vi.fn(async () => undefined);
    const result = await saveStreamSide(svc, { id: 'c1', stream: 4, side: 'server' }, 'web.pcapng', { choosePath, writeFile });
    expect(choosePath).toHaveBeenCalledWith('web-stream4-server.bin');
    expect(svc.calls).toEqual([['tcp.follow', { id: 'c1', stream: 4, dir: 'server' }]]);
    expect(writeFile).toHaveBeenCalledWith('/home/me/out.bin', bytes('HTTP/1.1 200 OK'));
    expect(result).toEqual({ path: '/home/me/out.bin', bytes: 15, missingBytes: 3, complete: true });
  });

  it('writes nothing and asks nothing when the dialog is cancelled', async () => {
    const svc = service(FOLLOW);
    const writeFile = vi.fn(async () => undefined);
    expect(await saveStreamSide(svc, { id: 'c1', stream: 4, side: 'client' }, 'x.pcap', { choosePath: async () => null, writeFile })).toEqual({ path: null });
    expect(svc.calls).toEqual([]);
    expect(writeFile).not.toHaveBeenCalled();
  });

  it('says why a file could not be written', async () => {
    const denied = Object.assign(new Error('EACCES: permission denied, open'), { code: 'EACCES' });
    const saving = saveStreamSide(service(FOLLOW), { id: 'c1', stream: 4, side: 'server' }, 'x.pcap', {
      choosePath: async () => '/root/out.bin',
      writeFile: async () => {
        throw denied;
      },
    });
    await expect(saving).rejects.toBeInstanceOf(ServiceError);
    await expect(saving).rejects.toMatchObject({ code: 'unwritable', message: 'Cannot save /root/out.bin: permission denied.' });
  });
});
