import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/*
 * Who may talk to the bridge. It listens on 127.0.0.1 only, but any web page the user visits can make
 * the browser send requests to 127.0.0.1, and a DNS-rebinding page can even make them same-origin under
 * its own host name. So every request must (1) name our host and port in Host, (2) carry no Origin or
 * our own, and (3) present the per-run token: in the query (the URL printed at start), in the
 * X-Wirelens-Token header (API calls), or in the cookie set when the page was loaded with the token.
 */

export const TOKEN_HEADER = 'x-wirelens-token';

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The cookie name includes the port: browsers share cookies between ports of one host. */
export function tokenCookieName(port: number): string {
  return `wirelens_token_${port}`;
}

export type Verdict = { ok: true; viaQuery: boolean } | { ok: false; status: 401 | 403; reason: string };

export function checkRequest(request: IncomingMessage, port: number, token: string): Verdict {
  const allowedHosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  const host = request.headers.host;
  if (!host || !allowedHosts.includes(host.toLowerCase())) return { ok: false, status: 403, reason: 'unexpected Host header' };
  const origin = request.headers.origin;
  if (origin !== undefined && !allowedHosts.some((h) => origin.toLowerCase() === `http://${h}`)) {
    return { ok: false, status: 403, reason: 'cross-origin request' };
  }
  const url = new URL(request.url ?? '/', `http://${host}`);
  const fromQuery = url.searchParams.get('token');
  if (fromQuery !== null && sameToken(fromQuery, token)) return { ok: true, viaQuery: true };
  const fromHeader = request.headers[TOKEN_HEADER];
  if (typeof fromHeader === 'string' && sameToken(fromHeader, token)) return { ok: true, viaQuery: false };
  const fromCookie = cookie(request.headers.cookie, tokenCookieName(port));
  if (fromCookie !== null && sameToken(fromCookie, token)) return { ok: true, viaQuery: false };
  return { ok: false, status: 401, reason: 'missing or wrong token' };
}

/** Constant-time comparison, so response timing does not reveal how much of a guess was right. */
function sameToken(candidate: string, token: string): boolean {
  const a = Buffer.from(candidate);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}
