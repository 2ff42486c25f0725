import { mkdirSync, rmSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, openTestStore, send, type Harness } from '../../test/harness.js';
import { testDir } from '../../test/tmp.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';

/**
 * GET /health is what a load balancer or an orchestrator reads to decide whether to send traffic
 * to a server or restart it. An embedded store whose flush of its log to the disk failed refuses
 * every later write until a restart (src/store/sqlite/writer.ts: "restart the server"), so it must
 * not answer `ok` meanwhile: the read connection's `SELECT 1` still works.
 */
describe('GET /health when the embedded store has stopped writing', () => {
  let h: Harness;
  let wal: string;
  beforeAll(async () => {
    const path = join(testDir('tact-health-'), 'tact.db');
    wal = `${path}-wal`;
    h = await harness('sqlite', { store: await openSqliteStore({ path }) });
  });
  afterAll(async () => {
    try { rmdirSync(wal); } catch { /* already gone */ }
    await h.close().catch(() => undefined);
    await h.store.close().catch(() => undefined);
  });

  it('answers 200 while writes succeed, and 503 once a failed flush has stopped every write', async () => {
    expect((await send(h.app, '/v1/track', { userId: 'ana', event: 'A' })).statusCode).toBe(200);
    expect((await h.app.inject({ url: '/health' })).statusCode).toBe(200);
    // The disk fails under the writer: its log can no longer be flushed (EISDIR in place of EIO).
    rmSync(wal);
    mkdirSync(wal);
    const refused = await send(h.app, '/v1/track', { userId: 'ana', event: 'B' });
    expect(refused.statusCode, refused.body).toBeGreaterThanOrEqual(500);
    expect((await send(h.app, '/v1/track', { userId: 'ana', event: 'C' })).statusCode).toBeGreaterThanOrEqual(500);
    const r = await h.app.inject({ url: '/health' });
    expect(r.statusCode, r.body).toBe(503);
    expect(r.json()).toMatchObject({ status: 'store unreachable', store: 'sqlite', message: 'The sqlite store did not answer a ping (it refused or failed it, or takes no writes); the reason is in the server log.' });
  });
});

/**
 * A PostgreSQL server that takes no writes — a standby in recovery (after a failover the URL still
 * names the old primary), or a database set read-only — answers `SELECT 1`, and every write fails
 * with "cannot execute INSERT in a read-only transaction". /health must say so.
 */
describe('GET /health when PostgreSQL takes no writes', () => {
  let h: Harness;
  let cleanup: () => Promise<void>;
  let url: string;
  beforeAll(async () => {
    const opened = await openTestStore('postgres');
    cleanup = opened.cleanup;
    url = opened.url as string;
    h = await harness('postgres', { store: opened.store });
  });
  afterAll(async () => {
    await h.close();
    await cleanup();
  });

  it('answers 503 once the database is read-only, and 200 again once it takes writes', async () => {
    expect((await h.app.inject({ url: '/health' })).statusCode).toBe(200);
    const db = new URL(url).pathname.slice(1);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const readOnly = async (on: boolean) => {
        await admin.query(`ALTER DATABASE ${db} SET default_transaction_read_only = ${on ? 'on' : 'off'}`);
        // The pool's open connections keep their setting: end them, so the next ones take it.
        await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [db]);
      };
      await readOnly(true);
      await new Promise((r) => setTimeout(r, 100));
      expect((await send(h.app, '/v1/track', { userId: 'ana', event: 'A' })).statusCode).toBeGreaterThanOrEqual(500);
      const r = await h.app.inject({ url: '/health' });
      expect(r.statusCode, r.body).toBe(503);
      expect(r.json()).toMatchObject({ status: 'store unreachable', store: 'postgres' });
      await readOnly(false);
      await new Promise((r) => setTimeout(r, 100));
      expect((await h.app.inject({ url: '/health' })).statusCode).toBe(200);
    } finally {
      await admin.end();
    }
  });
});
