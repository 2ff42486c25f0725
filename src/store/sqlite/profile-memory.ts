import type { ProfileState } from '../../profiles/profile-state.js';
import type { Db } from './database.js';

/**
 * The embedded store's profile states, materialized in memory from the event log. Changed
 * states are "dirty" until a checkpoint writes them; clean ones are evicted least recently used
 * first and read back from their row when needed. After a crash, states are exactly rebuilt by
 * replaying the events after the last checkpoint (see SqliteCollectStore.recover).
 */
export class ProfileMemory {
  private readonly states = new Map<string, ProfileState>();
  private readonly dirty = new Set<string>();
  private readonly s;

  constructor(db: Db, private readonly capacity: number) {
    this.s = {
      row: db.prepare('SELECT merged_into AS mergedInto, state FROM profiles WHERE id = ?'),
      upsert: db.prepare(`INSERT INTO profiles (id, version, created_at, updated_at, merged_into, state) VALUES (?, ?, ?, ?, NULL, ?)
        ON CONFLICT (id) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at, state = excluded.state, merged_into = NULL`),
      setMeta: db.prepare('UPDATE store_meta SET value = ? WHERE key = ?'),
    };
  }

  /** The state of profile `id` if it is live (not merged away), from memory or its row. */
  load(id: string): ProfileState | undefined {
    const hit = this.states.get(id);
    if (hit) {
      this.states.delete(id);
      this.states.set(id, hit);
      return hit;
    }
    const row = this.s.row.get(id) as { mergedInto: string | null; state: string | null } | undefined;
    if (!row || row.mergedInto || !row.state) return undefined;
    const state = JSON.parse(row.state) as ProfileState;
    this.remember(state);
    return state;
  }

  /** Follows merges from `id` to the live profile; undefined when no such profile exists. */
  live(id: string): ProfileState | undefined {
    let cur = id;
    for (let hop = 0; hop < 64; hop++) {
      const s = this.load(cur);
      if (s) return s;
      const row = this.s.row.get(cur) as { mergedInto: string | null } | undefined;
      if (!row?.mergedInto) return undefined;
      cur = row.mergedInto;
    }
    return undefined;
  }

  /** The state of a profile that has no row yet (created after the last checkpoint). */
  loadOrCreate(id: string, create: () => ProfileState): ProfileState {
    const s = this.load(id) ?? create();
    this.remember(s);
    return s;
  }

  /** Holds a changed state until the next checkpoint. */
  markDirty(state: ProfileState): void {
    this.states.delete(state.id);
    this.states.set(state.id, state);
    this.dirty.add(state.id);
    this.evict();
  }

  /** Writes a state now (inside the caller's transaction); it is clean afterwards. */
  writeNow(state: ProfileState): void {
    this.s.upsert.run(state.id, state.version, state.createdAt, state.updatedAt, JSON.stringify(state));
    this.dirty.delete(state.id);
    this.remember(state);
  }

  /** A profile merged away: its state leaves memory. */
  forget(id: string): void {
    this.states.delete(id);
    this.dirty.delete(id);
  }

  get dirtyCount(): number {
    return this.dirty.size;
  }

  /**
   * Writes every dirty state and records that all events up to `uptoSeq` are reflected in the
   * rows. Runs inside the caller's transaction.
   */
  checkpoint(uptoSeq: number): number {
    let n = 0;
    for (const id of this.dirty) {
      const s = this.states.get(id) as ProfileState;
      this.s.upsert.run(s.id, s.version, s.createdAt, s.updatedAt, JSON.stringify(s));
      n += 1;
    }
    this.s.setMeta.run(uptoSeq, 'checkpoint_seq');
    return n;
  }

  /** After a committed checkpoint. */
  markClean(): void {
    this.dirty.clear();
    this.evict();
  }

  /** Drops everything (before a recovery). */
  clear(): void {
    this.states.clear();
    this.dirty.clear();
  }

  private remember(state: ProfileState): void {
    this.states.delete(state.id);
    this.states.set(state.id, state);
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
