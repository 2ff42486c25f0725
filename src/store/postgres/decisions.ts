import type pg from 'pg';
import type { BudgetGuard, ContactRead, ContactRow, CountRow, DecisionQuery, DelayRow, DecisionPosition, DecisionRecord, DecisionStore, Flag, GroupCountRow, Hold, KnownRows, LiveHoldsSince, OpenChoiceRow, OutcomePosition, OutcomeRecord, SentFlag, SubjectLogRows, VolumeRow } from '../../decide/decision-store.js';
import {
  FLAG_COLS, HOLD_COLS, HOLD_SELECT, OUTCOME_COLS, choiceParams, decisionFilter, flagParams, followed, holdParams, holdUpsert, outcomeKey, outcomeParams, toFlag, toHold, toOutcome,
  type FlagRow, type HoldRow, type OutcomeRow,
} from '../sqlite/decisions-rows.js';
import { inTransaction } from './database.js';
import { PostgresDecisionCounts } from './decision-counts.js';

/** A decision's action choice as a ContactRow (choices `c` joined to their decision `d`). */
const CONTACT_COLS = `c.decision_id AS "decisionId", c.at, c.profile_key AS "profileKey", c.action, c.channel, c.placement, d.segment, d.micro_segment AS "microSegment", d.micro_segment_model AS "microSegmentModel"`;
const params = (n: number, from = 1) => Array.from({ length: n }, (_, i) => `$${i + from}`).join(', ');
/** Reads a contactsOfMany query makes at most (a consumer's chunk is 2,000 events). */
const READS_A_QUERY = 1000;
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** The outcome columns' types, in OUTCOME_COLS order (a VALUES list in a WITH is typed by itself, not by the table). */
const OUTCOME_TYPES = ['text', 'text', 'text', 'text', 'text', 'float8', 'float8', 'float8', 'bigint', 'text', 'bigint', 'text', 'bigint'];

/**
 * Inserts `n` outcomes in one statement and answers (id, decision_id, action) of each row it
 * wrote, with `demoted` for a success stored as not-a-success (a row it did not write was stored
 * already: a duplicate). The first INSERT is arbitrated by every unique index — (id, decision_id)
 * and the one success of a decision's action: a row conflicting with a row another transaction is
 * inserting waits for that transaction to end, then is skipped if it committed. This holds under
 * READ COMMITTED because the index, not a snapshot, decides: a check-then-insert (read "no
 * success yet", then insert) could not see a success another process had inserted and not yet
 * committed. The second INSERT stores each success the first skipped with success 0, unless its
 * (id, decision_id) is stored already (a duplicate, left as it is). One statement: the outcome is
 * stored whole or not at all.
 */
const INSERT_OUTCOMES = (n: number) => {
  const values = Array.from({ length: n }, (_, i) => `(${OUTCOME_TYPES.map((t, k) => `$${i * OUTCOME_TYPES.length + k + 1}::${t}`).join(', ')})`).join(', ');
  return `WITH v (${OUTCOME_COLS}) AS (VALUES ${values}),
    stored AS (INSERT INTO decision_outcomes (${OUTCOME_COLS}) SELECT ${OUTCOME_COLS} FROM v ON CONFLICT DO NOTHING RETURNING id, decision_id, action),
    demoted AS (INSERT INTO decision_outcomes (${OUTCOME_COLS}) SELECT ${OUTCOME_COLS.replace('success', '0')} FROM v
      WHERE v.success = 1 AND NOT EXISTS (SELECT 1 FROM stored s WHERE s.id = v.id AND s.decision_id = v.decision_id AND s.action IS NOT DISTINCT FROM v.action)
    ON CONFLICT DO NOTHING RETURNING id, decision_id, action)
    SELECT id, decision_id, action, true AS demoted FROM demoted UNION ALL SELECT id, decision_id, action, false FROM stored`;
};
const HOLD_VALUES = params(HOLD_COLS.split(', ').length);
const upsert = (table: string, cols: string) => {
  const names = cols.split(', ');
  return `INSERT INTO ${table} (${cols}) VALUES (${params(names.length)}) ON CONFLICT (id) DO UPDATE SET ${names.slice(1).map((c) => `${c} = excluded.${c}`).join(', ')}`;
};

/**
 * The decision log and its companions on PostgreSQL, shared by every Tact process: each write is
 * its own committed transaction (the decision and its choice rows together).
 *
 * @example
 * await store.decisions.appendDecision(record);
 */
export class PostgresDecisionStore implements DecisionStore {
  private readonly counts: PostgresDecisionCounts;

  constructor(private readonly pool: pg.Pool) {
    this.counts = new PostgresDecisionCounts(pool);
  }

  async appendDecision(d: DecisionRecord): Promise<void> {
    await inTransaction(this.pool, (c) => this.insert(c, d));
  }

  async appendIfCurrent(d: DecisionRecord, since: number, known: KnownRows, o: { budgets?: readonly BudgetGuard[]; holds?: readonly Hold[]; also?: readonly string[]; identities?: readonly { kind: string; value: string }[] } = {}): Promise<(SubjectLogRows & { budget?: string; moved?: true }) | null> {
    const { budgets = [], holds = [] } = o;
    const keys = [d.profileKey, ...(o.also ?? [])];
    return inTransaction(this.pool, async (c) => {
      // One subject's decisions serialise across processes, on every key its history may be under
      // (a decision made before its profile existed holds only `anon:<identifier>`). The locks go
      // with the transaction and are taken in one order everywhere, so two decisions never wait on
      // each other.
      await c.query('SELECT pg_advisory_xact_lock(h) FROM (SELECT DISTINCT hashtextextended(k, 7) AS h FROM unnest($1::text[]) AS k ORDER BY h) AS l', [keys]);
      // The subject moved while this decision was made (its profile merged away; or, decided with no
      // profile, it has one now): decisions for it are logged under another key from now on. Asked
      // in the statement that reads the subject's contacts (one round trip): it always answers a
      // row with `moved`, and one per contact when there are any. By time, and by the order written:
      // a decision dated before `since` (committed long after its time, or by a server whose clock is
      // behind) written since the state's last sync is new too — two branches, not an OR, as below.
      const ids = d.profileKey.startsWith('anon:') ? o.identities ?? [] : [];
      const rows = (await c.query<ContactRow & { moved: boolean; rank: number | null }>(
        `WITH m AS (
           SELECT EXISTS (SELECT 1 FROM profiles WHERE id = $3 AND merged_into IS NOT NULL)
               OR EXISTS (SELECT 1 FROM identities i JOIN unnest($4::text[], $5::text[]) AS n(kind, value) ON i.kind = n.kind AND i.value = n.value) AS moved
         )
         SELECT m.moved, x.* FROM m LEFT JOIN LATERAL (
           SELECT ${CONTACT_COLS}, c.rank FROM decisions d JOIN decision_choices c ON c.decision_id = d.id WHERE d.profile_key = ANY($1) AND d.at >= $2 AND c.kind = 'action'
           UNION ALL
           SELECT ${CONTACT_COLS}, c.rank FROM decisions d JOIN decision_choices c ON c.decision_id = d.id WHERE d.profile_key = ANY($1) AND d.at < $2 AND d.seq > $6 AND c.kind = 'action'
         ) AS x ON NOT m.moved
         ORDER BY x.at, x."decisionId", x.rank`,
        [keys, since, d.profileKey, ids.map((i) => i.kind), ids.map((i) => i.value), known.contactsThrough ?? Number.MAX_SAFE_INTEGER],
      )).rows;
      if (rows[0].moved) return { contacts: [], outcomes: [], moved: true };
      const contacts = rows.filter((r) => r.decisionId !== null).map(({ moved: _m, rank: _r, ...contact }) => contact as ContactRow).filter((r) => !known.contact(r));
      // By time, and by the order written: an outcome dated before `since` (a late report) written
      // since the state's last sync is new too. Two branches, not an OR, so each reads one index range
      // (with the OR, every outcome the subject ever had was read: 35 ms for one with 20,000).
      const outcomes = (await c.query<OutcomeRow>(
        `SELECT ${OUTCOME_COLS}, seq FROM decision_outcomes WHERE profile_key = ANY($1) AND at >= $2
         UNION ALL SELECT ${OUTCOME_COLS}, seq FROM decision_outcomes WHERE profile_key = ANY($1) AND at < $2 AND seq > $3
         ORDER BY at, seq`,
        [keys, since, known.outcomesThrough ?? Number.MAX_SAFE_INTEGER],
      )).rows.map(toOutcome).filter((o) => !known.outcome(o));
      // A review opened or decided by another process since: this decision may not open another, or
      // deliver it — nor keep a hold another process has approved or rejected since (it would log
      // "waits for a person's review" of a review already decided: until 2026-12-05, for up to a second).
      const newHolds = holds.length || d.choices.some((ch) => ch.held)
        ? (await c.query<HoldRow>(`SELECT ${HOLD_SELECT} FROM decision_holds h WHERE h.profile_key = ANY($1) AND (h.created_at >= $2 OR h.decided_at >= $2)`, [keys, since])).rows.map(toHold).filter((h) => !known.hold(h))
        : [];
      // A flag another process added or cleared since, on the subject, a profile merged into it or
      // one of its accounts: the decision is made again with it (until 2026-12-06 it waited for the
      // next sync, up to a second: a "complaint open" flag did not stop the other servers' e-mails).
      const heldFlag = known.flag;
      const newFlags = heldFlag
        ? (await c.query<FlagRow>(
          `SELECT ${FLAG_COLS} FROM decision_flags WHERE (created_at >= $2 OR cleared_at >= $2)
             AND ((target_kind = 'profile' AND target_id = ANY($1)) OR (target_kind = 'account' AND target_id IN (SELECT account_id FROM memberships WHERE profile_id = ANY($1))))`,
          [keys, since],
        )).rows.map(toFlag).filter((f) => !heldFlag(f))
        : [];
      if (contacts.length || outcomes.length || newHolds.length || newFlags.length) return { contacts, outcomes, holds: newHolds, flags: newFlags };
      const actions = d.choices.filter((ch) => ch.kind === 'action' && ch.action).map((ch) => ch.action as string);
      // The use is counted per channel and window, not per budget: the guards of one window are
      // checked together and the decision taken from it once.
      const windows = new Map<string, BudgetGuard[]>();
      for (const g of budgets) {
        const k = `${g.channel}\u0000${g.windowMs}\u0000${g.windowStart}`;
        windows.set(k, [...(windows.get(k) ?? []), g]);
      }
      for (const guards of windows.values()) {
        const spent = await this.takeFromBudget(c, guards, actions);
        if (spent) return { contacts: [], outcomes: [], budget: spent };
      }
      await this.insert(c, d);
      for (const h of holds) await c.query(holdUpsert(h, HOLD_VALUES), holdParams(h));
      return null;
    });
  }

  /**
   * Under a lock on the budgets' channel (taken after the subject's, always in that order, so two
   * decisions cannot wait on each other), counts the window exactly and takes one contact per
   * chosen action from it, once for all the `guards` of that one channel and window; returns a
   * budget's name when the decision would pass its limit or an action's fair share (nothing is
   * taken then: the transaction is abandoned).
   */
  private async takeFromBudget(c: pg.PoolClient, guards: readonly BudgetGuard[], actions: readonly string[]): Promise<string | undefined> {
    const g = guards[0];
    await c.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 7))', [`budget:${g.channel}`]);
    const key = [g.channel, g.windowMs, g.windowStart];
    const read = async () => (await c.query<{ action: string; n: number }>('SELECT action, n FROM decision_budget_use WHERE channel = $1 AND window_ms = $2 AND window_start = $3', key)).rows;
    let rows = await read();
    if (!rows.some((r) => r.action === '')) {
      // First use of this window: count it from the log (it may have begun before this table did).
      await c.query(
        `INSERT INTO decision_budget_use (channel, window_ms, window_start, action, n)
         SELECT $1, $2, $3, action, count(*) FROM decision_choices WHERE channel = $1 AND kind = 'action' AND at >= $3 AND at < $3 + $2 GROUP BY action
         UNION ALL SELECT $1, $2, $3, '', (SELECT count(*) FROM decision_choices WHERE channel = $1 AND kind = 'action' AND at >= $3 AND at < $3 + $2)`,
        key,
      );
      rows = await read();
    }
    const used = new Map(rows.map((r) => [r.action, Number(r.n)]));
    for (const b of guards) {
      if ((used.get('') ?? 0) + actions.length > b.max) return b.name;
      if (actions.some((a) => (used.get(a) ?? 0) >= (b.shares[a] ?? Infinity))) return b.name;
    }
    for (const a of ['', ...actions]) {
      await c.query(
        `INSERT INTO decision_budget_use (channel, window_ms, window_start, action, n) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (channel, window_ms, window_start, action) DO UPDATE SET n = decision_budget_use.n + excluded.n`,
        [...key, a, a === '' ? actions.length : 1],
      );
    }
    return undefined;
  }

  private async insert(c: pg.PoolClient, d: DecisionRecord): Promise<void> {
    await c.query(
      'INSERT INTO decisions (id, profile_key, placement, at, body, segment, micro_segment, micro_segment_model) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
      [d.id, d.profileKey, d.placement, d.at, JSON.stringify(d), d.segment ?? null, d.microSegment ?? null, d.microSegmentModel ?? null],
    );
    const rows = choiceParams(d);
    if (!rows.length) return; // a record without choices (as SQLite stores it: the decision alone)
    const values = rows.map((_, i) => `(${params(8, i * 8 + 1)})`).join(', ');
    await c.query(`INSERT INTO decision_choices (decision_id, rank, kind, action, channel, placement, profile_key, at) VALUES ${values}`, rows.flat());
  }

  async getDecision(id: string): Promise<DecisionRecord | undefined> {
    const r = (await this.pool.query<{ body: string }>('SELECT body FROM decisions WHERE id = $1', [id])).rows[0];
    return r ? (JSON.parse(r.body) as DecisionRecord) : undefined;
  }

  async queryDecisions(q: DecisionQuery): Promise<DecisionRecord[]> {
    const { viaChoices, where, args } = decisionFilter(q);
    let n = 0;
    const terms = where.map((w) => w.replace(/\?/g, () => `$${++n}`));
    args.push(q.limit);
    const from = viaChoices ? 'decision_choices c JOIN decisions d ON d.id = c.decision_id' : 'decisions d';
    const sql = `SELECT DISTINCT d.id, d.at, d.body FROM ${from}${terms.length ? ` WHERE ${terms.join(' AND ')}` : ''} ORDER BY d.at DESC, d.id DESC LIMIT $${args.length}`;
    return (await this.pool.query<{ body: string }>(sql, args)).rows.map((r) => JSON.parse(r.body) as DecisionRecord);
  }

  async contactsSince(at: number, before = Number.MAX_SAFE_INTEGER): Promise<ContactRow[]> {
    return (await this.pool.query<ContactRow>(
      `SELECT ${CONTACT_COLS} FROM decision_choices c JOIN decisions d ON d.id = c.decision_id WHERE c.at >= $1 AND c.at < $2 AND c.kind = 'action' ORDER BY c.at, c.decision_id, c.rank`,
      [at, before],
    )).rows;
  }

  async contactsLoggedSince(at: number, after: number): Promise<{ contacts: ContactRow[]; last: number }> {
    // One statement, one snapshot: `last` is the highest decision number among the rows it can see.
    // Two branches, not an OR: the choices by time, and the decisions numbered after `after` (by the
    // primary key) dated before — each one index range.
    const rows = (await this.pool.query<ContactRow & { last: string | number; rank: number | null }>(
      `SELECT m.last, x.* FROM (SELECT coalesce(max(seq), 0) AS last FROM decisions) AS m
       LEFT JOIN LATERAL (
         SELECT ${CONTACT_COLS}, c.rank FROM decision_choices c JOIN decisions d ON d.id = c.decision_id WHERE c.at >= $1 AND c.kind = 'action'
         UNION ALL
         SELECT ${CONTACT_COLS}, c.rank FROM decisions d JOIN decision_choices c ON c.decision_id = d.id WHERE d.seq > $2 AND c.at < $1 AND c.kind = 'action'
       ) AS x ON true
       ORDER BY x.at, x."decisionId", x.rank`,
      [at, after],
    )).rows;
    const contacts = rows.filter((r) => r.decisionId !== null).map(({ last: _l, rank: _r, ...contact }) => contact as ContactRow);
    return { contacts, last: Number(rows[0].last) };
  }

  async contactsOf(profileKeys: readonly string[], from: number, to: number, o: { newestFirst?: { limit: number } } = {}): Promise<ContactRow[]> {
    if (!profileKeys.length) return [];
    const order = o.newestFirst ? `c.at DESC, c.decision_id, c.rank LIMIT ${Math.floor(o.newestFirst.limit)}` : 'c.at, c.decision_id, c.rank';
    return (await this.pool.query<ContactRow>(
      `SELECT ${CONTACT_COLS} FROM decisions d JOIN decision_choices c ON c.decision_id = d.id WHERE d.profile_key = ANY($1) AND d.at >= $2 AND d.at <= $3 AND c.kind = 'action' ORDER BY ${order}`,
      [[...profileKeys], from, to],
    )).rows;
  }

  async contactsOfMany(reads: readonly ContactRead[]): Promise<ContactRow[][]> {
    const out: ContactRow[][] = reads.map(() => []);
    for (let at = 0; at < reads.length; at += READS_A_QUERY) {
      const part = reads.slice(at, at + READS_A_QUERY);
      // One row a (read, key) — each key once, as `= ANY` takes it — joined as one query, the order
      // of contactsOf numbered within each read, under its limit (none: NULL, every row). (A LATERAL
      // per read with its keys as a slice of one array ran the slice on every row of a small table.)
      const readOf: number[] = [];
      const keys: string[] = [];
      for (const [i, r] of part.entries()) for (const key of new Set(r.profileKeys)) (readOf.push(i + 1), keys.push(key));
      if (!keys.length) continue;
      const rows = (await this.pool.query<ContactRow & { i: number; lim: number | null; n: number }>(
        `SELECT x.* FROM (
           SELECT r.i, r.lim, ${CONTACT_COLS}, row_number() OVER (PARTITION BY r.i ORDER BY CASE WHEN r.lim IS NULL THEN c.at ELSE -c.at END, c.decision_id, c.rank) AS n
           FROM unnest($1::bigint[], $2::bigint[], $3::int[]) WITH ORDINALITY AS r(f, t, lim, i)
           JOIN unnest($4::int[], $5::text[]) AS k(i, key) ON k.i = r.i
           JOIN decisions d ON d.profile_key = k.key AND d.at >= r.f AND d.at <= r.t
           JOIN decision_choices c ON c.decision_id = d.id AND c.kind = 'action'
         ) x WHERE x.lim IS NULL OR x.n <= x.lim ORDER BY x.i, x.n`,
        [part.map((r) => r.from), part.map((r) => r.to), part.map((r) => (r.newestFirst ? Math.floor(r.newestFirst.limit) : null)), readOf, keys],
      )).rows;
      for (const { i, lim: _l, n: _n, ...contact } of rows) out[at + Number(i) - 1].push(contact);
    }
    return out;
  }

  async contactVolumes(from: number, to: number): Promise<VolumeRow[]> {
    return this.counts.volumes(from, to);
  }

  async newestContactsOfKey(profileKey: string, from: number, to: number, limit: number): Promise<ContactRow[]> {
    return (await this.pool.query<ContactRow>(
      `SELECT ${CONTACT_COLS} FROM decisions d JOIN decision_choices c ON c.decision_id = d.id WHERE d.profile_key = $1 AND d.at >= $2 AND d.at <= $3 AND c.kind = 'action' ORDER BY d.at DESC, d.seq DESC, c.rank LIMIT $4`,
      [profileKey, from, to, limit],
    )).rows;
  }

  async positionsOf(ids: readonly string[]): Promise<DecisionPosition[]> {
    if (!ids.length) return [];
    const rows = (await this.pool.query(`SELECT id, at, profile_key AS "profileKey", segment, micro_segment AS "microSegment", micro_segment_model AS "microSegmentModel" FROM decisions WHERE id = ANY($1)`, [[...ids]])).rows;
    return rows.map((r) => ({ ...r, at: Number(r.at) }));
  }

  async anyContact(from: number, to: number): Promise<boolean> {
    return (await this.pool.query(`SELECT 1 FROM decision_choices WHERE at >= $1 AND at < $2 AND kind = 'action' LIMIT 1`, [from, to])).rowCount !== 0;
  }

  async anonymousKeys(from: number, to: number): Promise<string[]> {
    // LIKE, not a range of keys: under a linguistic collation ':' and ';' need not sort as bytes.
    return (await this.pool.query<{ key: string }>(
      `SELECT DISTINCT d.profile_key AS key FROM decisions d WHERE d.at >= $1 AND d.at < $2 AND d.profile_key LIKE 'anon:%' AND EXISTS (SELECT 1 FROM decision_choices c WHERE c.decision_id = d.id AND c.kind = 'action')`,
      [from, to],
    )).rows.map((r) => r.key);
  }

  readOpenChoices(from: number, to: number, each: (rows: OpenChoiceRow[]) => void, pause: () => Promise<void>, upToSeq?: number): Promise<void> {
    return this.counts.readOpen(from, to, each, pause, upToSeq);
  }

  async successDelays(from: number, to: number, upTo: number): Promise<DelayRow[]> {
    // The successes of the choices of an hour: the choices by time, each one's outcomes by decision.
    return (await this.pool.query<{ action: string; decidedAt: string; at: string; segment: string | null; microSegment: number | null; microSegmentModel: string | null }>(
      `SELECT c.action, c.at AS "decidedAt", o.at, d.segment, d.micro_segment AS "microSegment", d.micro_segment_model AS "microSegmentModel"
       FROM decision_choices c JOIN decision_outcomes o ON o.decision_id = c.decision_id AND o.action = c.action JOIN decisions d ON d.id = c.decision_id
       WHERE c.at >= $1 AND c.at < $2 AND c.kind = 'action' AND o.success = 1 AND o.seq <= $3`,
      [from, to, upTo],
    )).rows.map((r) => ({ action: r.action, decidedAt: Number(r.decidedAt), at: Number(r.at), segment: r.segment, microSegment: r.microSegment, microSegmentModel: r.microSegmentModel }));
  }

  async lastOutcomeSeq(): Promise<number> {
    return Number((await this.pool.query<{ seq: string }>(`SELECT coalesce(max(seq), 0) AS seq FROM decision_outcomes`)).rows[0].seq);
  }



  trialCounts(): Promise<CountRow[]> {
    return this.counts.trials();
  }

  successCounts(): Promise<CountRow[]> {
    return this.counts.successes();
  }

  groupCounts(): Promise<GroupCountRow[]> {
    return this.counts.groups();
  }

  foldCounts(step?: number, until?: number, _pace?: number, keptOpenMs?: number): Promise<{ decisions: number; outcomes: number }> {
    return this.counts.fold(step, until, keptOpenMs);
  }

  countMarks(): Promise<{ decisions: number; outcomes: number }> {
    return this.counts.marks();
  }

  /**
   * Stores the outcomes (one already stored under its id and decision is left as it is). A decision's
   * action has one success, held by a unique index on the successes (migration decide-008): a
   * success the index refuses — another process stored one for that decision's action first — is
   * stored as not-a-success, and its record's `success` is set to false, so the caller counts what
   * the log holds.
   */
  async addOutcomes(o: OutcomeRecord[]): Promise<OutcomeRecord[]> {
    if (!o.length) return [];
    if (!o.some((r) => r.success && r.decisionId)) {
      const n = OUTCOME_TYPES.length;
      const values = o.map((_, i) => `(${params(n, i * n + 1)})`).join(', ');
      const written = (await this.pool.query<{ id: string; decision_id: string; action: string | null }>(`INSERT INTO decision_outcomes (${OUTCOME_COLS}) VALUES ${values} ON CONFLICT (id, decision_id, (coalesce(action, ''))) DO NOTHING RETURNING id, decision_id, action`, o.flatMap(outcomeParams))).rows;
      const keys = new Set(written.map((r) => outcomeKey(r.id, r.decision_id, r.action)));
      return o.filter((r) => !keys.has(outcomeKey(r.id, r.decisionId ?? '', r.action)));
    }
    // In (decision, action, id) order, as every process inserts: two batches crediting the same
    // decisions wait on each other's rows in one order, never in a cycle (a deadlock).
    const rows = [...o].sort((a, b) => cmp(a.decisionId ?? '', b.decisionId ?? '') || cmp(a.action ?? '', b.action ?? '') || cmp(a.id, b.id));
    const written = (await this.pool.query<{ id: string; decision_id: string; action: string | null; demoted: boolean }>(INSERT_OUTCOMES(rows.length), rows.flatMap(outcomeParams))).rows;
    const demoted = new Set(written.filter((r) => r.demoted).map((r) => outcomeKey(r.id, r.decision_id, r.action)));
    const keys = new Set(written.map((r) => outcomeKey(r.id, r.decision_id, r.action)));
    for (const r of o) if (r.success && demoted.has(outcomeKey(r.id, r.decisionId ?? '', r.action))) r.success = false;
    // Neither written nor demoted: a record with its id, decision and action was there already.
    return o.filter((r) => !keys.has(outcomeKey(r.id, r.decisionId ?? '', r.action)));
  }

  async outcomesSince(at: number, signals?: { successesSince?: number; before?: number }): Promise<OutcomeRecord[]> {
    const only = signals ? ` AND ((success = 1 AND at >= $2) OR type = 'dismissal') AND at < $3` : '';
    const args = signals ? [at, signals.successesSince ?? at, signals.before ?? Number.MAX_SAFE_INTEGER] : [at];
    return (await this.pool.query<OutcomeRow>(`SELECT ${OUTCOME_COLS} FROM decision_outcomes WHERE at >= $1${only} ORDER BY at, seq`, args)).rows.map(toOutcome);
  }

  async outcomesPage(at: number, page: { after?: OutcomePosition; limit: number }): Promise<{ outcomes: OutcomeRecord[]; next?: OutcomePosition }> {
    // Keyset on (at, seq): each page starts after the last row of the one before, along the index on `at`.
    const after = page.after ?? { at, seq: 0 };
    const rows = (await this.pool.query<OutcomeRow & { seq: number }>(
      `SELECT ${OUTCOME_COLS}, seq FROM decision_outcomes WHERE at >= $1 AND (at > $2 OR seq > $3) ORDER BY at, seq LIMIT $4`,
      [Math.max(at, after.at), after.at, after.seq, page.limit],
    )).rows;
    const last = rows[rows.length - 1];
    return { outcomes: rows.map(toOutcome), ...(last && rows.length >= page.limit ? { next: { at: last.at, seq: last.seq } } : {}) };
  }

  async outcomesLoggedSince(at: number, after: number): Promise<{ outcomes: OutcomeRecord[]; last: number }> {
    // One statement, one snapshot: `last` is the highest number among the rows it can see.
    const rows = (await this.pool.query<OutcomeRow & { last: string | number }>(
      `SELECT m.last, o.* FROM (SELECT coalesce(max(seq), 0) AS last FROM decision_outcomes) AS m
       LEFT JOIN LATERAL (SELECT ${OUTCOME_COLS}, seq FROM decision_outcomes WHERE at >= $1 OR seq > $2) AS o ON true
       ORDER BY o.at, o.seq`,
      [at, after],
    )).rows;
    return { outcomes: rows.filter((r) => r.id !== null).map(toOutcome), last: Number(rows[0].last) };
  }

  async loggedOutcomeIds(ids: readonly string[]): Promise<Set<string>> {
    if (!ids.length) return new Set();
    return new Set((await this.pool.query<{ id: string }>('SELECT DISTINCT id FROM decision_outcomes WHERE id = ANY($1::text[])', [ids])).rows.map((r) => r.id));
  }

  async outcomesWithIds(ids: readonly string[]): Promise<OutcomeRecord[]> {
    if (!ids.length) return [];
    return (await this.pool.query<OutcomeRow>(`SELECT ${OUTCOME_COLS} FROM decision_outcomes WHERE id = ANY($1::text[]) ORDER BY at, seq`, [ids])).rows.map(toOutcome);
  }

  async outcomesOf(decisionId: string): Promise<OutcomeRecord[]> {
    return (await this.pool.query<OutcomeRow>(`SELECT ${OUTCOME_COLS} FROM decision_outcomes WHERE decision_id = $1 ORDER BY at, seq`, [decisionId])).rows.map(toOutcome);
  }

  async successesOf(decisionIds: readonly string[]): Promise<{ decisionId: string; action: string }[]> {
    if (!decisionIds.length) return [];
    return (await this.pool.query<{ decisionId: string; action: string }>(
      `SELECT DISTINCT decision_id AS "decisionId", action FROM decision_outcomes WHERE decision_id = ANY($1::text[]) AND success = 1 AND action IS NOT NULL`,
      [decisionIds],
    )).rows;
  }

  async prune(before: number): Promise<{ decisions: number; outcomes: number }> {
    return inTransaction(this.pool, async (c) => {
      const d = (await c.query('DELETE FROM decisions WHERE at < $1', [before])).rowCount ?? 0;
      await c.query('DELETE FROM decision_choices WHERE at < $1', [before]);
      const o = (await c.query('DELETE FROM decision_outcomes WHERE at < $1', [before])).rowCount ?? 0;
      await c.query('DELETE FROM decision_budget_use WHERE window_start + window_ms < $1', [before]);
      await c.query('DELETE FROM decision_volumes WHERE minute < $1', [Math.floor(before / 60_000)]);
      return { decisions: d, outcomes: o };
    });
  }

  async putFlag(f: Flag): Promise<void> {
    await this.pool.query(upsert('decision_flags', FLAG_COLS), flagParams(f));
  }

  async putFlagOnce(f: Flag, messageId: string, requestHash: string): Promise<SentFlag & { stored: boolean }> {
    const cols = `${FLAG_COLS}, message_id, request_hash`;
    // The unique index on message_id decides between processes adding with one messageId at once.
    const r = await this.pool.query(`INSERT INTO decision_flags (${cols}) VALUES (${params(cols.split(', ').length)}) ON CONFLICT (message_id) DO NOTHING`, [...flagParams(f), messageId, requestHash]);
    if (r.rowCount === 1) return { flag: f, requestHash, stored: true };
    return { ...((await this.flagOfMessage(messageId)) as SentFlag), stored: false };
  }

  async flagOfMessage(messageId: string): Promise<SentFlag | undefined> {
    const r = (await this.pool.query<FlagRow & { request_hash: string }>(`SELECT ${FLAG_COLS}, request_hash FROM decision_flags WHERE message_id = $1`, [messageId])).rows[0];
    return r ? { flag: toFlag(r), requestHash: r.request_hash } : undefined;
  }

  async getFlag(id: string): Promise<Flag | undefined> {
    const r = (await this.pool.query<FlagRow>(`SELECT ${FLAG_COLS} FROM decision_flags WHERE id = $1`, [id])).rows[0];
    return r ? toFlag(r) : undefined;
  }

  async openFlags(): Promise<Flag[]> {
    return (await this.pool.query<FlagRow>(`SELECT ${FLAG_COLS} FROM decision_flags WHERE cleared_at IS NULL ORDER BY created_at`)).rows.map(toFlag);
  }

  async flagsOf(target: Flag['target']): Promise<Flag[]> {
    return (await this.pool.query<FlagRow>(`SELECT ${FLAG_COLS} FROM decision_flags WHERE target_kind = $1 AND target_id = $2 ORDER BY created_at`, [target.kind, target.id])).rows.map(toFlag);
  }

  /** Writes a hold; one with `supersededBy` marks a stored review superseded, and no more (holdUpsert). */
  async putHold(h: Hold): Promise<void> {
    await this.pool.query(holdUpsert(h, HOLD_VALUES), holdParams(h));
  }

  async decideHold(h: Hold): Promise<boolean> {
    const r = await this.pool.query(`UPDATE decision_holds SET status = $2, decided_at = $3, reviewer = $4, note = $5 WHERE id = $1 AND status = 'pending' AND superseded_by IS NULL AND NOT ${followed('decision_holds')}`, [h.id, h.status, h.decidedAt, h.reviewer, h.note]);
    return r.rowCount === 1;
  }

  async getHold(id: string): Promise<Hold | undefined> {
    const r = (await this.pool.query<HoldRow>(`SELECT ${HOLD_SELECT} FROM decision_holds h WHERE h.id = $1`, [id])).rows[0];
    return r ? toHold(r) : undefined;
  }

  async listHolds(q: { status?: Hold['status']; queue?: string; limit: number; before?: string }): Promise<Hold[]> {
    const args: unknown[] = [];
    const where: string[] = [];
    if (q.status) (args.push(q.status), where.push(`status = $${args.length}`));
    if (q.queue) (args.push(q.queue), where.push(`queue = $${args.length}`));
    if (q.before) (args.push(q.before), where.push(`(created_at, id) < (SELECT created_at, id FROM decision_holds WHERE id = $${args.length})`));
    args.push(q.limit);
    const sql = `SELECT ${HOLD_SELECT} FROM decision_holds h${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY h.created_at DESC, h.id DESC LIMIT $${args.length}`;
    return (await this.pool.query<HoldRow>(sql, args)).rows.map(toHold);
  }

  async liveHolds(since: LiveHoldsSince): Promise<Hold[]> {
    const sql = `SELECT ${HOLD_SELECT} FROM decision_holds h WHERE (h.status = 'pending' AND h.created_at > $1) OR (h.status = 'approved' AND h.decided_at > $2) OR (h.status = 'rejected' AND h.decided_at >= $3)`;
    return (await this.pool.query<HoldRow>(sql, [since.pending, since.approved, since.rejected])).rows.map(toHold);
  }

  async profileIds(afterId: string, limit: number): Promise<string[]> {
    return (await this.pool.query<{ id: string }>('SELECT id FROM profiles WHERE merged_into IS NULL AND state IS NOT NULL AND id > $1 ORDER BY id LIMIT $2', [afterId, limit])).rows.map((r) => r.id);
  }
}
