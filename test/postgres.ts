import { execSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { postgresMigrations } from '../src/store/postgres/migrations/index.js';
import { migratePostgres, createPool } from '../src/store/postgres/database.js';

/** The local PostgreSQL server the tests use (trust auth). TACT_TEST_PG overrides it. */
export const PG_ADMIN_URL = process.env.TACT_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function reachable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

/** Starts the local cluster when it is not running (CI may run on a fresh machine). */
export async function ensurePostgres(): Promise<void> {
  if (await reachable()) return;
  try {
    execSync('pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start', { stdio: 'ignore', shell: '/bin/bash' });
  } catch {
    /* it may be starting already */
  }
  for (let i = 0; i < 60; i++) {
    if (await reachable()) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`PostgreSQL is not reachable at ${PG_ADMIN_URL} and could not be started`);
}

function urlFor(db: string): string {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${db}`;
  return u.toString();
}

/**
 * A fresh database for one test file: the schema is migrated once into a template (named by a
 * hash of the migrations), then each call copies it with CREATE DATABASE … TEMPLATE.
 */
export async function freshPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  await ensurePostgres();
  const hash = createHash('sha256').update(JSON.stringify(postgresMigrations)).digest('hex').slice(0, 12);
  const template = `tact_template_${hash}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query('SELECT pg_advisory_lock(88123)');
    const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template])).rowCount;
    if (!exists) {
      await admin.query(`CREATE DATABASE ${template}`);
      const pool = createPool(urlFor(template), 2);
      await migratePostgres(pool);
      await pool.end();
    }
    const name = `tact_test_${randomBytes(6).toString('hex')}`;
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
    await admin.query('SELECT pg_advisory_unlock(88123)');
    return {
      url: urlFor(name),
      drop: async () => {
        const c = new pg.Client({ connectionString: PG_ADMIN_URL });
        await c.connect();
        // A pool's end() resolves once it has asked its connections to close, not once they have:
        // forced while one is still closing, the drop sends it a FATAL (57P01) that its client,
        // no longer listened to, throws as an unhandled error into whichever test runs next.
        // So the drop waits (up to 2 s) for the test's own connections to go first.
        for (let waited = 0; waited < 2000; waited += 20) {
          const left = (await c.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name])).rows[0].n as number;
          if (left === 0) break;
          await new Promise((r) => setTimeout(r, 20));
        }
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
      },
    };
  } finally {
    await admin.end();
  }
}
