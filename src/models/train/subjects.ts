import type { Message } from '../../collect/message.js';
import type { ProfileState } from '../../profiles/profile-state.js';
import type { Store } from '../../store/store.js';
import { timeSlicer } from './time-slice.js';

/**
 * Calls `fn` once for every live profile that has an event in the log up to `uptoSeq` (merged-away
 * ids followed to the profile they joined), scanning the log in chunks. Training and the segment
 * sweep use it: the store keeps no separate list of profiles. It gives the event loop a turn every
 * slice of time (time-slice.ts): the SQLite store reads synchronously underneath, so without one a
 * pass over 25,000 subjects held every request for seconds.
 *
 * @example
 * await forEachSubject(store, async (state) => { rows.push(featuresOf(state)); });
 */
export async function forEachSubject(store: Store, fn: (state: ProfileState) => Promise<void> | void, opts: { uptoSeq?: number; chunk?: number } = {}): Promise<number> {
  const upto = opts.uptoSeq ?? (await store.profiles.maxEventSeq());
  const seenIds = new Set<string>();
  const done = new Set<string>();
  const slice = timeSlicer();
  let after = 0;
  while (after < upto) {
    await slice.pause();
    const rows = await store.profiles.scanEvents(after, upto, opts.chunk ?? 1000);
    if (!rows.length) break;
    for (const r of rows) {
      await slice.pause();
      if (seenIds.has(r.profileId)) continue;
      seenIds.add(r.profileId);
      const state = await store.profiles.getProfile(r.profileId);
      if (!state || done.has(state.id)) continue;
      done.add(state.id);
      await fn(state);
    }
    after = rows[rows.length - 1].seq;
  }
  return done.size;
}

/** One event of the log, as `forEachEvent` hands it over. */
export interface ScannedEvent {
  seq: number;
  profileId: string;
  message: Message;
  /** The live profile the event belongs to (merged-away ids followed), read once per profile id. */
  subject(): Promise<ProfileState | undefined>;
}

/**
 * Calls `fn` for every event in the log, in log order, scanning in chunks. `mayMatch` skips an
 * event from its raw JSON before it is parsed (a cheap pre-filter, e.g. "contains the event
 * name"). Training and the held-out comparisons read the log through it. Like
 * {@link forEachSubject} it gives the event loop a turn every slice of time.
 *
 * @example
 * await forEachEvent(store, async (e) => { if (e.message.event === 'Email Opened') opens.push((await e.subject())?.id); }, { mayMatch: (json) => json.includes('Email Opened') });
 */
export async function forEachEvent(store: Store, fn: (e: ScannedEvent) => Promise<void> | void, opts: { mayMatch?: (json: string) => boolean; chunk?: number } = {}): Promise<void> {
  const upto = await store.profiles.maxEventSeq();
  const live = new Map<string, Promise<ProfileState | undefined>>();
  const subjectOf = (profileId: string) => live.get(profileId) ?? live.set(profileId, store.profiles.getProfile(profileId)).get(profileId)!;
  const slice = timeSlicer();
  let after = 0;
  while (after < upto) {
    await slice.pause();
    const rows = await store.profiles.scanEvents(after, upto, opts.chunk ?? 1000);
    if (!rows.length) break;
    for (const r of rows) {
      await slice.pause();
      if (opts.mayMatch && !opts.mayMatch(r.json)) continue;
      await fn({ seq: r.seq, profileId: r.profileId, message: JSON.parse(r.json) as Message, subject: () => subjectOf(r.profileId) });
    }
    after = rows[rows.length - 1].seq;
  }
}
