import type { Statement } from 'better-sqlite3';
import type { ContactRead, ContactRow, CountRow, DecisionQuery, DelayRow, GroupCountRow, DecisionPosition, DecisionRecord, DecisionStore, Flag, Hold, LiveHoldsSince, OpenChoiceRow, OutcomePosition, OutcomeRecord, SentFlag, VolumeRow } from '../../decide/decision-store.js';
import { timeSlicer } from '../../models/train/time-slice.js';
import type { Db } from './database.js';
import {
  FLAG_COLS, HOLD_COLS, HOLD_SELECT, OUTCOME_COLS, choiceParams, decisionFilter, flagParams, followed, holdParams, holdUpsert, outcomeKey, outcomeParams, toFlag, toHold, toOutcome,
  type FlagRow, type HoldRow, type OutcomeRow,
} from './decisions-rows.js';
import { decodeBody } from './decision-body.js';
import { FOLD_STEP, LOWER_MARKS, PACED_STEP, SqliteDecisionCounts } from './decision-counts.js';
import { GroupAppender } from './decisions-appender.js';
import type { SqliteWriter } from './writer.js';

/** Decisions read per page by `queryDecisions` (each body then decoded a time slice at a time): the read ≈ 2–15 ms. */
const DECISION_PAGE = 200;

const SQL = {
  decision: 'INSERT INTO decisions (id, profile_key, placement, at, body, segment, micro_segment, micro_segment_model) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  choice: 'INSERT INTO decision_choices (decision_id, rank, kind, action, channel, placement, profile_key, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  outcome: `INSERT OR IGNORE INTO decision_outcomes (${OUTCOME_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  // An upsert, not INSERT OR REPLACE: a replace deletes the row, and with it the messageId the flag
  // was added with — a retry after a clearing then added the flag again.
  flag: `INSERT INTO decision_flags (${FLAG_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET ${FLAG_COLS.split(', ').slice(1).map((c) => `${c} = excluded.${c}`).join(', ')}`,
  flagOnce: `INSERT INTO decision_flags (${FLAG_COLS}, message_id, request_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING`,
  holdValues: HOLD_COLS.split(', ').map(() => '?').join(', '),
  // A review a newer one of the same person and action followed takes no verdict (human-territory.ts).
  decideHold: `UPDATE decision_holds SET status = ?, decided_at = ?, reviewer = ?, note = ? WHERE id = ? AND status = 'pending' AND superseded_by IS NULL AND NOT ${followed('decision_holds')}`,
  pruneDecisions: 'DELETE FROM decisions WHERE seq IN (SELECT seq FROM decisions WHERE at < ? ORDER BY at LIMIT 5000)',
  pruneChoices: 'DELETE FROM decision_choices WHERE (decision_id, rank) IN (SELECT decision_id, rank FROM decision_choices WHERE at < ? ORDER BY at LIMIT 5000)',
  pruneOutcomes: 'DELETE FROM decision_outcomes WHERE seq IN (SELECT seq FROM decision_outcomes WHERE at < ? ORDER BY at LIMIT 5000)',
  pruneVolumes: 'DELETE FROM decision_volumes WHERE minute < ?',
};

/**
 * The decision log and its companions on SQLite. Every write goes through the writer thread;
 * decisions are group-committed (the appends that arrive while a commit is in flight go together
 * in the next one) and each resolves once durable. Reads use this thread's connection.
 *
 * @example
 * await store.decisions.appendDecision(record); // durable when it resolves
 */
export class SqliteDecisionStore implements DecisionStore {
  /** Folds run often and paced (PACED_STEP): each holds the single writer for a few ms, never seconds. */
  readonly foldEveryMs = 2_000;
  private readonly s;
  private readonly shapes = new Map<string, Statement<unknown[]>>();
  private readonly log: GroupAppender;
  private readonly counts: SqliteDecisionCounts;

  constructor(private readonly db: Db, private readonly writer: SqliteWriter) {
    // The body (parameter 4) is stored compressed by the writer thread (decision-body.ts).
    this.log = new GroupAppender(writer, [{ sql: SQL.decision, compress: [4] }, SQL.choice]);
    this.counts = new SqliteDecisionCounts(db, writer);
    this.s = {
      get: db.prepare('SELECT body FROM decisions WHERE id = ?').pluck(),
      contacts: db.prepare(`SELECT c.decision_id AS decisionId, c.at, c.profile_key AS profileKey, c.action, c.channel, c.placement, d.segment AS segment, d.micro_segment AS microSegment, d.micro_segment_model AS microSegmentModel FROM decision_choices c JOIN decisions d ON d.id = c.decision_id WHERE c.at >= ? AND c.at < ? AND c.kind = 'action' ORDER BY c.at, c.decision_id, c.rank`),
      contactsOf: db.prepare(`SELECT c.decision_id AS decisionId, c.at, c.profile_key AS profileKey, c.action, c.channel, c.placement, d.segment AS segment, d.micro_segment AS microSegment, d.micro_segment_model AS microSegmentModel FROM decisions d JOIN decision_choices c ON c.decision_id = d.id WHERE d.profile_key IN (SELECT value FROM json_each(?)) AND d.at >= ? AND d.at <= ? AND c.kind = 'action' ORDER BY c.at, c.decision_id, c.rank`),
      newestContactsOf: db.prepare(`SELECT c.decision_id AS decisionId, c.at, c.profile_key AS profileKey, c.action, c.channel, c.placement, d.segment AS segment, d.micro_segment AS microSegment, d.micro_segment_model AS microSegmentModel FROM decisions d JOIN decision_choices c ON c.decision_id = d.id WHERE d.profile_key IN (SELECT value FROM json_each(?)) AND d.at >= ? AND d.at <= ? AND c.kind = 'action' ORDER BY c.at DESC, c.decision_id, c.rank LIMIT ?`),
      newestOfKey: db.prepare(`SELECT c.decision_id AS decisionId, c.at, c.profile_key AS profileKey, c.action, c.channel, c.placement, d.segment AS segment, d.micro_segment AS microSegment, d.micro_segment_model AS microSegmentModel FROM decisions d JOIN decision_choices c ON c.decision_id = d.id WHERE d.profile_key = ? AND d.at >= ? AND d.at <= ? AND c.kind = 'action' ORDER BY d.at DESC, d.seq DESC, c.rank LIMIT ?`),
      positions: db.prepare(`SELECT id, at, profile_key AS profileKey, segment, micro_segment AS microSegment, micro_segment_model AS microSegmentModel FROM decisions WHERE id IN (SELECT value FROM json_each(?))`),
      anyContact: db.prepare(`SELECT 1 FROM decision_choices WHERE at >= ? AND at < ? AND kind = 'action' LIMIT 1`).pluck(),
      // The successes of the choices of an hour: the choices by time, each one's outcomes by decision
      // (the unary + keeps the planner off the outcomes' time index).
      successDelays: db.prepare(`SELECT c.action AS action, c.at AS decidedAt, o.at AS at, d.segment AS segment, d.micro_segment AS microSegment, d.micro_segment_model AS microSegmentModel
        FROM decision_choices c JOIN decision_outcomes o ON o.decision_id = c.decision_id AND +o.action = c.action JOIN decisions d ON d.id = c.decision_id
        WHERE c.at >= ? AND c.at < ? AND c.kind = 'action' AND +o.success = 1 AND +o.seq <= ?`),
      lastOutcomeSeq: db.prepare(`SELECT coalesce(max(seq), 0) FROM decision_outcomes`).pluck(),
      anonymousKeys: db.prepare(`SELECT DISTINCT d.profile_key FROM decisions d WHERE d.profile_key >= 'anon:' AND d.profile_key < 'anon;' AND d.at >= ? AND d.at < ? AND EXISTS (SELECT 1 FROM decision_choices c WHERE c.decision_id = d.id AND c.kind = 'action')`).pluck(),
      outcomesSince: db.prepare(`SELECT ${OUTCOME_COLS} FROM decision_outcomes WHERE at >= ? ORDER BY at, seq`),
      // Keyset on (at, seq): `seq` is the rowid, so the index on `at` holds the order and each page starts where the last ended.
      outcomesPage: db.prepare(`SELECT ${OUTCOME_COLS}, seq FROM decision_outcomes WHERE at >= ? AND (at > ? OR seq > ?) ORDER BY at, seq LIMIT ?`),
      signalsSince: db.prepare(`SELECT ${OUTCOME_COLS} FROM decision_outcomes WHERE at >= ? AND at < ? AND ((success = 1 AND at >= ?) OR type = 'dismissal') ORDER BY at, seq`),
      loggedIds: db.prepare('SELECT DISTINCT id FROM decision_outcomes WHERE id IN (SELECT value FROM json_each(?))').pluck(),
      successesOf: db.prepare(`SELECT DISTINCT decision_id AS decisionId, action FROM decision_outcomes WHERE decision_id IN (SELECT value FROM json_each(?)) AND success = 1 AND action IS NOT NULL`),
      withIds: db.prepare(`SELECT ${OUTCOME_COLS} FROM decision_outcomes WHERE id IN (SELECT value FROM json_each(?)) ORDER BY at, seq`),
      outcomesOf: db.prepare(`SELECT ${OUTCOME_COLS} FROM decision_outcomes WHERE decision_id = ? ORDER BY at, seq`),
      // Of these [id, decision, action] triples, those stored as not-a-success.
      refusedSuccesses: db.prepare(`SELECT o.id, o.decision_id AS decisionId, o.action FROM json_each(?) j JOIN decision_outcomes o
        ON o.id = json_extract(j.value, '$[0]') AND o.decision_id = json_extract(j.value, '$[1]') AND coalesce(o.action, '') = json_extract(j.value, '$[2]') WHERE o.success = 0`),
      countOld: db.prepare('SELECT (SELECT count(*) FROM decisions WHERE at < ?) AS d, (SELECT count(*) FROM decision_outcomes WHERE at < ?) AS o, (SELECT count(*) FROM decision_choices WHERE at < ?) AS c'),
      flag: db.prepare(`SELECT ${FLAG_COLS} FROM decision_flags WHERE id = ?`),
      flagOfMessage: db.prepare(`SELECT ${FLAG_COLS}, request_hash FROM decision_flags WHERE message_id = ?`),
      openFlags: db.prepare(`SELECT ${FLAG_COLS} FROM decision_flags WHERE cleared_at IS NULL ORDER BY created_at`),
      flagsOf: db.prepare(`SELECT ${FLAG_COLS} FROM decision_flags WHERE target_kind = ? AND target_id = ? ORDER BY created_at`),
      hold: db.prepare(`SELECT ${HOLD_SELECT} FROM decision_holds h WHERE h.id = ?`),
      liveHolds: db.prepare(`SELECT ${HOLD_SELECT} FROM decision_holds h WHERE (h.status = 'pending' AND h.created_at > ?) OR (h.status = 'approved' AND h.decided_at > ?) OR (h.status = 'rejected' AND h.decided_at >= ?)`),
      profileIds: db.prepare('SELECT id FROM profiles WHERE merged_into IS NULL AND state IS NOT NULL AND id > ? ORDER BY id LIMIT ?').pluck(),
    };
  }

  async appendDecision(d: DecisionRecord): Promise<void> {
    // The record itself, not its JSON: the writer thread serialises it (WriteOp.compress), which
    // spares the event loop the text (≈ 14 KB a decision of 5 KB, built in parts then flattened)
    // and its copy into the message — a fifth of what a decision allocated (docs/benchmarks.md).
    const row = [d.id, d.profileKey, d.placement, d.at, d, d.segment ?? null, d.microSegment ?? null, d.microSegmentModel ?? null];
    await this.log.append([[row], choiceParams(d)]);
  }

  async getDecision(id: string): Promise<DecisionRecord | undefined> {
    const body = this.s.get.get(id) as string | Buffer | undefined;
    return body ? decodeBody(body) : undefined;
  }

  /**
   * The log newest first by (at, id), read {@link DECISION_PAGE} decisions at a time — each page
   * after the last decision of the one before, so the same decisions as one read — with the event
   * loop given a turn between bodies decoded (zlib) once a time slice has run out: a caller's page
   * of 2,000 read and decoded at once held the server's thread 155–228 ms (QA 2026-12-06).
   */
  async queryDecisions(q: DecisionQuery): Promise<DecisionRecord[]> {
    const out: DecisionRecord[] = [];
    const slice = timeSlicer();
    let after = q.after;
    while (out.length < q.limit) {
      const n = Math.min(DECISION_PAGE, q.limit - out.length);
      const rows = this.decisionPage({ ...q, after, limit: n });
      for (const r of rows) {
        if (slice.due()) await slice.pause();
        out.push(decodeBody(r.body));
      }
      if (rows.length < n) break;
      const last = rows[rows.length - 1];
      after = { at: last.at, id: last.id };
    }
    return out;
  }

  /** One page of {@link queryDecisions}, bodies not yet decoded. */
  private decisionPage(q: DecisionQuery): { id: string; at: number; body: string | Buffer }[] {
    const { viaChoices, where, args } = decisionFilter(q);
    const from = viaChoices ? 'decision_choices c JOIN decisions d ON d.id = c.decision_id' : 'decisions d';
    const sql = `SELECT DISTINCT d.id, d.at, d.body FROM ${from}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY d.at DESC, d.id DESC LIMIT ?`;
    let stmt = this.shapes.get(sql);
    if (!stmt) this.shapes.set(sql, (stmt = this.db.prepare<unknown[]>(sql)));
    args.push(q.limit);
    return stmt.all(...args) as { id: string; at: number; body: string | Buffer }[];
  }

  async contactsSince(at: number, before = Number.MAX_SAFE_INTEGER): Promise<ContactRow[]> {
    return this.s.contacts.all(at, before) as ContactRow[];
  }

  async contactsOf(profileKeys: readonly string[], from: number, to: number, o: { newestFirst?: { limit: number } } = {}): Promise<ContactRow[]> {
    return this.readContacts({ profileKeys, from, to, ...o });
  }

  /** One statement a read, as `contactsOf`: SQLite has no round trip to save. */
  async contactsOfMany(reads: readonly ContactRead[]): Promise<ContactRow[][]> {
    return reads.map((r) => this.readContacts(r));
  }

  private readContacts(r: ContactRead): ContactRow[] {
    if (!r.profileKeys.length) return [];
    const keys = JSON.stringify(r.profileKeys);
    return (r.newestFirst ? this.s.newestContactsOf.all(keys, r.from, r.to, r.newestFirst.limit) : this.s.contactsOf.all(keys, r.from, r.to)) as ContactRow[];
  }

  async contactVolumes(from: number, to: number): Promise<VolumeRow[]> {
    return this.counts.volumes(from, to);
  }

  async newestContactsOfKey(profileKey: string, from: number, to: number, limit: number): Promise<ContactRow[]> {
    return this.s.newestOfKey.all(profileKey, from, to, limit) as ContactRow[];
  }

  async positionsOf(ids: readonly string[]): Promise<DecisionPosition[]> {
    return ids.length ? (this.s.positions.all(JSON.stringify(ids)) as DecisionPosition[]) : [];
  }

  async anyContact(from: number, to: number): Promise<boolean> {
    return this.s.anyContact.get(from, to) !== undefined;
  }

  async anonymousKeys(from: number, to: number): Promise<string[]> {
    return this.s.anonymousKeys.all(from, to) as string[];
  }

  readOpenChoices(from: number, to: number, each: (rows: OpenChoiceRow[]) => void, pause: () => Promise<void>, upToSeq?: number): Promise<void> {
    return this.counts.readOpen(from, to, each, pause, upToSeq);
  }

  async successDelays(from: number, to: number, upTo: number): Promise<DelayRow[]> {
    return this.s.successDelays.all(from, to, upTo) as DelayRow[];
  }

  async lastOutcomeSeq(): Promise<number> {
    return Number(this.s.lastOutcomeSeq.get());
  }

  async trialCounts(): Promise<CountRow[]> {
    return this.counts.trials();
  }

  async successCounts(): Promise<CountRow[]> {
    return this.counts.successes();
  }

  async groupCounts(): Promise<GroupCountRow[]> {
    return this.counts.groups();
  }

  foldCounts(step?: number, until?: number, pace?: number, keptOpenMs?: number): Promise<{ decisions: number; outcomes: number }> {
    return this.counts.fold(step ?? (pace ? PACED_STEP : FOLD_STEP), until, pace, keptOpenMs);
  }

  async countMarks(): Promise<{ decisions: number; outcomes: number }> {
    return this.counts.marks();
  }

  /**
   * Stores the outcomes (one already stored under its id and decision is left as it is). A decision's
   * action has one success, held by a unique index on the successes (migration decide-005), which
   * INSERT OR IGNORE obeys: a success the index refused — another store on the file (a process
   * beside the server) stored one for that decision's action first — is then stored as
   * not-a-success in the same write, and its record's `success` is set to false, so the caller
   * counts what the log holds. (The writer's transactions are serialised by SQLite's write lock
   * across processes: the index sees every committed success.)
   */
  async addOutcomes(o: OutcomeRecord[]): Promise<OutcomeRecord[]> {
    if (!o.length) return [];
    const wins = o.filter((r) => r.success && r.decisionId);
    const ops = [{ sql: SQL.outcome, rows: o.map(outcomeParams) }];
    if (wins.length) ops.push({ sql: SQL.outcome, rows: wins.map((r) => outcomeParams({ ...r, success: false })) });
    await this.writer.run(ops);
    if (!wins.length) return [];
    const rows = this.s.refusedSuccesses.all(JSON.stringify(wins.map((r) => [r.id, r.decisionId, r.action ?? '']))) as { id: string; decisionId: string; action: string | null }[];
    const refused = new Set(rows.map((r) => outcomeKey(r.id, r.decisionId, r.action)));
    for (const r of wins) if (refused.has(outcomeKey(r.id, r.decisionId as string, r.action))) r.success = false;
    // One server writes an embedded store, and its recorder records an id one call at a time:
    // no record here can have been stored meanwhile by another recorder (PostgreSQL's can).
    return [];
  }

  async outcomesSince(at: number, signals?: { successesSince?: number; before?: number }): Promise<OutcomeRecord[]> {
    const rows = signals ? this.s.signalsSince.all(at, signals.before ?? Number.MAX_SAFE_INTEGER, signals.successesSince ?? at) : this.s.outcomesSince.all(at);
    return (rows as OutcomeRow[]).map(toOutcome);
  }

  async outcomesPage(at: number, page: { after?: OutcomePosition; limit: number }): Promise<{ outcomes: OutcomeRecord[]; next?: OutcomePosition }> {
    const after = page.after ?? { at, seq: 0 };
    const rows = this.s.outcomesPage.all(Math.max(at, after.at), after.at, after.seq, page.limit) as (OutcomeRow & { seq: number })[];
    const last = rows[rows.length - 1];
    return { outcomes: rows.map(toOutcome), ...(last && rows.length >= page.limit ? { next: { at: last.at, seq: last.seq } } : {}) };
  }

  async loggedOutcomeIds(ids: readonly string[]): Promise<Set<string>> {
    return new Set(ids.length ? (this.s.loggedIds.all(JSON.stringify(ids)) as string[]) : []);
  }

  async outcomesWithIds(ids: readonly string[]): Promise<OutcomeRecord[]> {
    return ids.length ? (this.s.withIds.all(JSON.stringify(ids)) as OutcomeRow[]).map(toOutcome) : [];
  }

  async outcomesOf(decisionId: string): Promise<OutcomeRecord[]> {
    return (this.s.outcomesOf.all(decisionId) as OutcomeRow[]).map(toOutcome);
  }

  async successesOf(decisionIds: readonly string[]): Promise<{ decisionId: string; action: string }[]> {
    return decisionIds.length ? (this.s.successesOf.all(JSON.stringify(decisionIds)) as { decisionId: string; action: string }[]) : [];
  }

  async prune(before: number): Promise<{ decisions: number; outcomes: number }> {
    return this.counts.exclusive(async () => {
      const n = this.s.countOld.get(before, before, before) as { d: number; o: number; c: number };
      const rounds = Math.ceil(Math.max(n.d, n.o, n.c) / 5000);
      for (let i = 0; i < rounds; i++) {
        const ops = [SQL.pruneDecisions, SQL.pruneChoices, SQL.pruneOutcomes].map((sql) => ({ sql, rows: [[before]] }));
        // The snapshot's volumes of the minutes wholly before the cut go with the choices they counted.
        const volumes = i === 0 ? [{ sql: SQL.pruneVolumes, rows: [[Math.floor(before / 60_000)]] }] : [];
        await this.writer.run([...ops, ...volumes, { sql: LOWER_MARKS, rows: [[]] }]);
      }
      return { decisions: n.d, outcomes: n.o };
    });
  }

  async putFlag(f: Flag): Promise<void> {
    await this.writer.run([{ sql: SQL.flag, rows: [flagParams(f)] }]);
  }

  async putFlagOnce(f: Flag, messageId: string, requestHash: string): Promise<SentFlag & { stored: boolean }> {
    await this.writer.run([{ sql: SQL.flagOnce, rows: [[...flagParams(f), messageId, requestHash]] }]);
    // Read once committed: this flag, or the one another call (or process on the file) stored first.
    const held = (await this.flagOfMessage(messageId)) as SentFlag;
    return { ...held, stored: held.flag.id === f.id };
  }

  async flagOfMessage(messageId: string): Promise<SentFlag | undefined> {
    const r = this.s.flagOfMessage.get(messageId) as (FlagRow & { request_hash: string }) | undefined;
    return r ? { flag: toFlag(r), requestHash: r.request_hash } : undefined;
  }

  async getFlag(id: string): Promise<Flag | undefined> {
    const r = this.s.flag.get(id) as FlagRow | undefined;
    return r ? toFlag(r) : undefined;
  }

  async openFlags(): Promise<Flag[]> {
    return (this.s.openFlags.all() as FlagRow[]).map(toFlag);
  }

  async flagsOf(target: Flag['target']): Promise<Flag[]> {
    return (this.s.flagsOf.all(target.kind, target.id) as FlagRow[]).map(toFlag);
  }

  /** Writes a hold; one with `supersededBy` marks a stored review superseded, and no more (holdUpsert). */
  async putHold(h: Hold): Promise<void> {
    await this.writer.run([{ sql: holdUpsert(h, SQL.holdValues), rows: [holdParams(h)] }]);
  }

  async decideHold(h: Hold): Promise<boolean> {
    await this.writer.run([{ sql: SQL.decideHold, rows: [[h.status, h.decidedAt, h.reviewer, h.note, h.id]] }]);
    // The one writer applies verdicts in turn: the row shows whichever came first.
    const now = await this.getHold(h.id);
    return !!now && now.status === h.status && now.decidedAt === h.decidedAt && now.reviewer === h.reviewer && now.note === h.note;
  }

  async getHold(id: string): Promise<Hold | undefined> {
    const r = this.s.hold.get(id) as HoldRow | undefined;
    return r ? toHold(r) : undefined;
  }

  async listHolds(q: { status?: Hold['status']; queue?: string; limit: number; before?: string }): Promise<Hold[]> {
    const where = [q.status ? 'status = ?' : '', q.queue ? 'queue = ?' : '', q.before ? '(created_at, id) < (SELECT created_at, id FROM decision_holds WHERE id = ?)' : ''].filter(Boolean);
    const sql = `SELECT ${HOLD_SELECT} FROM decision_holds h${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY h.created_at DESC, h.id DESC LIMIT ?`;
    const args = [q.status, q.queue, q.before].filter(Boolean);
    return (this.db.prepare(sql).all(...args, q.limit) as HoldRow[]).map(toHold);
  }

  async liveHolds(since: LiveHoldsSince): Promise<Hold[]> {
    return (this.s.liveHolds.all(since.pending, since.approved, since.rejected) as HoldRow[]).map(toHold);
  }

  async profileIds(afterId: string, limit: number): Promise<string[]> {
    return this.s.profileIds.all(afterId, limit) as string[];
  }
}
