import type { CountRow, GroupCountRow, OpenChoiceRow, VolumeRow } from '../../decide/decision-store.js';
import { HOUR_MS as HOUR } from '../../decide/open-trials.js';
import type { Db } from './database.js';
import { firstKeptOpenHour, type GroupN, joinGroupCounts, OPEN_HOURS_KEPT_MS, outcomeRecordedSql, wholeMinutes } from './decisions-rows.js';
import type { SqliteWriter } from './writer.js';

/**
 * Decisions (and outcomes) one fold step aggregates, in one transaction of the writer thread: the
 * decision appends that arrive meanwhile wait for it. On a slow host (`npm run bench -- decide-start
 * --quick --step N`): 1,000 a step held the writer 22 ms at most, 2,500 43 ms, 5,000 70 ms.
 */
export const FOLD_STEP = 1_000;

/**
 * A running server's fold (`fold(…, pace)`): small steps, each followed by a pause `pace` times as
 * long as the step took, so the fold never holds the writer for long nor takes more than a share of
 * it — folding five minutes of log (300,000 decisions at 1,000 a second) in back-to-back steps of
 * 1,000 kept the writer busy for 8–10 s, dirtying ≈ 60 MB of pages a second, and the decisions
 * logged meanwhile waited up to 0.27–1.3 s for their commits (docs/benchmarks.md, 2026-12-03).
 */
export const PACED_STEP = 250;
/** The longest pause between two paced steps (ms). */
export const MAX_PAUSE_MS = 1_000;

/**
 * The log's rows after the watermark: what a start aggregates besides the snapshot. (CROSS JOIN
 * keeps SQLite's join order: from the range of sequence numbers, not a scan of every choice — which
 * the planner chose, 1.3–1.4 s for 660,000 choices and no row to count.)
 */
const TAIL = {
  trials: `SELECT c.action, c.profile_key, count(*) AS n, max(c.at) AS at FROM decisions d CROSS JOIN decision_choices c ON c.decision_id = d.id
    WHERE d.seq > (SELECT decisions_seq FROM decision_count_marks WHERE id = 1) AND c.kind = 'action' GROUP BY 1, 2`,
  successes: `SELECT action, profile_key, count(*) AS n, max(${outcomeRecordedSql()}) AS at FROM decision_outcomes
    WHERE seq > (SELECT outcomes_seq FROM decision_count_marks WHERE id = 1) AND success = 1 AND action IS NOT NULL GROUP BY 1, 2`,
};
const GROUP = 'd.segment AS segment, d.micro_segment AS microSegment, d.micro_segment_model AS microSegmentModel';
const HAS_GROUP = '(d.segment IS NOT NULL OR d.micro_segment IS NOT NULL)';
/** A snapshot group row as the log's columns (the key columns hold '' and -1 for "none": a primary key has no NULLs). */
const SNAP_GROUP = `action, nullif(segment, '') AS segment, nullif(micro_segment, -1) AS microSegment, nullif(micro_segment_model, '') AS microSegmentModel`;

/** A snapshot row's time of last change moved to the newer of its own and the step's (SQLite's max of a NULL is NULL). */
const CHANGED = 'changed_at = max(coalesce(changed_at, 0), excluded.changed_at)';

/**
 * One fold step, run by the writer thread in one transaction: the aggregates of a range of
 * sequence numbers added to the snapshot — with each row's newest decision or outcome time — and
 * the watermark moved. (Read on this thread and sent as rows, a step of 10,000 decisions held the
 * event loop up to 97 ms on a slow host.)
 */
const FOLD = {
  trials: `INSERT INTO decision_counts (action, profile_key, trials, successes, changed_at)
    SELECT c.action, c.profile_key, count(*), 0, max(c.at) FROM decisions d CROSS JOIN decision_choices c ON c.decision_id = d.id
    WHERE d.seq > ? AND d.seq <= ? AND c.kind = 'action' GROUP BY 1, 2
    ON CONFLICT (action, profile_key) DO UPDATE SET trials = trials + excluded.trials, ${CHANGED}`,
  groupTrials: `INSERT INTO decision_group_counts (action, segment, micro_segment, micro_segment_model, trials, successes, changed_at)
    SELECT c.action, coalesce(d.segment, ''), coalesce(d.micro_segment, -1), coalesce(d.micro_segment_model, ''), count(*), 0, max(c.at)
    FROM decisions d CROSS JOIN decision_choices c ON c.decision_id = d.id WHERE d.seq > ? AND d.seq <= ? AND c.kind = 'action' AND ${HAS_GROUP} GROUP BY 1, 2, 3, 4
    ON CONFLICT (action, segment, micro_segment, micro_segment_model) DO UPDATE SET trials = trials + excluded.trials, ${CHANGED}`,
  successes: `INSERT INTO decision_counts (action, profile_key, trials, successes, changed_at)
    SELECT action, profile_key, 0, count(*), max(${outcomeRecordedSql()}) FROM decision_outcomes WHERE seq > ? AND seq <= ? AND success = 1 AND action IS NOT NULL GROUP BY 1, 2
    ON CONFLICT (action, profile_key) DO UPDATE SET successes = successes + excluded.successes, ${CHANGED}`,
  groupSuccesses: `INSERT INTO decision_group_counts (action, segment, micro_segment, micro_segment_model, trials, successes, changed_at)
    SELECT o.action, coalesce(d.segment, ''), coalesce(d.micro_segment, -1), coalesce(d.micro_segment_model, ''), 0, count(*), max(${outcomeRecordedSql('o')})
    FROM decision_outcomes o CROSS JOIN decisions d ON d.id = o.decision_id WHERE o.seq > ? AND o.seq <= ? AND o.success = 1 AND o.action IS NOT NULL AND ${HAS_GROUP} GROUP BY 1, 2, 3, 4
    ON CONFLICT (action, segment, micro_segment, micro_segment_model) DO UPDATE SET successes = successes + excluded.successes, ${CHANGED}`,
  volumes: `INSERT INTO decision_volumes (minute, channel, action, n)
    SELECT c.at / 60000, c.channel, c.action, count(*) FROM decisions d CROSS JOIN decision_choices c ON c.decision_id = d.id
    WHERE d.seq > ? AND d.seq <= ? AND c.kind = 'action' GROUP BY 1, 2, 3
    ON CONFLICT (minute, channel, action) DO UPDATE SET n = n + excluded.n`,
  openHours: `INSERT INTO decision_open_hours (hour, action, segment, micro_segment, micro_segment_model, n)
    SELECT c.at / 3600000, c.action, coalesce(d.segment, ''), coalesce(d.micro_segment, -1), coalesce(d.micro_segment_model, ''), count(*)
    FROM decisions d CROSS JOIN decision_choices c ON c.decision_id = d.id WHERE d.seq > ? AND d.seq <= ? AND c.kind = 'action' GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (hour, action, segment, micro_segment, micro_segment_model) DO UPDATE SET n = n + excluded.n`,
  /** The open hours kept: the longest attribution window's, at least {@link OPEN_HOURS_KEPT_MS}. */
  dropOpenHours: 'DELETE FROM decision_open_hours WHERE hour < ?',
  marks: 'UPDATE decision_count_marks SET decisions_seq = ?, outcomes_seq = ?, folded_at = ? WHERE id = 1',
};

/** Decisions after the watermark aggregated at a time when the open choices are read (≈ 1 ms each 1,000). */
const OPEN_TAIL_STEP = 5_000;
const OPEN_GROUP = `action, nullif(segment, '') AS segment, nullif(micro_segment, -1) AS microSegment, nullif(micro_segment_model, '') AS microSegmentModel`;

/** Action choices per channel, action and minute, straight from the log: a range shorter than a whole minute, and a window's partial minutes. */
const LOG_VOLUMES = `SELECT channel, action, at / 60000 AS minute, count(*) AS n FROM decision_choices WHERE at >= ? AND at < ? AND kind = 'action' GROUP BY 1, 2, 3`;

/**
 * The volumes of the whole minutes [@first, @end): the snapshot's, and the log's after the
 * watermark; then the log's own rows for the partial minutes before and after them (one statement:
 * one view of snapshot, watermark and log).
 */
const VOLUMES = `SELECT channel, action, minute, sum(n) AS n FROM (
  SELECT channel, action, minute, n FROM decision_volumes WHERE minute >= @first AND minute < @end
  UNION ALL SELECT c.channel, c.action, c.at / 60000 AS minute, count(*) AS n FROM decisions d CROSS JOIN decision_choices c ON c.decision_id = d.id
    WHERE d.seq > (SELECT decisions_seq FROM decision_count_marks WHERE id = 1) AND c.kind = 'action' AND c.at >= @first * 60000 AND c.at < @end * 60000 GROUP BY 1, 2, 3
  UNION ALL SELECT channel, action, at / 60000 AS minute, count(*) AS n FROM decision_choices WHERE at >= @from AND at < @first * 60000 AND kind = 'action' GROUP BY 1, 2, 3
  UNION ALL SELECT channel, action, at / 60000 AS minute, count(*) AS n FROM decision_choices WHERE at >= @end * 60000 AND at < @to AND kind = 'action' GROUP BY 1, 2, 3
) GROUP BY 1, 2, 3`;


/**
 * After a retention pass: a watermark above the log's last row comes down to it. SQLite gives a
 * new row the highest sequence number plus one — once the newest rows are gone (all of them, or an
 * outcome logged late with an old time), new rows would be numbered at or below the watermark and
 * never counted.
 */
export const LOWER_MARKS = `UPDATE decision_count_marks SET decisions_seq = min(decisions_seq, (SELECT coalesce(max(seq), 0) FROM decisions)),
  outcomes_seq = min(outcomes_seq, (SELECT coalesce(max(seq), 0) FROM decision_outcomes)) WHERE id = 1`;

/**
 * The estimates' counts on the embedded store (docs/adr/0005-decision-counts-snapshot.md): a
 * snapshot of trials and successes per (action, subject) and per (action, ladder group) with when
 * each last changed (the newest decision or outcome time in it), and a
 * watermark — the last decision and outcome sequence numbers it includes. A start reads the
 * snapshot and aggregates only the log's rows after the watermark; `fold` moves rows into the
 * snapshot a step at a time, each step one transaction of the writer with its watermark.
 *
 * @example
 * const counts = new SqliteDecisionCounts(db, writer); await counts.fold(); const trials = counts.trials();
 */
export class SqliteDecisionCounts {
  private readonly s;
  private folding?: Promise<{ decisions: number; outcomes: number }>;
  private turn: Promise<unknown> = Promise.resolve();

  /** `clock` times a paced fold's steps and waits its pauses (tests pass their own). */
  constructor(db: Db, private readonly writer: SqliteWriter, private readonly clock = { now: () => performance.now(), sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) }) {
    this.s = {
      marks: db.prepare('SELECT decisions_seq AS d, outcomes_seq AS o FROM decision_count_marks WHERE id = 1'),
      ends: db.prepare('SELECT (SELECT coalesce(max(seq), 0) FROM decisions) AS d, (SELECT coalesce(max(seq), 0) FROM decision_outcomes) AS o'),
      trials: db.prepare(`SELECT action, profile_key AS profileKey, sum(n) AS n, max(at) AS at FROM (
        SELECT action, profile_key, trials AS n, changed_at AS at FROM decision_counts WHERE trials > 0 UNION ALL ${TAIL.trials}) GROUP BY 1, 2`),
      successes: db.prepare(`SELECT action, profile_key AS profileKey, sum(n) AS n, max(at) AS at FROM (
        SELECT action, profile_key, successes AS n, changed_at AS at FROM decision_counts WHERE successes > 0 UNION ALL ${TAIL.successes}) GROUP BY 1, 2`),
      groupTrials: db.prepare(`SELECT ${SNAP_GROUP}, trials AS n, changed_at AS at FROM decision_group_counts WHERE trials > 0 UNION ALL
        SELECT c.action, ${GROUP}, count(*) AS n, max(c.at) AS at FROM decisions d CROSS JOIN decision_choices c ON c.decision_id = d.id
        WHERE d.seq > (SELECT decisions_seq FROM decision_count_marks WHERE id = 1) AND c.kind = 'action' AND ${HAS_GROUP} GROUP BY 1, 2, 3, 4`),
      logVolumes: db.prepare(LOG_VOLUMES),
      volumes: db.prepare(VOLUMES),
      openHours: db.prepare(`SELECT hour, ${OPEN_GROUP}, n FROM decision_open_hours WHERE hour >= ? AND hour < ?`),
      openTail: db.prepare(`SELECT c.at / 3600000 AS hour, c.action, ${GROUP}, count(*) AS n FROM decisions d CROSS JOIN decision_choices c ON c.decision_id = d.id
        WHERE d.seq > ? AND d.seq <= ? AND c.kind = 'action' AND c.at >= ? AND c.at < ? GROUP BY 1, 2, 3, 4, 5`),
      groupSuccesses: db.prepare(`SELECT ${SNAP_GROUP}, successes AS n, changed_at AS at FROM decision_group_counts WHERE successes > 0 UNION ALL
        SELECT o.action, ${GROUP}, count(*) AS n, max(${outcomeRecordedSql('o')}) AS at FROM decision_outcomes o CROSS JOIN decisions d ON d.id = o.decision_id
        WHERE o.seq > (SELECT outcomes_seq FROM decision_count_marks WHERE id = 1) AND o.success = 1 AND o.action IS NOT NULL AND ${HAS_GROUP} GROUP BY 1, 2, 3, 4`),
    };
  }

  /** Action choices per action and subject: the snapshot's and the log's after it (one statement: one view of both). */
  trials(): CountRow[] {
    return this.s.trials.all() as CountRow[];
  }

  successes(): CountRow[] {
    return this.s.successes.all() as CountRow[];
  }

  groups(): GroupCountRow[] {
    return joinGroupCounts(this.s.groupTrials.all() as GroupN[], this.s.groupSuccesses.all() as GroupN[]);
  }

  /**
   * Action choices from `from` to before `to` per channel, action and minute: whole minutes from the
   * snapshot (and the log after its watermark), the partial minutes at either end from the log.
   */
  volumes(from: number, to: number): VolumeRow[] {
    const m = wholeMinutes(from, to);
    return (m ? this.s.volumes.all({ ...m, from, to }) : this.s.logVolumes.all(from, to)) as VolumeRow[];
  }

  /**
   * The action choices decided from `from` to before `to` per hour, action and ladder group (ADR
   * 0007): the log's after the watermark first, 5,000 decisions at a time, then the snapshot's hours,
   * newest first, `sliceHours` at a time, with `pause` awaited between parts — no fold step runs
   * meanwhile, so no row is read twice or missed as it moves into the snapshot. Only the decisions
   * numbered up to `upToSeq` (DecisionStore.readOpenChoices).
   */
  readOpen(from: number, to: number, each: (rows: OpenChoiceRow[]) => void, pause: () => Promise<void>, upToSeq = Infinity, sliceHours = 3): Promise<void> {
    return this.exclusive(async () => {
      const last = Math.min(upToSeq, (this.s.ends.get() as { d: number }).d);
      const watermark = this.marks().decisions;
      const tail = async (lo: number, hi: number, sign: number) => {
        for (let seq = lo; seq < hi; seq += OPEN_TAIL_STEP) {
          const rows = this.s.openTail.all(seq, Math.min(hi, seq + OPEN_TAIL_STEP), from, to) as OpenChoiceRow[];
          each(sign > 0 ? rows : rows.map((r) => ({ ...r, n: -r.n })));
          await pause();
        }
      };
      await tail(watermark, last, 1);
      const first = Math.floor(from / HOUR);
      for (let end = Math.ceil(to / HOUR); end > first; end -= sliceHours) {
        each(this.s.openHours.all(Math.max(first, end - sliceHours), end) as OpenChoiceRow[]);
        await pause();
      }
      // A fold past `upToSeq` (no fold runs during the read: `exclusive`): the choices after it are the caller's to count.
      await tail(last, watermark, -1);
    });
  }

  /** The watermark: the last decision and outcome sequence numbers the snapshot includes. */
  marks(): { decisions: number; outcomes: number } {
    const m = this.s.marks.get() as { d: number; o: number };
    return { decisions: m.d, outcomes: m.o };
  }

  /**
   * Folds the rows logged since the watermark into the snapshot, up to the log's end when the pass
   * began, `step` decisions and `step` outcomes (by sequence number) a transaction of the writer
   * thread (the aggregate runs there, not on this thread). With `pace`, each step is followed by a
   * pause `pace` times as long as it took ({@link PACED_STEP}). One pass at a time (a second call
   * joins the first). Returns how far the watermark moved. The choices per hour older than
   * `keptOpenMs` (at least {@link OPEN_HOURS_KEPT_MS}) are let go.
   */
  fold(step = FOLD_STEP, until = Infinity, pace = 0, keptOpenMs = OPEN_HOURS_KEPT_MS): Promise<{ decisions: number; outcomes: number }> {
    this.folding ??= this.exclusive(() => this.pass(step, until, pace, keptOpenMs)).finally(() => (this.folding = undefined));
    return this.folding;
  }

  /** Runs `fn` when no fold pass or other exclusive work runs (a retention pass: it may lower the watermark). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.turn.then(fn, fn);
    this.turn = run.catch(() => undefined);
    return run;
  }

  private async pass(step: number, until: number, pace: number, keptOpenMs: number): Promise<{ decisions: number; outcomes: number }> {
    const end = this.s.ends.get() as { d: number; o: number };
    const from = this.marks();
    let m = from;
    while ((m.decisions < end.d || m.outcomes < end.o) && Date.now() < until) {
      const d = Math.max(m.decisions, Math.min(end.d, m.decisions + step));
      const o = Math.max(m.outcomes, Math.min(end.o, m.outcomes + step));
      const started = this.clock.now();
      await this.writer.run([
        ...(m.decisions < d ? [FOLD.trials, FOLD.groupTrials, FOLD.volumes, FOLD.openHours].map((sql) => ({ sql, rows: [[m.decisions, d]] })) : []),
        // Once a pass, in its first step's transaction: the hours older than the snapshot keeps.
        ...(m === from && m.decisions < d ? [{ sql: FOLD.dropOpenHours, rows: [[firstKeptOpenHour(keptOpenMs)]] }] : []),
        ...(m.outcomes < o ? [{ sql: FOLD.successes, rows: [[m.outcomes, o]] }, { sql: FOLD.groupSuccesses, rows: [[m.outcomes, o]] }] : []),
        { sql: FOLD.marks, rows: [[d, o, Date.now()]] },
      ]);
      m = { decisions: d, outcomes: o };
      // Paced: the writes queued behind this step go first, and the next step waits its turn.
      const pause = pace > 0 ? Math.min(MAX_PAUSE_MS, (this.clock.now() - started) * pace) : 0;
      await (pause > 0 ? this.clock.sleep(pause) : new Promise((resolve) => setImmediate(resolve)));
    }
    return { decisions: m.decisions - from.decisions, outcomes: m.outcomes - from.outcomes };
  }
}
