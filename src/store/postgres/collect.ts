import type pg from 'pg';
import { StaleConfigError, type CollectStore, type IngestItem, type IngestSnapshot, type IngestWrites, type ViolationQuery, type ViolationSummary } from '../../collect/collect-store.js';
import { violationsSql } from '../plan-violations-sql.js';
import { BLOCKED_WINDOW } from '../../collect/blocked-ids.js';
import { identifierKey } from '../../identity/identifiers.js';
import type { ProfileState } from '../../profiles/profile-state.js';
import { inTransaction } from './database.js';
import { recordConflictsPg } from './conflicts.js';
import { memberFoldPg, repointProfilePg } from './repoint.js';

/** SQL: the group call's trait `o` is at least as new as the stored one (ties: the later-arriving call). */
const ACCT_WINS = "WHERE excluded.updated_at >= coalesce((accounts.traits_at ->> o.key)::bigint, excluded.updated_at)";

/**
 * SQL: a violation row's `col` (the last message's id or detail) after a commit counted more of it:
 * it moves only to a newer message (on equal times the commit landing now), as `last_at` moves only
 * forward — an older commit landing later (another process) never moves `lastAt` back.
 */
const newerLast = (col: string): string => `${col} = CASE WHEN excluded.last_at >= plan_violations.last_at THEN excluded.${col} ELSE plan_violations.${col} END`;

/** Code-point order of two strings (a lock order needs only to be the same in every process). */
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** `{ key: at }` for each top-level trait, as JSON. */
const traitsAt = (traits: Record<string, unknown>, at: number): string => JSON.stringify(Object.fromEntries(Object.keys(traits).map((k) => [k, at])));

/**
 * Collection on PostgreSQL, written through: one transaction per batch reads the snapshot, runs
 * the pure step and writes everything (events, identities, merges, profile states). Several
 * processes may ingest at once: the profiles a batch touches are locked (FOR UPDATE, in id order),
 * a concurrent insert of the same identifier or message id fails the transaction, and the
 * ingestor retries it. The config epoch row is read FOR SHARE, so a configuration change waits
 * for in-flight batches and every later batch sees it.
 */
export class PostgresCollectStore implements CollectStore {
  constructor(private readonly pool: pg.Pool, private readonly blockedWindow = BLOCKED_WINDOW) {}

  async prepare(): Promise<{ replayed: number }> {
    return { replayed: 0 };
  }

  async checkpoint(): Promise<void> {}

  async ingest(items: IngestItem[], compute: (snapshot: IngestSnapshot) => IngestWrites, expectedEpoch: number): Promise<IngestWrites> {
    return inTransaction(this.pool, async (c) => {
      const epoch = (await c.query<{ epoch: number }>('SELECT epoch FROM config_epoch WHERE id = 1 FOR SHARE')).rows[0].epoch;
      if (epoch !== expectedEpoch) throw new StaleConfigError(epoch);
      const snap = await this.snapshot(c, items);
      const w = compute(snap);
      await this.write(c, w);
      return w;
    });
  }

  private async snapshot(c: pg.PoolClient, items: IngestItem[]): Promise<IngestSnapshot> {
    const mids = [...new Set(items.map((i) => i.message.messageId))];
    const existing = new Set((await c.query<{ message_id: string }>('SELECT message_id FROM events WHERE message_id = ANY($1::text[])', [mids])).rows.map((r) => r.message_id));
    // Only a message with violations can be a retry of a blocked one whose violations were counted.
    const faulty = [...new Set(items.filter((i) => i.violations.length).map((i) => i.message.messageId))];
    const blocked = new Set(faulty.length ? (await c.query<{ message_id: string }>('SELECT message_id FROM blocked_messages WHERE message_id = ANY($1::text[])', [faulty])).rows.map((r) => r.message_id) : []);
    const kinds: string[] = [];
    const values: string[] = [];
    const seen = new Set<string>();
    for (const it of items) {
      for (const id of it.lookups) {
        const k = identifierKey(id.kind, id.value);
        if (seen.has(k)) continue;
        seen.add(k);
        kinds.push(id.kind);
        values.push(id.value);
      }
    }
    const lookup = async () => new Set((await c.query<{ profile_id: string }>(
      'SELECT DISTINCT i.profile_id FROM identities i JOIN unnest($1::text[], $2::text[]) AS q(kind, value) ON i.kind = q.kind AND i.value = q.value',
      [kinds, values],
    )).rows.map((r) => r.profile_id));
    // Lock the profiles found, then check that no merge moved an identifier meanwhile.
    let ids = await lookup();
    let rows: { id: string; state: string }[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      rows = (await c.query<{ id: string; state: string }>(
        'SELECT id, state FROM profiles WHERE id = ANY($1::text[]) AND merged_into IS NULL ORDER BY id FOR UPDATE',
        [[...ids].sort()],
      )).rows;
      const again = await lookup();
      if (again.size === ids.size && [...again].every((x) => ids.has(x))) break;
      ids = again;
    }
    const profiles = new Map<string, ProfileState>();
    for (const r of rows) profiles.set(r.id, JSON.parse(r.state) as ProfileState);
    const identities = (await c.query<{ profileId: string; kind: string; value: string }>(
      'SELECT profile_id AS "profileId", kind, value FROM identities WHERE profile_id = ANY($1::text[])',
      [[...profiles.keys()]],
    )).rows;
    return { existing, blocked, identities, profiles };
  }

  private async write(c: pg.PoolClient, w: IngestWrites): Promise<void> {
    if (w.events.length) {
      const e = w.events;
      await c.query(
        `INSERT INTO events (message_id, profile_id, type, event, ts, received_at, body)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::text[])`,
        [e.map((x) => x.messageId), e.map((x) => x.profileId), e.map((x) => x.type), e.map((x) => x.event), e.map((x) => x.timestamp), e.map((x) => x.receivedAt), e.map((x) => x.json)],
      );
    }
    if (w.identities.length) {
      const i = w.identities;
      // A plain insert: an identifier another process claimed meanwhile fails the batch, which is retried.
      await c.query(
        'INSERT INTO identities (kind, value, profile_id, created_at) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])',
        [i.map((x) => x.kind), i.map((x) => x.value), i.map((x) => x.profileId), i.map((x) => x.at)],
      );
    }
    for (const m of w.merges) {
      await c.query('INSERT INTO merges (into_id, from_id, message_id, reason, via_kind, via_value, at) VALUES ($1, $2, $3, $4, $5, $6, $7)', [m.into, m.from, m.messageId, m.reason, m.via.kind, m.via.value, m.at]);
      await repointProfilePg(c, m.from, m.into);
    }
    if (w.profiles.length) {
      const p = w.profiles;
      await c.query(
        `INSERT INTO profiles (id, version, created_at, updated_at, merged_into, state)
         SELECT id, version, created_at, updated_at, NULL, state FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[]) AS t(id, version, created_at, updated_at, state)
         ON CONFLICT (id) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at, state = excluded.state, merged_into = NULL`,
        [p.map((x) => x.id), p.map((x) => x.version), p.map((x) => x.createdAt), p.map((x) => x.updatedAt), p.map((x) => JSON.stringify(x))],
      );
    }
    for (const x of w.consent) await c.query('INSERT INTO consent_history (profile_id, at, message_id, changes) VALUES ($1, $2, $3, $4)', [x.profileId, x.at, x.messageId, JSON.stringify(x.changes)]);
    // Per top-level trait, the newest group call wins (ties: the later-arriving call): a late older
    // call fills what is missing and replaces the traits set before it, and changes nothing newer
    // (and may move created_at back).
    // In id order (stable: calls to one account keep theirs), as the violations below: two batches
    // sharing rows lock them in the same order and never deadlock.
    for (const a of [...w.accounts].sort((x, y) => compare(x.id, y.id))) {
      await c.query(
        `INSERT INTO accounts (id, traits, traits_at, created_at, updated_at) VALUES ($1, $2::jsonb, $4::jsonb, $3, $3)
         ON CONFLICT (id) DO UPDATE SET
           traits = accounts.traits || (SELECT coalesce(jsonb_object_agg(o.key, o.value), '{}'::jsonb) FROM jsonb_each(excluded.traits) o ${ACCT_WINS}),
           traits_at = accounts.traits_at || (SELECT coalesce(jsonb_object_agg(o.key, excluded.updated_at), '{}'::jsonb) FROM jsonb_each(excluded.traits) o ${ACCT_WINS}),
           created_at = least(accounts.created_at, excluded.created_at), updated_at = greatest(accounts.updated_at, excluded.updated_at)`,
        [a.id, JSON.stringify(a.traits), a.at, traitsAt(a.traits, a.at)],
      );
    }
    for (const m of w.memberships) {
      await c.query(
        `INSERT INTO memberships (account_id, profile_id, role, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
         ${memberFoldPg('>=')}`,
        [m.accountId, m.profileId, m.role, m.at],
      );
    }
    await recordConflictsPg(c, w.conflicts);
    if (w.blocked.length) {
      // A plain insert: the same retry counted by another process meanwhile fails the batch, which
      // is retried and then finds it here. The oldest beyond the window go.
      await c.query('INSERT INTO blocked_messages (message_id, at) SELECT * FROM unnest($1::text[], $2::bigint[])', [w.blocked.map((b) => b.messageId), w.blocked.map((b) => b.at)]);
      await c.query('DELETE FROM blocked_messages WHERE seq <= (SELECT max(seq) FROM blocked_messages) - $1', [this.blockedWindow]);
    }
    for (const v of [...w.violations].sort((x, y) => compare(x.event, y.event) || compare(x.property, y.property) || compare(x.rule, y.rule))) {
      await c.query(
        `INSERT INTO plan_violations (event, property, rule, count, blocked, last_at, last_message_id, last_detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (event, property, rule) DO UPDATE SET count = plan_violations.count + excluded.count, blocked = plan_violations.blocked + excluded.blocked,
         last_at = greatest(plan_violations.last_at, excluded.last_at), ${newerLast('last_message_id')}, ${newerLast('last_detail')}`,
        [v.event, v.property, v.rule, v.count, v.blocked, v.at, v.messageId, v.detail],
      );
    }
  }

  async violations(q: ViolationQuery): Promise<ViolationSummary[]> {
    const { sql, args } = violationsSql(q, (n) => `$${n}`);
    return (await this.pool.query<ViolationSummary>(sql, args)).rows;
  }

  async clearViolations(event: string | undefined): Promise<number> {
    const r = event === undefined ? await this.pool.query('DELETE FROM plan_violations') : await this.pool.query('DELETE FROM plan_violations WHERE event = $1', [event]);
    return r.rowCount ?? 0;
  }

  async countEvents(): Promise<number> {
    return (await this.pool.query<{ n: number }>('SELECT count(*)::bigint AS n FROM events')).rows[0].n;
  }

  async hasMessage(messageId: string): Promise<boolean> {
    return (await this.pool.query('SELECT 1 FROM events WHERE message_id = $1', [messageId])).rowCount! > 0;
  }
}
