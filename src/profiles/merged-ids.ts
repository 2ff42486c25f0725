import type { MergeRow, ProfileStore } from './profile-store.js';

/**
 * The profiles whose history now belongs to `profileId`: every profile merged into it, directly
 * or through a chain (A → B → C gives, for C, [B, A]), read from the merge records (at most {@link MAX_MERGES}, the nearest).
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

/**
 * Most merge records one walk reads: a profile that absorbed more (a shared kiosk, a bot) keeps
 * the nearest, and the server warns once per profile, since what the others did is then not
 * counted for it. Each profile walked is one read of the store.
 */
export const MAX_MERGES = 5000;

/** Profiles warned of; cleared past 1,000, so that it stays small. */
const warned = new Set<string>();

/** The merge records into `profileId` and, breadth first, into each profile merged into it (at most {@link MAX_MERGES}). */
async function mergesInto(profiles: Pick<ProfileStore, 'merges'>, profileId: string): Promise<MergeRow[]> {
  const out: MergeRow[] = [];
  const seen = new Set([profileId]);
  const queue = [profileId];
  for (let next = 0; next < queue.length; next++) {
    const id = queue[next];
    for (const m of await profiles.merges(id)) {
      if (m.into !== id || seen.has(m.from)) continue;
      if (out.length === MAX_MERGES) {
        warnTruncated(profileId);
        return out;
      }
      seen.add(m.from);
      out.push(m);
      queue.push(m.from);
    }
  }
  return out;
}

function warnTruncated(profileId: string): void {
  if (warned.has(profileId)) return;
  if (warned.size >= 1000) warned.clear();
  warned.add(profileId);
  process.emitWarning(`Profile ${profileId} has more than ${MAX_MERGES} profiles merged into it: only the ${MAX_MERGES} nearest are read, so the decisions, exposures and contacts of the others are not counted for it (contact limits, flags, experiments).`);
}
