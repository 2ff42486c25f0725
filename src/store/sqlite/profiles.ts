import type { ProfileState } from '../../profiles/profile-state.js';
import type {
  AccountRow, ConflictRow, ConsentHistoryRow, EventScanRow, IdentityRow, MembershipRow, MergeRow, ProfileStore, StoredEvent,
} from '../../profiles/profile-store.js';
import type { Db } from './database.js';
import type { ProfileCache } from './profile-cache.js';

/** Profile reads on SQLite; states come from the version-checked cache when it holds them. */
export class SqliteProfileStore implements ProfileStore {
  private readonly s;

  constructor(private readonly db: Db, private readonly cache: ProfileCache) {
    this.s = {
      identity: db.prepare('SELECT profile_id FROM identities WHERE kind = ? AND value = ?').pluck(),
      head: db.prepare('SELECT version, merged_into AS mergedInto FROM profiles WHERE id = ?'),
      state: db.prepare('SELECT state FROM profiles WHERE id = ?').pluck(),
      identities: db.prepare('SELECT kind, value, created_at AS createdAt FROM identities WHERE profile_id = ? ORDER BY created_at, kind, value'),
      events: db.prepare('SELECT seq, message_id AS messageId, type, event, ts AS timestamp, received_at AS receivedAt, body FROM events WHERE profile_id = ? ORDER BY ts DESC, seq DESC LIMIT ?'),
      memberships: db.prepare(`SELECT m.account_id AS accountId, m.role, m.created_at AS since, a.traits FROM memberships m JOIN accounts a ON a.id = m.account_id WHERE m.profile_id = ? ORDER BY m.created_at`),
      merges: db.prepare('SELECT into_id AS "into", from_id AS "from", message_id AS messageId, reason, via_kind AS viaKind, via_value AS viaValue, at FROM merges WHERE into_id = ? OR from_id = ? ORDER BY at, id'),
      consent: db.prepare('SELECT at, message_id AS messageId, changes FROM consent_history WHERE profile_id = ? ORDER BY at DESC, id DESC LIMIT ?'),
      conflicts: db.prepare('SELECT message_id AS messageId, kind, value, reason, at FROM identity_conflicts WHERE profile_id = ? ORDER BY at DESC, id DESC LIMIT ?'),
      account: db.prepare('SELECT id, traits, created_at AS createdAt, updated_at AS updatedAt FROM accounts WHERE id = ?'),
      members: db.prepare('SELECT profile_id AS profileId, role FROM memberships WHERE account_id = ? ORDER BY created_at'),
      maxSeq: db.prepare('SELECT coalesce(max(seq), 0) FROM events').pluck(),
      scan: db.prepare('SELECT seq, profile_id AS profileId, body AS json FROM events WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?'),
      upsert: db.prepare('UPDATE profiles SET version = ?, updated_at = ?, state = ? WHERE id = ?'),
      countProfiles: db.prepare('SELECT count(*) FROM profiles WHERE merged_into IS NULL').pluck(),
    };
  }

  async findProfileId(kind: string, value: string): Promise<string | undefined> {
    return this.s.identity.get(kind, value) as string | undefined;
  }

  async getProfile(id: string): Promise<ProfileState | undefined> {
    return this.liveState(id);
  }

  private liveState(id: string): ProfileState | undefined {
    let cur = id;
    for (let hop = 0; hop < 32; hop++) {
      const head = this.s.head.get(cur) as { version: number; mergedInto: string | null } | undefined;
      if (!head) return undefined;
      if (head.mergedInto) {
        cur = head.mergedInto;
        continue;
      }
      const cached = this.cache.get(cur, head.version);
      if (cached) return cached;
      const json = this.s.state.get(cur) as string | null;
      if (!json) return undefined;
      const state = JSON.parse(json) as ProfileState;
      this.cache.set(state);
      return state;
    }
    return undefined;
  }

  async identities(profileId: string): Promise<IdentityRow[]> {
    return this.s.identities.all(profileId) as IdentityRow[];
  }

  async recentEvents(profileId: string, limit: number): Promise<StoredEvent[]> {
    return (this.s.events.all(profileId, limit) as (Omit<StoredEvent, 'message'> & { body: string })[]).map(({ body, ...r }) => ({ ...r, message: JSON.parse(body) }));
  }

  async memberships(profileId: string): Promise<MembershipRow[]> {
    return (this.s.memberships.all(profileId) as (Omit<MembershipRow, 'traits'> & { traits: string })[]).map((r) => ({ ...r, traits: JSON.parse(r.traits) }));
  }

  async merges(profileId: string): Promise<MergeRow[]> {
    return this.s.merges.all(profileId, profileId) as MergeRow[];
  }

  async consentHistory(profileId: string, limit: number): Promise<ConsentHistoryRow[]> {
    return (this.s.consent.all(profileId, limit) as (Omit<ConsentHistoryRow, 'changes'> & { changes: string })[]).map((r) => ({ ...r, changes: JSON.parse(r.changes) }));
  }

  async conflicts(profileId: string, limit: number): Promise<ConflictRow[]> {
    return this.s.conflicts.all(profileId, limit) as ConflictRow[];
  }

  async getAccount(id: string): Promise<AccountRow | undefined> {
    const r = this.s.account.get(id) as (Omit<AccountRow, 'traits' | 'members'> & { traits: string }) | undefined;
    if (!r) return undefined;
    return { ...r, traits: JSON.parse(r.traits), members: this.s.members.all(id) as AccountRow['members'] };
  }

  async maxEventSeq(): Promise<number> {
    return this.s.maxSeq.get() as number;
  }

  async scanEvents(afterSeq: number, uptoSeq: number, limit: number): Promise<EventScanRow[]> {
    return this.s.scan.all(afterSeq, uptoSeq, limit) as EventScanRow[];
  }

  async mutateProfiles(ids: string[], fn: (states: Map<string, ProfileState>) => void): Promise<void> {
    const touched: string[] = [];
    const run = this.db.transaction(() => {
      const states = new Map<string, ProfileState>();
      for (const id of ids) {
        const s = this.liveState(id);
        if (s) {
          states.set(id, s);
          touched.push(s.id);
        }
      }
      fn(states);
      const unique = new Set(states.values());
      for (const s of unique) {
        s.version += 1;
        this.s.upsert.run(s.version, s.updatedAt, JSON.stringify(s), s.id);
      }
      return unique;
    });
    try {
      const states = run.immediate();
      for (const s of states.values()) this.cache.set(s);
    } catch (err) {
      for (const id of touched) this.cache.delete(id);
      throw err;
    }
  }

  async countProfiles(): Promise<number> {
    return this.s.countProfiles.get() as number;
  }
}
