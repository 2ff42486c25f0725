/**
 * The sentence `tact` prints for an error that ends a command: the system's errors a person can
 * act on said plainly (a port in use, a server not reachable), every other error's own message.
 *
 * @example
 * errorText(Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE', port: 8787, address: '0.0.0.0' }));
 * // 'Port 8787 is already in use on 0.0.0.0: stop what is using it, or start Tact on another one (--port or PORT).'
 */
export function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const e = err as NodeJS.ErrnoException & { port?: number; address?: string; hostname?: string };
  if (e.code === 'EADDRINUSE' && e.syscall === 'listen') return `Port ${e.port} is already in use on ${e.address}: stop what is using it, or start Tact on another one (--port or PORT).`;
  if (e.code === 'EACCES' && e.syscall === 'listen') return `Port ${e.port} on ${e.address} needs privileges this process does not have: choose a port above 1023 (--port or PORT).`;
  if (e.code === 'ECONNREFUSED' && e.address) return `Nothing answers at ${e.address}:${e.port} (connection refused): is the server there running? (${e.message})`;
  if (e.code === 'ENOTFOUND' && e.hostname) return `The host ${e.hostname} is not known (DNS): check the URL. (${e.message})`;
  return err.message;
}
