import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { basic, harness, type Harness } from '../../../test/harness.js';
import { freshPostgresDatabase } from '../../../test/postgres.js';
import { isDiskFull } from '../sqlite/disk-full.js';
import { isPostgresDiskFull } from './disk-full.js';
import { openPostgresStore, type PostgresStore } from './postgres-store.js';

/**
 * PostgreSQL's disk full without filling a disk: the server itself raises SQLSTATE 53100
 * disk_full, with its own sentence for a relation that cannot grow, from a trigger on the events
 * table (a collection write) and an event trigger on CREATE TABLE (the /health probe's write that
 * needs room, DISK_PROBE_SQL). So the error comes through the real driver, pool and connection as a
 * full disk's does; dropping the triggers is the space freed.
 */
describe('writes on PostgreSQL while its disk is full', () => {
  let db: Awaited<ReturnType<typeof freshPostgresDatabase>>;
  let store: PostgresStore;
  let h: Harness;
  let admin: pg.Client;
  beforeAll(async () => {
    db = await freshPostgresDatabase();
    store = await openPostgresStore({ connectionString: db.url, poolSize: 4 });
    h = await harness('postgres', { store });
    admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    await admin.query(`CREATE FUNCTION test_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
      RAISE EXCEPTION 'could not extend file "base/16384/16402": No space left on device' USING ERRCODE = 'disk_full', HINT = 'Check free disk space.'; END $$`);
    await admin.query(`CREATE FUNCTION test_disk_full_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN
      RAISE EXCEPTION 'could not extend file "base/16384/16999": No space left on device' USING ERRCODE = 'disk_full', HINT = 'Check free disk space.'; END $$`);
  });
  afterEach(async () => {
    await freed();
  });
  afterAll(async () => {
    await admin.end();
    await h.close();
    await store.close();
    await db.drop();
  });
  const full = async () => {
    await admin.query('CREATE TRIGGER test_disk_full BEFORE INSERT ON events FOR EACH STATEMENT EXECUTE FUNCTION test_disk_full()');
    await admin.query("CREATE EVENT TRIGGER test_disk_full ON ddl_command_start WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION test_disk_full_ddl()");
  };
  async function freed() {
    await admin.query('DROP TRIGGER IF EXISTS test_disk_full ON events');
    await admin.query('DROP EVENT TRIGGER IF EXISTS test_disk_full');
  }
  const track = (id: string) => h.app.inject({ method: 'POST', url: '/v1/track', headers: { authorization: basic() }, payload: { userId: `u-${id}`, event: 'Seen', messageId: id } });
  const health = async () => {
    const r = await h.app.inject({ url: '/health' });
    return { status: r.statusCode, said: r.json().status as string, message: r.json().message as string | undefined };
  };

  it('answers 507 store_full naming the PostgreSQL server, /health 503 until a write that needs room commits, and takes the write after space is freed (a 500 internal and /health ok until 2026-12-06)', async () => {
    expect((await track('before')).statusCode).toBe(200);
    await full();
    const refused = await track('during');
    expect([refused.statusCode, refused.json().error, refused.headers['retry-after']], refused.body).toEqual([507, 'store_full', undefined]);
    expect(refused.json().message).toMatch(/^The disk of the PostgreSQL server's data directory is full, so nothing of this request was stored: send it again once space is freed there/);
    expect(refused.body).not.toMatch(/TACT_DATA_DIR|base\/16384/);
    expect(await store.collect.hasMessage('during')).toBe(false);
    // Reads still work on a full disk; the check's write does not.
    const during = await health();
    expect([during.status, during.said]).toEqual([503, 'store full']);
    expect(during.message).toBe("The postgres store takes no writes: the disk of the PostgreSQL server's data directory is full. Free space there; a write is tried at each check.");
    expect((await health()).status).toBe(503);
    expect((await track('during')).statusCode).toBe(507);

    await freed(); // space freed
    // /health tries a write of its own: no request need succeed first (a balancer sends none while it fails).
    expect(await health()).toMatchObject({ status: 200, said: 'ok' });
    const again = await track('during');
    expect(again.statusCode, again.body).toBe(200);
    expect(await store.collect.hasMessage('during')).toBe(true);
    // The probe left nothing behind.
    expect((await admin.query("SELECT to_regclass('tact_disk_probe') AS t")).rows[0].t).toBeNull();
  });

  it('keeps /health ok for a request\'s fault of another kind, and needs no probe while nothing failed for a full disk', async () => {
    expect(await health()).toMatchObject({ status: 200, said: 'ok' });
    // A write that needs room would fail now: the check tries none unless a query met a full disk.
    await admin.query("CREATE EVENT TRIGGER test_disk_full ON ddl_command_start WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION test_disk_full_ddl()");
    expect(await health()).toMatchObject({ status: 200, said: 'ok' });
  });
});

describe('isPostgresDiskFull', () => {
  it('knows SQLSTATE 53100 disk_full only: not 53200 out_of_memory, 53300 too_many_connections nor 53400 configuration_limit_exceeded', () => {
    const pgError = (code: string) => Object.assign(new Error('x'), { code });
    expect(isPostgresDiskFull(pgError('53100'))).toBe(true);
    expect(isDiskFull(pgError('53100'))).toBe(true);
    for (const code of ['53200', '53300', '53400', '53000', '57P01']) {
      expect(isPostgresDiskFull(pgError(code)), code).toBe(false);
      expect(isDiskFull(pgError(code)), code).toBe(false);
    }
  });
});
