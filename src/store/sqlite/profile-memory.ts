import type { ProfileState } from '../../profiles/profile-state.js';
import { mergeCycle } from '../../profiles/profile-store.js';
import type { Db } from './database.js';

/**
 * The embedded store's profile states, materialized in memory from the event log. Changed
 * states are "dirty" until a checkpoint has written them; clean ones are evicted least recently
 * used first and read back from their row when needed. After a crash, states are exactly rebuilt
 * by replaying the events after the last checkpoint (see SqliteCollectStore.recover).
 *
 * A state that has gone cold is held as the JSON text its row holds, not as objects: a string is
 * one object to the garbage collector, where a parsed state is dozens (features, counts, boxed
 * numbers). With 100,000 profiles in memory that is the difference between a major collection
 * marking ≈ 7 million objects — hundreds of milliseconds of the main thread, and every request
 * waiting behind it — and marking a few. Each read of a cold state parses a fresh copy (a few
 * microseconds). A changed state stays an object until written, and for one cooling period after
 * ({@link cool}, the store's checkpoint timer): a profile that events keep changing is parsed
 * once, not after every checkpoint — parsing it again and again made fresh objects that lived
 * until the next checkpoint, so the young collections copied and promoted them (in the ingest
 * bench, a quarter of what each young collection promoted went with this). Callers must not change a state
 * they read without marking it dirty: they may get the object memory holds.
 */
export class ProfileMemory {
  private readonly states = new Map<string, ProfileState | string>();
  private readonly dirty = new Set<string>();
  /** States written since the last {@link cool}, still held as objects: the text each was written as, by version. */
  private cooling = new Map<string, { version: number; json: string }>();
  /**
   * Profiles merged away whose merge is not committed yet: their rows still read as live (and hold
   * their last written state), so until the merge commits they are followed from here.
   */
  private readonly away = new Map<string, string>();
  /**
   * Checkpoint writes replacing a profile's consent history from its mark on (ConsentWriteBack),
   * until they settle: the mark is cleared in memory when the write is handed over, and a read of
   * the history waits for it rather than read the rows it replaces.
   */
  private readonly consentWrites = new Map<string, Promise<unknown>>();
  /** Merges so far (ProfileStore.mergeCount). */
  merges = 0;
  private readonly s;

  constructor(db: Db, private readonly capacity: number) {
    this.s = { row: db.prepare('SELECT merged_into AS mergedInto, state FROM profiles WHERE id = ?') };
  }

  /** The state of profile `id` if it is live (not merged away), from memory or its row. */
  load(id: string): ProfileState | undefined {
    if (this.away.has(id)) return undefined;
    const hit = this.states.get(id);
    if (hit !== undefined) {
      this.states.delete(id);
      this.states.set(id, hit);
      return typeof hit === 'string' ? (JSON.parse(hit) as ProfileState) : hit;
    }
    const row = this.s.row.get(id) as { mergedInto: string | null; state: string | null } | undefined;
    if (!row || row.mergedInto || !row.state) return undefined;
    this.remember(id, row.state);
    return JSON.parse(row.state) as ProfileState;
  }

  /** Follows merges from `id` to the live profile; undefined when no such profile exists. */
  live(id: string): ProfileState | undefined {
    // A committed chain is one hop (a merge re-points the rows merged into the profile it merges
    // away); with merges in flight it may be more: followed to its end, however long, but a cycle
    // is damaged data and said to be.
    let cur = id;
    let passed: string[] | undefined;
    for (;;) {
      cur = this.joined(cur);
      const s = this.load(cur);
      if (s) return s;
      const row = this.s.row.get(cur) as { mergedInto: string | null } | undefined;
      if (!row?.mergedInto) return undefined;
      passed ??= [];
      passed.push(cur);
      if (passed.includes(row.mergedInto)) throw mergeCycle(id, [...passed, row.mergedInto]);
      cur = row.mergedInto;
    }
  }

  /** The state of a profile that may have no row yet (created after the last checkpoint). */
  loadOrCreate(id: string, create: () => ProfileState): ProfileState {
    const s = this.load(id) ?? create();
    this.remember(s.id, s);
    return s;
  }

  /** Holds a changed state until a checkpoint has written it. */
  markDirty(state: ProfileState): void {
    this.states.delete(state.id);
    this.states.set(state.id, state);
    this.dirty.add(state.id);
    this.evict();
  }

  /** A profile merged into `into`: its state leaves memory, and reads follow to `into` until {@link settled}. */
  forget(id: string, into: string): void {
    this.merges++;
    this.states.delete(id);
    this.dirty.delete(id);
    this.away.set(id, into);
  }

  /**
   * Whether memory still holds this very state as its profile's: not once the profile merged away
   * (forget) — a checkpoint that listed it before must not write it back as a live profile.
   */
  holds(state: ProfileState): boolean {
    return this.states.get(state.id) === state;
  }

  /** The profile `id` belongs to while merges are uncommitted: `id` itself unless it merged away. */
  joined(id: string): string {
    // One batch may merge p0 into p1, p1 into p2 …: followed to the end (a profile merges away
    // once, so a chain has at most `away.size` links), and the links passed are pointed at it, so
    // the next read of any of them is one step.
    let cur = id;
    for (let hop = 0; ; hop++) {
      const into = this.away.get(cur);
      if (into === undefined) break;
      if (hop >= this.away.size) throw mergeCycle(id, [id, '…', cur]);
      cur = into;
    }
    for (let at = id; at !== cur; ) {
      const into = this.away.get(at) as string;
      this.away.set(at, cur);
      at = into;
    }
    return cur;
  }

  /** The profiles merging into `id` whose merges are not committed yet (their rows still hold their identities). */
  absorbing(id: string): string[] {
    const out: string[] = [];
    if (this.away.size === 0) return out;
    for (const from of this.away.keys()) if (from !== id && this.joined(from) === id) out.push(from);
    return out;
  }

  /** The merge of `id` committed: its row says where it went. */
  settled(id: string): void {
    this.away.delete(id);
  }

  get dirtyCount(): number {
    return this.dirty.size;
  }

  /** States written since the last {@link cool} (some may have changed again since). */
  get warmCount(): number {
    return this.cooling.size;
  }

  /** The changed states, for a checkpoint. */
  dirtyStates(): ProfileState[] {
    const out: ProfileState[] = [];
    for (const id of this.dirty) {
      const s = this.states.get(id);
      if (s && typeof s !== 'string') out.push(s);
    }
    return out;
  }

  /**
   * After a checkpoint wrote a state (`json` is the text it wrote): clean, unless it changed again
   * since it was written. It stays an object until the next {@link cool}.
   */
  writtenAt(id: string, version: number, json: string): void {
    const s = this.states.get(id);
    if (s && typeof s !== 'string' && s.version === version) {
      this.dirty.delete(id);
      this.cooling.set(id, { version, json });
    }
  }

  /**
   * Holds as text every state written since the last call that has not changed since: the states
   * no event touched for a cooling period. Returns how many went cold.
   */
  cool(): number {
    let n = 0;
    for (const [id, c] of this.cooling) {
      const s = this.states.get(id);
      if (s && typeof s !== 'string' && s.version === c.version && !this.dirty.has(id)) {
        this.states.set(id, c.json); // an existing key keeps its place in the eviction order
        n++;
      }
    }
    this.cooling = new Map();
    return n;
  }

  /** Profile `id`'s consent history is being rewritten by `write` (settled either way when it ends). */
  rewritingConsent(id: string, write: Promise<unknown>): void {
    const settled = write.then(noop, noop);
    this.consentWrites.set(id, settled);
    void settled.then(() => {
      if (this.consentWrites.get(id) === settled) this.consentWrites.delete(id);
    });
  }

  /** Whether any consent history rewrite is in flight (a read of the history checks this first). */
  get rewritingAnyConsent(): boolean {
    return this.consentWrites.size > 0;
  }

  /** The write rewriting profile `id`'s consent history, while one is in flight (it never rejects). */
  consentRewrite(id: string): Promise<unknown> | undefined {
    return this.consentWrites.get(id);
  }

  /** Drops everything (before a recovery). */
  clear(): void {
    this.consentWrites.clear();
    this.states.clear();
    this.cooling.clear();
    this.dirty.clear();
    this.away.clear();
  }

  private remember(id: string, state: ProfileState | string): void {
    this.states.delete(id);
    this.states.set(id, state);
    this.evict();
  }

  private evict(): void {
    // Evict in bursts, so a memory full of dirty states is not rescanned on every call.
    if (this.states.size <= this.capacity * 1.1 + 100) return;
    for (const id of this.states.keys()) {
      if (this.states.size <= this.capacity) break;
      if (!this.dirty.has(id)) this.states.delete(id);
    }
  }
}

const noop = (): void => undefined;
