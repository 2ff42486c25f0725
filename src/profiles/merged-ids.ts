import type { ProfileStore } from './profile-store.js';

/**
 * The profiles whose history now belongs to `profileId`: every profile merged into it, directly
 * or through a chain (A → B → C gives, for C, [B, A]), read from the merge records (at most 64).
 *
 * @example
 * await mergedInto(store.profiles, 'p_survivor'); // ['p_anonymous']
 */
export async function mergedInto(profiles: Pick<ProfileStore, 'merges'>, profileId: string): Promise<string[]> {
  const out: string[] = [];
  const seen = new Set([profileId]);
  const queue = [profileId];
  while (queue.length && out.length < 64) {
    const id = queue.shift() as string;
    for (const m of await profiles.merges(id)) {
      if (m.into !== id || seen.has(m.from)) continue;
      seen.add(m.from);
      out.push(m.from);
      queue.push(m.from);
    }
  }
  return out;
}
