import pg from 'pg';
import { openPostgresStore } from '../src/store/postgres/postgres-store.js';
import type { Store } from '../src/store/store.js';

/** The bench's log: 10,000 subjects, each offered 10 of 100 actions again and again. */
export const SUBJECTS = 10_000;
export const ACTIONS = 100;
export const OFFERED = 10;

/** Where the bench's log lives: filled straight, opened as a store, aggregated directly for comparison. */
export interface Target {
  fill(from: number, to: number): Promise<void>;
  open(): Promise<Store>;
  countAll(): Promise<Reference>;
  /** The channel volumes of [from, to) aggregated straight from the log (the query a start ran before the snapshot held them). */
  volumesAll(from: number, to: number): Promise<{ ms: number; rows: VolumeLike[] }>;
  cleanup(): Promise<void>;
}

/** A volume row as either store returns it (PostgreSQL's bigints as text). */
export interface VolumeLike {
  channel: string;
  action: string;
  minute: number | string;
  n: number | string;
}

/** The query a start ran for its budgets' volumes before they were folded into the snapshot. */
export const LOG_VOLUMES_SQL = (p: [string, string]) => `SELECT channel, action, at / 60000 AS minute, count(*) AS n FROM decision_choices WHERE at >= ${p[0]} AND at < ${p[1]} AND kind = 'action' GROUP BY 1, 2, 3`;

/** Two answers of volumes, the same rows? */
export function sameVolumes(a: VolumeLike[], b: VolumeLike[]): boolean {
  const key = (rows: VolumeLike[]) => rows.map((v) => `${v.channel}|${v.action}|${Number(v.minute)}|${Number(v.n)}`).sort().join('\n');
  return key(a) === key(b);
}

/** The counts aggregated straight from the whole log (the queries a start ran before the snapshot), and how long that took. */
export interface Reference {
  ms: number;
  trials: unknown[];
  successes: unknown[];
  groups: unknown[];
}

/** The log's first decision; decision i is logged i × the gap later. */
export const START = Date.parse('2026-11-01T00:00:00Z');

/** The gap between two decisions that spreads `total` of them over 6.9 days: a week's contact window holds the whole log. */
export function gapFor(total: number): number {
  return Math.floor((6.9 * 86_400_000) / total);
}
const SUBJECT = `((i * 7919) % ${SUBJECTS})`;
const ACTION = `'offer-' || ((${SUBJECT} * 7 + (i * 104729) % 9973 % ${OFFERED}) % ${ACTIONS})`;

/**
 * The log in a fresh PostgreSQL database on the local server (TACT_BENCH_PG, else
 * postgres://postgres@127.0.0.1:5432/postgres), written by the server itself (generate_series):
 * the same shape as the embedded store's, subjects and actions drawn by formula instead of a
 * random stream. Dropped at the end.
 */
export async function postgresTarget(gap = 1): Promise<Target> {
  const admin = process.env.TACT_BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `tact_bench_start_${process.pid}`;
  const adminPool = new pg.Pool({ connectionString: admin, max: 1 });
  await adminPool.query(`DROP DATABASE IF EXISTS ${name}`);
  await adminPool.query(`CREATE DATABASE ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  await (await openPostgresStore({ connectionString: url.toString(), poolSize: 2 })).close(); // the schema
  const pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
  return {
    async fill(from, to) {
      const range = `FROM generate_series(${from}::bigint, ${to - 1}::bigint) i`;
      await pool.query(`INSERT INTO decisions (id, profile_key, placement, at, body, segment, micro_segment, micro_segment_model)
        SELECT 'd' || i, 'p' || ${SUBJECT}, 'home', ${START} + i * ${gap}, '{}', CASE WHEN i % 2 = 0 THEN 'seg-' || (i % 7) END,
          CASE WHEN i % 2 = 0 THEN (i % 5)::int END, CASE WHEN i % 2 = 0 THEN 'micro-segments@1' END ${range}`);
      await pool.query(`INSERT INTO decision_choices (decision_id, rank, kind, action, channel, placement, profile_key, at)
        SELECT 'd' || i, 1, 'action', ${ACTION}, 'web', 'home', 'p' || ${SUBJECT}, ${START} + i * ${gap} ${range}
        UNION ALL SELECT 'd' || i, 2, 'none', NULL, 'web', 'home', 'p' || ${SUBJECT}, ${START} + i * ${gap} ${range}`);
      await pool.query(`INSERT INTO decision_outcomes (id, decision_id, profile_key, action, type, value, credit, reward, success, source, at)
        SELECT 'o' || i, 'd' || i, 'p' || ${SUBJECT}, ${ACTION}, 'click', NULL, 1, 1, 1, 'api', ${START} + i * ${gap} + 1 ${range} WHERE i % 10 = 0`);
      await pool.query('ANALYZE'); // as autovacuum would have by then
    },
    open: () => openPostgresStore({ connectionString: url.toString(), poolSize: 4 }),
    async countAll() {
      const t = performance.now();
      const trials = (await pool.query(`SELECT action, profile_key AS "profileKey", count(*) AS n FROM decision_choices WHERE kind = 'action' GROUP BY 1, 2`)).rows;
      const successes = (await pool.query('SELECT action, profile_key AS "profileKey", count(*) AS n FROM decision_outcomes WHERE success = 1 GROUP BY 1, 2')).rows;
      const groups = (await pool.query(`SELECT c.action, d.segment, d.micro_segment, count(*) AS n FROM decision_choices c JOIN decisions d ON d.id = c.decision_id
        WHERE c.kind = 'action' AND (d.segment IS NOT NULL OR d.micro_segment IS NOT NULL) GROUP BY 1, 2, 3`)).rows;
      return { ms: performance.now() - t, trials, successes, groups };
    },
    async volumesAll(from, to) {
      const t = performance.now();
      const rows = (await pool.query<VolumeLike>(LOG_VOLUMES_SQL(['$1', '$2']), [from, to])).rows;
      return { ms: performance.now() - t, rows };
    },
    async cleanup() {
      await pool.end();
      await adminPool.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await adminPool.end();
    },
  };
}
