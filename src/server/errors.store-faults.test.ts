import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, bearer } from '../../test/harness.js';
import { PG_ADMIN_URL, ensurePostgres } from '../../test/postgres.js';
import { testDir } from '../../test/tmp.js';
import { isRetryableStoreError } from '../store/open.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { buildApp } from './app.js';
import { Tact } from './tact.js';

/**
 * A SyntaxError is the client's fault (400 `invalid_json`) only when Fastify raised it reading the
 * body; one raised after the body was read — a corrupt row JSON.parse'd from the store — is the
 * server's: a 500 `internal`, its fault in the log.
 */
describe('SyntaxErrors that are not the body\'s', () => {
  const lines: string[] = [];
  const closedErrors: Error[] = [];
  const path = join(testDir('tact-corrupt-'), 'tact.db');
  let store: Store;
  let tact: Tact;
  let app: Awaited<ReturnType<typeof buildApp>>;
  beforeAll(async () => {
    store = await openSqliteStore({ path });
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    tact = await Tact.create({ store, logger: pino({ level: 'info' }, sink), background: false, isRetryable: isRetryableStoreError });
    await tact.keys.bootstrap({ TACT_WRITE_KEY: KEYS.write, TACT_SERVER_KEY: KEYS.server, TACT_ADMIN_KEY: KEYS.admin });
    app = await buildApp(tact);
    // Parses fine, then meets text that is not JSON (as a corrupt row would be).
    app.post('/parses-late', async () => JSON.parse('{"writeKey": tact_w_quoted-0123456789}') as unknown);
    // The database gone a moment: PostgreSQL's terminate (57P01), pg's own "Connection terminated", a refused connection.
    // Real errors of a PostgreSQL server that takes no new connection (captured below).
    app.get('/store-closed/:i', async (req) => {
      throw closedErrors[Number((req.params as { i: string }).i)];
    });
    app.get('/store-gone/:how', async (req) => {
      const how = (req.params as { how: string }).how;
      throw how === 'terminated' ? Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })
        : how === 'ended' ? new Error('Connection terminated unexpectedly')
          : Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { code: 'ECONNREFUSED' });
    });
    // A body whose stream fails with a SyntaxError while Fastify reads it: Fastify marks it 400.
    await app.register(async (scope) => {
      scope.addHook('preParsing', async () => new Readable({ read() { this.destroy(new SyntaxError('Unexpected token \'a\', "{"k": tact_w_quoted}" is not valid JSON')); } }));
      scope.post('/parses-body', async () => ({ ok: true }));
    });
  });
  afterAll(async () => {
    await app.close();
    await tact.close();
    await store.close();
  });
  const failures = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'request failed');

  it('answers a database that takes no new connection — closed to them, or not there — as a 503 store_unavailable, from the real errors (a 500 internal with a stack until 2026-12-05, while /health called it an outage)', async () => {
    await ensurePostgres();
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    const name = `tact_closed_${randomBytes(4).toString('hex')}`;
    try {
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      const attempt = async (db: string) => {
        const u = new URL(PG_ADMIN_URL);
        u.pathname = `/${db}`;
        const c = new pg.Client({ connectionString: u.toString() });
        const err = await c.connect().then(() => undefined, (e: unknown) => e);
        await c.end().catch(() => undefined);
        return err as Error;
      };
      closedErrors.push(await attempt(name), await attempt(`${name}_missing`));
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      await admin.end();
    }
    expect(closedErrors.map((e) => (e as { code?: string }).code)).toEqual(['55000', '3D000']);
    for (const i of [0, 1]) {
      const r = await app.inject({ url: `/store-closed/${i}` });
      expect([r.statusCode, r.json().error, r.headers['retry-after']], r.body).toEqual([503, 'store_unavailable', '1']);
      expect(r.body).not.toContain(name);
      const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.errorId === r.json().errorId);
      expect(logged).toMatchObject({ level: 40, msg: 'request failed: the database did not answer' });
    }
  });

  it('answers a database that went away as a 503 store_unavailable with Retry-After, naming no host, logged once without a stack (a 500 internal until 2026-12-05)', async () => {
    for (const how of ['terminated', 'ended', 'refused']) {
      const r = await app.inject({ url: `/store-gone/${how}` });
      expect([r.statusCode, r.json().error, r.headers['retry-after']], r.body).toEqual([503, 'store_unavailable', '1']);
      expect(r.json().message).toMatch(/^The database did not answer while this request was handled \((the connection was ended|connection refused)\), so it was not acknowledged/);
      expect(r.body).not.toMatch(/10\.0\.0\.5|administrator/);
      const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.errorId === r.json().errorId);
      expect(logged).toMatchObject({ level: 40, msg: 'request failed: the database did not answer' });
      expect(logged?.err).toBeUndefined();
    }
  });

  it('answers a corrupt stored row as a 500 with an error id, and logs it', async () => {
    const admin = { authorization: bearer(KEYS.admin) };
    const put = await app.inject({ method: 'PUT', url: '/v1/config/features', headers: admin, payload: { document: [], reason: 'start' } });
    expect(put.statusCode, put.body).toBe(200);
    const raw = new Database(path);
    raw.prepare("UPDATE documents SET body = '[{\"name\": tact_w_row-secret' WHERE kind = 'features'").run();
    raw.close();
    const r = await app.inject({ url: '/v1/config/features/history', headers: admin });
    expect([r.statusCode, r.json().error], r.body).toEqual([500, 'internal']);
    expect(r.json().message).toContain(r.json().errorId);
    expect(r.body).not.toMatch(/JSON|tact_w|secret/);
    const logged = failures().find((l) => l.errorId === r.json().errorId);
    expect(logged?.err).toMatchObject({ type: 'SyntaxError' });
  });

  it('answers a SyntaxError a handler throws after the body was read fine as a 500', async () => {
    const r = await app.inject({ method: 'POST', url: '/parses-late', headers: { 'content-type': 'application/json' }, payload: '{}' });
    expect([r.statusCode, r.json().error], r.body).toEqual([500, 'internal']);
    expect(r.body).not.toMatch(/tact_w|quoted|0123|not valid JSON/);
    expect(failures().some((l) => l.errorId === r.json().errorId)).toBe(true);
  });

  it('still answers a SyntaxError Fastify met reading the body as a 400 invalid_json, quoting none of it', async () => {
    const r = await app.inject({ method: 'POST', url: '/parses-body', headers: { 'content-type': 'application/json' }, payload: '{"k": 1}' });
    expect([r.statusCode, r.json().error], r.body).toEqual([400, 'invalid_json']);
    expect(r.json().message).toBe("The request body is not valid JSON: Unexpected token 'a'.");
  });
});
