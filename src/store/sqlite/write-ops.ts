import type { IngestWrites } from '../../collect/collect-store.js';
import type { Job } from '../../config/document-store.js';
import type { ProfileState } from '../../profiles/profile-state.js';
import type { ConsentHistoryRow } from '../../profiles/profile-store.js';
import type { WriteOp } from './writer.js';

/** SQL: the group call's trait `o` is at least as new as the stored one (ties: the later-arriving call). */
const acctWins = 'excluded.updated_at >= coalesce(accounts.traits_at ->> o.fullkey, excluded.updated_at)';

/**
 * SQL for the stored account object `col` (traits or traits_at) with each top-level trait the
 * group call wins set to `value`, as identify sets profile traits and PostgreSQL's jsonb `||`
 * does: a nested object is replaced whole and a null is kept (json_patch would merge nested
 * objects and delete the keys set to null).
 */
const acctMerge = (col: string, value: string): string =>
  `(SELECT json_group_object(key, json(j)) FROM (SELECT b.key, accounts.${col} -> b.fullkey AS j FROM json_each(accounts.${col}) b
      WHERE b.key NOT IN (SELECT o.key FROM json_each(excluded.traits) o WHERE ${acctWins})
    UNION ALL SELECT o.key, ${value} FROM json_each(excluded.traits) o WHERE ${acctWins}))`;

/**
 * SQL: a conflict row meeting the stored one of its key adds its count, keeps the earliest first
 * time and the latest last time with its message (on equal times the row arriving now).
 */
const conflictFold = `ON CONFLICT (profile_id, kind, value, reason) DO UPDATE SET count = identity_conflicts.count + excluded.count,
    first_at = min(identity_conflicts.first_at, excluded.first_at), last_at = max(identity_conflicts.last_at, excluded.last_at),
    last_message_id = CASE WHEN excluded.last_at >= identity_conflicts.last_at THEN excluded.last_message_id ELSE identity_conflicts.last_message_id END`;

/**
 * SQL: whether an incoming membership row's role replaces the stored one: it has a role, and the
 * stored row none or one set earlier (`cmp` '>=': on equal times the incoming row).
 */
const roleWins = (cmp: '>=' | '>'): string => `excluded.role IS NOT NULL AND (memberships.role IS NULL OR excluded.updated_at ${cmp} memberships.updated_at)`;

/**
 * SQL: a membership row meeting the stored one keeps the earliest since (created_at) and the role
 * set last, a role over none. `updated_at` is the time of the call that set the role held (while
 * none is held, of the latest call), so a call without a role — a group call sending other
 * traits — leaves it: until 2026-12-05 it moved to that call's time, and a late call or a merge
 * then took a role set before it as the newer one.
 */
const memberFold = (cmp: '>=' | '>'): string => `ON CONFLICT (account_id, profile_id) DO UPDATE SET created_at = min(memberships.created_at, excluded.created_at),
    role = CASE WHEN ${roleWins(cmp)} THEN excluded.role ELSE memberships.role END,
    updated_at = CASE WHEN ${roleWins(cmp)} THEN excluded.updated_at WHEN memberships.role IS NULL THEN max(memberships.updated_at, excluded.updated_at) ELSE memberships.updated_at END`;

/**
 * SQL: a violation row's `col` (the last message's id or detail) after a commit counted more of it:
 * it moves only to a newer message (on equal times the commit landing now), as `last_at` moves only
 * forward — an older commit landing later (another process) never moves `lastAt` back.
 */
const newerLast = (col: string): string => `${col} = CASE WHEN excluded.last_at >= plan_violations.last_at THEN excluded.${col} ELSE plan_violations.${col} END`;

const SQL = {
  event: 'INSERT INTO events (seq, message_id, profile_id, type, event, ts, received_at, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  identity: 'INSERT INTO identities (kind, value, profile_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (kind, value) DO UPDATE SET profile_id = excluded.profile_id',
  merge: 'INSERT INTO merges (into_id, from_id, message_id, reason, via_kind, via_value, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  consent: 'INSERT INTO consent_history (profile_id, at, message_id, changes) VALUES (?, ?, ?, ?)',
  consentFrom: 'DELETE FROM consent_history WHERE profile_id = ? AND at >= ?',
  // Per top-level trait, the newest group call wins: a late older call fills what is missing and
  // replaces the traits set before it, and changes nothing newer (and may move created_at back).
  account: `INSERT INTO accounts (id, traits, traits_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (id) DO UPDATE SET traits = ${acctMerge('traits', 'excluded.traits -> o.fullkey')},
      traits_at = ${acctMerge('traits_at', 'excluded.updated_at')},
      created_at = min(accounts.created_at, excluded.created_at), updated_at = max(accounts.updated_at, excluded.updated_at)`,
  membership: `INSERT INTO memberships (account_id, profile_id, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
    ${memberFold('>=')}`,
  // One row per (profile, kind, value, reason), counting the messages that hit it (core-003).
  conflict: `INSERT INTO identity_conflicts (profile_id, kind, value, reason, count, first_at, last_at, last_message_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ${conflictFold}`,
  violation: `INSERT INTO plan_violations (event, property, rule, count, blocked, last_at, last_message_id, last_detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (event, property, rule) DO UPDATE SET count = plan_violations.count + excluded.count, blocked = plan_violations.blocked + excluded.blocked,
    last_at = max(plan_violations.last_at, excluded.last_at), ${newerLast('last_message_id')}, ${newerLast('last_detail')}`,
  // Blocked messages whose violations were counted (core-004); the oldest beyond the window go.
  blocked: 'INSERT OR IGNORE INTO blocked_messages (message_id, at) VALUES (?, ?)',
  blockedPrune: 'DELETE FROM blocked_messages WHERE seq <= (SELECT max(seq) FROM blocked_messages) - ?',
  state: `INSERT INTO profiles (id, version, created_at, updated_at, merged_into, state) VALUES (?, ?, ?, ?, NULL, ?)
    ON CONFLICT (id) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at, state = excluded.state, merged_into = NULL`,
  watermark: "UPDATE store_meta SET value = max(value, ?) WHERE key = 'checkpoint_seq'",
  job: `INSERT INTO jobs (id, kind, state, progress, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (id) DO UPDATE SET state = excluded.state, progress = excluded.progress, updated_at = excluded.updated_at`,
  // merge repointing, in order
  repointIdentities: 'UPDATE identities SET profile_id = ? WHERE profile_id = ?',
  repointConsent: 'UPDATE consent_history SET profile_id = ? WHERE profile_id = ?',
  // The merged-away profile's conflicts fold into the survivor's rows of the same key.
  repointConflicts: `INSERT INTO identity_conflicts (profile_id, kind, value, reason, count, first_at, last_at, last_message_id)
    SELECT ?, kind, value, reason, count, first_at, last_at, last_message_id FROM identity_conflicts WHERE profile_id = ?
    ${conflictFold}`,
  dropConflicts: 'DELETE FROM identity_conflicts WHERE profile_id = ?',
  // The merged-away profile's memberships fold into the survivor's of the same account (ties: the survivor's role).
  repointMembers: `INSERT INTO memberships (account_id, profile_id, role, created_at, updated_at)
    SELECT account_id, ?, role, created_at, updated_at FROM memberships WHERE profile_id = ?
    ${memberFold('>')}`,
  dropMembers: 'DELETE FROM memberships WHERE profile_id = ?',
  repointChain: 'UPDATE profiles SET merged_into = ? WHERE merged_into = ?',
  markMerged: `INSERT INTO profiles (id, version, created_at, updated_at, merged_into, state) VALUES (?, 1, ?, ?, ?, NULL)
    ON CONFLICT (id) DO UPDATE SET merged_into = excluded.merged_into, state = NULL, version = profiles.version + 1`,
};

/** `{ key: at }` for each top-level trait, as JSON. */
function traitsAt(traits: Record<string, unknown>, at: number): string {
  return JSON.stringify(Object.fromEntries(Object.keys(traits).map((k) => [k, at])));
}

/** A profile state as a row. */
export function stateRow(s: ProfileState): unknown[] {
  return [s.id, s.version, s.createdAt, s.updatedAt, JSON.stringify(s)];
}

/** The state rows op. */
export function stateOps(rows: unknown[][]): WriteOp[] {
  return rows.length ? [{ sql: SQL.state, rows }] : [];
}

/**
 * A profile's consent history rows from event time `since` on replaced by `rows` (oldest first:
 * ConsentWriteBack, a mark resolved); the rows before stay.
 */
export function consentRewriteOps(profileId: string, since: number, rows: readonly ConsentHistoryRow[]): WriteOp[] {
  const ops: WriteOp[] = [{ sql: SQL.consentFrom, rows: [[profileId, since]] }];
  if (rows.length) ops.push({ sql: SQL.consent, rows: rows.map((r) => [profileId, r.at, r.messageId, JSON.stringify(r.changes)]) });
  return ops;
}

export function watermarkOp(seq: number): WriteOp {
  return { sql: SQL.watermark, rows: [[seq]] };
}

/**
 * A job's create-or-replace, ignoring `job.holder`: unlike saveJob with a holder it is not a
 * compare-and-set on the lease. It need not be — its one caller with a holder is a feature
 * backfill's chunk (mutateProfiles' `alsoSave`), and on SQLite only `tact serve`, holding the
 * folder's lock, runs jobs (Tact.create; `tact train` and `tact keys` run none), one backfill job
 * at a time (backfill.ts `current`), so no other holder can have taken the lease. Nor could a
 * refused job alone help: the profile states of the same batch would still be written.
 */
export function jobOp(job: Job): WriteOp {
  return { sql: SQL.job, rows: [[job.id, job.kind, job.state, JSON.stringify(job.progress), job.createdAt, job.updatedAt]] };
}

/**
 * Everything one ingested batch writes, as statements for the writer: events (with their
 * sequence numbers), identities, merges with their repointing (identities, consent history,
 * conflicts and memberships — folded into the survivor's of the same key —, and merge chains move
 * to the surviving profile; events stay as logged),
 * consent history, accounts, memberships, conflicts, violations, the blocked messages whose
 * violations it counted (the newest `blockedWindow` kept), and — when the batch merged profiles —
 * the states it touched.
 */
export function ingestOps(w: IngestWrites, seqs: number[], statesNow: unknown[][], blockedWindow: number): WriteOp[] {
  const ops: WriteOp[] = [];
  if (w.events.length) ops.push({ sql: SQL.event, rows: w.events.map((e, i) => [seqs[i], e.messageId, e.profileId, e.type, e.event, e.timestamp, e.receivedAt, e.json]) });
  if (w.identities.length) ops.push({ sql: SQL.identity, rows: w.identities.map((i) => [i.kind, i.value, i.profileId, i.at]) });
  for (const m of w.merges) {
    const now = m.at;
    ops.push(
      { sql: SQL.merge, rows: [[m.into, m.from, m.messageId, m.reason, m.via.kind, m.via.value, m.at]] },
      { sql: SQL.repointIdentities, rows: [[m.into, m.from]] },
      { sql: SQL.repointConsent, rows: [[m.into, m.from]] },
      { sql: SQL.repointConflicts, rows: [[m.into, m.from]] },
      { sql: SQL.dropConflicts, rows: [[m.from]] },
      { sql: SQL.repointMembers, rows: [[m.into, m.from]] },
      { sql: SQL.dropMembers, rows: [[m.from]] },
      { sql: SQL.repointChain, rows: [[m.into, m.from]] },
      { sql: SQL.markMerged, rows: [[m.from, now, now, m.into]] },
    );
  }
  ops.push(...stateOps(statesNow));
  if (w.consent.length) ops.push({ sql: SQL.consent, rows: w.consent.map((c) => [c.profileId, c.at, c.messageId, JSON.stringify(c.changes)]) });
  if (w.accounts.length) ops.push({ sql: SQL.account, rows: w.accounts.map((a) => [a.id, JSON.stringify(a.traits), traitsAt(a.traits, a.at), a.at, a.at]) });
  if (w.memberships.length) ops.push({ sql: SQL.membership, rows: w.memberships.map((m) => [m.accountId, m.profileId, m.role, m.at, m.at]) });
  if (w.conflicts.length) ops.push({ sql: SQL.conflict, rows: w.conflicts.map((c) => [c.profileId, c.kind, c.value, c.reason, c.count ?? 1, c.firstAt ?? c.at, c.at, c.messageId]) });
  if (w.violations.length) ops.push({ sql: SQL.violation, rows: w.violations.map((v) => [v.event, v.property, v.rule, v.count, v.blocked, v.at, v.messageId, v.detail]) });
  if (w.blocked.length) ops.push({ sql: SQL.blocked, rows: w.blocked.map((b) => [b.messageId, b.at]) }, { sql: SQL.blockedPrune, rows: [[blockedWindow]] });
  return ops;
}
