import type { Job } from '../config/document-store.js';
import type { ConsentLateCause, ProfileState } from './profile-state.js';

export interface IdentityRow {
  kind: string;
  value: string;
  createdAt: number;
}

export interface StoredEvent {
  seq: number;
  messageId: string;
  type: string;
  event: string | null;
  timestamp: number;
  receivedAt: number;
  message: Record<string, unknown>;
}

export interface MembershipRow {
  accountId: string;
  role: string | null;
  traits: Record<string, unknown>;
  since: number;
}

export interface MergeRow {
  into: string;
  from: string;
  messageId: string;
  reason: string;
  viaKind: string;
  viaValue: string;
  at: number;
}

export interface ConsentHistoryRow {
  at: number;
  messageId: string;
  changes: Record<string, boolean>;
}

/**
 * A profile's consent history as a store can answer it: the rows, newest first, and — when the
 * store could not rebuild the event-time history from the profile's mark (ProfileState
 * consentLateSince) by reading what it can read by key — from when the rows may miss changes and
 * why. PostgreSQL always rebuilds (its events are indexed by profile and time); the embedded store
 * reads only the profile's 50 newest events and never scans the event log (ADR 0003).
 */
export interface ConsentHistory {
  rows: ConsentHistoryRow[];
  incomplete?: { since: number; cause: ConsentLateCause | undefined };
}

/**
 * One identity conflict of a profile: an identifier a merge rule kept off it, with how many
 * messages hit it (one row per kind, value and reason) and when first and last.
 */
export interface ConflictRow {
  /** The last message that hit it. */
  messageId: string;
  kind: string;
  value: string;
  reason: string;
  count: number;
  firstAt: number;
  lastAt: number;
}

/** A page of an account's members: those whose profile id sorts after `after` ('' for the first), at most `limit`. */
export interface MembersPage {
  after: string;
  limit: number;
}

export interface AccountRow {
  id: string;
  traits: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
  members: { profileId: string; role: string | null }[];
}

/** One event row as a backfill reads it. */
export interface EventScanRow {
  seq: number;
  profileId: string;
  /** The message's type, and its event name (a page or screen call's name; null for others): read without parsing `json`. */
  type: string;
  event: string | null;
  json: string;
}

/** Reads of the customer memory, and the few writes that are not ingestion (backfill). */
export interface ProfileStore {
  /** The live profile an identifier belongs to. */
  findProfileId(kind: string, value: string): Promise<string | undefined>;
  /** A profile's state; a merged-away id is followed to the profile it joined. */
  getProfile(id: string): Promise<ProfileState | undefined>;
  /**
   * Many profiles' states at once, as `getProfile` reads each (a merged-away id gives the live
   * profile it joined, so two ids may give the same state; an id with no live profile is absent
   * from the map): training reads thousands of subjects, and one round trip each was most of its
   * time on PostgreSQL. The states are for reading: do not change them.
   */
  getProfiles(ids: readonly string[]): Promise<Map<string, ProfileState>>;
  /**
   * How many merges this process has made so far (stores whose profiles only this process
   * changes): a reader that saw the same count twice knows no profile merged away in between.
   */
  readonly mergeCount?: number;
  identities(profileId: string): Promise<IdentityRow[]>;
  /**
   * `identities` of many profiles at once, each id asked for in the map (an empty list when it has
   * none): the outcome consumer reads a chunk's subjects together.
   *
   * @example
   * (await profiles.identitiesOfMany(['p1', 'p2'])).get('p2'); // [{ kind: 'email', value: 'ana@x.test', createdAt: 1700000000000 }]
   */
  identitiesOfMany(profileIds: readonly string[]): Promise<Map<string, IdentityRow[]>>;
  recentEvents(profileId: string, limit: number): Promise<StoredEvent[]>;
  memberships(profileId: string): Promise<MembershipRow[]>;
  merges(profileId: string): Promise<MergeRow[]>;
  consentHistory(profileId: string, limit: number): Promise<ConsentHistory>;
  conflicts(profileId: string, limit: number): Promise<ConflictRow[]>;
  /**
   * An account with its members by profile id (time-ordered: profile ids are), those after
   * `members.after` ('' for the first), at most `members.limit`; every member without `members`.
   */
  getAccount(id: string, members?: MembersPage): Promise<AccountRow | undefined>;
  /** Highest event sequence number stored so far (0 when empty). */
  maxEventSeq(): Promise<number>;
  /** Events with afterSeq < seq ≤ uptoSeq, in seq order, at most `limit`. */
  scanEvents(afterSeq: number, uptoSeq: number, limit: number): Promise<EventScanRow[]>;
  /**
   * Loads the named profiles (a merged-away id gives the live profile it joined, so two ids may
   * give the same state), lets `fn` change them, writes each changed profile back once with a new
   * version — one transaction, which also saves `alsoSave` (a job's progress) when given.
   */
  mutateProfiles(ids: string[], fn: (states: Map<string, ProfileState>) => void, alsoSave?: Job): Promise<void>;
  countProfiles(): Promise<number>;
}

/**
 * The error for `merged_into` links that lead back to a profile already passed. No merge writes
 * such links (each one re-points the links ending at the profile it merges away, so a committed
 * chain is one hop long): they are damaged data, reported as such rather than read as "no profile"
 * — which the reads did after a fixed number of hops, for a long chain as for a cycle.
 *
 * @example
 * throw mergeCycle('p1', ['p1', 'p2', 'p1']);
 */
export function mergeCycle(id: string, path: readonly string[]): Error {
  return new Error(`The merges followed from profile ${id} form a cycle (${path.join(' → ')}): the profiles table is inconsistent.`);
}
