import { StaleConfigError, type CollectStore, type IngestItem, type IngestSnapshot, type IngestWrites, type ViolationSummary } from '../../collect/collect-store.js';
import { identifierKey } from '../../identity/identifiers.js';
import type { ProfileState } from '../../profiles/profile-state.js';
import type { Db } from './database.js';
import type { ProfileCache } from './profile-cache.js';
import { repointProfile } from './repoint.js';

/** Collection on SQLite: one IMMEDIATE transaction per batch, committed with fsync before it resolves. */
export class SqliteCollectStore implements CollectStore {
  private readonly s;

  constructor(private readonly db: Db, private readonly cache: ProfileCache) {
    this.s = {
      hasMessage: db.prepare('SELECT 1 FROM events WHERE message_id = ?').pluck(),
      identity: db.prepare('SELECT profile_id FROM identities WHERE kind = ? AND value = ?').pluck(),
      identitiesOf: db.prepare('SELECT kind, value FROM identities WHERE profile_id = ?'),
      profileHead: db.prepare('SELECT version, merged_into AS mergedInto, created_at AS createdAt FROM profiles WHERE id = ?'),
      profileState: db.prepare('SELECT state FROM profiles WHERE id = ?').pluck(),
      insertEvent: db.prepare('INSERT INTO events (message_id, profile_id, type, event, ts, received_at, body) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      insertIdentity: db.prepare('INSERT INTO identities (kind, value, profile_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (kind, value) DO UPDATE SET profile_id = excluded.profile_id'),
      upsertProfile: db.prepare(`INSERT INTO profiles (id, version, created_at, updated_at, merged_into, state) VALUES (?, ?, ?, ?, NULL, ?)
        ON CONFLICT (id) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at, state = excluded.state, merged_into = NULL`),
      insertMerge: db.prepare('INSERT INTO merges (into_id, from_id, message_id, reason, via_kind, via_value, at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      insertConsent: db.prepare('INSERT INTO consent_history (profile_id, at, message_id, changes) VALUES (?, ?, ?, ?)'),
      upsertAccount: db.prepare(`INSERT INTO accounts (id, traits, created_at, updated_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET traits = json_patch(accounts.traits, excluded.traits), updated_at = max(accounts.updated_at, excluded.updated_at)`),
      upsertMembership: db.prepare(`INSERT INTO memberships (account_id, profile_id, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (account_id, profile_id) DO UPDATE SET role = coalesce(excluded.role, memberships.role), updated_at = excluded.updated_at`),
      insertConflict: db.prepare('INSERT INTO identity_conflicts (profile_id, message_id, kind, value, reason, at) VALUES (?, ?, ?, ?, ?, ?)'),
      upsertViolation: db.prepare(`INSERT INTO plan_violations (event, property, rule, count, blocked, last_at, last_message_id, last_detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (event, property, rule) DO UPDATE SET count = count + excluded.count, blocked = blocked + excluded.blocked,
        last_at = excluded.last_at, last_message_id = excluded.last_message_id, last_detail = excluded.last_detail`),
      violations: db.prepare('SELECT event, property, rule, count, blocked, last_at AS lastAt, last_message_id AS lastMessageId, last_detail AS lastDetail FROM plan_violations ORDER BY count DESC, event, property'),
      countEvents: db.prepare('SELECT count(*) FROM events').pluck(),
      epoch: db.prepare('SELECT epoch FROM config_epoch WHERE id = 1').pluck(),
    };
  }

  async ingest(items: IngestItem[], compute: (snapshot: IngestSnapshot) => IngestWrites, expectedEpoch: number): Promise<IngestWrites> {
    const touched: string[] = [];
    const run = this.db.transaction(() => {
      const epoch = this.s.epoch.get() as number;
      if (epoch !== expectedEpoch) throw new StaleConfigError(epoch);
      const snap = this.snapshot(items, touched);
      const w = compute(snap);
      this.write(w);
      return w;
    });
    try {
      const w = run.immediate();
      for (const p of w.profiles) this.cache.set(p);
      for (const m of w.merges) this.cache.delete(m.from);
      return w;
    } catch (err) {
      // The pure step changed cached objects in place; none of them may be trusted now.
      for (const id of touched) this.cache.delete(id);
      throw err;
    }
  }

  private snapshot(items: IngestItem[], touched: string[]): IngestSnapshot {
    const existing = new Set<string>();
    const profileIds = new Set<string>();
    const looked = new Set<string>();
    for (const it of items) {
      if (this.s.hasMessage.get(it.message.messageId)) existing.add(it.message.messageId);
      for (const id of it.lookups) {
        const k = identifierKey(id.kind, id.value);
        if (looked.has(k)) continue;
        looked.add(k);
        const pid = this.s.identity.get(id.kind, id.value) as string | undefined;
        if (pid) profileIds.add(pid);
      }
    }
    const identities: IngestSnapshot['identities'] = [];
    const profiles = new Map<string, ProfileState>();
    for (const pid of profileIds) {
      const state = this.loadState(pid);
      if (!state) continue;
      profiles.set(pid, state);
      touched.push(pid);
      for (const r of this.s.identitiesOf.all(pid) as { kind: string; value: string }[]) identities.push({ profileId: pid, kind: r.kind, value: r.value });
    }
    return { existing, identities, profiles };
  }

  private loadState(id: string): ProfileState | undefined {
    const head = this.s.profileHead.get(id) as { version: number; mergedInto: string | null } | undefined;
    if (!head || head.mergedInto) return undefined;
    const cached = this.cache.get(id, head.version);
    if (cached) return cached;
    const json = this.s.profileState.get(id) as string | null;
    return json ? (JSON.parse(json) as ProfileState) : undefined;
  }

  private write(w: IngestWrites): void {
    const s = this.s;
    for (const e of w.events) s.insertEvent.run(e.messageId, e.profileId, e.type, e.event, e.timestamp, e.receivedAt, e.json);
    for (const i of w.identities) s.insertIdentity.run(i.kind, i.value, i.profileId, i.at);
    for (const m of w.merges) {
      s.insertMerge.run(m.into, m.from, m.messageId, m.reason, m.via.kind, m.via.value, m.at);
      repointProfile(this.db, m.from, m.into);
    }
    for (const p of w.profiles) s.upsertProfile.run(p.id, p.version, p.createdAt, p.updatedAt, JSON.stringify(p));
    for (const c of w.consent) s.insertConsent.run(c.profileId, c.at, c.messageId, JSON.stringify(c.changes));
    for (const a of w.accounts) s.upsertAccount.run(a.id, JSON.stringify(a.traits), a.at, a.at);
    for (const m of w.memberships) s.upsertMembership.run(m.accountId, m.profileId, m.role, m.at, m.at);
    for (const c of w.conflicts) s.insertConflict.run(c.profileId, c.messageId, c.kind, c.value, c.reason, c.at);
    for (const v of w.violations) s.upsertViolation.run(v.event, v.property, v.rule, v.count, v.blocked, v.at, v.messageId, v.detail);
  }

  async violations(): Promise<ViolationSummary[]> {
    return this.s.violations.all() as ViolationSummary[];
  }

  async countEvents(): Promise<number> {
    return this.s.countEvents.get() as number;
  }

  async hasMessage(messageId: string): Promise<boolean> {
    return this.s.hasMessage.get(messageId) !== undefined;
  }
}
