/**
 * The server a client command talks to, as `tact` says it when nothing answers there: its URL and
 * where the URL came from (`--url`, `TACT_URL`, or the default).
 */
export interface ServerOfCommand {
  url: string;
  from: string;
}

/**
 * The sentence `tact` prints for an error that ends a command: the system's errors a person can
 * act on said plainly (a port in use, a server not reachable — also when a request to it failed —,
 * a file or folder that is missing, a folder where a file is expected, a permission denied), every
 * other error's own message. `server`, when the command talks to one, is named when it is the one
 * that does not answer.
 *
 * @example
 * errorText(Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE', port: 8787, address: '0.0.0.0' }));
 * // 'Port 8787 is already in use on 0.0.0.0: stop what is using it, or start Tact on another one (--port or PORT).'
 */
export function errorText(err: unknown, server?: ServerOfCommand): string {
  if (!(err instanceof Error)) return String(err);
  const plain = systemText(err, server);
  if (plain) return plain;
  // A failed request (fetch's "fetch failed") carries the reason as its cause.
  if (err.message === 'fetch failed' && err.cause instanceof Error) return systemText(err.cause, server) ?? `The request failed: ${err.cause.message || 'no reason given'}.`;
  return err.message;
}

type SystemError = NodeJS.ErrnoException & { port?: number; address?: string; hostname?: string };

/** The plain sentence for a system error, or undefined when it is not one of those. */
function systemText(err: Error, server: ServerOfCommand | undefined): string | undefined {
  // A connection tried on several addresses (IPv6 and IPv4) fails with each one's error.
  const e = (err instanceof AggregateError && err.errors[0] instanceof Error ? err.errors[0] : err) as SystemError;
  if (e.code === 'EADDRINUSE' && e.syscall === 'listen') return `Port ${e.port} is already in use on ${e.address}: stop what is using it, or start Tact on another one (--port or PORT).`;
  if (e.code === 'EACCES' && e.syscall === 'listen') return `Port ${e.port} on ${e.address} needs privileges this process does not have: choose a port above 1023 (--port or PORT).`;
  if (e.code === 'ECONNREFUSED' && e.address) {
    const at = `${e.address.includes(':') ? `[${e.address}]` : e.address}:${e.port}`;
    if (server && portOf(server.url) === e.port) return `Nothing answers at ${server.url} (${server.from}; connection refused at ${at}): is the Tact server running there?`;
    return `Nothing answers at ${at} (connection refused): is the server there running? (${e.message})`;
  }
  if (e.code === 'ENOTFOUND' && e.hostname) return `The host ${e.hostname} is not known (DNS): check the URL${server && hostOf(server.url) === e.hostname ? ` ${server.url} (${server.from})` : ''}. (${e.message})`;
  // PostgreSQL's "database … does not exist" (SQLSTATE 3D000): the store's URL names it.
  const db = e.code === '3D000' ? /^database "(.+)" does not exist$/.exec(e.message) : null;
  if (db) return `The database "${db[1]}" does not exist on the PostgreSQL server of TACT_DATABASE_URL: make it (createdb ${db[1]}) or correct the URL.`;
  return e.path ? fileText(e.code, e.syscall, e.path) : e.code === 'EISDIR' ? 'A folder was given where a file is expected (EISDIR).' : undefined;
}

/** The sentence for a failed file system call on `path`, or undefined for another kind of error. */
function fileText(code: string | undefined, syscall: string | undefined, path: string): string | undefined {
  if (code === 'ENOENT' && syscall !== 'mkdir') return `There is no file or folder ${path}.`;
  if (code === 'EEXIST' && syscall === 'mkdir') return `A folder was to be made at ${path}, but a file of that name is there.`;
  if (code === 'ENOTDIR') return `Part of the path ${path} is a file, not a folder.`;
  if (code === 'EISDIR') return `${path} is a folder, not a file.`;
  if (code === 'EACCES' || code === 'EPERM') return `Permission denied: this user may not ${syscall === 'mkdir' ? 'make the folder' : syscall ?? 'use'} ${path} (check its owner and mode).`;
  if (code === 'EROFS') return `${path} is on a read-only file system.`;
  if (code === 'ENOSPC') return `The disk is full: ${path} could not be written.`;
  return undefined;
}

/** The port a URL connects to (its default one when it names none); NaN when it is no URL. */
function portOf(url: string): number {
  try {
    const u = new URL(url);
    return Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  } catch {
    return NaN;
  }
}

/** The host name of a URL; undefined when it is no URL. */
function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}
