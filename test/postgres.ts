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
 * What a database's schema is, as one hash: its relations with their columns, indexes,
 * constraints, access and options; functions, triggers, event triggers, extensions, schemas; and
 * the database's own settings (ALTER DATABASE … SET) and connection limits. A database a test has
 * changed in any of these reads differently from the template's.
 */
const SCHEMA_PRINT = `
SELECT md5(string_agg(x, E'\\n' ORDER BY x)) AS print FROM (
  SELECT format('rel %s.%s %s %s %s %s %s', n.nspname, c.relname, c.relkind, c.relacl, c.reloptions,
           (SELECT string_agg(format('%s %s %s %s %s', a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid)), '; ' ORDER BY a.attnum)
              FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped),
           CASE WHEN c.relkind = 'i' THEN pg_get_indexdef(c.oid) END) AS x
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
  UNION ALL SELECT format('con %s %s %s', conrelid::regclass, conname, pg_get_constraintdef(oid)) FROM pg_constraint WHERE connamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
  UNION ALL SELECT format('fn %s %s', p.oid::regprocedure, md5(coalesce(p.prosrc, ''))) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
  UNION ALL SELECT format('trigger %s %s %s', tgrelid::regclass, tgname, tgenabled) FROM pg_trigger WHERE NOT tgisinternal
  UNION ALL SELECT format('event trigger %s %s', evtname, evtenabled) FROM pg_event_trigger
  UNION ALL SELECT format('extension %s %s', extname, extversion) FROM pg_extension
  UNION ALL SELECT format('schema %s %s', nspname, nspacl) FROM pg_namespace
  UNION ALL SELECT format('setting %s %s', setrole, setconfig) FROM pg_db_role_setting WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
  UNION ALL SELECT format('database %s %s %s', datallowconn, datconnlimit, datacl) FROM pg_database WHERE datname = current_database()
) t`;

const TABLES = `SELECT c.oid::regclass::text AS name, pg_relation_size(c.oid) > 0 AS written FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND n.nspname = 'public'`;
const SEQUENCES = `SELECT c.oid::regclass::text AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND n.nspname = 'public'`;

/** What a copy of the template holds when it is made: its schema's print, its rows, its sequences. */
interface Pristine {
  print: string;
  rows: Map<string, unknown[]>;
  sequences: Map<string, { last: string; called: boolean }>;
}

async function readPristine(c: pg.Client): Promise<Pristine> {
  const print = (await c.query<{ print: string }>(SCHEMA_PRINT)).rows[0].print;
  const rows = new Map<string, unknown[]>();
  for (const t of (await c.query<{ name: string }>(TABLES)).rows) {
    const held = (await c.query(`SELECT row_to_json(t) AS r FROM ${t.name} t`)).rows.map((r) => r.r);
    if (held.length) rows.set(t.name, held);
  }
  const sequences = new Map<string, { last: string; called: boolean }>();
  for (const s of (await c.query<{ name: string }>(SEQUENCES)).rows) {
    const v = (await c.query<{ last_value: string; is_called: boolean }>(`SELECT last_value, is_called FROM ${s.name}`)).rows[0];
    sequences.set(s.name, { last: v.last_value, called: v.is_called });
  }
  return { print, rows, sequences };
}

/**
 * Makes a used database hold what a fresh copy of the template holds, in one transaction: the
 * tables written since are truncated (which leaves them as new: no pages, no statistics), the
 * template's rows put back and its sequences set where they were. False, and nothing changed, when
 * its schema is no longer the template's.
 */
async function restore(c: pg.Client, pristine: Pristine): Promise<boolean> {
  if ((await c.query<{ print: string }>(SCHEMA_PRINT)).rows[0].print !== pristine.print) return false;
  const written = (await c.query<{ name: string; written: boolean }>(TABLES)).rows.filter((t) => t.written || pristine.rows.has(t.name)).map((t) => t.name);
  await c.query('BEGIN');
  try {
    // A test database: its restore need not wait for the disk (what it commits is seen at once).
    await c.query('SET LOCAL synchronous_commit = off');
    if (written.length) await c.query(`TRUNCATE ${written.join(', ')} RESTART IDENTITY`);
    for (const [table, rows] of pristine.rows) {
      await c.query(`INSERT INTO ${table} SELECT * FROM json_populate_recordset(NULL::${table}, $1)`, [JSON.stringify(rows)]);
    }
    for (const [seq, v] of pristine.sequences) await c.query('SELECT setval($1::regclass, $2::bigint, $3)', [seq, v.last, v.called]);
    await c.query('COMMIT');
    return true;
  } catch (err) {
    await c.query('ROLLBACK');
    throw err;
  }
}

/** The run's name (test/global-setup.ts): its databases are named after it and dropped when it ends. */
const RUN = process.env.TACT_TEST_RUN;
/** Databases this process's tests have given back, restored, for the next to take. */
const spare: string[] = [];
let pristine: Pristine | undefined;

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** A new copy of the template: the schema is migrated once into it (named by a hash of the migrations). */
async function copyTemplate(admin: pg.Client): Promise<string> {
  const hash = createHash('sha256').update(JSON.stringify(postgresMigrations)).digest('hex').slice(0, 12);
  const template = `tact_template_${hash}`;
  await admin.query('SELECT pg_advisory_lock(88123)');
  try {
    const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template])).rowCount;
    if (!exists) {
      await admin.query(`CREATE DATABASE ${template}`);
      const pool = createPool(urlFor(template), 2);
      await migratePostgres(pool);
      await pool.end();
    }
    const name = `tact_test_${RUN ? `${RUN}_` : ''}${randomBytes(6).toString('hex')}`;
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
    return name;
  } finally {
    await admin.query('SELECT pg_advisory_unlock(88123)');
  }
}

/**
 * A fresh database for a test: the template's schema (every migration) and rows, nothing else.
 *
 * `drop` gives it back. Within a test run (TACT_TEST_RUN, set by test/global-setup.ts) a database
 * whose schema is still the template's is restored to the template's rows and kept for the
 * process's next test, and the run drops them all when it ends: a copy of the template and its drop
 * cost PostgreSQL about 0.4 core-seconds, a restore a few milliseconds, and the suite asks for
 * about a thousand. A database whose schema a test changed (a migration test's, a disk-full
 * trigger's, ALTER DATABASE … SET) or whose connections did not close is dropped, as every one is
 * outside a test run.
 */
export async function freshPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  await ensurePostgres();
  let name = spare.pop();
  if (!name) {
    name = await withClient(PG_ADMIN_URL, copyTemplate);
    if (RUN && !pristine) pristine = await withClient(urlFor(name), readPristine);
  }
  const db = name;
  return {
    url: urlFor(db),
    drop: async () => {
      await withClient(PG_ADMIN_URL, async (c) => {
        // A pool's end() resolves once it has asked its connections to close, not once they have:
        // forced while one is still closing, the drop sends it a FATAL (57P01) that its client,
        // no longer listened to, throws as an unhandled error into whichever test runs next.
        // So the drop waits (up to 2 s) for the test's own connections to go first.
        let left = 1;
        for (let waited = 0; waited < 2000; waited += 20) {
          left = (await c.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [db])).rows[0].n as number;
          if (left === 0) break;
          await new Promise((r) => setTimeout(r, 20));
        }
        if (RUN && pristine && left === 0) {
          const kept = await withClient(urlFor(db), (d) => restore(d, pristine as Pristine)).catch(() => false);
          if (kept) {
            spare.push(db);
            return;
          }
        }
        await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      });
    },
  };
}

/** Drops the databases a test run made (its global teardown). */
export async function dropRunDatabases(run: string): Promise<void> {
  if (!(await reachable())) return;
  await withClient(PG_ADMIN_URL, async (c) => {
    const names = (await c.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE $1", [`tact_test_${run}_%`])).rows;
    for (const { datname } of names) await c.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
  });
}
