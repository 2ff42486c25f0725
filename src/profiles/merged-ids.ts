import type { MergeRow, ProfileStore } from './profile-store.js';

/**
 * The profiles whose history now belongs to `profileId`: every profile merged into it, directly
 * or through a chain (A → B → C gives, for C, [B, A]), read from the merge records (at most 64).
 *
 * @example
 * await mergedInto(store.profiles, 'p_survivor'); // ['p_anonymous']
 */
export async function mergedInto(profiles: Pick<ProfileStore, 'merges'>, profileId: string): Promise<string[]> {
  return (await mergesInto(profiles, profileId)).map((m) => m.from);
}

/**
 * The merge records of every profile whose history now belongs to `profileId` (the same walk as
 * {@link mergedInto}): for C in A → B → C both B → C and A → B, oldest first — what the profile
 * read shows, since a merged-away id (A) answers with C.
 *
 * @example
 * await mergeHistory(store.profiles, 'p_survivor'); // [{ from: 'p_a', into: 'p_b', … }, { from: 'p_b', into: 'p_survivor', … }]
 */
export async function mergeHistory(profiles: Pick<ProfileStore, 'merges'>, profileId: string): Promise<MergeRow[]> {
  return (await mergesInto(profiles, profileId)).sort((a, b) => a.at - b.at);
}

/** The merge records into `profileId` and, breadth first, into each profile merged into it (at most 64). */
async function mergesInto(profiles: Pick<ProfileStore, 'merges'>, profileId: string): Promise<MergeRow[]> {
  const out: MergeRow[] = [];
  const seen = new Set([profileId]);
  const queue = [profileId];
  while (queue.length && out.length < 64) {
    const id = queue.shift() as string;
    for (const m of await profiles.merges(id)) {
      if (m.into !== id || seen.has(m.from)) continue;
      seen.add(m.from);
      out.push(m);
      queue.push(m.from);
    }
  }
  return out;
}
