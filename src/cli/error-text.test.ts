import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { testDir } from '../../test/tmp.js';
import { makeDir } from '../store/sqlite/make-dir.js';
import { checkDatabaseUrlSpaces, errorText, storeError } from './error-text.js';
import { openStore } from '../store/open.js';

const errorOf = (f: () => Promise<unknown>) => f().then(() => undefined, (e: unknown) => e);

describe('what tact prints when a command fails', () => {
  it('says a port is taken, from the real error a second listener gets', async () => {
    const a = createServer();
    await new Promise<void>((r) => a.listen(0, '127.0.0.1', r));
    const port = (a.address() as { port: number }).port;
    const b = createServer();
    const err = await new Promise<unknown>((r) => b.once('error', r).listen(port, '127.0.0.1'));
    a.close();
    expect(errorText(err)).toBe(`Port ${port} is already in use on 127.0.0.1: stop what is using it, or start Tact on another one (--port or PORT).`);
  });

  it('says nothing answers, from the real error of a refused connection (as pg reports an absent server)', async () => {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as { port: number }).port;
    await new Promise((r) => s.close(r));
    const err = await errorOf(() => new Promise((_, reject) => connect(port, '127.0.0.1').once('error', reject)));
    expect(errorText(err)).toMatch(new RegExp(`^Nothing answers at 127\\.0\\.0\\.1:${port} \\(connection refused\\): is the server there running\\?`));
  });

  it('says nothing answers when a request to the server is refused, not "fetch failed"', async () => {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as { port: number }).port;
    await new Promise((r) => s.close(r));
    const err = await errorOf(() => fetch(`http://127.0.0.1:${port}/v1/decide/batch`));
    expect(errorText(err)).toMatch(new RegExp(`^Nothing answers at 127\\.0\\.0\\.1:${port} \\(connection refused\\)`));
  });

  it('says which address refused when the connection tried several (IPv6 and IPv4)', () => {
    const refused = (address: string) => Object.assign(new Error(`connect ECONNREFUSED ${address}:8787`), { code: 'ECONNREFUSED', address, port: 8787 });
    const err = new TypeError('fetch failed', { cause: Object.assign(new AggregateError([refused('::1'), refused('127.0.0.1')]), { code: 'ECONNREFUSED' }) });
    expect(errorText(err)).toMatch(/^Nothing answers at \[::1\]:8787 \(connection refused\)/);
  });

  it('names the reason of any other failed request', () => {
    const err = new TypeError('fetch failed', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) });
    expect(errorText(err)).toBe('The request failed: other side closed.');
  });

  it('passes every other message through', () => {
    expect(errorText(new Error('There is no model "nope".'))).toBe('There is no model "nope".');
    expect(errorText('plain')).toBe('plain');
  });

  it('names the URL and its option when the server a client command talks to refuses the connection', async () => {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as { port: number }).port;
    await new Promise((r) => s.close(r));
    const err = await errorOf(() => fetch(`http://localhost:${port}/health`));
    expect(errorText(err, { url: `http://localhost:${port}`, from: '--url' })).toMatch(new RegExp(`^Nothing answers at http://localhost:${port} \\(--url; connection refused at (127\\.0\\.0\\.1|\\[::1\\]):${port}\\): is the Tact server running there\\?$`));
    // A refusal on another port (a webhook's) is not the server's.
    expect(errorText(err, { url: 'http://localhost:8787', from: '--url' })).toMatch(/^Nothing answers at (127\.0\.0\.1|\[::1\]):\d+ \(connection refused\)/);
  });

  it('writes an IPv6 address in brackets before its port', () => {
    const err = Object.assign(new Error('connect ECONNREFUSED ::1:8787'), { code: 'ECONNREFUSED', address: '::1', port: 8787 });
    expect(errorText(err)).toMatch(/^Nothing answers at \[::1\]:8787 \(connection refused\)/);
  });

  it('says plainly what went wrong with a file or folder a command was given, from the real errors', () => {
    const dir = testDir('tact-error-text-');
    const file = join(dir, 'a.txt');
    writeFileSync(file, 'x');
    const thrown = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e;
      }
      throw new Error('no error');
    };
    expect(errorText(thrown(() => readFileSync(join(dir, 'none.txt'))))).toBe(`There is no file or folder ${join(dir, 'none.txt')}.`);
    expect(errorText(thrown(() => mkdirSync(file)))).toBe(`A folder was to be made at ${file}, but a file of that name is there.`);
    expect(errorText(thrown(() => readFileSync(join(file, 'b.txt'))))).toBe(`Part of the path ${join(file, 'b.txt')} is a file, not a folder.`);
    expect(errorText(thrown(() => writeFileSync(dir, 'x')))).toBe(`${dir} is a folder, not a file.`);
    // readFileSync of a folder fails on read(2), and Node gives no path then.
    expect(errorText(thrown(() => readFileSync(dir)))).toBe('A folder was given where a file is expected (EISDIR).');
    // As root can read and write anything, the error as Node makes it.
    const denied = Object.assign(new Error(`EACCES: permission denied, open '${file}'`), { code: 'EACCES', syscall: 'open', path: file, errno: -13 });
    expect(errorText(denied)).toBe(`Permission denied: this user may not open ${file} (check its owner and mode).`);
  });

  it('names TACT_DATABASE_URL when the PostgreSQL database it names does not exist, from the real error', async () => {
    const client = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/tact_no_such_database' });
    const err = await errorOf(() => client.connect());
    await client.end().catch(() => undefined);
    expect(errorText(err)).toBe('The database "tact_no_such_database" does not exist on the PostgreSQL server of TACT_DATABASE_URL: make it (createdb tact_no_such_database) or correct the URL.');
  });
});

describe('what tact serve prints when its store cannot be opened', () => {
  const said = (err: unknown, store: { databaseUrl?: string; dataDir?: string }) => errorText(storeError(err, store));

  it('names TACT_DATA_DIR, that this user cannot write it, and what to check (it said "unable to open database file")', () => {
    // As root can write anything, the error as better-sqlite3 makes it when the folder is not writable (user nobody, 2026-12-05).
    const err = Object.assign(new Error('unable to open database file'), { name: 'SqliteError', code: 'SQLITE_CANTOPEN' });
    expect(said(err, { dataDir: '/srv/tact/data' })).toBe('The data folder /srv/tact/data (TACT_DATA_DIR) cannot be written by this user (SQLite: unable to open database file): check its owner and mode, and those of the tact.* files in it (ls -la /srv/tact/data), or set TACT_DATA_DIR to a folder this user can write.');
    expect(said(err, { dataDir: 'data' })).toContain(`The data folder ${join(process.cwd(), 'data')} (TACT_DATA_DIR)`);
  });

  it('names TACT_DATABASE_URL and its host and port when nothing answers there, from the real error (it read as Tact\'s own port)', async () => {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as { port: number }).port;
    await new Promise((r) => s.close(r));
    const url = `postgres://postgres:secret-pw@127.0.0.1:${port}/tact`;
    const client = new pg.Client({ connectionString: url });
    const err = await errorOf(() => client.connect());
    await client.end().catch(() => undefined);
    const text = said(err, { databaseUrl: url });
    expect(text).toMatch(new RegExp(`^The PostgreSQL server of TACT_DATABASE_URL \\(127\\.0\\.0\\.1:${port}\\) does not answer \\(connection refused\\): is PostgreSQL running there, and are the URL's host and port right\\?`));
    expect(text).not.toContain('secret-pw');
  });

  it('names TACT_DATABASE_URL when the server refuses the user, from the real error (it said the bare `role "nouser" does not exist`)', async () => {
    const url = 'postgres://tact_no_such_role:secret-pw@127.0.0.1:5432/postgres';
    const client = new pg.Client({ connectionString: url });
    const err = await errorOf(() => client.connect());
    await client.end().catch(() => undefined);
    const text = said(err, { databaseUrl: url });
    expect(text).toBe('The PostgreSQL server of TACT_DATABASE_URL (127.0.0.1:5432) refused the connection: role "tact_no_such_role" does not exist. Correct the user in the URL, or make the role (createuser) or allow it in the server\'s pg_hba.conf.');
    expect(text).not.toContain('secret-pw');
  });

  it('names TACT_DATABASE_URL when the server refuses the password, never printing it', () => {
    // The test server trusts local connections: the error as pg makes it (a DatabaseError with SQLSTATE 28P01).
    const err = Object.assign(new Error('password authentication failed for user "tact"'), { name: 'error', code: '28P01', severity: 'FATAL' });
    const text = said(err, { databaseUrl: 'postgres://tact:s3cr%40t@db.internal/tact' });
    expect(text).toBe('The PostgreSQL server of TACT_DATABASE_URL (db.internal:5432) refused the password given for the user "tact": correct the password in the URL (not shown here). (password authentication failed for user "tact")');
    expect(text).not.toMatch(/s3cr/);
  });

  it('names TACT_DATABASE_URL when its host is not known', () => {
    const err = Object.assign(new Error('getaddrinfo ENOTFOUND db.invalid'), { code: 'ENOTFOUND', hostname: 'db.invalid' });
    expect(said(err, { databaseUrl: 'postgres://tact@db.invalid:6432/tact' })).toBe('The PostgreSQL server of TACT_DATABASE_URL (db.invalid:6432) cannot be found: its host name is not known (DNS). Correct the URL. (getaddrinfo ENOTFOUND db.invalid)');
  });

  it('names TACT_DATA_DIR when its folder cannot be made, from the real error (under /proc the start hung at 100% CPU, saying nothing)', () => {
    let err: unknown;
    try {
      makeDir('/proc/tact-no-such/data');
    } catch (e) {
      err = e;
    }
    expect(said(err, { dataDir: '/proc/tact-no-such/data' })).toMatch(/^The data folder \/proc\/tact-no-such\/data \(TACT_DATA_DIR\) cannot be made: making \/proc\/tact-no-such failed with ENOENT \(.*\)\. Set TACT_DATA_DIR to a folder this user can make or write\.$/);
  });

  it('names TACT_DATA_DIR when its store is read-only, from the real error (it said "attempt to write a readonly database")', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tact-readonly-'));
    const file = join(dir, 'tact.db');
    new Database(file).exec('CREATE TABLE t (x)');
    const db = new Database(file, { readonly: true });
    let err: unknown;
    try {
      db.exec('INSERT INTO t VALUES (1)');
    } catch (e) {
      err = e;
    }
    db.close();
    rmSync(dir, { recursive: true, force: true });
    expect(said(err, { dataDir: dir })).toBe(`The store in ${dir} (TACT_DATA_DIR) can be read but not written (SQLite: attempt to write a readonly database): check the mode and owner of the tact.* files and of the folder (ls -la ${dir}), and that its file system is not mounted read-only.`);
  });

  it('names the store file, that it is damaged, and what to do, from the real errors of a file cut in half and one whose header was overwritten (it said only "database disk image is malformed" / "file is not a database")', async () => {
    for (const [damage, what] of [['cut', 'is damaged (SQLite: database disk image is malformed)'], ['header', 'is not an SQLite database: its first bytes are not those of one (SQLite: file is not a database)']] as const) {
      const dir = testDir('tact-corrupt-');
      const made = await openStore({ dataDir: dir });
      await made.close();
      const file = join(dir, 'tact.db');
      if (damage === 'cut') truncateSync(file, Math.floor(readFileSync(file).length / 2));
      else writeFileSync(file, Buffer.concat([Buffer.alloc(100, 0x41), readFileSync(file).subarray(100)]));
      const err = await errorOf(() => openStore({ dataDir: dir }));
      expect(said(err, { dataDir: dir })).toBe(`The store file ${file} (in TACT_DATA_DIR) ${what}; Tact cannot open it. Stop every process using it, then restore it from a backup, or save what SQLite can read (sqlite3 ${file} ".recover" | sqlite3 ${join(dir, 'recovered.db')}, then put recovered.db in its place), or move the folder's tact.* files aside to start with an empty store.`);
    }
  });

  it('names TACT_DATA_DIR and its folder when the disk is full at start', () => {
    // As better-sqlite3 and the system make them: a disk cannot be filled in a test.
    const full = Object.assign(new Error('database or disk is full'), { name: 'SqliteError', code: 'SQLITE_FULL' });
    expect(said(full, { dataDir: '/srv/tact/data' })).toBe('The disk of the data folder /srv/tact/data (TACT_DATA_DIR) is full (database or disk is full): free space on it (df -h /srv/tact/data), or set TACT_DATA_DIR to a folder on a disk with room.');
    const nospace = Object.assign(new Error("ENOSPC: no space left on device, mkdir '/srv/tact/data'"), { code: 'ENOSPC', syscall: 'mkdir', path: '/srv/tact/data' });
    expect(said(nospace, { dataDir: '/srv/tact/data' })).toMatch(/^The disk of the data folder \/srv\/tact\/data \(TACT_DATA_DIR\) is full \(ENOSPC/);
  });

  it('says a file is where the data folder should be made, from the real error (it said "making … failed with EEXIST")', () => {
    const dir = testDir('tact-datadir-file-');
    const file = join(dir, 'afile');
    writeFileSync(file, 'x');
    const errAt = (path: string) => {
      try {
        makeDir(path);
      } catch (e) {
        return e;
      }
      throw new Error('no error');
    };
    expect(said(errAt(file), { dataDir: file })).toBe(`The data folder ${file} (TACT_DATA_DIR) cannot be made: a file of that name is there. Move the file aside, or set TACT_DATA_DIR to a folder.`);
    expect(said(errAt(join(file, 'data')), { dataDir: join(file, 'data') })).toBe(`The data folder ${join(file, 'data')} (TACT_DATA_DIR) cannot be made: a folder was to be made at ${file}, but a file of that name is there. Move the file aside, or set TACT_DATA_DIR to a folder.`);
  });

  /** A listener on a free port of 127.0.0.1 that does `onConnection` with each connection. */
  async function listener(onConnection: (socket: import('node:net').Socket) => void): Promise<{ server: Server; port: number }> {
    const server = createServer(onConnection);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return { server, port: (server.address() as { port: number }).port };
  }

  it('names TACT_DATABASE_URL and its host and port when the server there closes the connection, from the real error (it said only "Connection terminated unexpectedly")', async () => {
    const { server, port } = await listener((socket) => socket.destroy());
    const url = `postgres://tact:secret-pw@127.0.0.1:${port}/tact`;
    const client = new pg.Client({ connectionString: url });
    const err = await errorOf(() => client.connect());
    server.close();
    const text = said(err, { databaseUrl: url });
    expect(text).toBe(`The PostgreSQL server of TACT_DATABASE_URL (127.0.0.1:${port}) closed the connection before answering: something listens there, but not a PostgreSQL server that takes this connection — a proxy or pooler whose database is down, or another service on that port. Check the URL's host and port, and the server's log. (Connection terminated unexpectedly)`);
    expect(text).not.toContain('secret-pw');
  });

  it('says the server asks for a password the URL does not have, from the real error of a SCRAM request (it said "SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string")', async () => {
    // As PostgreSQL asks (protocol 3.0): AuthenticationSASL naming SCRAM-SHA-256, then AuthenticationSASLContinue.
    const message = (code: number, data: Buffer) => {
      const b = Buffer.alloc(9 + data.length);
      b.write('R', 0);
      b.writeInt32BE(8 + data.length, 1);
      b.writeInt32BE(code, 5);
      data.copy(b, 9);
      return b;
    };
    const { server, port } = await listener((socket) => {
      let n = 0;
      socket.on('data', () => {
        n += 1;
        if (n === 1) socket.write(message(10, Buffer.from('SCRAM-SHA-256\0\0')));
        else socket.write(message(11, Buffer.from('r=nonce,s=c2FsdA==,i=4096')));
      });
      socket.on('error', () => {});
    });
    const url = `postgres://tact@127.0.0.1:${port}/tact`;
    const client = new pg.Client({ connectionString: url });
    const err = await errorOf(() => client.connect());
    await client.end().catch(() => undefined);
    server.close();
    expect(said(err, { databaseUrl: url })).toBe(`The PostgreSQL server of TACT_DATABASE_URL (127.0.0.1:${port}) asks for a password for the user "tact", and the URL has none: give it as postgres://user:password@127.0.0.1:${port}/database and start again. (SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string)`);
  });

  it('refuses a TACT_DATABASE_URL with blanks around it, naming the variable and never the value (a leading space made pg look up the host "base")', () => {
    expect(() => checkDatabaseUrlSpaces({ TACT_DATABASE_URL: ' postgres://tact:secret-pw@127.0.0.1:5432/tact' })).toThrow(/^TACT_DATABASE_URL starts with a space: remove the blanks around its value \(not shown: it may hold a password\)\.$/);
    expect(() => checkDatabaseUrlSpaces({ TACT_DATABASE_URL: 'postgres://tact@127.0.0.1:5432/tact\n' })).toThrow(/^TACT_DATABASE_URL ends with a line feed:/);
    expect(() => checkDatabaseUrlSpaces({ TACT_DATABASE_URL: 'postgres://tact@127.0.0.1:5432/tact' })).not.toThrow();
    expect(() => checkDatabaseUrlSpaces({})).not.toThrow();
  });

  it('gives any other error back as it is', () => {
    const busy = Object.assign(new Error('The data directory … is in use'), { code: 'TACT_DATA_DIR_IN_USE' });
    expect(storeError(busy, { dataDir: 'data' })).toBe(busy);
    const missing = Object.assign(new Error('database "x" does not exist'), { code: '3D000' });
    expect(storeError(missing, { databaseUrl: 'postgres://a@b/x' })).toBe(missing);
  });
});
