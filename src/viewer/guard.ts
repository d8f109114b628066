import type { MiddlewareHandler } from "hono";

/** The viewer's pages load only their own stylesheet: no script, no frames, no foreign origin. */
export const VIEWER_CSP =
  "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const LOOPBACK_HOST = /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/i;

/**
 * Every viewer (one run, or the index over a folder) answers only requests addressed to the
 * loopback host (a DNS-rebinding page cannot reach it), serves GET and HEAD only, and sends the
 * same security headers.
 */
export const readOnlyLoopback: MiddlewareHandler = async (c, next) => {
  // The Host header (node-server also builds the request URL from it).
  const host = c.req.header("host") ?? new URL(c.req.url).host;
  if (!LOOPBACK_HOST.test(host)) {
    return c.text("candor view only answers requests addressed to 127.0.0.1 or localhost", 403);
  }
  if (c.req.method !== "GET" && c.req.method !== "HEAD") {
    return c.text("read-only: only GET and HEAD", 405, { allow: "GET, HEAD" });
  }
  await next();
  c.header("Content-Security-Policy", VIEWER_CSP);
  c.header("X-Content-Type-Options", "nosniff");
  c.header("X-Frame-Options", "DENY");
  c.header("Referrer-Policy", "no-referrer");
  c.header("Cache-Control", "no-store");
  c.header("Cross-Origin-Resource-Policy", "same-origin");
  return undefined;
};
