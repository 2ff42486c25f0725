import { join, resolve } from 'node:path';

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

/** The store `tact serve` opens, as the environment chose it (storeChoiceFromEnv): its PostgreSQL URL, else its data folder. */
export interface StoreOfCommand {
  databaseUrl?: string;
  dataDir?: string;
}

/**
 * The error met opening the store at start, said naming the variable that chose the store: a data
 * folder this user cannot write (TACT_DATA_DIR; SQLite said only "unable to open database file"),
 * a damaged store file or a full disk there, a PostgreSQL server that does not answer, closes the
 * connection, asks for a password the URL lacks or refuses the user or password
 * (TACT_DATABASE_URL, by its host and port — never its password: a refused connection read as if
 * Tact's own port was meant). Any other error is given back as it is, for errorText.
 *
 * @example
 * storeError(Object.assign(new Error('role "nouser" does not exist'), { code: '28000' }), { databaseUrl: 'postgres://nouser:pw@db:5432/tact' }).message;
 * // 'The PostgreSQL server of TACT_DATABASE_URL (db:5432) refused the user "nouser": role "nouser" does not exist. …'
 */
export function storeError(err: unknown, store: StoreOfCommand): unknown {
  if (!(err instanceof Error)) return err;
  const text = store.databaseUrl ? postgresText(err, store.databaseUrl) : store.dataDir ? dataDirText(err, store.dataDir) : undefined;
  return text ? new Error(text, { cause: err }) : err;
}

/**
 * better-sqlite3's error when the folder's files cannot be made or opened for writing, or the
 * database is read-only (its file's mode, a read-only mount: SQLite said only "attempt to write a
 * readonly database"); a tact.db that is damaged or no SQLite file at all (SQLite said only
 * "database disk image is malformed" or "file is not a database"); a full disk; and the folder
 * itself that cannot be made (makeDir: the system's code and the path it failed at).
 */
function dataDirText(err: Error & { code?: unknown; syscall?: unknown; path?: unknown }, dataDir: string): string | undefined {
  const dir = resolve(dataDir);
  const code = typeof err.code === 'string' ? err.code : undefined;
  if (code === 'SQLITE_CANTOPEN') return `The data folder ${dir} (TACT_DATA_DIR) cannot be written by this user (SQLite: ${err.message}): check its owner and mode, and those of the tact.* files in it (ls -la ${dir}), or set TACT_DATA_DIR to a folder this user can write.`;
  if (code === 'SQLITE_READONLY' || code === 'SQLITE_READONLY_DIRECTORY') return `The store in ${dir} (TACT_DATA_DIR) can be read but not written (SQLite: ${err.message}): check the mode and owner of the tact.* files and of the folder (ls -la ${dir}), and that its file system is not mounted read-only.`;
  const file = join(dir, 'tact.db');
  // SQLITE_CORRUPT (and its extended codes): pages missing or overwritten; SQLITE_NOTADB: no SQLite header.
  if (code?.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    const what = code === 'SQLITE_NOTADB' ? 'is not an SQLite database: its first bytes are not those of one' : 'is damaged';
    return `The store file ${file} (in TACT_DATA_DIR) ${what} (SQLite: ${err.message}); Tact cannot open it. Stop every process using it, then restore it from a backup, or save what SQLite can read (sqlite3 ${file} ".recover" | sqlite3 ${join(dir, 'recovered.db')}, then put recovered.db in its place), or move the folder's tact.* files aside to start with an empty store.`;
  }
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return `The disk of the data folder ${dir} (TACT_DATA_DIR) is full (${err.message}): free space on it (df -h ${dir}), or set TACT_DATA_DIR to a folder on a disk with room.`;
  if (err.syscall === 'mkdir' && code) {
    const at = typeof err.path === 'string' ? err.path : dir;
    if (code === 'EEXIST') return `The data folder ${dir} (TACT_DATA_DIR) cannot be made: ${at === dir ? 'a file of that name is there' : `a folder was to be made at ${at}, but a file of that name is there`}. Move the file aside, or set TACT_DATA_DIR to a folder.`;
    return `The data folder ${dir} (TACT_DATA_DIR) cannot be made: making ${at} failed with ${code} (${err.message}). Set TACT_DATA_DIR to a folder this user can make or write.`;
  }
  return undefined;
}

/**
 * Where a PostgreSQL URL connects, never its password: host (IPv6 in brackets), port (5432 when
 * it names none), database (undefined when it names none: pg takes the user's name) and user.
 *
 * @example
 * databaseOf('postgres://tact:pw@db.internal/shop'); // { host: 'db.internal', port: '5432', database: 'shop', user: 'tact', password: true }
 */
export function databaseOf(url: string): { host: string; port: string; database?: string; user?: string; password: boolean } {
  try {
    const u = new URL(url);
    const host = u.hostname || 'localhost';
    const name = decodeURIComponent(u.pathname.replace(/^\//, ''));
    return {
      host: host.includes(':') && !host.startsWith('[') ? `[${host}]` : host,
      port: u.port || '5432',
      database: name || undefined,
      user: u.username ? decodeURIComponent(u.username) : undefined,
      password: u.password !== '',
    };
  } catch {
    // storeChoiceFromEnv refused a URL that is not one.
    return { host: 'localhost', port: '5432', password: false };
  }
}

/**
 * Refuses a TACT_DATABASE_URL with a space, tab or line break before or after it, naming the
 * variable and the character (never the value: it may hold a password). URL parsing dropped
 * them, so Tact's own check took the value and named its host, while pg, given it as it was,
 * read it otherwise — " postgres://…@127.0.0.1:5432/tact" failed as "ENOTFOUND base".
 *
 * @example
 * checkDatabaseUrlSpaces({ TACT_DATABASE_URL: ' postgres://db/tact' }); // throws 'TACT_DATABASE_URL starts with a space: …'
 */
export function checkDatabaseUrlSpaces(env: NodeJS.ProcessEnv): void {
  const url = env.TACT_DATABASE_URL;
  if (!url) return;
  const names: Record<string, string> = { ' ': 'a space', '\t': 'a tab', '\n': 'a line feed', '\r': 'a carriage return' };
  const at = /^\s/.test(url) ? ['starts', url[0]] : /\s$/.test(url) ? ['ends', url[url.length - 1]] : undefined;
  if (at) throw new Error(`TACT_DATABASE_URL ${at[0]} with ${names[at[1]] ?? 'a blank character'}: remove the blanks around its value (not shown: it may hold a password).`);
}

/** The connection and authentication errors of pg, naming the server by TACT_DATABASE_URL's host and port. */
function postgresText(err: Error, url: string): string | undefined {
  const e = (err instanceof AggregateError && err.errors[0] instanceof Error ? err.errors[0] : err) as SystemError;
  const { host, port, user, password } = databaseOf(url);
  const server = `The PostgreSQL server of TACT_DATABASE_URL (${host}:${port})`;
  if (e.code === 'ECONNREFUSED') return `${server} does not answer (connection refused): is PostgreSQL running there, and are the URL's host and port right? (${e.message})`;
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') return `${server} cannot be found: its host name is not known (DNS). Correct the URL. (${e.message})`;
  if (e.code === 'ETIMEDOUT' || e.code === 'EHOSTUNREACH' || e.code === 'ENETUNREACH' || e.code === 'ECONNRESET') return `${server} cannot be reached (${e.code}): check the URL's host and port, and that this machine may connect there. (${e.message})`;
  // pg's words when the other side closed the connection before answering (no code).
  if (e.message === 'Connection terminated unexpectedly') return `${server} closed the connection before answering: something listens there, but not a PostgreSQL server that takes this connection — a proxy or pooler whose database is down, or another service on that port. Check the URL's host and port, and the server's log. (${e.message})`;
  // pg met a password request (SCRAM) with no password to give.
  if (/^SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a (non-empty )?string$/.test(e.message) || (e.code === '28P01' && !password)) return `${server} asks for a password${user ? ` for the user "${user}"` : ''}, and the URL has none: give it as postgres://user:password@${host}:${port}/database and start again. (${e.message})`;
  // SQLSTATE 28000 (invalid authorization: no such role, no pg_hba.conf entry) and 28P01 (wrong password).
  if (e.code === '28000') return `${server} refused the connection: ${e.message}. Correct the user in the URL, or make the role (createuser) or allow it in the server's pg_hba.conf.`;
  if (e.code === '28P01') return `${server} refused the password given for the user${user ? ` "${user}"` : ''}: correct the password in the URL (not shown here). (${e.message})`;
  return undefined;
}
