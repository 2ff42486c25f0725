import type pg from 'pg';
import type { CountRow, GroupCountRow, OpenChoiceRow, VolumeRow } from '../../decide/decision-store.js';
import { HOUR_MS as HOUR } from '../../decide/open-trials.js';
import { firstKeptOpenHour, type GroupN, joinGroupCounts, OPEN_HOURS_KEPT_MS, outcomeRecordedSql, wholeMinutes } from '../sqlite/decisions-rows.js';
import { checkout, inTransaction } from './database.js';

/** Decisions (and outcomes) one fold step aggregates, in one transaction on the server. */
export const FOLD_STEP = 50_000;

/** One fold at a time across processes: a transaction-scoped advisory lock. */
const FOLD_LOCK = 7263505;

/** The watermark, passed as a value (read in the same snapshot): a sub-select hid it from the planner, which then could not plan a range of `seq`. */
const MARK_D = '$1';
const MARK_O = '$1';
const GROUP = `d.segment, d.micro_segment AS "microSegment", d.micro_segment_model AS "microSegmentModel"`;
const HAS_GROUP = '(d.segment IS NOT NULL OR d.micro_segment IS NOT NULL)';
/** A snapshot group row as the log's columns (the key columns hold '' and -1 for "none": a primary key has no NULLs). */
const SNAP_GROUP = `action, nullif(segment, '') AS segment, nullif(micro_segment, -1) AS "microSegment", nullif(micro_segment_model, '') AS "microSegmentModel"`;
const GROUP_KEY = `coalesce(d.segment, ''), coalesce(d.micro_segment, -1), coalesce(d.micro_segment_model, '')`;

/**
 * A step, or a start's tail, joins a range of decisions (or outcomes) to their choices (or
 * decisions) by key. The planner, misjudging the range, hashed the whole other table instead: a step
 * of 50,000 decisions scanned every choice — 2.5 s a step over 3.3 million decisions, and a start's
 * tail of 300,000 nearly as slow as the whole log (`npm run bench -- decide-start --postgres`). For
 * ranges below this many decisions, index lookups are asked for.
 */
const NESTED_BELOW = 2_000_000;

async function nestedLoops(c: pg.PoolClient): Promise<void> {
  await c.query('SET LOCAL enable_hashjoin = off');
  await c.query('SET LOCAL enable_mergejoin = off');
}

const READ = {
  trials: `SELECT action, profile_key AS "profileKey", sum(n)::bigint AS n, max(at) AS at FROM (
    SELECT action, profile_key, trials AS n, changed_at AS at FROM decision_counts WHERE trials > 0
    UNION ALL SELECT c.action, c.profile_key, count(*), max(c.at) FROM decisions d JOIN decision_choices c ON c.decision_id = d.id
      WHERE d.seq > ${MARK_D} AND c.kind = 'action' GROUP BY 1, 2) t GROUP BY 1, 2`,
  successes: `SELECT action, profile_key AS "profileKey", sum(n)::bigint AS n, max(at) AS at FROM (
    SELECT action, profile_key, successes AS n, changed_at AS at FROM decision_counts WHERE successes > 0
    UNION ALL SELECT action, profile_key, count(*), max(${outcomeRecordedSql()}) FROM decision_outcomes
      WHERE seq > ${MARK_O} AND success = 1 AND action IS NOT NULL GROUP BY 1, 2) t GROUP BY 1, 2`,
  groupTrials: `SELECT ${SNAP_GROUP}, trials AS n, changed_at AS at FROM decision_group_counts WHERE trials > 0 UNION ALL
    SELECT c.action, ${GROUP}, count(*) AS n, max(c.at) AS at FROM decision_choices c JOIN decisions d ON d.id = c.decision_id
    WHERE d.seq > ${MARK_D} AND c.kind = 'action' AND ${HAS_GROUP} GROUP BY 1, 2, 3, 4`,
  groupSuccesses: `SELECT ${SNAP_GROUP}, successes AS n, changed_at AS at FROM decision_group_counts WHERE successes > 0 UNION ALL
    SELECT o.action, ${GROUP}, count(*) AS n, max(${outcomeRecordedSql('o')}) AS at FROM decision_outcomes o JOIN decisions d ON d.id = o.decision_id
    WHERE o.seq > ${MARK_O} AND o.success = 1 AND o.action IS NOT NULL AND ${HAS_GROUP} GROUP BY 1, 2, 3, 4`,
};

/** Action choices per channel, action and minute straight from the log (a range shorter than a whole minute). */
const LOG_VOLUMES = `SELECT channel, action, at / 60000 AS minute, count(*)::bigint AS n FROM decision_choices WHERE at >= $1 AND at < $2 AND kind = 'action' GROUP BY 1, 2, 3`;

/**
 * The whole minutes [$2, $3): the snapshot's volumes and the log's after the watermark ($1); then the
 * log's own rows for the partial minutes before ($4) and after ($5) them.
 */
const VOLUMES = `SELECT channel, action, minute, sum(n)::bigint AS n FROM (
  SELECT channel, action, minute, n FROM decision_volumes WHERE minute >= $2 AND minute < $3
  UNION ALL SELECT c.channel, c.action, c.at / 60000, count(*) FROM decisions d JOIN decision_choices c ON c.decision_id = d.id
    WHERE d.seq > $1 AND c.kind = 'action' AND c.at >= $2 * 60000 AND c.at < $3 * 60000 GROUP BY 1, 2, 3
  UNION ALL SELECT channel, action, at / 60000, count(*) FROM decision_choices WHERE at >= $4 AND at < $2 * 60000 AND kind = 'action' GROUP BY 1, 2, 3
  UNION ALL SELECT channel, action, at / 60000, count(*) FROM decision_choices WHERE at >= $3 * 60000 AND at < $5 AND kind = 'action' GROUP BY 1, 2, 3
) t GROUP BY 1, 2, 3`;

const OPEN_HOURS = `SELECT hour, ${SNAP_GROUP}, n FROM decision_open_hours WHERE hour >= $1 AND hour < $2`;
const OPEN_TAIL = `SELECT c.at / 3600000 AS hour, c.action, ${GROUP}, count(*) AS n FROM decisions d JOIN decision_choices c ON c.decision_id = d.id
  WHERE d.seq > $1 AND d.seq <= $2 AND c.kind = 'action' AND c.at >= $3 AND c.at < $4 GROUP BY 1, 2, 3, 4, 5`;
/** Decisions after the watermark aggregated at a time when the open choices are read. */
const OPEN_TAIL_STEP = 50_000;

/** A snapshot row's time of last change moved to the newer of its own and the step's (GREATEST skips a NULL). */
const changed = (table: string) => `changed_at = GREATEST(${table}.changed_at, excluded.changed_at)`;

/** One fold step, server-side: the aggregates of a range of sequence numbers added to the snapshot, with each row's newest decision or outcome time. */
const FOLD = {
  trials: `INSERT INTO decision_counts (action, profile_key, trials, successes, changed_at)
    SELECT c.action, c.profile_key, count(*), 0, max(c.at) FROM decisions d JOIN decision_choices c ON c.decision_id = d.id
    WHERE d.seq > $1 AND d.seq <= $2 AND c.kind = 'action' GROUP BY 1, 2
    ON CONFLICT (action, profile_key) DO UPDATE SET trials = decision_counts.trials + excluded.trials, ${changed('decision_counts')}`,
  groupTrials: `INSERT INTO decision_group_counts (action, segment, micro_segment, micro_segment_model, trials, successes, changed_at)
    SELECT c.action, ${GROUP_KEY}, count(*), 0, max(c.at) FROM decisions d JOIN decision_choices c ON c.decision_id = d.id
    WHERE d.seq > $1 AND d.seq <= $2 AND c.kind = 'action' AND ${HAS_GROUP} GROUP BY 1, 2, 3, 4
    ON CONFLICT (action, segment, micro_segment, micro_segment_model) DO UPDATE SET trials = decision_group_counts.trials + excluded.trials, ${changed('decision_group_counts')}`,
  volumes: `INSERT INTO decision_volumes (minute, channel, action, n)
    SELECT c.at / 60000, c.channel, c.action, count(*) FROM decisions d JOIN decision_choices c ON c.decision_id = d.id
    WHERE d.seq > $1 AND d.seq <= $2 AND c.kind = 'action' GROUP BY 1, 2, 3
    ON CONFLICT (minute, channel, action) DO UPDATE SET n = decision_volumes.n + excluded.n`,
  openHours: `INSERT INTO decision_open_hours (hour, action, segment, micro_segment, micro_segment_model, n)
    SELECT c.at / 3600000, c.action, ${GROUP_KEY}, count(*) FROM decisions d JOIN decision_choices c ON c.decision_id = d.id
    WHERE d.seq > $1 AND d.seq <= $2 AND c.kind = 'action' GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (hour, action, segment, micro_segment, micro_segment_model) DO UPDATE SET n = decision_open_hours.n + excluded.n`,
  successes: `INSERT INTO decision_counts (action, profile_key, trials, successes, changed_at)
    SELECT action, profile_key, 0, count(*), max(${outcomeRecordedSql()}) FROM decision_outcomes WHERE seq > $1 AND seq <= $2 AND success = 1 AND action IS NOT NULL GROUP BY 1, 2
    ON CONFLICT (action, profile_key) DO UPDATE SET successes = decision_counts.successes + excluded.successes, ${changed('decision_counts')}`,
  groupSuccesses: `INSERT INTO decision_group_counts (action, segment, micro_segment, micro_segment_model, trials, successes, changed_at)
    SELECT o.action, ${GROUP_KEY}, 0, count(*), max(${outcomeRecordedSql('o')}) FROM decision_outcomes o JOIN decisions d ON d.id = o.decision_id
    WHERE o.seq > $1 AND o.seq <= $2 AND o.success = 1 AND o.action IS NOT NULL AND ${HAS_GROUP} GROUP BY 1, 2, 3, 4
    ON CONFLICT (action, segment, micro_segment, micro_segment_model) DO UPDATE SET successes = decision_group_counts.successes + excluded.successes, ${changed('decision_group_counts')}`,
};

/**
 * The estimates' counts on PostgreSQL (docs/adr/0005-decision-counts-snapshot.md): a snapshot of
 * trials and successes per (action, subject) and per (action, ladder group) with a watermark — the
 * last decision and outcome `seq` it includes. A start reads the snapshot and the rows after it.
 *
 * With several processes inserting, `seq` order is not commit order: a row numbered below another
 * may commit after it. So a pass first takes the log's end under a SHARE lock on the two tables —
 * it waits for the transactions inserting into them to end and holds new ones back for the one
 * `SELECT max(seq)` — so that every row up to that end is committed; the steps then fold up to it.
 * Each step is one transaction under an advisory lock, moving the watermark with the sums.
 *
 * @example
 * const counts = new PostgresDecisionCounts(pool); await counts.fold();
 */
export class PostgresDecisionCounts {
  constructor(private readonly pool: pg.Pool) {}

  trials(): Promise<CountRow[]> {
    return this.atMarks(async (c, m) => (await c.query<CountRow>(READ.trials, [m.decisions])).rows);
  }

  successes(): Promise<CountRow[]> {
    return this.atMarks(async (c, m) => (await c.query<CountRow>(READ.successes, [m.outcomes])).rows);
  }

  groups(): Promise<GroupCountRow[]> {
    return this.atMarks(async (c, m) => {
      const t = await c.query<GroupN>(READ.groupTrials, [m.decisions]);
      const s = await c.query<GroupN>(READ.groupSuccesses, [m.outcomes]);
      return joinGroupCounts(t.rows, s.rows);
    });
  }

  /**
   * Action choices from `from` to before `to` per channel, action and minute: whole minutes from the
   * snapshot (and the log after its watermark), the partial minutes at either end from the log.
   */
  async volumes(from: number, to: number): Promise<VolumeRow[]> {
    const m = wholeMinutes(from, to);
    if (!m) return (await this.pool.query<VolumeRow>(LOG_VOLUMES, [from, to])).rows;
    return this.atMarks(async (c, marks) => (await c.query<VolumeRow>(VOLUMES, [marks.decisions, m.first, m.end, from, to])).rows);
  }

  /**
   * The action choices decided from `from` to before `to` per hour, action and ladder group (ADR
   * 0007): in one snapshot, the log's after the watermark (50,000 decisions at a time), then the
   * snapshot's hours, newest first, `sliceHours` at a time, with `pause` awaited between parts.
   * Only the decisions numbered up to `upToSeq` (DecisionStore.readOpenChoices).
   */
  readOpen(from: number, to: number, each: (rows: OpenChoiceRow[]) => void, pause: () => Promise<void>, upToSeq = Infinity, sliceHours = 3): Promise<void> {
    const rows = (r: { rows: OpenChoiceRow[] }, sign = 1) => r.rows.map((x) => ({ ...x, hour: Number(x.hour), n: sign * Number(x.n), microSegment: x.microSegment === null ? null : Number(x.microSegment) }));
    return this.atMarks(async (c, m) => {
      const last = Math.min(upToSeq, Number((await c.query<{ d: string }>('SELECT coalesce(max(seq), 0) AS d FROM decisions')).rows[0].d));
      const tail = async (lo: number, hi: number, sign: number) => {
        for (let seq = lo; seq < hi; seq += OPEN_TAIL_STEP) {
          each(rows(await c.query<OpenChoiceRow>(OPEN_TAIL, [seq, Math.min(hi, seq + OPEN_TAIL_STEP), from, to]), sign));
          await pause();
        }
      };
      await tail(m.decisions, last, 1);
      const first = Math.floor(from / HOUR);
      for (let end = Math.ceil(to / HOUR); end > first; end -= sliceHours) {
        each(rows(await c.query<OpenChoiceRow>(OPEN_HOURS, [Math.max(first, end - sliceHours), end])));
        await pause();
      }
      // A fold past `upToSeq`: its choices after it are the caller's syncs' to count.
      await tail(last, m.decisions, -1);
    });
  }

  /** Runs `fn` in one snapshot (REPEATABLE READ) with the watermark as of it: a fold committing meanwhile is seen by neither. */
  private async atMarks<T>(fn: (c: pg.PoolClient, m: { decisions: number; outcomes: number }) => Promise<T>): Promise<T> {
    const { client: c, release } = await checkout(this.pool);
    try {
      await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const r = (await c.query<{ d: string; o: string; tail: string }>(`SELECT decisions_seq AS d, outcomes_seq AS o,
        (SELECT coalesce(max(seq), 0) FROM decisions) - decisions_seq AS tail FROM decision_count_marks WHERE id = 1`)).rows[0];
      if (Number(r.tail) < NESTED_BELOW) await nestedLoops(c);
      const out = await fn(c, { decisions: Number(r.d), outcomes: Number(r.o) });
      await c.query('COMMIT');
      return out;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      release();
    }
  }

  async marks(): Promise<{ decisions: number; outcomes: number }> {
    const r = (await this.pool.query<{ d: string; o: string }>('SELECT decisions_seq AS d, outcomes_seq AS o FROM decision_count_marks WHERE id = 1')).rows[0];
    return { decisions: Number(r.d), outcomes: Number(r.o) };
  }

  /** Folds the rows logged since the watermark, up to the log's end when the pass began, `step` decisions and outcomes a transaction. */
  async fold(step = FOLD_STEP, until = Infinity, keptOpenMs = OPEN_HOURS_KEPT_MS): Promise<{ decisions: number; outcomes: number }> {
    const end = await inTransaction(this.pool, async (c) => {
      await c.query(`SET LOCAL lock_timeout = '5s'`);
      await c.query('LOCK TABLE decisions, decision_outcomes IN SHARE MODE');
      const r = (await c.query<{ d: string; o: string }>('SELECT (SELECT coalesce(max(seq), 0) FROM decisions) AS d, (SELECT coalesce(max(seq), 0) FROM decision_outcomes) AS o')).rows[0];
      return { d: Number(r.d), o: Number(r.o) };
    });
    const moved = { decisions: 0, outcomes: 0 };
    while (Date.now() < until) {
      const stepped = await inTransaction(this.pool, async (c) => {
        if (!(await c.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [FOLD_LOCK])).rows[0].ok) return undefined; // another process folds
        const m = (await c.query<{ d: string; o: string }>('SELECT decisions_seq AS d, outcomes_seq AS o FROM decision_count_marks WHERE id = 1 FOR UPDATE')).rows[0];
        const [md, mo] = [Number(m.d), Number(m.o)];
        await nestedLoops(c);
        if (md >= end.d && mo >= end.o) return undefined;
        const d = Math.max(md, Math.min(end.d, md + step)); // never back: PostgreSQL's last row may have gone since (retention)
        const o = Math.max(mo, Math.min(end.o, mo + step));
        if (md < d) for (const sql of [FOLD.trials, FOLD.groupTrials, FOLD.volumes, FOLD.openHours]) await c.query(sql, [md, d]);
        if (md < d && moved.decisions === 0) await c.query('DELETE FROM decision_open_hours WHERE hour < $1', [firstKeptOpenHour(keptOpenMs)]);
        if (mo < o) for (const sql of [FOLD.successes, FOLD.groupSuccesses]) await c.query(sql, [mo, o]);
        await c.query('UPDATE decision_count_marks SET decisions_seq = $1, outcomes_seq = $2, folded_at = $3 WHERE id = 1', [d, o, Date.now()]);
        return { decisions: d - md, outcomes: o - mo };
      });
      if (!stepped) return moved;
      moved.decisions += stepped.decisions;
      moved.outcomes += stepped.outcomes;
    }
    return moved;
  }
}
