import type pg from 'pg';
import type { Job } from '../../config/document-store.js';
import { consentHistoryFrom, type ConsentEvent } from '../../profiles/consent-history.js';
import type { ProfileState } from '../../profiles/profile-state.js';
import type {
  AccountRow, ConflictRow, ConsentHistory, ConsentHistoryRow, EventScanRow, IdentityRow, MembersPage, MembershipRow, MergeRow, ProfileStore, StoredEvent,
} from '../../profiles/profile-store.js';
import { mergeCycle } from '../../profiles/profile-store.js';
import { checkout, inTransaction } from './database.js';
import { saveJobWith } from './documents.js';

/** Ids a getProfiles query names at most (an `= ANY($1)` array, as measure.ts reads outcomes in chunks). */
const PROFILES_AT_ONCE = 500;

/** Profile reads and backfill writes on PostgreSQL. */
export class PostgresProfileStore implements ProfileStore {
  constructor(private readonly pool: pg.Pool) {}

  async findProfileId(kind: string, value: string): Promise<string | undefined> {
    return (await this.pool.query<{ profile_id: string }>('SELECT profile_id FROM identities WHERE kind = $1 AND value = $2', [kind, value])).rows[0]?.profile_id;
  }

  async getProfile(id: string): Promise<ProfileState | undefined> {
    // A committed chain is one hop (repointProfilePg); followed however long, a cycle said to be.
    const passed: string[] = [];
    for (let cur = id; ;) {
      const r = (await this.pool.query<{ merged_into: string | null; state: string | null }>('SELECT merged_into, state FROM profiles WHERE id = $1', [cur])).rows[0];
      if (!r) return undefined;
      if (!r.merged_into) return r.state ? (JSON.parse(r.state) as ProfileState) : undefined;
      passed.push(cur);
      if (passed.includes(r.merged_into)) throw mergeCycle(id, [...passed, r.merged_into]);
      cur = r.merged_into;
    }
  }

  /**
   * As getProfile for each id, in one query per chunk of ids and one more per merge hop (a
   * committed chain is one hop): a training of 20,000 subjects made 20,000 round trips.
   */
  async getProfiles(ids: readonly string[]): Promise<Map<string, ProfileState>> {
    const out = new Map<string, ProfileState>();
    // Ids of one live profile share its parsed state, as they share its row.
    const parsed = new Map<string, ProfileState>();
    const distinct = [...new Set(ids)];
    for (let i = 0; i < distinct.length; i += PROFILES_AT_ONCE) {
      let walks = distinct.slice(i, i + PROFILES_AT_ONCE).map((id) => ({ id, cur: id, passed: [] as string[] }));
      while (walks.length) {
        const rows = new Map((await this.pool.query<{ id: string; merged_into: string | null; state: string | null }>(
          'SELECT id, merged_into, state FROM profiles WHERE id = ANY($1::text[])',
          [[...new Set(walks.map((w) => w.cur))]],
        )).rows.map((r) => [r.id, r]));
        const next: typeof walks = [];
        for (const w of walks) {
          const r = rows.get(w.cur);
          if (!r) continue;
          if (!r.merged_into) {
            if (r.state) out.set(w.id, parsed.get(r.id) ?? parsed.set(r.id, JSON.parse(r.state) as ProfileState).get(r.id)!);
            continue;
          }
          w.passed.push(w.cur);
          if (w.passed.includes(r.merged_into)) throw mergeCycle(w.id, [...w.passed, r.merged_into]);
          w.cur = r.merged_into;
          next.push(w);
        }
        walks = next;
      }
    }
    return out;
  }

  async identities(profileId: string): Promise<IdentityRow[]> {
    return (await this.pool.query<IdentityRow>('SELECT kind, value, created_at AS "createdAt" FROM identities WHERE profile_id = $1 ORDER BY created_at, kind, value', [profileId])).rows;
  }

  async identitiesOfMany(profileIds: readonly string[]): Promise<Map<string, IdentityRow[]>> {
    const distinct = [...new Set(profileIds)];
    const out = new Map<string, IdentityRow[]>(distinct.map((id) => [id, []]));
    for (let i = 0; i < distinct.length; i += PROFILES_AT_ONCE) {
      const rows = (await this.pool.query<IdentityRow & { profileId: string }>(
        'SELECT profile_id AS "profileId", kind, value, created_at AS "createdAt" FROM identities WHERE profile_id = ANY($1::text[]) ORDER BY profile_id, created_at, kind, value',
        [distinct.slice(i, i + PROFILES_AT_ONCE)],
      )).rows;
      for (const { profileId, ...row } of rows) out.get(profileId)!.push(row);
    }
    return out;
  }

  /**
   * The most recent events by event time (on equal times the later arrival), not the last to
   * arrive: after an import of old events or a merge those would push out the newest (until
   * 2026-12-05 they did). The newest are chosen by their keys alone, then their bodies read.
   */
  async recentEvents(profileId: string, limit: number): Promise<StoredEvent[]> {
    const rows = (await this.pool.query<Omit<StoredEvent, 'message'> & { body: string }>(
      `SELECT e.seq, e.message_id AS "messageId", e.type, e.event, e.ts AS timestamp, e.received_at AS "receivedAt", e.body
       FROM (SELECT seq FROM events WHERE profile_id = $1 ORDER BY ts DESC, seq DESC LIMIT $2) k JOIN events e ON e.seq = k.seq`,
      [profileId, limit],
    )).rows;
    return rows.map(({ body, ...r }) => ({ ...r, message: JSON.parse(body) })).sort((a, b) => b.timestamp - a.timestamp || b.seq - a.seq);
  }

  async memberships(profileId: string): Promise<MembershipRow[]> {
    return (await this.pool.query<MembershipRow>(
      'SELECT m.account_id AS "accountId", m.role, m.created_at AS since, a.traits FROM memberships m JOIN accounts a ON a.id = m.account_id WHERE m.profile_id = $1 ORDER BY m.created_at',
      [profileId],
    )).rows;
  }

  async merges(profileId: string): Promise<MergeRow[]> {
    return (await this.pool.query<MergeRow>(
      'SELECT into_id AS "into", from_id AS "from", message_id AS "messageId", reason, via_kind AS "viaKind", via_value AS "viaValue", at FROM merges WHERE into_id = $1 OR from_id = $1 ORDER BY at, id',
      [profileId],
    )).rows;
  }

  /**
   * The stored history, or — when the profile's state marks it (consentLateSince: a statement
   * arrived late, or a merge) — the history rebuilt from that time out of the profile's stored
   * events (a merge moves the merged-away profile's events to it), as the event-time order gives
   * it. The rebuild is answered, not written back: a GET holds no lock, and another process may
   * be adding to the same history meanwhile (docs/collection.md). Always complete: the events are
   * read by the (profile_id, ts, seq) index, however far back the mark is.
   */
  async consentHistory(profileId: string, limit: number): Promise<ConsentHistory> {
    return { rows: await this.consentRows(profileId, limit) };
  }

  private async consentRows(profileId: string, limit: number): Promise<ConsentHistoryRow[]> {
    const mark = `(SELECT (state::json ->> 'consentLateSince')::float8 FROM profiles WHERE id = $1)`;
    const stored = (await this.pool.query<StoredConsentRow>(
      `SELECT at, message_id AS "messageId", changes, ${mark} AS since FROM consent_history WHERE profile_id = $1 ORDER BY at DESC, id DESC LIMIT $2`,
      [profileId, limit],
    )).rows;
    if (stored[0]?.since === null || stored[0]?.since === undefined) return parseChanges(stored);
    // The mark, the rows before it and the events in one snapshot: a batch committing between two
    // reads could lower the mark or add an event that the other read does not see.
    const { client: c, release } = await checkout(this.pool);
    try {
      await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const since = (await c.query<{ since: number | null }>(`SELECT ${mark} AS since`, [profileId])).rows[0]?.since ?? null;
      let out: ConsentHistoryRow[];
      if (since === null) {
        out = parseChanges((await c.query<StoredConsentRow>('SELECT at, message_id AS "messageId", changes FROM consent_history WHERE profile_id = $1 ORDER BY at DESC, id DESC LIMIT $2', [profileId, limit])).rows);
      } else {
        const before = parseChanges((await c.query<StoredConsentRow>('SELECT at, message_id AS "messageId", changes FROM consent_history WHERE profile_id = $1 AND at < $2 ORDER BY at, id', [profileId, since])).rows);
        const events = (await c.query<Omit<ConsentEvent, 'message'> & { body: string }>(
          'SELECT seq, ts AS timestamp, message_id AS "messageId", body FROM events WHERE profile_id = $1 AND ts >= $2 ORDER BY ts, seq',
          [profileId, since],
        )).rows.map(({ body, ...e }) => ({ ...e, seq: Number(e.seq), timestamp: Number(e.timestamp), message: JSON.parse(body) as ConsentEvent['message'] }));
        out = consentHistoryFrom(since, before, events, limit);
      }
      await c.query('COMMIT');
      return out;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      release();
    }
  }

  async conflicts(profileId: string, limit: number): Promise<ConflictRow[]> {
    return (await this.pool.query<ConflictRow>(
      `SELECT last_message_id AS "messageId", kind, value, reason, count, first_at AS "firstAt", last_at AS "lastAt"
       FROM identity_conflicts WHERE profile_id = $1 ORDER BY last_at DESC, id DESC LIMIT $2`,
      [profileId, limit],
    )).rows;
  }

  async getAccount(id: string, page?: MembersPage): Promise<AccountRow | undefined> {
    const r = (await this.pool.query<Omit<AccountRow, 'members'>>('SELECT id, traits, created_at AS "createdAt", updated_at AS "updatedAt" FROM accounts WHERE id = $1', [id])).rows[0];
    if (!r) return undefined;
    // By profile id, as segment members are (ids of digits and capitals: one order under any collation); LIMIT NULL: every member.
    const members = (await this.pool.query<AccountRow['members'][number]>(
      'SELECT profile_id AS "profileId", role FROM memberships WHERE account_id = $1 AND profile_id > $2 ORDER BY profile_id LIMIT $3',
      [id, page?.after ?? '', page?.limit ?? null],
    )).rows;
    return { ...r, members };
  }

  async maxEventSeq(): Promise<number> {
    return (await this.pool.query<{ n: number }>('SELECT coalesce(max(seq), 0)::bigint AS n FROM events')).rows[0].n;
  }

  async scanEvents(afterSeq: number, uptoSeq: number, limit: number): Promise<EventScanRow[]> {
    return (await this.pool.query<EventScanRow>(
      'SELECT seq, profile_id AS "profileId", type, event, body AS json FROM events WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3',
      [afterSeq, uptoSeq, limit],
    )).rows;
  }

  async mutateProfiles(ids: string[], fn: (states: Map<string, ProfileState>) => void, alsoSave?: Job): Promise<void> {
    await inTransaction(this.pool, async (c) => {
      // Resolve each id to its live profile, lock those rows in id order, then change them. A
      // profile merged away by another transaction between the resolution and the lock is seen
      // merged once locked: resolve again (merges only go forward), else what `fn` adds to it
      // would be dropped — a backfill chunk lost that profile's events (found 2026-12-05).
      let live = new Map<string, string>();
      let byId = new Map<string, ProfileState>();
      for (let round = 0; ; round++) {
        live = new Map<string, string>();
        for (const id of ids) {
          const passed: string[] = [];
          for (let cur = id; ;) {
            const r = (await c.query<{ merged_into: string | null }>('SELECT merged_into FROM profiles WHERE id = $1', [cur])).rows[0];
            if (!r) break;
            if (!r.merged_into) {
              live.set(id, cur);
              break;
            }
            passed.push(cur);
            if (passed.includes(r.merged_into)) throw mergeCycle(id, [...passed, r.merged_into]);
            cur = r.merged_into;
          }
        }
        const targets = [...new Set(live.values())].sort();
        const rows = (await c.query<{ id: string; state: string; merged_into: string | null }>('SELECT id, state, merged_into FROM profiles WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE', [targets])).rows;
        if (rows.some((r) => r.merged_into)) {
          if (round < 16) continue;
          throw new Error(`The profiles ${rows.filter((r) => r.merged_into).map((r) => r.id).join(', ')} were merged again while they were being changed, 16 times; nothing was changed.`);
        }
        byId = new Map(rows.filter((r) => !r.merged_into && r.state).map((r) => [r.id, JSON.parse(r.state) as ProfileState]));
        break;
      }
      const states = new Map<string, ProfileState>();
      for (const [id, target] of live) {
        const s = byId.get(target);
        if (s) states.set(id, s);
      }
      fn(states);
      for (const s of new Set(states.values())) {
        s.version += 1;
        await c.query('UPDATE profiles SET version = $1, updated_at = $2, state = $3 WHERE id = $4', [s.version, s.updatedAt, JSON.stringify(s), s.id]);
      }
      if (alsoSave) await saveJobWith(c, alsoSave);
    });
  }

  async countProfiles(): Promise<number> {
    return (await this.pool.query<{ n: number }>('SELECT count(*)::bigint AS n FROM profiles WHERE merged_into IS NULL')).rows[0].n;
  }
}

type StoredConsentRow = Omit<ConsentHistoryRow, 'changes'> & { changes: string; since?: number | null };

function parseChanges(rows: StoredConsentRow[]): ConsentHistoryRow[] {
  return rows.map(({ since: _since, ...r }) => ({ ...r, changes: JSON.parse(r.changes) }));
}
