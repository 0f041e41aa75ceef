/**
 * The Content-Security-Policy of the UI, the same in Electron (a meta tag in the built index.html) and
 * in the web bridge (a response header): only our own scripts, styles and connections; no inline
 * script, no eval, no plugins, no form posts anywhere.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** Browsers ignore frame-ancestors in a meta tag, so only the bridge's header carries it. */
export const FRAME_ANCESTORS = "frame-ancestors 'none'";
