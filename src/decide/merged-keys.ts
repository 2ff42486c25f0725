import type { ProfileState } from '../profiles/profile-state.js';
import type { IdentityRow, ProfileStore } from '../profiles/profile-store.js';
import { mergedInto } from '../profiles/merged-ids.js';
import { TtlCache } from '../ops/ttl-cache.js';

const TTL_MS = 10_000;
const MAX_CACHED = 200_000;
const NONE: readonly string[] = Object.freeze([]);

/** What the decision state holds under `anon:<identifier>` keys: subjects decided for before they had a profile. */
export interface AnonymousHistory {
  /** Whether it holds any (most servers, most of the time: none, and nothing is read). */
  readonly hasAnonymous: boolean;
  has(key: string): boolean;
}

/**
 * The keys a profile's identifiers had before it existed: `anon:<value>` and `anon:<kind>:<value>`
 * (a subject may be named either way), as the decider keys a subject with no profile.
 *
 * @example
 * anonymousKeysOf([{ kind: 'anonymousId', value: 'v-1', createdAt: 0 }]); // ['anon:v-1', 'anon:anonymousId:v-1']
 */
export function anonymousKeysOf(identities: readonly IdentityRow[]): string[] {
  return identities.flatMap((i) => [`anon:${i.value}`, `anon:${i.kind}:${i.value}`]);
}

/**
 * The profile keys merged into a subject (directly or through a chain), so that the decisions
 * made for an identity before it merged still count: its contacts for caps and dismissals, its
 * outcomes for the personal estimate. Read from the merge records, cached per profile version for
 * at most ten seconds; a profile whose state says it never absorbed another costs nothing. The
 * cache holds only the profiles asked about in the last 10–20 s (ops/ttl-cache.ts).
 *
 * A subject decided for before its first event was collected has its contacts and dismissals under
 * `anon:<identifier>` (there was no profile to key them by). Once one of the profile's identifiers
 * is such a key, it counts as merged too: a visitor shown two e-mails before the sign-up event
 * arrived has been contacted twice. The profile's identities are read for it (cached per version
 * like the merges) only while the decision state holds any anonymous history — or, on a shared
 * store, when another process may have logged some since the last sync (`of` with `every`).
 *
 * @example
 * const keys = await merged.of(state); // ['p_anonymous'] once the visitor logged in
 */
export class MergedKeys {
  private readonly cache = new TtlCache<{ version: number; keys: readonly string[] }>(TTL_MS, MAX_CACHED);
  private readonly idCache = new TtlCache<{ version: number; rows: readonly IdentityRow[]; keys: readonly string[] }>(TTL_MS, MAX_CACHED);

  constructor(
    private readonly profiles: Pick<ProfileStore, 'merges' | 'identities'> & Partial<Pick<ProfileStore, 'identitiesOfMany'>>,
    private readonly now: () => number = Date.now,
    private readonly anonymous?: AnonymousHistory,
  ) {}

  /**
   * With `every`, the `anon:` keys of all the profile's identifiers, held or not ({@link allOf}):
   * an outcome recorded on a shared store, whose subject another process may have decided for
   * under one of them since this process last synced (DecideState.anonymousUnheld), or one whose
   * attribution window begins before the keys the state still holds (DecideState.anonymousHeldFrom:
   * a key is held only while its newest contact is within the contact window of now).
   */
  async of(state: ProfileState, o: { every?: boolean } = {}): Promise<readonly string[]> {
    if (o.every) return this.allOf(state);
    const merged = await this.merges(state);
    if (!this.anonymous?.hasAnonymous) return merged;
    const anon = (await this.anonymousKeys(state)).filter((k) => this.anonymous!.has(k));
    return anon.length ? [...merged, ...anon] : merged;
  }

  /**
   * Every key the subject's history may be under, whether or not this process holds anything under
   * it: the merged profiles and every `anon:` key of its identifiers. A shared store's guarded
   * append checks them all, since another process may have decided under one of them.
   */
  async allOf(state: ProfileState): Promise<readonly string[]> {
    const [merged, anon] = await Promise.all([this.merges(state), this.anonymousKeys(state)]);
    return [...merged, ...anon];
  }

  /**
   * Reads at once the identities that `of` will need for these subjects and does not hold (a chunk
   * of outcomes asks for thousands: one query instead of one each, ProfileStore.identitiesOfMany).
   *
   * @example
   * await merged.prime([{ state, every: true }]); // then merged.of(state, { every: true }) reads nothing
   */
  async prime(asks: readonly { state: ProfileState; every: boolean }[]): Promise<void> {
    if (!this.profiles.identitiesOfMany) return;
    const t = this.now();
    const need = new Map<string, ProfileState>();
    for (const { state, every } of asks) {
      if (!every && !this.anonymous?.hasAnonymous) continue;
      const hit = this.idCache.get(state.id, t);
      if (!hit || hit.version !== state.version) need.set(state.id, state);
    }
    if (!need.size) return;
    const rows = await this.profiles.identitiesOfMany([...need.keys()]);
    for (const [id, state] of need) {
      const read = rows.get(id) ?? [];
      this.idCache.set(id, { version: state.version, rows: read, keys: anonymousKeysOf(read) }, t);
    }
  }

  private async merges(state: ProfileState): Promise<readonly string[]> {
    // Most profiles never absorbed another: their state says so, and nothing is read.
    if (state.absorbed === 0) return NONE;
    const t = this.now();
    const hit = this.cache.get(state.id, t);
    if (hit && hit.version === state.version) return hit.keys;
    const keys = await mergedInto(this.profiles, state.id);
    this.cache.set(state.id, { version: state.version, keys }, t);
    return keys;
  }

  /** The profile's identities, cached per profile version (as the merges are). */
  async identities(state: ProfileState): Promise<readonly IdentityRow[]> {
    return (await this.identityEntry(state)).rows;
  }

  /** The keys the profile's identifiers had before it existed (anonymousKeysOf), cached per profile version. */
  private async anonymousKeys(state: ProfileState): Promise<readonly string[]> {
    return (await this.identityEntry(state)).keys;
  }

  private async identityEntry(state: ProfileState): Promise<{ version: number; rows: readonly IdentityRow[]; keys: readonly string[] }> {
    const t = this.now();
    const hit = this.idCache.get(state.id, t);
    if (hit && hit.version === state.version) return hit;
    const rows = await this.profiles.identities(state.id);
    const entry = { version: state.version, rows, keys: anonymousKeysOf(rows) };
    this.idCache.set(state.id, entry, t);
    return entry;
  }
}
