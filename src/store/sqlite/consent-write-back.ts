import type { Statement } from 'better-sqlite3';
import { consentHistoryFrom, type ConsentEvent } from '../../profiles/consent-history.js';
import { RECENT_EVENTS, type ConsentLateCause, type ProfileState } from '../../profiles/profile-state.js';
import type { ConsentHistoryRow } from '../../profiles/profile-store.js';
import type { Db } from './database.js';
import { consentRewriteOps } from './write-ops.js';
import type { WriteOp } from './writer.js';

/** A stored event as read by its sequence number. */
type EventRow = { seq: number; messageId: string; timestamp: number; body: string };

/**
 * The profile's events of event time `since` or later when its recent ones hold them all: the 50
 * newest by event time (noteEventSeq; a merge keeps the 50 newest of both, under the merged-away
 * profiles' own ids), so every event newer than the oldest of them is one — each read by its
 * sequence number, never a scan of the log (ADR 0003). Undefined when they may not (or their times,
 * made for a state kept before they were, do not match the log's). An event not committed yet is
 * left out when `uncommitted` is 'skip' (a read answers what is committed, as the rows are), and
 * makes the answer undefined when it is 'fail'.
 */
export function recentEventsSince(state: ProfileState, since: number, read: (seq: number) => EventRow | undefined, uncommitted: 'skip' | 'fail'): ConsentEvent[] | undefined {
  const seqs = state.recent ?? [];
  const ats = state.recentAt ?? [];
  if (ats.length !== seqs.length || !(seqs.length === state.eventCount || (seqs.length >= RECENT_EVENTS && ats[0] < since))) return undefined;
  const out: ConsentEvent[] = [];
  for (let i = 0; i < seqs.length; i++) {
    if (ats[i] < since) continue;
    const r = read(seqs[i]);
    if (!r) {
      if (uncommitted === 'fail') return undefined;
      continue;
    }
    if (r.timestamp !== ats[i]) return undefined;
    out.push({ seq: r.seq, timestamp: r.timestamp, messageId: r.messageId, message: JSON.parse(r.body) as ConsentEvent['message'] });
  }
  return out;
}

/**
 * Marks one checkpoint chunk resolves at most: each reads and parses the events since its mark on
 * the main thread (≈ 0.6 ms for 40 events), against ≈ 2–3 ms to serialise the chunk's 250 states.
 * The others keep their mark (the reads rebuild it) and are tried when their state is next written.
 */
export const WRITE_BACKS_PER_CHUNK = 10;

/** A consent mark a checkpoint resolved: the state it cleared it on, and the mark. */
export interface ResolvedMark {
  state: ProfileState;
  since: number;
  cause: ConsentLateCause | undefined;
}

/**
 * Writes a marked consent history back while it can be rebuilt exactly (docs/collection.md,
 * Consent): at a checkpoint, a state whose mark (consentLateSince) its 50 newest events still
 * cover, and every event of which is committed, has its history rows from the mark on replaced by
 * the rebuilt ones, and its mark cleared, in the writer transaction that writes the state. Without
 * it the mark never cleared, and once 50 newer events had arrived the history read incomplete for
 * good, though it could have been rebuilt while they were recent — after a login merge, most
 * merged profiles of active users.
 *
 * Exact because the writer runs writes in the order they were handed to it: the rebuild is read
 * (on the main thread, from what is committed) and handed over in one tick, after every batch whose
 * events the state holds and before any batch folded after it, so the rows it replaces are exactly
 * those of the state written with it. A batch folded later appends its rows after it, and a late
 * statement in it marks the state again (the mark is cleared when the rebuild is read, so a new one
 * is never lost).
 */
export class ConsentWriteBack {
  private readonly s: { eventBySeq: Statement; consentBefore: Statement; maxSeq: Statement };

  constructor(db: Db) {
    this.s = {
      eventBySeq: db.prepare('SELECT seq, message_id AS messageId, ts AS timestamp, body FROM events WHERE seq = ?'),
      consentBefore: db.prepare('SELECT at, message_id AS messageId, changes FROM consent_history WHERE profile_id = ? AND at < ? ORDER BY at, id'),
      maxSeq: db.prepare('SELECT coalesce(max(seq), 0) FROM events').pluck(),
    };
  }

  /**
   * For the marked states of a checkpoint chunk that can be rebuilt now (`settled(id)`: no merge
   * or identity of the profile is uncommitted), the rows to write with the chunk; their marks are
   * cleared (put them back with {@link restore} if the write fails). Unmarked states cost one field
   * check; at most `budget` marks are resolved.
   */
  resolve(states: readonly ProfileState[], settled: (id: string) => boolean, budget = WRITE_BACKS_PER_CHUNK): { ops: WriteOp[]; resolved: ResolvedMark[] } {
    const ops: WriteOp[] = [];
    const resolved: ResolvedMark[] = [];
    let committed: number | undefined;
    for (const state of states) {
      const since = state.consentLateSince;
      if (since === undefined) continue;
      if (resolved.length >= budget) break;
      committed ??= this.s.maxSeq.get() as number;
      // An event folded into the state but not committed: its body cannot be read, nor its rows replaced. The next checkpoint tries again.
      if ((state.seq ?? 0) > committed || !settled(state.id)) continue;
      const events = recentEventsSince(state, since, (seq) => this.s.eventBySeq.get(seq) as EventRow | undefined, 'fail');
      if (!events) continue;
      const before = (this.s.consentBefore.all(state.id, since) as (Omit<ConsentHistoryRow, 'changes'> & { changes: string })[]).map((r) => ({ ...r, changes: JSON.parse(r.changes) as Record<string, boolean> }));
      // Oldest first, so the rows' ids follow the event-time order (ties: the later arrival last), as the reads order them.
      const rebuilt = consentHistoryFrom(since, before, events, Number.MAX_SAFE_INTEGER).filter((r) => r.at >= since).reverse();
      ops.push(...consentRewriteOps(state.id, since, rebuilt));
      resolved.push({ state, since, cause: state.consentLateCause });
      delete state.consentLateSince;
      delete state.consentLateCause;
    }
    return { ops, resolved };
  }

  /** The write of resolved marks failed: each comes back, unless the state was marked earlier since. */
  static restore(resolved: readonly ResolvedMark[]): void {
    for (const { state, since, cause } of resolved) {
      if (state.consentLateSince !== undefined && state.consentLateSince <= since) continue;
      state.consentLateSince = since;
      if (cause === undefined) delete state.consentLateCause;
      else state.consentLateCause = cause;
    }
  }
}
