import type { ProfileState } from '../profiles/profile-state.js';
import type { ProfileStore } from '../profiles/profile-store.js';
import { mergedInto } from '../profiles/merged-ids.js';
import { TtlCache } from '../ops/ttl-cache.js';

const TTL_MS = 10_000;
const MAX_CACHED = 200_000;
const NONE: readonly string[] = Object.freeze([]);

/**
 * The profile keys merged into a subject (directly or through a chain), so that the decisions
 * made for an identity before it merged still count: its contacts for caps and dismissals, its
 * outcomes for the personal estimate. Read from the merge records, cached per profile version for
 * at most ten seconds; a profile whose state says it never absorbed another costs nothing. The
 * cache holds only the profiles asked about in the last 10–20 s (ops/ttl-cache.ts).
 *
 * @example
 * const keys = await merged.of(state); // ['p_anonymous'] once the visitor logged in
 */
export class MergedKeys {
  private readonly cache = new TtlCache<{ version: number; keys: readonly string[] }>(TTL_MS, MAX_CACHED);

  constructor(private readonly profiles: Pick<ProfileStore, 'merges'>, private readonly now: () => number = Date.now) {}

  async of(state: ProfileState): Promise<readonly string[]> {
    // Most profiles never absorbed another: their state says so, and nothing is read.
    if (state.absorbed === 0) return NONE;
    const t = this.now();
    const hit = this.cache.get(state.id, t);
    if (hit && hit.version === state.version) return hit.keys;
    const keys = await mergedInto(this.profiles, state.id);
    this.cache.set(state.id, { version: state.version, keys }, t);
    return keys;
  }
}
