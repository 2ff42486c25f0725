/**
 * The sentence `tact` prints for an error that ends a command: the system's errors a person can
 * act on said plainly (a port in use, a server not reachable — also when a request to it failed),
 * every other error's own message.
 *
 * @example
 * errorText(Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE', port: 8787, address: '0.0.0.0' }));
 * // 'Port 8787 is already in use on 0.0.0.0: stop what is using it, or start Tact on another one (--port or PORT).'
 */
export function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const plain = systemText(err);
  if (plain) return plain;
  // A failed request (fetch's "fetch failed") carries the reason as its cause.
  if (err.message === 'fetch failed' && err.cause instanceof Error) return systemText(err.cause) ?? `The request failed: ${err.cause.message || 'no reason given'}.`;
  return err.message;
}

type SystemError = NodeJS.ErrnoException & { port?: number; address?: string; hostname?: string };

/** The plain sentence for a system error, or undefined when it is not one of those. */
function systemText(err: Error): string | undefined {
  // A connection tried on several addresses (IPv6 and IPv4) fails with each one's error.
  const e = (err instanceof AggregateError && err.errors[0] instanceof Error ? err.errors[0] : err) as SystemError;
  if (e.code === 'EADDRINUSE' && e.syscall === 'listen') return `Port ${e.port} is already in use on ${e.address}: stop what is using it, or start Tact on another one (--port or PORT).`;
  if (e.code === 'EACCES' && e.syscall === 'listen') return `Port ${e.port} on ${e.address} needs privileges this process does not have: choose a port above 1023 (--port or PORT).`;
  if (e.code === 'ECONNREFUSED' && e.address) return `Nothing answers at ${e.address}:${e.port} (connection refused): is the server there running? (${e.message})`;
  if (e.code === 'ENOTFOUND' && e.hostname) return `The host ${e.hostname} is not known (DNS): check the URL. (${e.message})`;
  return undefined;
}
