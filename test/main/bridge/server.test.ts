import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TcpFollow, TcpStreamAnalysis } from '../../../app/api/types';
import { decodeWire } from '../../../app/api/wire';
import { startBridge, type RunningBridge } from '../../../main/bridge/server';
import { CORPUS_DIR } from '../../helpers/tshark';
import { captureWorkerScript } from '../helpers/captureWorker';

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A raw HTTP request, so Host and Origin can be anything (fetch would not let us set Host). */
function send(port: number, path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (options.body) req.write(options.body);
    req.end();
  });
}

describe('web bridge', () => {
  let bridge: RunningBridge;
  let scratch: string;
  let rendererDir: string;
  let host: string;
  let api: (body: unknown, headers?: Record<string, string>) => Promise<Reply>;

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'wirelens-bridge-'));
    rendererDir = join(scratch, 'renderer');
    mkdirSync(rendererDir);
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Wirelens test page</title>');
    mkdirSync(join(rendererDir, 'assets'));
    writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log("ui");');
    writeFileSync(join(rendererDir, '..', 'secret.txt'), 'outside the renderer');
    bridge = await startBridge({ rendererDir, workerScript: await captureWorkerScript(), log: () => undefined });
    host = `127.0.0.1:${bridge.port}`;
    api = (body, headers = {}) =>
      send(bridge.port, '/api/call', {
        method: 'POST',
        headers: { Host: host, 'Content-Type': 'application/json', 'X-Wirelens-Token': bridge.token, ...headers },
        body: JSON.stringify(body),
      });
  });
  afterAll(async () => {
    await bridge.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('prints a loopback URL with a long random token', () => {
    expect(bridge.url).toBe(`http://127.0.0.1:${bridge.port}/?token=${bridge.token}`);
    expect(bridge.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('listens on the loopback address only', async () => {
    const external = Object.values(networkInterfaces())
      .flat()
      .find((address) => address && address.family === 'IPv4' && !address.internal);
    if (!external) return; // no other interface on this machine: nothing to try
    const refused = await new Promise<boolean>((resolve) => {
      const req = httpRequest({ host: external.address, port: bridge.port, path: '/', timeout: 2000 }, () => resolve(false));
      req.on('error', () => resolve(true));
      req.on('timeout', () => {
        req.destroy();
        resolve(true);
      });
      req.end();
    });
    expect(refused).toBe(true);
  });

  it('refuses every request without the token, the page included', async () => {
    for (const path of ['/', '/index.html', '/assets/app.js', '/api/events']) {
      const reply = await send(bridge.port, path, { headers: { Host: host } });
      expect(reply.status, path).toBe(401);
      expect(reply.body).not.toContain('Wirelens test page');
    }
    expect((await api({ method: 'capture.list', params: {} }, { 'X-Wirelens-Token': 'x'.repeat(43) })).status).toBe(401);
  });

  it('serves the page with the token and sets the cookie its assets then use', async () => {
    const page = await send(bridge.port, `/?token=${bridge.token}`, { headers: { Host: host } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('Wirelens test page');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    const cookie = String(page.headers['set-cookie']).split(';')[0];
    expect(cookie).toBe(`wirelens_token_${bridge.port}=${bridge.token}`);
    expect(String(page.headers['set-cookie'])).toContain('HttpOnly');
    expect(String(page.headers['set-cookie'])).toContain('SameSite=Strict');
    const asset = await send(bridge.port, '/assets/app.js', { headers: { Host: host, Cookie: cookie } });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
  });

  it('refuses foreign Host headers even with the token (DNS rebinding)', async () => {
    for (const bad of [`evil.example:${bridge.port}`, '127.0.0.1', `127.0.0.1:${bridge.port + 1}`, `localhost.evil.example:${bridge.port}`]) {
      const reply = await send(bridge.port, `/?token=${bridge.token}`, { headers: { Host: bad } });
      expect(reply.status, bad).toBe(403);
    }
    expect((await send(bridge.port, `/?token=${bridge.token}`, { headers: { Host: `localhost:${bridge.port}` } })).status).toBe(200);
  });

  it('refuses cross-origin requests even with the token', async () => {
    for (const origin of ['http://evil.example', `http://127.0.0.1:${bridge.port + 1}`, 'null', `https://127.0.0.1:${bridge.port}`]) {
      const reply = await api({ method: 'capture.list', params: {} }, { Origin: origin });
      expect(reply.status, origin).toBe(403);
    }
    const same = await api({ method: 'capture.list', params: {} }, { Origin: `http://127.0.0.1:${bridge.port}` });
    expect(same.status).toBe(200);
  });

  it('never serves files outside the renderer folder', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const reply = await send(bridge.port, path, { headers: { Host: host, 'X-Wirelens-Token': bridge.token } });
      expect(reply.status, path).toBe(404);
      expect(reply.body).not.toContain('outside the renderer');
    }
  });

  it('answers API calls with wire responses and refuses non-JSON posts', async () => {
    const list = await api({ method: 'capture.list', params: {} });
    expect(decodeWire(list.body)).toEqual({ ok: true, result: [] });
    const bad = await api({ method: 'frames.page', params: { id: 'c1', from: -1, count: 1 } });
    expect(decodeWire(bad.body)).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    const unknown = await api({ method: 'process.exit', params: {} });
    expect(decodeWire(unknown.body)).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    const form = await send(bridge.port, '/api/call', {
      method: 'POST',
      headers: { Host: host, 'X-Wirelens-Token': bridge.token, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'method=capture.list',
    });
    expect(form.status).toBe(415);
    const get = await send(bridge.port, '/api/call', { headers: { Host: host, 'X-Wirelens-Token': bridge.token } });
    expect(get.status).toBe(405);
  });

  it.skipIf(!existsSync(CORPUS_DIR))('carries bytes as base64 and events over Server-Sent Events', async () => {
    const events: string[] = [];
    const stream = httpRequest({ host: '127.0.0.1', port: bridge.port, path: '/api/events', headers: { Host: host, 'X-Wirelens-Token': bridge.token } });
    const connected = new Promise<void>((resolve) =>
      stream.on('response', (res) => {
        expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
        res.on('data', (chunk: Buffer) => events.push(chunk.toString('utf8')));
        resolve();
      }),
    );
    stream.end();
    await connected;
    const opened = decodeWire((await api({ method: 'capture.open', params: { path: join(CORPUS_DIR, 'arkime/pcap/dns-udp.pcap') } })).body) as {
      result: { id: string };
    };
    const detail = decodeWire((await api({ method: 'frame.detail', params: { id: opened.result.id, number: 1 } })).body) as {
      ok: boolean;
      result: { sources: { bytes: Uint8Array }[] };
    };
    expect(detail.ok).toBe(true);
    expect(detail.result.sources[0].bytes).toBeInstanceOf(Uint8Array);
    expect(detail.result.sources[0].bytes).toHaveLength(74);
    await new Promise((resolve) => setTimeout(resolve, 300));
    stream.destroy();
    const text = events.join('');
    expect(text).toContain('"type":"capture.opened"');
    expect(text).toContain('"type":"capture.progress"');
  });

  it.skipIf(!existsSync(CORPUS_DIR))('carries a followed stream with its gaps, bytes as bytes', async () => {
    const path = join(CORPUS_DIR, 'zeek/Traces/tcp/reassembly.pcap');
    const opened = decodeWire((await api({ method: 'capture.open', params: { path } })).body) as { result: { id: string } };
    const id = opened.result.id;
    // The stream may be asked for while the file is still read; wait for the end so all of it is there.
    for (let i = 0; i < 100; i++) {
      const status = decodeWire((await api({ method: 'capture.status', params: { id } })).body) as { result: { progress: { state: string } } };
      if (status.result.progress.state === 'done') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const follow = decodeWire((await api({ method: 'tcp.follow', params: { id, stream: 0, dir: 'client' } })).body) as {
      ok: boolean;
      result: TcpFollow;
    };
    expect(follow.ok).toBe(true);
    const gaps = follow.result.pieces.filter((p) => p.bytes === null);
    // tshark -z follow,tcp,ascii,0: nine "[N bytes missing in capture file]" in the client's data.
    expect(gaps).toHaveLength(9);
    expect(follow.result.clientTotals.gaps).toBe(9);
    const data = follow.result.pieces.filter((p) => p.bytes !== null);
    expect(data[0].bytes).toBeInstanceOf(Uint8Array);
    expect(new TextDecoder().decode(data[0].bytes!.subarray(0, 7))).toBe('SEARCH ');
    const analysis = decodeWire((await api({ method: 'tcp.analysis', params: { id, stream: 0 } })).body) as { ok: boolean; result: TcpStreamAnalysis };
    expect(analysis.result).toMatchObject({ stream: 0, frames: 117, handshakeCompleted: true, closedBy: 'server' });
  });
});
