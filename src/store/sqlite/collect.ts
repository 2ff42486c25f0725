import { StaleConfigError, type CollectStore, type IngestItem, type IngestSnapshot, type IngestWrites, type ViolationSummary } from '../../collect/collect-store.js';
import type { Message } from '../../collect/message.js';
import { identifierKey } from '../../identity/identifiers.js';
import type { CompiledFeature } from '../../profiles/features/definition.js';
import { applyMessage, newProfileState, noteEventSeq, type ProfileState } from '../../profiles/profile-state.js';
import type { Db } from './database.js';
import type { ProfileMemory } from './profile-memory.js';
import { IdentityCache } from './identity-cache.js';
import { RecentIds } from './recent-ids.js';
import { repointProfile } from './repoint.js';

/**
 * Collection on SQLite, log-structured: a batch's events are appended to the log and its
 * identity changes written in one IMMEDIATE transaction, committed with fsync before it resolves.
 * Profile states change in memory in the same step (so the next read sees them) and reach their
 * rows at the next checkpoint; a batch that merges profiles writes the merged states at once.
 * After a crash, `recover` replays the events after the last checkpoint — the states come back
 * exactly, because folding events into a state is deterministic.
 */
export class SqliteCollectStore implements CollectStore {
  private readonly s;
  private seq: number;
  private readonly recentIds: RecentIds;
  private readonly ids = new IdentityCache(2_000_000);
  private broken = false;
  private features: readonly CompiledFeature[] | undefined;

  /** Called after each committed batch (the store checks whether a checkpoint is due). */
  afterIngest: () => void = () => {};

  constructor(private readonly db: Db, private readonly memory: ProfileMemory, dedupeWindow: number) {
    this.s = {
      identity: db.prepare('SELECT profile_id FROM identities WHERE kind = ? AND value = ?').pluck(),
      identitiesOf: db.prepare('SELECT kind, value FROM identities WHERE profile_id = ?'),
      insertEvent: db.prepare('INSERT INTO events (seq, message_id, profile_id, type, event, ts, received_at, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      insertIdentity: db.prepare('INSERT INTO identities (kind, value, profile_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (kind, value) DO UPDATE SET profile_id = excluded.profile_id'),
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
      hasMessage: db.prepare('SELECT 1 FROM events WHERE message_id = ? LIMIT 1').pluck(),
      epoch: db.prepare('SELECT epoch FROM config_epoch WHERE id = 1').pluck(),
      maxSeq: db.prepare('SELECT coalesce(max(seq), 0) FROM events').pluck(),
      checkpointSeq: db.prepare("SELECT value FROM store_meta WHERE key = 'checkpoint_seq'").pluck(),
      tail: db.prepare('SELECT seq, profile_id AS profileId, body FROM events WHERE seq > ? ORDER BY seq LIMIT ?'),
      recentIds: db.prepare('SELECT message_id FROM events WHERE seq > ? ORDER BY seq').pluck(),
    };
    this.seq = this.s.maxSeq.get() as number;
    this.recentIds = new RecentIds(dedupeWindow);
  }

  private idsLoaded = false;

  /** Fills the dedupe window from the newest events of the log (once, before the first write). */
  private loadRecentIds(): void {
    if (this.idsLoaded) return;
    this.idsLoaded = true;
    const from = Math.max(0, (this.s.maxSeq.get() as number) - this.recentIds.capacity);
    for (const id of this.s.recentIds.iterate(from) as Iterable<string>) this.recentIds.add(id);
  }

  /** Highest event sequence number appended. */
  get lastSeq(): number {
    return this.seq;
  }

  async prepare(features: readonly CompiledFeature[]): Promise<{ replayed: number }> {
    this.features = features;
    return this.recover(features);
  }

  async ingest(items: IngestItem[], compute: (snapshot: IngestSnapshot) => IngestWrites, expectedEpoch: number): Promise<IngestWrites> {
    this.loadRecentIds();
    if (this.broken) {
      if (!this.features) throw new Error('the embedded store was not prepared with the feature definitions');
      this.recover(this.features);
    }
    const seqBefore = this.seq;
    const run = this.db.transaction(() => {
      const epoch = this.s.epoch.get() as number;
      if (epoch !== expectedEpoch) throw new StaleConfigError(epoch);
      const w = compute(this.snapshot(items));
      this.write(w);
      return w;
    });
    let w: IngestWrites;
    try {
      w = run.immediate();
    } catch (err) {
      this.seq = seqBefore;
      // The pure step changed in-memory states for events that were not stored: rebuild them
      // from the log before taking anything else. Stale config is thrown before any change.
      if (!(err instanceof StaleConfigError)) this.afterFailure();
      throw err;
    }
    for (const e of w.events) this.recentIds.add(e.messageId);
    this.rememberIdentities(w);
    const written = new Set<string>();
    if (w.merges.length) for (const p of w.profiles) written.add(p.id);
    for (const m of w.merges) this.memory.forget(m.from);
    for (const p of w.profiles) if (!written.has(p.id)) this.memory.markDirty(p);
    this.afterIngest();
    return w;
  }

  private snapshot(items: IngestItem[]): IngestSnapshot {
    const existing = new Set<string>();
    const profileIds = new Set<string>();
    const looked = new Set<string>();
    for (const it of items) {
      if (this.recentIds.has(it.message.messageId)) existing.add(it.message.messageId);
      for (const id of it.lookups) {
        const k = identifierKey(id.kind, id.value);
        if (looked.has(k)) continue;
        looked.add(k);
        const pid = this.ids.profileOf(id.kind, id.value) ?? (this.s.identity.get(id.kind, id.value) as string | undefined);
        if (pid) profileIds.add(pid);
      }
    }
    const identities: IngestSnapshot['identities'] = [];
    const profiles = new Map<string, ProfileState>();
    for (const pid of profileIds) {
      const state = this.memory.load(pid);
      if (!state) continue;
      profiles.set(pid, state);
      let list = this.ids.identitiesOf(pid);
      if (!list) {
        list = this.s.identitiesOf.all(pid) as { kind: string; value: string }[];
        this.ids.rememberProfile(pid, list);
      }
      for (const r of list) identities.push({ profileId: pid, kind: r.kind, value: r.value });
    }
    return { existing, identities, profiles };
  }

  /** Brings the identity cache up to a committed batch. */
  private rememberIdentities(w: IngestWrites): void {
    for (const m of w.merges) this.ids.merged(m.from, m.into);
    if (!w.identities.length) return;
    const fresh = new Map<string, { kind: string; value: string }[]>();
    for (const i of w.identities) {
      if (this.ids.identitiesOf(i.profileId)) this.ids.added(i.profileId, i);
      else {
        const l = fresh.get(i.profileId);
        if (l) l.push({ kind: i.kind, value: i.value });
        else fresh.set(i.profileId, [{ kind: i.kind, value: i.value }]);
      }
    }
    // Profiles this batch created: every identity they have is in the batch.
    const created = new Set(w.created);
    for (const [pid, list] of fresh) if (created.has(pid)) this.ids.created(pid, list);
  }

  private write(w: IngestWrites): void {
    const s = this.s;
    const byId = new Map(w.profiles.map((p) => [p.id, p]));
    for (const e of w.events) {
      const seq = ++this.seq;
      s.insertEvent.run(seq, e.messageId, e.profileId, e.type, e.event, e.timestamp, e.receivedAt, e.json);
      const p = byId.get(e.profileId);
      if (p) noteEventSeq(p, seq);
    }
    for (const i of w.identities) s.insertIdentity.run(i.kind, i.value, i.profileId, i.at);
    for (const m of w.merges) {
      s.insertMerge.run(m.into, m.from, m.messageId, m.reason, m.via.kind, m.via.value, m.at);
      repointProfile(this.db, m.from, m.into);
    }
    // A merge moves rows between profiles: write the states it touched now, with the merge.
    if (w.merges.length) for (const p of w.profiles) this.memory.writeNow(p);
    for (const c of w.consent) s.insertConsent.run(c.profileId, c.at, c.messageId, JSON.stringify(c.changes));
    for (const a of w.accounts) s.upsertAccount.run(a.id, JSON.stringify(a.traits), a.at, a.at);
    for (const m of w.memberships) s.upsertMembership.run(m.accountId, m.profileId, m.role, m.at, m.at);
    for (const c of w.conflicts) s.insertConflict.run(c.profileId, c.messageId, c.kind, c.value, c.reason, c.at);
    for (const v of w.violations) s.upsertViolation.run(v.event, v.property, v.rule, v.count, v.blocked, v.at, v.messageId, v.detail);
  }

  /** Writes every changed profile state; events up to now are then reflected in the rows. */
  async checkpoint(): Promise<void> {
    this.checkpointNow();
  }

  checkpointNow(): number {
    const upto = this.seq;
    const n = this.db.transaction(() => this.memory.checkpoint(upto)).immediate();
    this.memory.markClean();
    return n;
  }

  get dirtyProfiles(): number {
    return this.memory.dirtyCount;
  }

  /**
   * Rebuilds profile states from the log: every event after the last checkpoint is folded into
   * its (live) profile unless the profile's state already holds it. Then checkpoints.
   */
  recover(features: readonly CompiledFeature[]): { replayed: number } {
    this.loadRecentIds();
    this.memory.clear();
    this.ids.clear();
    let after = this.s.checkpointSeq.get() as number;
    let replayed = 0;
    for (;;) {
      const rows = this.s.tail.all(after, 5000) as { seq: number; profileId: string; body: string }[];
      if (rows.length === 0) break;
      for (const r of rows) {
        const m = JSON.parse(r.body) as Message;
        const state = this.memory.live(r.profileId) ?? this.memory.loadOrCreate(r.profileId, () => newProfileState(r.profileId, m.receivedAt));
        after = r.seq;
        if ((state.seq ?? 0) >= r.seq) continue;
        applyMessage(state, m, features);
        noteEventSeq(state, r.seq);
        state.version += 1;
        this.memory.markDirty(state);
        replayed += 1;
      }
    }
    this.seq = this.s.maxSeq.get() as number;
    this.checkpointNow();
    this.broken = false;
    return { replayed };
  }

  /** Marks the materialized states untrustworthy; the next ingest recovers them from the log first. */
  afterFailure(): void {
    this.broken = true;
    this.memory.clear();
    this.ids.clear();
  }

  /** Whether a failed commit left the store needing `recover`. */
  get needsRecovery(): boolean {
    return this.broken;
  }

  async violations(): Promise<ViolationSummary[]> {
    return this.s.violations.all() as ViolationSummary[];
  }

  async countEvents(): Promise<number> {
    return this.s.countEvents.get() as number;
  }

  async hasMessage(messageId: string): Promise<boolean> {
    this.loadRecentIds();
    return this.recentIds.has(messageId) || this.s.hasMessage.get(messageId) !== undefined;
  }
}
