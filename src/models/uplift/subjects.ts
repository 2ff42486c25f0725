import { findProfile } from '../../profiles/lookup.js';
import type { ProfileStore } from '../../profiles/profile-store.js';
import { timeSlicer, type TimeSlicer } from '../train/time-slice.js';

/** One merge that moved a decision's subject: at `at` (when the server received it), `from` joined `into`. */
export interface SubjectMove {
  at: number;
  from: string;
  into: string;
}

const ANON = 'anon:';
/** How many keys are looked up at once (each is a read of the profiles, one more per merge followed). */
const AT_ONCE = 32;
/** How many profile keys one batched read of the profiles checks for being live (and the states it holds at once). */
const LIVE_AT_ONCE = 500;
/** Most merges followed from one key: a committed chain is short (a profile merges away once); past this, data are damaged. */
const MAX_HOPS = 64;

/**
 * The subject a decision's profile key belongs to: an `anon:<identifier>` key (decided for before
 * the subject had a profile) is the profile that identifier names now, as the decider keys it; a
 * profile key is followed through the merge records (`from` → `into`, one read per profile passed)
 * to the profile it belongs to now — the survivor. The merges passed are kept with their time, so
 * the subject as it was at any earlier time can be read back ({@link subjectAt}): what makes the
 * held-out split of a version trained then reproducible (held-out.ts). An `anon:` key's
 * identifier is resolved as it is now (the time a profile came to hold it is not replayed).
 *
 * Most keys are live profiles, never merged away: a merge marks the profile it merges away in the
 * transaction that records it, and nothing unmarks it, so a key that reads as its own live profile
 * has no merge to follow. Those are ruled out by one batched read of the profiles per 500 keys
 * (ProfileStore.getProfiles); only the rest read their merges, one round trip each (until
 * 2026-12-06 every key did: 20,000 round trips for 20,000 subjects on PostgreSQL).
 * The reads give the event loop a turn between two batches once `slice` has run out: on SQLite
 * they are synchronous underneath, and 20,000 keys held it 0.6–0.8 s (until 2026-12-06).
 *
 * @example
 * const moves = await subjectMoves(store.profiles, ['p_visitor', 'anon:u1']);
 * moves.get('p_visitor'); // [{ at: 1764…, from: 'p_visitor', into: 'p_ana' }]
 */
export async function subjectMoves(profiles: ProfileStore, keys: Iterable<string>, slice: TimeSlicer = timeSlicer()): Promise<Map<string, SubjectMove[]>> {
  const distinct = [...new Set(keys)];
  const out = new Map<string, SubjectMove[]>();
  for (let i = 0; i < distinct.length; i += LIVE_AT_ONCE) {
    await slice.pause();
    const chunk = distinct.slice(i, i + LIVE_AT_ONCE);
    const states = await profiles.getProfiles(chunk.filter((key) => !key.startsWith(ANON)));
    const rest: string[] = [];
    for (const key of chunk) {
      if (!key.startsWith(ANON) && states.get(key)?.id === key) out.set(key, []);
      else rest.push(key);
    }
    for (let j = 0; j < rest.length; j += AT_ONCE) {
      await slice.pause();
      await Promise.all(rest.slice(j, j + AT_ONCE).map(async (key) => out.set(key, await movesOf(profiles, key))));
    }
  }
  return out;
}

/** One key's moves, read one merge record at a time (subjectMoves). */
async function movesOf(profiles: ProfileStore, key: string): Promise<SubjectMove[]> {
  if (key.startsWith(ANON)) {
    // findProfile answers with the live profile: no merge to follow from it.
    const found = await findProfile(profiles, key.slice(ANON.length));
    return found ? [{ at: -Infinity, from: key, into: found.profileId }] : [];
  }
  const moves: SubjectMove[] = [];
  const passed = new Set([key]);
  for (let cur = key; moves.length < MAX_HOPS;) {
    const away = (await profiles.merges(cur)).filter((m) => m.from === cur && !passed.has(m.into)).sort((a, b) => a.at - b.at)[0];
    if (!away) break;
    moves.push({ at: away.at, from: cur, into: away.into });
    passed.add(away.into);
    cur = away.into;
  }
  return moves;
}

/**
 * The subject of a key with these moves as of `asOf` (default: now): the key itself, or the
 * profile the last merge received by then moved it into.
 *
 * @example
 * subjectAt('p_visitor', [{ at: 100, from: 'p_visitor', into: 'p_ana' }], 50); // 'p_visitor'
 */
export function subjectAt(key: string, moves: readonly SubjectMove[] | undefined, asOf = Infinity): string {
  let subject = key;
  for (const m of moves ?? []) {
    if (m.at > asOf) break;
    subject = m.into;
  }
  return subject;
}
