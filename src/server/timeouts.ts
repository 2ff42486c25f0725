import type { ServerOptions } from 'node:http';

/** How long the server waits on a client, in milliseconds. */
export interface ServerTimeouts {
  /** From a request's first byte (or the connection's opening) until its headers are all in. */
  headersMs: number;
  /** From a request's first byte until its body is all in; the handler's own time is not counted. */
  requestMs: number;
  /** How long a keep-alive connection may sit idle between requests. */
  keepAliveMs: number;
}

/**
 * The defaults. Node's http server alone waits 60 s for headers and 300 s for a whole request
 * (checked every 30 s), with no idle-socket limit. Fastify keeps Node's 60 s for headers but sets
 * the request limit to 0 (none): a client that sent its headers and then a byte of body now and
 * then held its socket for ever (slowloris). 60 s lets a 1 MB body (the largest any route takes) through at 17 KB/s; 30 s for
 * headers is ample for the few hundred bytes clients send. Keep-alive stays at Fastify's 72 s:
 * longer than the 60 s idle limit common load balancers default to (AWS ALB's, for one), so the
 * balancer, not Tact, closes an idle connection and never sends a request on one Tact has just
 * closed.
 */
export const DEFAULT_TIMEOUTS: ServerTimeouts = { headersMs: 30_000, requestMs: 60_000, keepAliveMs: 72_000 };

const VARIABLES = { headersMs: 'TACT_HEADERS_TIMEOUT_MS', requestMs: 'TACT_REQUEST_TIMEOUT_MS', keepAliveMs: 'TACT_KEEP_ALIVE_TIMEOUT_MS' } as const;
const MIN_MS = 100;
const MAX_MS = 3_600_000;

/**
 * The timeouts from the environment, each a whole number of milliseconds (unset or empty: the
 * default). Throws a sentence naming the variable for a wrong value — under 100 ms is refused as
 * most likely meant in seconds.
 *
 * @example
 * serverTimeouts({ TACT_REQUEST_TIMEOUT_MS: '45000' }); // { headersMs: 30000, requestMs: 45000, keepAliveMs: 72000 }
 */
export function serverTimeouts(env: NodeJS.ProcessEnv): ServerTimeouts {
  const t = { ...DEFAULT_TIMEOUTS };
  for (const key of Object.keys(VARIABLES) as (keyof ServerTimeouts)[]) {
    const v = env[VARIABLES[key]];
    if (v === undefined || v === '') continue;
    const n = /^\d+$/.test(v.trim()) ? Number(v) : NaN;
    if (!(n >= MIN_MS && n <= MAX_MS)) throw new Error(`${VARIABLES[key]} must be a whole number of milliseconds from ${MIN_MS} to ${MAX_MS} (e.g. ${DEFAULT_TIMEOUTS[key]}); it was "${v}".`);
    t[key] = n;
  }
  // Node refuses it too, less plainly: the headers are part of the request.
  if (t.headersMs > t.requestMs) throw new Error(`TACT_HEADERS_TIMEOUT_MS (${t.headersMs}) must not be longer than TACT_REQUEST_TIMEOUT_MS (${t.requestMs}): the headers are part of the request.`);
  return t;
}

/**
 * The Fastify options that apply the timeouts. Node checks the headers and request limits on a
 * timer (every 30 s by default, so a 30 s limit cut at 30–60 s); checking four times per shortest
 * limit, at most every 5 s, keeps the cut close to the limit for a scan of the open connections.
 * No idle-socket limit (Fastify's `connectionTimeout`): it would also cut a client that waits in
 * silence on a long handler, and the limits above already bound every slow sender.
 */
export function timeoutOptions(t: ServerTimeouts): { requestTimeout: number; keepAliveTimeout: number; http: ServerOptions } {
  const connectionsCheckingInterval = Math.max(10, Math.min(5_000, Math.floor(Math.min(t.headersMs, t.requestMs) / 4)));
  return {
    requestTimeout: t.requestMs,
    keepAliveTimeout: t.keepAliveMs,
    // Fastify sets the request and keep-alive limits on the server it made; the headers limit and the
    // checking interval only Node's constructor takes (with the request limit, checked against it).
    http: { headersTimeout: t.headersMs, requestTimeout: t.requestMs, connectionsCheckingInterval },
  };
}
