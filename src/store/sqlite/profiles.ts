import type { Job } from '../../config/document-store.js';
import { consentHistoryFrom } from '../../profiles/consent-history.js';
import type { ProfileState } from '../../profiles/profile-state.js';
import type {
  AccountRow, ConflictRow, ConsentHistory, ConsentHistoryRow, EventScanRow, IdentityRow, MembersPage, MembershipRow, MergeRow, ProfileStore, StoredEvent,
} from '../../profiles/profile-store.js';
import { recentEventsSince } from './consent-write-back.js';
import type { Db } from './database.js';
import { INGEST_CHAIN } from './collect.js';
import type { ProfileMemory } from './profile-memory.js';
import { jobOp, stateOps, stateRow } from './write-ops.js';
import type { SqliteWriter } from './writer.js';

/**
 * What collection holds in memory ahead of the tables: the identity graph's owners, and the
 * batches whose identities and merges are taken into memory (the profile's state already shows
 * them) but not yet committed.
 */
export interface CollectionView {
  cachedOwner(kind: string, value: string): string | undefined;
  /** Resolves once every batch that adds an identity or a merge to the profile has committed (undefined when none is pending). */
  uncommitted(profileId: string): Promise<void> | undefined;
}

/**
 * Profile reads on SQLite: states from the materialized memory, the rest from their tables. A
 * profile's identities and merges are read after any batch that changes them has committed: its
 * state changes in memory first, and a reader that caches by state version (MergedKeys) would
 * otherwise keep the lists from before the batch.
 */
export class SqliteProfileStore implements ProfileStore {
  private readonly s;

  constructor(
    private readonly db: Db,
    private readonly memory: ProfileMemory,
    private readonly writer: SqliteWriter,
    /** After a write that changed states in memory first failed: resolves once memory holds what is stored again. */
    private readonly onFailure: () => Promise<void>,
    /** What collection holds in memory ahead of the tables (SqliteCollectStore). */
    private readonly collection: CollectionView = { cachedOwner: () => undefined, uncommitted: () => undefined },
  ) {
    this.s = {
      identity: db.prepare('SELECT profile_id FROM identities WHERE kind = ? AND value = ?').pluck(),
      identities: db.prepare('SELECT kind, value, created_at AS createdAt FROM identities WHERE profile_id = ? ORDER BY created_at, kind, value'),
      eventBySeq: db.prepare('SELECT seq, message_id AS messageId, type, event, ts AS timestamp, received_at AS receivedAt, body FROM events WHERE seq = ?'),
      memberships: db.prepare(`SELECT m.account_id AS accountId, m.role, m.created_at AS since, a.traits FROM memberships m JOIN accounts a ON a.id = m.account_id WHERE m.profile_id = ? ORDER BY m.created_at`),
      merges: db.prepare('SELECT into_id AS "into", from_id AS "from", message_id AS messageId, reason, via_kind AS viaKind, via_value AS viaValue, at FROM merges WHERE into_id = ? OR from_id = ? ORDER BY at, id'),
      consent: db.prepare('SELECT at, message_id AS messageId, changes FROM consent_history WHERE profile_id = ? ORDER BY at DESC, id DESC LIMIT ?'),
      consentBefore: db.prepare('SELECT at, message_id AS messageId, changes FROM consent_history WHERE profile_id = ? AND at < ? ORDER BY at, id'),
      conflicts: db.prepare(`SELECT last_message_id AS messageId, kind, value, reason, count, first_at AS firstAt, last_at AS lastAt
        FROM identity_conflicts WHERE profile_id = ? ORDER BY last_at DESC, id DESC LIMIT ?`),
      account: db.prepare('SELECT id, traits, created_at AS createdAt, updated_at AS updatedAt FROM accounts WHERE id = ?'),
      members: db.prepare('SELECT profile_id AS profileId, role FROM memberships WHERE account_id = ? AND profile_id > ? ORDER BY profile_id LIMIT ?'),
      maxSeq: db.prepare('SELECT coalesce(max(seq), 0) FROM events').pluck(),
      scan: db.prepare('SELECT seq, profile_id AS profileId, type, event, body AS json FROM events WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?'),
      countLive: db.prepare('SELECT count(DISTINCT profile_id) FROM identities').pluck(),
    };
  }

  async findProfileId(kind: string, value: string): Promise<string | undefined> {
    // Every decision looks its subject up: the identity graph collection keeps in memory answers
    // without a read of the identities table when it holds the identifier.
    return this.collection.cachedOwner(kind, value) ?? (this.s.identity.get(kind, value) as string | undefined);
  }

  async getProfile(id: string): Promise<ProfileState | undefined> {
    return this.memory.live(id);
  }

  /** As getProfile for each id: the states are in memory (or one indexed read each), no round trip to batch. */
  async getProfiles(ids: readonly string[]): Promise<Map<string, ProfileState>> {
    const out = new Map<string, ProfileState>();
    for (const id of ids) {
      const s = this.memory.live(id);
      if (s) out.set(id, s);
    }
    return out;
  }

  get mergeCount(): number {
    return this.memory.merges;
  }

  async identities(profileId: string): Promise<IdentityRow[]> {
    await this.collection.uncommitted(profileId);
    return this.s.identities.all(profileId) as IdentityRow[];
  }

  /** As `identities` for each id: one indexed read each, no round trip to batch. */
  async identitiesOfMany(profileIds: readonly string[]): Promise<Map<string, IdentityRow[]>> {
    const out = new Map<string, IdentityRow[]>();
    for (const id of profileIds) if (!out.has(id)) out.set(id, await this.identities(id));
    return out;
  }

  async recentEvents(profileId: string, limit: number): Promise<StoredEvent[]> {
    if (limit <= 0) return []; // slice(-0) would take them all
    const state = this.memory.live(profileId);
    const seqs = (state?.recent ?? []).slice(-limit).reverse();
    const out: StoredEvent[] = [];
    for (const seq of seqs) {
      const r = this.s.eventBySeq.get(seq) as (Omit<StoredEvent, 'message'> & { body: string }) | undefined;
      if (!r) continue;
      const { body, ...rest } = r;
      out.push({ ...rest, message: JSON.parse(body) });
    }
    return out.sort((a, b) => b.timestamp - a.timestamp || b.seq - a.seq);
  }

  async memberships(profileId: string): Promise<MembershipRow[]> {
    return (this.s.memberships.all(profileId) as (Omit<MembershipRow, 'traits'> & { traits: string })[]).map((r) => ({ ...r, traits: JSON.parse(r.traits) }));
  }

  async merges(profileId: string): Promise<MergeRow[]> {
    await this.collection.uncommitted(profileId);
    return this.s.merges.all(profileId, profileId) as MergeRow[];
  }

  /**
   * The stored history, or — when the profile's state marks it (consentLateSince: a statement
   * arrived late, or a merge) — the history rebuilt from that time out of the profile's recent
   * events (a merge folds both profiles' lists), as the event-time order gives it. Only what is read
   * by key: the events table has no index by profile or time (ADR 0003) and a scan of it on the
   * main thread costs seconds per million events, on every GET of such a profile. When the recent
   * events do not reach back to the mark, the stored rows are answered and marked incomplete from it.
   * A GET writes nothing back (it takes no lock); a checkpoint does, while the recent events still
   * cover the mark (ConsentWriteBack), and a GET meanwhile waits for that write.
   */
  async consentHistory(profileId: string, limit: number): Promise<ConsentHistory> {
    await this.consentRewritten(profileId);
    if (this.memory.live(profileId)?.consentLateSince === undefined) return { rows: parseChanges(this.s.consent.all(profileId, limit)) };
    // Memory is ahead of the tables: once what it holds now has committed, the mark read after
    // covers every committed statement (a batch folded meanwhile can only lower it).
    await this.writer.run([]);
    await this.consentRewritten(profileId);
    const state = this.memory.live(profileId);
    const since = state?.consentLateSince;
    if (!state || since === undefined) return { rows: parseChanges(this.s.consent.all(profileId, limit)) };
    // One snapshot: the writer may commit between two reads.
    return this.db.transaction((): ConsentHistory => {
      const events = recentEventsSince(state, since, (seq) => this.s.eventBySeq.get(seq) as { seq: number; messageId: string; timestamp: number; body: string } | undefined, 'skip');
      if (!events) return { rows: parseChanges(this.s.consent.all(profileId, limit)), incomplete: { since, cause: state.consentLateCause } };
      return { rows: consentHistoryFrom(since, parseChanges(this.s.consentBefore.all(profileId, since)), events, limit) };
    })();
  }

  /** Resolves once no checkpoint write is replacing the profile's consent rows (its mark already cleared in memory). */
  private async consentRewritten(profileId: string): Promise<void> {
    for (;;) {
      if (!this.memory.rewritingAnyConsent) return;
      const id = this.memory.live(profileId)?.id;
      const write = id === undefined ? undefined : this.memory.consentRewrite(id);
      if (!write) return;
      await write;
    }
  }

  async conflicts(profileId: string, limit: number): Promise<ConflictRow[]> {
    return this.s.conflicts.all(profileId, limit) as ConflictRow[];
  }

  async getAccount(id: string, page?: MembersPage): Promise<AccountRow | undefined> {
    const r = this.s.account.get(id) as (Omit<AccountRow, 'traits' | 'members'> & { traits: string }) | undefined;
    if (!r) return undefined;
    // LIMIT -1: every member.
    return { ...r, traits: JSON.parse(r.traits), members: this.s.members.all(id, page?.after ?? '', page?.limit ?? -1) as AccountRow['members'] };
  }

  async maxEventSeq(): Promise<number> {
    return this.s.maxSeq.get() as number;
  }

  async scanEvents(afterSeq: number, uptoSeq: number, limit: number): Promise<EventScanRow[]> {
    return this.s.scan.all(afterSeq, uptoSeq, limit) as EventScanRow[];
  }

  async mutateProfiles(ids: string[], fn: (states: Map<string, ProfileState>) => void, alsoSave?: Job): Promise<void> {
    // A cold state is parsed afresh on every read: ids naming one live profile (a merged-away id
    // and the id it joined) must share one copy, else each copy is written and the last one wins.
    const states = new Map<string, ProfileState>();
    const byLive = new Map<string, ProfileState>();
    for (const id of ids) {
      const read = this.memory.live(id);
      if (!read) continue;
      const s = byLive.get(read.id) ?? read;
      byLive.set(s.id, s);
      states.set(id, s);
    }
    try {
      fn(states);
    } catch (err) {
      // It may have changed states in place before it failed.
      await this.onFailure();
      throw err;
    }
    const unique = [...new Set(states.values())];
    for (const s of unique) {
      s.version += 1;
      this.memory.markDirty(s);
    }
    // The states and the job's progress commit together, after every batch already handed over.
    try {
      await this.writer.run([...stateOps(unique.map(stateRow)), ...(alsoSave ? [jobOp(alsoSave)] : [])], INGEST_CHAIN);
    } catch (err) {
      // The states were changed in memory but not stored: rebuilt from the log before the failure is answered.
      await this.onFailure();
      throw err;
    }
  }

  async countProfiles(): Promise<number> {
    return this.s.countLive.get() as number;
  }
}

function parseChanges(rows: unknown[]): ConsentHistoryRow[] {
  return (rows as (Omit<ConsentHistoryRow, 'changes'> & { changes: string })[]).map((r) => ({ ...r, changes: JSON.parse(r.changes) }));
}
