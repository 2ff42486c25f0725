import type { DecisionRecord } from '../../decide/decision.js';
import type { Flag, Hold, OutcomeRecord } from '../../decide/records.js';

/** Row shapes of the decisions tables and their mapping to domain records (shared by both stores). */
export interface FlagRow {
  id: string; target_kind: 'profile' | 'account'; target_id: string; name: string; note: string; until: number | null;
  author: string; created_at: number; cleared_at: number | null; cleared_by: string | null;
}
export interface HoldRow {
  id: string; decision_id: string; profile_key: string; subject: string; placement: string; action: string; variant: string | null;
  queue: string; status: Hold['status']; created_at: number; decided_at: number | null; reviewer: string | null; note: string | null; delivered_in: string | null;
}
export interface OutcomeRow {
  id: string; decision_id: string; profile_key: string; action: string | null; type: string; value: number | null;
  credit: number; reward: number; success: number | boolean; source: 'api' | 'event'; at: number;
}

export const toFlag = (r: FlagRow): Flag => ({
  id: r.id, target: { kind: r.target_kind, id: r.target_id }, name: r.name, note: r.note, until: r.until, author: r.author,
  createdAt: r.created_at, clearedAt: r.cleared_at, clearedBy: r.cleared_by,
});
export const flagParams = (f: Flag): unknown[] => [f.id, f.target.kind, f.target.id, f.name, f.note, f.until, f.author, f.createdAt, f.clearedAt, f.clearedBy];

export const toHold = (r: HoldRow): Hold => ({
  id: r.id, decisionId: r.decision_id, profileKey: r.profile_key, subject: r.subject, placement: r.placement, action: r.action, variant: r.variant,
  queue: r.queue, status: r.status, createdAt: r.created_at, decidedAt: r.decided_at, reviewer: r.reviewer, note: r.note, deliveredIn: r.delivered_in,
});
export const holdParams = (h: Hold): unknown[] => [h.id, h.decisionId, h.profileKey, h.subject, h.placement, h.action, h.variant, h.queue, h.status, h.createdAt, h.decidedAt, h.reviewer, h.note, h.deliveredIn];

export const toOutcome = (r: OutcomeRow): OutcomeRecord => ({
  id: r.id, at: r.at, profileKey: r.profile_key, type: r.type, value: r.value, decisionId: r.decision_id || null, action: r.action,
  credit: r.credit, reward: r.reward, success: r.success === 1 || r.success === true, source: r.source,
});
export const outcomeParams = (o: OutcomeRecord): unknown[] => [o.id, o.decisionId ?? '', o.profileKey, o.action, o.type, o.value, o.credit, o.reward, o.success ? 1 : 0, o.source, o.at];

/** The choice rows of a decision. */
export const choiceParams = (d: DecisionRecord): unknown[][] =>
  d.choices.map((c) => [d.id, c.rank, c.kind, c.kind === 'handoff' ? `queue:${c.queue}` : (c.action ?? null), d.channel, d.placement, d.profileKey, d.at]);

export const FLAG_COLS = 'id, target_kind, target_id, name, note, until, author, created_at, cleared_at, cleared_by';
export const HOLD_COLS = 'id, decision_id, profile_key, subject, placement, action, variant, queue, status, created_at, decided_at, reviewer, note, delivered_in';
export const OUTCOME_COLS = 'id, decision_id, profile_key, action, type, value, credit, reward, success, source, at';
