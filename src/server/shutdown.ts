import type { FastifyInstance } from 'fastify';
import type { ServerTimeouts } from './timeouts.js';

/** The longest a shutdown waits for the requests in flight before it closes their connections. */
export const SHUTDOWN_GRACE_MS = 5_000;

/**
 * How long a shutdown waits for the requests in flight: 5 s, or the request limit when that is
 * shorter (a client that could not send its request within the limit would be cut then anyway).
 * Well inside the 30 s a container platform commonly waits after SIGTERM before its SIGKILL.
 *
 * @example
 * shutdownGraceMs({ headersMs: 2000, requestMs: 4000, keepAliveMs: 3000 }); // 4000
 */
export function shutdownGraceMs(t: ServerTimeouts): number {
  return Math.min(SHUTDOWN_GRACE_MS, t.requestMs);
}

/**
 * Closes the app's HTTP side within `graceMs`, and says how many connections it had to cut.
 * Idle connections are closed at once; requests in flight get `graceMs` to finish (new ones on
 * open connections are answered 503 `overloaded`, app.ts); then every connection still open is
 * closed. Without the deadline one connection kept the process for ever: Node's `server.close()`
 * stops the timer that enforces the headers and request limits, and a connection that opened and
 * sent nothing, or trickles its request, is not idle to Node. A request whose connection is cut was
 * never answered; what it queued is still written by `tact.close()`.
 *
 * @example
 * const forced = await closeWithin(app, shutdownGraceMs(timeouts), tact.log); // 0 when all finished in time
 */
export async function closeWithin(app: FastifyInstance, graceMs: number, log: { warn(obj: object, msg: string): void }): Promise<number> {
  const closed = app.close();
  // Node's server.close() does so once, after the preClose hooks: at once is sooner, and a
  // keep-alive connection whose request finishes meanwhile is idle then and stays open unless
  // closed again.
  app.server.closeIdleConnections();
  const sweep = setInterval(() => app.server.closeIdleConnections(), 50);
  let timer: NodeJS.Timeout | undefined;
  const late = await Promise.race([closed.then(() => false), new Promise<boolean>((r) => { timer = setTimeout(() => r(true), graceMs); })]);
  clearTimeout(timer);
  clearInterval(sweep);
  if (!late) return 0;
  const open = await new Promise<number>((r) => app.server.getConnections((err, n) => r(err ? 0 : n)));
  app.server.closeAllConnections();
  log.warn({ connections: open, graceMs }, `shutting down: closed ${open} connection${open === 1 ? '' : 's'} still open after ${graceMs} ms`);
  await closed;
  return open;
}
