import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONTENT_SECURITY_POLICY, FRAME_ANCESTORS } from '../../app/api/csp';
import { ServiceError } from '../../app/api/types';
import { encodeWire, errorResponse } from '../../app/api/wire';
import { UsageError } from '../cli/errors';
import { CaptureService } from '../service/service';
import { checkRequest, newToken, tokenCookieName } from './guard';

/*
 * The local web bridge (`wirelens serve [FILE] [--port N]`): the service over HTTP on 127.0.0.1, for the
 * UI in any browser. Requests: POST /api/call {method, params} -> {ok, result | error}; events:
 * GET /api/events (Server-Sent Events, one ServiceEvent per message). Everything else serves the built
 * renderer. Values are encoded by app/api/wire.ts. Every request passes ./guard.ts first.
 */

export interface ServeOptions {
  /** A capture to open at start (runServe). */
  file?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** The built renderer (out/renderer); defaults to ../renderer beside this bundle. */
  rendererDir?: string;
  /** The built capture worker; defaults to captureWorker beside this bundle, with the bundle's extension (.js/.mjs). */
  workerScript?: string | URL;
  /** Where live captures are spooled (and recovered from); the user's live directory by default. */
  liveDirectory?: string;
  /** Where the start-up lines go (the URL); defaults to stdout. */
  log?: (line: string) => void;
}

export interface RunningBridge {
  url: string;
  port: number;
  token: string;
  service: CaptureService;
  close(): Promise<void>;
}

/** Request bodies are small JSON objects; anything bigger is refused. */
const MAX_BODY_BYTES = 1024 * 1024;
/** A comment line keeps idle event streams from being cut by proxies and tells us when a client left. */
const HEARTBEAT_MS = 15_000;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

/** Starts the bridge and returns once it listens. */
export async function startBridge(options: ServeOptions = {}): Promise<RunningBridge> {
  const rendererDir = resolve(options.rendererDir ?? fileURLToPath(new URL('../renderer/', import.meta.url)));
  const bundleExtension = extname(fileURLToPath(import.meta.url));
  const service = new CaptureService({
    workerScript: options.workerScript ?? new URL(`./captureWorker${bundleExtension}`, import.meta.url),
    liveDirectory: options.liveDirectory,
  });
  const token = newToken();
  const clients = new Set<ServerResponse>();
  let port = 0;

  const server: Server = createServer((request, response) => {
    serve(request, response).catch((error: unknown) => {
      if (!response.headersSent) send(response, 500, 'text/plain; charset=utf-8', `Internal error: ${String(error)}`);
      else response.destroy();
    });
  });

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    setSecurityHeaders(response);
    const verdict = checkRequest(request, port, token);
    if (!verdict.ok) {
      send(response, verdict.status, 'text/plain; charset=utf-8', `${verdict.status === 401 ? 'Unauthorized' : 'Forbidden'}: ${verdict.reason}.\n`);
      return;
    }
    const url = new URL(request.url ?? '/', 'http://bridge');
    if (url.pathname === '/api/call') return call(request, response);
    if (url.pathname === '/api/events') return events(request, response);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      send(response, 405, 'text/plain; charset=utf-8', 'Method not allowed.\n');
      return;
    }
    if (verdict.viaQuery) {
      // The page's own requests (scripts, styles, events) then authenticate with this cookie.
      response.setHeader('Set-Cookie', `${tokenCookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`);
    }
    return staticFile(url.pathname, response);
  }

  async function call(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== 'POST') return send(response, 405, 'text/plain; charset=utf-8', 'Use POST.\n');
    // A JSON content type cannot be sent by a plain HTML form, so no page can post here without CORS.
    if (!(request.headers['content-type'] ?? '').startsWith('application/json')) {
      return send(response, 415, 'text/plain; charset=utf-8', 'Expected application/json.\n');
    }
    let body: { method?: unknown; params?: unknown };
    try {
      body = JSON.parse(await readBody(request)) as typeof body;
    } catch (error) {
      return sendJson(response, errorResponse(new ServiceError('bad-request', `The request is not JSON: ${(error as Error).message}`)));
    }
    try {
      const result = await service.handle(body?.method, body?.params);
      sendJson(response, { ok: true, result });
    } catch (error) {
      sendJson(response, errorResponse(error));
    }
  }

  function events(request: IncomingMessage, response: ServerResponse): void {
    response.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    response.write(': wirelens events\n\n');
    clients.add(response);
    const unsubscribe = service.subscribe((event) => response.write(`data: ${encodeWire(event)}\n\n`));
    const heartbeat = setInterval(() => response.write(': heartbeat\n\n'), HEARTBEAT_MS);
    request.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      clients.delete(response);
    });
  }

  async function staticFile(pathname: string, response: ServerResponse): Promise<void> {
    const relative = pathname === '/' ? 'index.html' : decodeURIComponent(pathname).replace(/^\/+/, '');
    const full = normalize(join(rendererDir, relative));
    // Never serve anything outside the renderer folder ('..', encoded or not).
    if (!full.startsWith(rendererDir + sep) || relative.includes('\0')) return send(response, 404, 'text/plain; charset=utf-8', 'Not found.\n');
    let bytes: Buffer;
    try {
      bytes = await readFile(full);
    } catch {
      if (relative === 'index.html') {
        return send(response, 500, 'text/plain; charset=utf-8', `The UI is not built: ${full} is missing (run \`npm run build\`).\n`);
      }
      return send(response, 404, 'text/plain; charset=utf-8', 'Not found.\n');
    }
    send(response, 200, CONTENT_TYPES[extname(full)] ?? 'application/octet-stream', bytes);
  }

  await new Promise<void>((listening, failed) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      failed(error.code === 'EADDRINUSE' ? new UsageError(`serve: port ${options.port} is already in use`) : error),
    );
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', failed);
      listening();
    });
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/?token=${token}`;

  return {
    url,
    port,
    token,
    service,
    async close() {
      for (const client of clients) client.end();
      const closed = new Promise<void>((done) => server.close(() => done()));
      // Idle keep-alive connections would otherwise hold close() open for seconds.
      server.closeAllConnections();
      await closed;
      await service.dispose();
    },
  };
}

/**
 * `wirelens serve [FILE] [--port N]`: starts the bridge, opens FILE, prints the URL and serves until
 * interrupted. A FILE that cannot be opened is an error before anything is served.
 */
export async function runServe(options: ServeOptions = {}): Promise<void> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const bridge = await startBridge(options);
  if (options.file) {
    try {
      await bridge.service.call('capture.open', { path: options.file });
    } catch (error) {
      await bridge.close();
      throw new UsageError(`serve: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  log(`Wirelens is serving on ${bridge.url}`);
  log("Open that address in a browser (it contains this run's access token). Press Ctrl+C to stop.");
  await new Promise<void>((stop) => {
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await bridge.close();
}

function setSecurityHeaders(response: ServerResponse): void {
  response.setHeader('Content-Security-Policy', `${CONTENT_SECURITY_POLICY}; ${FRAME_ANCESTORS}`);
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('X-Frame-Options', 'DENY');
  // The page URL carries the token: never send it on as a referrer.
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  response.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  response.setHeader('Cache-Control', 'no-store');
}

function send(response: ServerResponse, status: number, type: string, body: string | Buffer): void {
  response.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
}

function sendJson(response: ServerResponse, value: unknown): void {
  send(response, 200, 'application/json; charset=utf-8', encodeWire(value));
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((done, failed) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        failed(new Error('request body too large'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
    request.on('error', failed);
  });
}
