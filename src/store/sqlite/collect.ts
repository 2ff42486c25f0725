import type { Statement } from 'better-sqlite3';
import { StaleConfigError, type CollectStore, type IngestItem, type IngestSnapshot, type IngestWrites, type ViolationQuery, type ViolationSummary } from '../../collect/collect-store.js';
import { violationsSql } from '../plan-violations-sql.js';
import { BLOCKED_WINDOW, BlockedIds } from '../../collect/blocked-ids.js';
import type { Message } from '../../collect/message.js';
import { identifierKey, type Identifier } from '../../identity/identifiers.js';
import type { CompiledFeature } from '../../profiles/features/definition.js';
import { applyMessage, newProfileState, noteEventSeq, type ProfileState } from '../../profiles/profile-state.js';
import { ConsentWriteBack } from './consent-write-back.js';
import type { Db } from './database.js';
import { IdentityCache } from './identity-cache.js';
import { KnownIds } from './known-ids.js';
import type { ProfileMemory } from './profile-memory.js';
import { RecentIds } from './recent-ids.js';
import { ingestOps, stateOps, stateRow, watermarkOp } from './write-ops.js';
import type { SqliteWriter } from './writer.js';

/** Every write that carries profile states rides this chain: nothing lands on top of a failed batch. */
export const INGEST_CHAIN = 'ingest';
/** Profile states a checkpoint serialises at a time (the event loop runs between chunks). */
export const CHECKPOINT_CHUNK = 250;
/** Checkpoint chunks in the writer at once. */
const CHECKPOINT_INFLIGHT = 4;

/**
 * Collection on SQLite, log-structured (docs/adr/0003). A batch is resolved and folded into the
 * in-memory profile states on the main thread, and its events (and identity changes) are appended
 * by the writer thread in one transaction, committed with fsync before the batch resolves. While
 * it commits, the next batch is already being resolved. Profile states reach their rows at
 * checkpoints; after a crash — or a failed commit — `recover` replays the events after the last
 * checkpoint, and the states come back exactly, because folding events is deterministic. A failed
 * commit is answered only once that is done: memory (states, identity graph, dedupe window) never
 * shows a batch that was not stored, and a retry is folded once.
 */
export class SqliteCollectStore implements CollectStore {
  readonly pipelineDepth = 3;
  private readonly s;
  private seq: number;
  private recentIds: RecentIds;
  /** The newest blocked messages whose violations were counted: the table's (core-004) newest, and the batches' since. */
  private blockedIds: BlockedIds;
  private idsLoaded = false;
  private readonly ids: IdentityCache;
  private known: KnownIds | undefined;
  /** Identities written by batches not yet committed (the read connection cannot see them). */
  private readonly pendingIds = new Map<string, string>();
  /** Profiles whose identities or merges a batch changed in memory, until the batch commits (the commit, settled either way). */
  private readonly pendingProfiles = new Map<string, Promise<void>>();
  private readonly inflight = new Set<Promise<unknown>>();
  private broken = false;
  private recovering: Promise<{ replayed: number }> | undefined;
  private checkpointing: Promise<void> | undefined;
  private features: readonly CompiledFeature[] | undefined;
  private readonly consentWriteBack: ConsentWriteBack;
  /** The violation reads, by SQL (one per combination of filters: at most eight). */
  private readonly violationReads = new Map<string, Statement<unknown[]>>();

  /** Called after each batch is handed to the writer (the store checks whether a checkpoint is due). */
  afterIngest: () => void = () => {};

  constructor(private readonly db: Db, private readonly memory: ProfileMemory, private readonly writer: SqliteWriter, private readonly dedupeWindow: number, identityCache = 2_000_000, private readonly blockedWindow = BLOCKED_WINDOW) {
    this.ids = new IdentityCache(identityCache);
    this.consentWriteBack = new ConsentWriteBack(db);
    this.s = {
      identity: db.prepare('SELECT profile_id FROM identities WHERE kind = ? AND value = ?').pluck(),
      identitiesOf: db.prepare('SELECT kind, value FROM identities WHERE profile_id = ?'),
      countEvents: db.prepare('SELECT count(*) FROM events').pluck(),
      hasMessage: db.prepare('SELECT 1 FROM events WHERE message_id = ? LIMIT 1').pluck(),
      epoch: db.prepare('SELECT epoch FROM config_epoch WHERE id = 1').pluck(),
      maxSeq: db.prepare('SELECT coalesce(max(seq), 0) FROM events').pluck(),
      checkpointSeq: db.prepare("SELECT value FROM store_meta WHERE key = 'checkpoint_seq'").pluck(),
      tail: db.prepare('SELECT seq, profile_id AS profileId, body FROM events WHERE seq > ? ORDER BY seq LIMIT ?'),
      recentIds: db.prepare('SELECT message_id FROM events WHERE seq > ? ORDER BY seq').pluck(),
      blockedIds: db.prepare('SELECT message_id FROM (SELECT seq, message_id FROM blocked_messages ORDER BY seq DESC LIMIT ?) ORDER BY seq').pluck(),
      allIdentities: db.prepare('SELECT kind, value FROM identities').raw(),
    };
    this.seq = this.s.maxSeq.get() as number;
    this.recentIds = new RecentIds(dedupeWindow);
    this.blockedIds = new BlockedIds(blockedWindow);
  }

  /** Fills the dedupe windows from the newest events of the log and of the blocked messages, and the identifier filter (once, before the first write). */
  private loadRecentIds(): void {
    if (this.idsLoaded) return;
    this.idsLoaded = true;
    this.known = new KnownIds();
    for (const [kind, value] of this.s.allIdentities.iterate() as Iterable<[string, string]>) this.known.add(identifierKey(kind, value));
    const from = Math.max(0, (this.s.maxSeq.get() as number) - this.recentIds.capacity);
    for (const id of this.s.recentIds.iterate(from) as Iterable<string>) this.recentIds.add(id);
    for (const id of this.s.blockedIds.iterate(this.blockedWindow) as Iterable<string>) this.blockedIds.add(id);
  }

  async prepare(features: readonly CompiledFeature[]): Promise<{ replayed: number }> {
    this.features = features;
    return this.recover();
  }

  async ingest(items: IngestItem[], compute: (snapshot: IngestSnapshot) => IngestWrites, expectedEpoch: number): Promise<IngestWrites> {
    if (this.broken) await this.recover();
    this.loadRecentIds();
    const epoch = this.s.epoch.get() as number;
    if (epoch !== expectedEpoch) throw new StaleConfigError(epoch);
    let w: IngestWrites;
    try {
      w = compute(this.snapshot(items));
    } catch (err) {
      // The pure step may have changed states in place before it failed.
      await this.afterFailure();
      throw err;
    }
    const seqs = w.events.map(() => ++this.seq);
    const byId = new Map(w.profiles.map((p) => [p.id, p]));
    w.events.forEach((e, i) => {
      const p = byId.get(e.profileId);
      if (p) noteEventSeq(p, seqs[i], e.timestamp);
    });
    // A merge moves rows between profiles: the states it touched are written with it.
    const statesNow = w.merges.length ? w.profiles.map(stateRow) : [];
    const ops = ingestOps(w, seqs, statesNow, this.blockedWindow);
    // Take the batch into memory now, so the next batch (resolved while this one commits) sees it.
    for (const e of w.events) this.recentIds.add(e.messageId);
    for (const b of w.blocked) this.blockedIds.add(b.messageId);
    const pending = w.identities.map((i) => identifierKey(i.kind, i.value));
    w.identities.forEach((i, k) => {
      this.pendingIds.set(pending[k], i.profileId);
      this.known?.add(pending[k]);
    });
    this.rememberIdentities(w);
    for (const m of w.merges) this.memory.forget(m.from, m.into);
    for (const p of w.profiles) this.memory.markDirty(p);
    const commit = this.writer.run(ops, INGEST_CHAIN);
    this.track(commit);
    const touched = w.identities.length || w.merges.length ? touchedProfiles(w) : NO_PROFILES;
    const settled = touched.length ? commit.then(noop, noop) : undefined;
    for (const id of touched) this.pendingProfiles.set(id, settled!);
    this.afterIngest();
    let failed: { err: unknown } | undefined;
    try {
      await commit;
    } catch (err) {
      failed = { err };
      this.broken = true;
    }
    // Before any recovery: a batch resolved after it may hold the same keys.
    for (const k of pending) this.pendingIds.delete(k);
    for (const m of w.merges) this.memory.settled(m.from);
    for (const id of touched) if (this.pendingProfiles.get(id) === settled) this.pendingProfiles.delete(id);
    if (failed) {
      // Memory took the batch in before the writer refused it (and the batches resolved on top of
      // it, refused by the chain): it is rebuilt from the log before the failure is answered, so no
      // read shows what was not stored and a retry is folded once.
      await this.afterFailure();
      throw failed.err;
    }
    return w;
  }

  /** Resolves once every batch that adds an identity or a merge to `profileId` has committed; undefined when none is pending. */
  uncommitted(profileId: string): Promise<void> | undefined {
    return this.pendingProfiles.get(profileId);
  }

  private track(p: Promise<unknown>): void {
    const t = p.catch(() => undefined).finally(() => this.inflight.delete(t));
    this.inflight.add(t);
  }

  private snapshot(items: IngestItem[]): IngestSnapshot {
    const existing = new Set<string>();
    const blocked = new Set<string>();
    const profileIds = new Set<string>();
    const looked = new Set<string>();
    for (const it of items) {
      if (this.recentIds.has(it.message.messageId)) existing.add(it.message.messageId);
      if (this.blockedIds.has(it.message.messageId)) blocked.add(it.message.messageId);
      for (const id of it.lookups) {
        const k = identifierKey(id.kind, id.value);
        if (looked.has(k)) continue;
        looked.add(k);
        const pid = this.pendingIds.get(k) ?? this.ids.profileOf(id.kind, id.value) ?? (this.known?.mayHave(k) ? (this.s.identity.get(id.kind, id.value) as string | undefined) : undefined);
        if (pid) profileIds.add(pid);
      }
    }
    const identities: IngestSnapshot['identities'] = [];
    const profiles = new Map<string, ProfileState>();
    for (const found of profileIds) {
      // An identifier read from the table may still name a profile whose merge has not committed.
      const pid = this.memory.joined(found);
      if (profiles.has(pid)) continue;
      const state = this.memory.load(pid);
      if (!state) continue;
      profiles.set(pid, state);
      if (this.ids.appendRows(pid, identities)) continue;
      const list = this.identitiesAhead(pid);
      this.ids.rememberProfile(pid, list);
      for (const r of list) identities.push({ profileId: pid, kind: r.kind, value: r.value });
    }
    return { existing, blocked, identities, profiles };
  }

  /**
   * A profile's identities as the batches already resolved left them, for a profile the identity
   * graph in memory does not hold: its rows, and those of the profiles merging into it, less what
   * uncommitted batches gave to other profiles, plus what they gave to these.
   */
  private identitiesAhead(pid: string): Identifier[] {
    const owners = new Set([pid, ...this.memory.absorbing(pid)]);
    const list: Identifier[] = [];
    const seen = new Set<string>();
    const add = (kind: string, value: string, k: string) => {
      if (seen.has(k)) return;
      seen.add(k);
      list.push({ kind, value });
    };
    for (const owner of owners) {
      for (const r of this.s.identitiesOf.all(owner) as Identifier[]) {
        const k = identifierKey(r.kind, r.value);
        const now = this.pendingIds.get(k);
        if (now === undefined || owners.has(this.memory.joined(now))) add(r.kind, r.value, k);
      }
    }
    for (const [k, owner] of this.pendingIds) {
      if (!owners.has(this.memory.joined(owner))) continue;
      const cut = k.indexOf('\u0000');
      add(k.slice(0, cut), k.slice(cut + 1), k);
    }
    return list;
  }

  /** Brings the identity cache up to a batch. */
  private rememberIdentities(w: IngestWrites): void {
    for (const m of w.merges) this.ids.merged(m.from, m.into);
    if (!w.identities.length) return;
    const fresh = new Map<string, { kind: string; value: string }[]>();
    for (const i of w.identities) {
      if (this.ids.knows(i.profileId)) this.ids.added(i.profileId, i);
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

  /**
   * Writes every changed profile state, in chunks, then records that every event up to the start
   * of the checkpoint is reflected in the rows. Serialising a chunk holds the event loop (≈ 7–13 µs
   * a state on a slow host), so chunks are small and requests run between them; a few chunks are
   * in the writer at once, so the checkpoint does not wait a commit per chunk.
   */
  checkpoint(): Promise<void> {
    if (this.checkpointing) return this.checkpointing;
    // Memory may hold a batch that was not stored: rebuilt first (a recovery ends with a checkpoint).
    if (this.broken) return this.recover().then(noop);
    this.checkpointing = (async () => {
      const upto = this.seq;
      const dirty = this.memory.dirtyStates();
      const inflight: Promise<void>[] = [];
      for (let i = 0; i < dirty.length; i += CHECKPOINT_CHUNK) {
        // A write failed meanwhile: these states may hold it, and after the recovery resets the
        // chain a chunk would be stored (and the watermark moved past the log's end).
        if (this.broken) throw new Error('the checkpoint stopped: a write failed and the profile states are being rebuilt from the log');
        // A state listed at the start whose profile a batch merged away since is not written: its
        // row would read live again (`merged_into = NULL`), a second copy of the person; the merge
        // wrote the survivor's state (until 2026-12-06 it was written back).
        const chunk = dirty.slice(i, i + CHECKPOINT_CHUNK).filter((s) => this.memory.holds(s));
        // Before the states are serialised: a resolved mark is cleared in the state written.
        const consent = this.consentWriteBack.resolve(chunk, (id) => this.settledProfile(id));
        const rows = chunk.map(stateRow);
        // rows[k] = [id, version, createdAt, updatedAt, json]: the state as it was written.
        const write = this.writer.run([...stateOps(rows), ...consent.ops], INGEST_CHAIN).then(
          () => rows.forEach((r) => this.memory.writtenAt(r[0] as string, r[1] as number, r[4] as string)),
          (err: unknown) => {
            ConsentWriteBack.restore(consent.resolved);
            throw err;
          },
        );
        for (const r of consent.resolved) this.memory.rewritingConsent(r.state.id, write);
        this.track(write);
        inflight.push(write);
        if (inflight.length >= CHECKPOINT_INFLIGHT) await inflight.shift();
        else await new Promise((r) => setImmediate(r));
      }
      // A failed chunk fails the checkpoint (its states stay dirty; the next one retries), and the
      // chain refuses the chunks after it.
      await Promise.all(inflight);
      const mark = this.writer.run([watermarkOp(upto)], INGEST_CHAIN);
      this.track(mark);
      await mark;
    })().catch((err: unknown) => {
      // The failed write left the chain refusing every write after it, and only `recover` (memory
      // rebuilt, nothing in flight) may reset it: the next write recovers first. Until 2026-12-05
      // a checkpoint that failed (the disk full) failed the next batch too, after the disk had room.
      this.broken = true;
      throw err;
    }).finally(() => {
      this.checkpointing = undefined;
    });
    return this.checkpointing;
  }

  /** Whether profile `id` is live and no merge or identity of it is waiting for its commit (a consent rebuild reads what is committed). */
  private settledProfile(id: string): boolean {
    return !this.pendingProfiles.has(id) && this.memory.joined(id) === id && this.memory.absorbing(id).length === 0;
  }

  get dirtyProfiles(): number {
    return this.memory.dirtyCount;
  }

  /** States written by a checkpoint and waiting for the next cooling (ProfileMemory.warmCount). */
  get warmProfiles(): number {
    return this.memory.warmCount;
  }

  /** Holds the states no event changed since they were written as text again (ProfileMemory.cool). */
  cool(): number {
    return this.memory.cool();
  }

  /**
   * Rebuilds the in-memory state from what is committed: waits for writes in flight, forgets
   * everything remembered, replays every event after the last checkpoint into its (live) profile
   * unless the profile's row already holds it, and checkpoints.
   */
  recover(): Promise<{ replayed: number }> {
    if (this.recovering) return this.recovering;
    this.recovering = (async () => {
      // A checkpoint in progress holds the states as they were: it ends (refused by the chain) first.
      while (this.inflight.size || this.checkpointing) await Promise.all([...this.inflight, this.checkpointing?.catch(noop)]);
      if (!this.features) throw new Error('the embedded store was not prepared with the feature definitions');
      const features = this.features;
      this.memory.clear();
      this.ids.clear();
      this.pendingIds.clear();
      this.recentIds = new RecentIds(this.dedupeWindow);
      this.blockedIds = new BlockedIds(this.blockedWindow);
      this.idsLoaded = false;
      this.loadRecentIds();
      let after = this.s.checkpointSeq.get() as number;
      let replayed = 0;
      for (;;) {
        const rows = this.s.tail.all(after, 5000) as { seq: number; profileId: string; body: string }[];
        if (rows.length === 0) break;
        for (const r of rows) {
          const m = JSON.parse(r.body) as Message;
          after = r.seq;
          const state = this.memory.live(r.profileId) ?? this.memory.loadOrCreate(r.profileId, () => newProfileState(r.profileId, m.receivedAt));
          if ((state.seq ?? 0) >= r.seq) continue;
          applyMessage(state, m, features);
          noteEventSeq(state, r.seq, m.timestamp);
          state.version += 1;
          this.memory.markDirty(state);
          replayed += 1;
        }
      }
      this.seq = this.s.maxSeq.get() as number;
      await this.writer.reset(INGEST_CHAIN);
      this.broken = false;
      await this.checkpoint();
      return { replayed };
    })().finally(() => {
      this.recovering = undefined;
    });
    return this.recovering;
  }

  /** The owner of an identifier in the identity graph held in memory (undefined when not held: read the table). */
  cachedOwner(kind: string, value: string): string | undefined {
    return this.broken ? undefined : this.ids.profileOf(kind, value);
  }

  /**
   * After a write that changed memory first failed: marks the in-memory state untrustworthy and
   * rebuilds it from the log (`recover`). Resolves when memory again holds exactly what is stored;
   * if the rebuild fails too, the store stays marked and the next write recovers first.
   */
  async afterFailure(): Promise<void> {
    this.broken = true;
    // A recovery already under way may have replayed the log before this write failed (it then
    // ends with the store still marked): one more rebuilds memory without it.
    for (let attempt = 0; this.broken && attempt < 2; attempt++) await this.recover().catch(noop);
  }

  /** Whether a failed commit left the store needing `recover`. */
  get needsRecovery(): boolean {
    return this.broken;
  }

  /** Resolves when every write handed to the writer so far has settled. */
  async settled(): Promise<void> {
    while (this.inflight.size) await Promise.all([...this.inflight]);
  }

  async violations(q: ViolationQuery): Promise<ViolationSummary[]> {
    const { sql, args } = violationsSql(q, () => '?');
    let s = this.violationReads.get(sql);
    if (!s) this.violationReads.set(sql, (s = this.db.prepare<unknown[]>(sql)));
    return s.all(...args) as ViolationSummary[];
  }

  /**
   * The rows are counted on the read connection and deleted by the writer: a violation of the
   * event committed in between is deleted too, and not in the count answered.
   */
  async clearViolations(event: string | undefined): Promise<number> {
    const where = event === undefined ? '' : ' WHERE event = ?';
    const args = event === undefined ? [] : [event];
    const n = this.db.prepare(`SELECT count(*) FROM plan_violations${where}`).pluck().get(...args) as number;
    await this.writer.run([{ sql: `DELETE FROM plan_violations${where}`, rows: [args] }]);
    return n;
  }

  async countEvents(): Promise<number> {
    await this.settled();
    return this.s.countEvents.get() as number;
  }

  async hasMessage(messageId: string): Promise<boolean> {
    this.loadRecentIds();
    return this.recentIds.has(messageId) || this.s.hasMessage.get(messageId) !== undefined;
  }
}

const NO_PROFILES: readonly string[] = [];
const noop = (): void => undefined;

/** The profiles whose identities or merges a batch's writes change (both sides of a merge). */
function touchedProfiles(w: IngestWrites): string[] {
  const ids = new Set<string>();
  for (const i of w.identities) ids.add(i.profileId);
  for (const m of w.merges) {
    ids.add(m.into);
    ids.add(m.from);
  }
  return [...ids];
}
