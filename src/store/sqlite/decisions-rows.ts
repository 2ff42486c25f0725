import type { DecisionRecord } from '../../decide/decision.js';
import type { DecisionQuery, GroupCountRow } from '../../decide/decision-store.js';
import type { Flag, Hold, OutcomeRecord } from '../../decide/records.js';

/**
 * How far back the counts' snapshot keeps action choices per hour (`decision_open_hours`, ADR 0007),
 * on both stores, at least: a start counts open the choices of the longest attribution window and
 * reads them from there, so a fold keeps the longest window's hours when it is longer
 * (`foldCounts`' `keptOpenMs`; until 2026-12-07 a start read a 120-day window's choices older than
 * 90 days as decided).
 */
export const OPEN_HOURS_KEPT_MS = 90 * 86_400_000;

/** The first hour (floor(ms / 1 h)) a fold keeps of the choices per hour: `keptOpenMs` back, and at least {@link OPEN_HOURS_KEPT_MS}. */
export function firstKeptOpenHour(keptOpenMs: number, now = Date.now()): number {
  return Math.floor((now - Math.max(OPEN_HOURS_KEPT_MS, keptOpenMs)) / 3_600_000);
}

/** Row shapes of the decisions tables and their mapping to domain records (shared by both stores). */
export interface FlagRow {
  id: string; target_kind: 'profile' | 'account'; target_id: string; name: string; note: string; until: number | null;
  author: string; created_at: number; cleared_at: number | null; cleared_by: string | null;
}
/** A decision_holds row. */
export interface HoldRow {
  id: string; decision_id: string; profile_key: string; subject: string; placement: string; action: string; variant: string | null;
  queue: string; status: Hold['status']; created_at: number; decided_at: number | null; reviewer: string | null; note: string | null; delivered_in: string | null;
  content_hash: string | null; superseded_by: string | null;
}
/** A decision_outcomes row. */
export interface OutcomeRow {
  id: string; decision_id: string; profile_key: string; action: string | null; type: string; value: number | null;
  credit: number; reward: number; success: number | boolean; source: 'api' | 'event'; at: number; item: string | null; recorded_at: number | string | null;
}

/** A flag row as a Flag. @example toFlag(row).target // { kind: 'account', id: 'acme' } */
export const toFlag = (r: FlagRow): Flag => ({
  id: r.id, target: { kind: r.target_kind, id: r.target_id }, name: r.name, note: r.note, until: r.until, author: r.author,
  createdAt: r.created_at, clearedAt: r.cleared_at, clearedBy: r.cleared_by,
});
/** A Flag as the row's parameters, in FLAG_COLS order. @example flagParams(flag) */
export const flagParams = (f: Flag): unknown[] => [f.id, f.target.kind, f.target.id, f.name, f.note, f.until, f.author, f.createdAt, f.clearedAt, f.clearedBy];

/** A hold row as a Hold. @example toHold(row).status */
export const toHold = (r: HoldRow): Hold => ({
  id: r.id, decisionId: r.decision_id, profileKey: r.profile_key, subject: r.subject, placement: r.placement, action: r.action, variant: r.variant,
  queue: r.queue, status: r.status, createdAt: r.created_at, decidedAt: r.decided_at, reviewer: r.reviewer, note: r.note, deliveredIn: r.delivered_in,
  ...(r.content_hash ? { contentHash: r.content_hash } : {}),
  ...(r.superseded_by ? { supersededBy: r.superseded_by } : {}),
});
/** A Hold as the row's parameters, in HOLD_COLS order. @example holdParams(hold) */
export const holdParams = (h: Hold): unknown[] => [h.id, h.decisionId, h.profileKey, h.subject, h.placement, h.action, h.variant, h.queue, h.status, h.createdAt, h.decidedAt, h.reviewer, h.note, h.deliveredIn, h.contentHash ?? null, h.supersededBy ?? null];

/** An outcome row as an OutcomeRecord (`decision_id` '' is none). @example toOutcome(row).decisionId */
export const toOutcome = (r: OutcomeRow): OutcomeRecord => ({
  id: r.id, at: r.at, profileKey: r.profile_key, type: r.type, value: r.value, decisionId: r.decision_id || null, action: r.action,
  credit: r.credit, reward: r.reward, success: r.success === 1 || r.success === true, source: r.source, ...(r.item ? { item: r.item } : {}),
  ...(r.recorded_at !== null && r.recorded_at !== undefined ? { recordedAt: Number(r.recorded_at) } : {}),
});
/** An OutcomeRecord as the row's parameters, in OUTCOME_COLS order. @example outcomeParams(o) */
export const outcomeParams = (o: OutcomeRecord): unknown[] => [o.id, o.decisionId ?? '', o.profileKey, o.action, o.type, o.value, o.credit, o.reward, o.success ? 1 : 0, o.source, o.at, o.item ?? null, o.recordedAt ?? null];

/**
 * The choice rows of a decision (a handoff's action is `queue:<name>`), and for each choice that
 * stands in for an action held for review, a row of kind `held` naming that action at rank −rank:
 * the log is asked by action for it too (GET /v1/decisions?action=). Every reader of contacts,
 * volumes, trials and budgets reads `kind = 'action'` only: a held action is no contact.
 *
 * @example
 * choiceParams(record); // [[id, 1, 'action', 'newsletter', 'web', 'home', key, at], [id, -1, 'held', 'loan-offer', 'web', 'home', key, at]]
 */
/** An outcome row's key in the log: its id, its decision and its action (one outcome may credit several actions of a decision). */
export const outcomeKey = (id: string, decisionId: string, action: string | null | undefined): string => `${id}\u0000${decisionId}\u0000${action ?? ''}`;

export const choiceParams = (d: DecisionRecord): unknown[][] => {
  const rows = d.choices.map((c) => [d.id, c.rank, c.kind, c.kind === 'handoff' ? `queue:${c.queue}` : (c.action ?? null), d.channel, d.placement, d.profileKey, d.at]);
  for (const c of d.choices) if (c.held) rows.push([d.id, -c.rank, 'held', c.held.action, d.channel, d.placement, d.profileKey, d.at]);
  return rows;
};

/**
 * The WHERE terms and arguments of a decision-log query, `?` for each argument (decisions `d`,
 * with `c` their choice rows when the query names an action; ordered by `d.at DESC, d.id DESC`).
 *
 * @example
 * decisionFilter({ action: 'loan-offer', held: true, limit: 10 }); // { viaChoices: true, where: ['c.action = ?'], args: ['loan-offer'] }
 */
export function decisionFilter(q: DecisionQuery): { viaChoices: boolean; where: string[]; args: unknown[] } {
  const where: string[] = [];
  const args: unknown[] = [];
  const viaChoices = q.action !== undefined;
  const t = viaChoices ? 'c' : 'd';
  if (typeof q.profileKey === 'string') (where.push(`${t}.profile_key = ?`), args.push(q.profileKey));
  else if (q.profileKey) (where.push(`${t}.profile_key IN (${q.profileKey.map(() => '?').join(', ') || 'NULL'})`), args.push(...q.profileKey));
  // `none` (an id no action may take) finds the decisions that chose to do nothing: their choice rows
  // hold no action (until 2026-12-06 `action=none` answered an empty page: QA).
  if (q.action === 'none') where.push("c.kind = 'none'");
  else if (q.action !== undefined) (where.push(q.held ? 'c.action = ?' : "c.action = ? AND c.kind <> 'held'"), args.push(q.action));
  if (q.placement !== undefined) (where.push(`${t}.placement = ?`), args.push(q.placement));
  if (q.from !== undefined) (where.push(`${t}.at >= ?`), args.push(q.from));
  if (q.to !== undefined) (where.push(`${t}.at < ?`), args.push(q.to));
  // (at, id) < (after.at, after.id), written so the time index bounds the scan.
  if (q.after) (where.push('d.at <= ? AND (d.at < ? OR d.id < ?)'), args.push(q.after.at, q.after.at, q.after.id));
  return { viaChoices, where, args };
}

/** Columns of decision_flags. @example `SELECT ${FLAG_COLS} FROM decision_flags` */
export const FLAG_COLS = 'id, target_kind, target_id, name, note, until, author, created_at, cleared_at, cleared_by';
/** Columns of decision_holds. @example `SELECT ${HOLD_COLS} FROM decision_holds` */
export const HOLD_COLS = 'id, decision_id, profile_key, subject, placement, action, variant, queue, status, created_at, decided_at, reviewer, note, delivered_in, content_hash, superseded_by';

/**
 * SQL true of the row `h` when a later review of the same profile key and action was opened after
 * it: decisions follow the newest (human-territory.ts). A review the decision state let go of (a
 * lapsed approval, say) is not marked by the decision that opens its successor; this reads it as
 * superseded all the same, when a lengthened window or a restart reads it again.
 */
const NEWER = (h: string) => `FROM decision_holds n WHERE n.profile_key = ${h}.profile_key AND n.action = ${h}.action AND (n.created_at > ${h}.created_at OR (n.created_at = ${h}.created_at AND n.id > ${h}.id))`;
/** Whether a later review of the same profile key and action followed the row `h` (a verdict on it is refused). @example `... AND NOT ${followed('decision_holds')}` */
export const followed = (h: string): string => `EXISTS (SELECT 1 ${NEWER(h)})`;
/**
 * The columns of decision_holds as read, from `decision_holds h`: `superseded_by` is the mark, else
 * the newest later review of the same profile key and action, if any ({@link NEWER}).
 *
 * @example `SELECT ${HOLD_SELECT} FROM decision_holds h WHERE h.id = ?`
 */
export const HOLD_SELECT = HOLD_COLS.split(', ').map((c) => (c === 'superseded_by' ? `coalesce(h.superseded_by, (SELECT n.id ${NEWER('h')} ORDER BY n.created_at DESC, n.id DESC LIMIT 1)) AS superseded_by` : `h.${c}`)).join(', ');
/**
 * Writes a hold (`values`: the store's placeholders, in HOLD_COLS order). A review once marked
 * superseded stays so (a write without the mark keeps it). A hold written with `supersededBy` is
 * the mark alone on a stored review: its other columns stay as they are — a verdict written since
 * the decision read the review stands.
 *
 * @example holdUpsert(hold, '?, ?, …') // INSERT … ON CONFLICT (id) DO UPDATE SET …
 */
export const holdUpsert = (h: Hold, values: string): string => {
  const set = h.supersededBy
    ? 'superseded_by = coalesce(decision_holds.superseded_by, excluded.superseded_by)'
    : HOLD_COLS.split(', ').filter((c) => c !== 'id' && c !== 'superseded_by').map((c) => `${c} = excluded.${c}`).join(', ');
  return `INSERT INTO decision_holds (${HOLD_COLS}) VALUES (${values}) ON CONFLICT (id) DO UPDATE SET ${set}`;
};
/**
 * When an outcome row changed the estimates' counts, in SQL: when it was recorded, or for a row
 * stored before 2026-12-07 (no `recorded_at`) when it happened. `alias` is the table's, if any.
 * @example `SELECT max(${outcomeRecordedSql('o')}) FROM decision_outcomes o`
 */
export const outcomeRecordedSql = (alias?: string): string => (alias ? `coalesce(${alias}.recorded_at, ${alias}.at)` : 'coalesce(recorded_at, at)');
/** Columns of decision_outcomes. @example `SELECT ${OUTCOME_COLS} FROM decision_outcomes` */
export const OUTCOME_COLS = 'id, decision_id, profile_key, action, type, value, credit, reward, success, source, at, item, recorded_at';

/** A count per action and ladder group, as both stores' group queries return it. */
export interface GroupN {
  action: string;
  segment: string | null;
  microSegment: number | string | null;
  microSegmentModel: string | null;
  n: number | string;
  /** When these counts last changed (ms; a bigint string from PostgreSQL), null when not known. */
  at: number | string | null;
}

/**
 * Trials and successes per (action, group) from the two grouped queries (shared by both stores),
 * and when they last changed: the newest of the rows'.
 *
 * @example
 * joinGroupCounts([{ action: 'a', segment: 'vip', microSegment: null, microSegmentModel: null, n: 4, at: 1_700_000_000_000 }], []);
 * // [{ action: 'a', segment: 'vip', microSegment: null, microSegmentModel: null, trials: 4, successes: 0, at: 1_700_000_000_000 }]
 */
export function joinGroupCounts(trials: GroupN[], successes: GroupN[]): GroupCountRow[] {
  const key = (r: GroupN) => `${r.action}|${r.segment ?? ''}|${r.microSegment ?? ''}|${r.microSegmentModel ?? ''}`;
  const out = new Map<string, GroupCountRow>();
  const row = (r: GroupN) => {
    let x = out.get(key(r));
    if (!x) out.set(key(r), (x = { action: r.action, segment: r.segment, microSegment: r.microSegment === null ? null : Number(r.microSegment), microSegmentModel: r.microSegmentModel, trials: 0, successes: 0, at: null }));
    if (r.at !== null && (x.at === null || Number(r.at) > x.at)) x.at = Number(r.at);
    return x;
  };
  for (const r of trials) row(r).trials += Number(r.n);
  for (const r of successes) row(r).successes += Number(r.n);
  return [...out.values()];
}

/**
 * A volumes query in whole minutes: `first` the first minute wholly at or after `from`, `end` the
 * first minute not wholly before `to`; undefined when no minute is whole (the log answers alone).
 */
export function wholeMinutes(from: number, to: number): { first: number; end: number } | undefined {
  const first = Math.ceil(from / 60_000);
  const end = Math.floor(to / 60_000);
  return first < end ? { first, end } : undefined;
}
