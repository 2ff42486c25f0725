import type { ProfileState } from '../../profiles/profile-state.js';
import type { Store } from '../../store/store.js';

/**
 * Calls `fn` once for every live profile that has an event in the log up to `uptoSeq` (merged-away
 * ids followed to the profile they joined), scanning the log in chunks. Training and the segment
 * sweep use it: the store keeps no separate list of profiles.
 *
 * @example
 * await forEachSubject(store, async (state) => { rows.push(featuresOf(state)); });
 */
export async function forEachSubject(store: Store, fn: (state: ProfileState) => Promise<void> | void, opts: { uptoSeq?: number; chunk?: number } = {}): Promise<number> {
  const upto = opts.uptoSeq ?? (await store.profiles.maxEventSeq());
  const seenIds = new Set<string>();
  const done = new Set<string>();
  let after = 0;
  while (after < upto) {
    const rows = await store.profiles.scanEvents(after, upto, opts.chunk ?? 5000);
    if (!rows.length) break;
    for (const r of rows) {
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
