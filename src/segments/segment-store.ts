/** A subject in an operator-defined segment, and since when. */
export interface Membership {
  segment: string;
  profileId: string;
  since: number;
}

/**
 * An entry into or an exit from a segment: recorded once per change of membership, with the
 * event (seq) and the segments document version that caused it. `at` is when Tact evaluated the
 * rule (processing time), not the event's own timestamp; a member's `since` is its entry's `at`.
 *
 * @example
 * { segment: 'big_spenders', profileId: '01JD…', kind: 'entry', at: 1764000000000, seq: 4410, version: 3, reason: 'event' }
 */
export interface SegmentTransition {
  segment: string;
  profileId: string;
  kind: 'entry' | 'exit';
  at: number;
  seq: number;
  version: number;
  /**
   * What caused it: `event`, `estimate` (a model changed an estimate a rule reads), `definition` (a
   * rule added or edited: the subjects of events received before it, re-evaluated), `sweep` (time
   * passed), `model` (a version of a model the rule reads went live), `feature` (a feature the rule
   * reads was redefined — once its backfill is over — or removed, or the live micro-segments it
   * reads no longer apply because a feature they clustered changed), `lifecycle` (the lifecycle's
   * stages or tiers changed, and the rule reads `lifecycle`), `merged`, `removed` (the
   * segment is no longer defined), `erased` (the subject was erased: SegmentStore.eraseSubject).
   */
  reason: string;
}

/**
 * A recorded entry or exit with its place in the segment events feed: `id` is the store's sequence,
 * larger for every event committed later and never reused, so a poller that remembers the last `id`
 * it read misses and repeats nothing.
 *
 * @example
 * { id: 912, segment: 'big_spenders', profileId: '01JD…', kind: 'exit', at: 1764000000000, seq: 4502, version: 3, reason: 'sweep' }
 */
export interface RecordedTransition extends SegmentTransition {
  id: number;
}

/** Members, entries and exits of one segment. */
export interface SegmentCount {
  segment: string;
  members: number;
  entries: number;
  exits: number;
}

/**
 * Real-time membership of operator-defined segments. `apply` is idempotent and safe against a
 * concurrent writer: an entry of a member (or an exit of a non-member) changes nothing and
 * records nothing.
 */
export interface SegmentStore {
  membershipsOf(profileId: string): Promise<Membership[]>;
  /**
   * Applies entries and exits and records those that changed membership — one transaction. With
   * `epoch`, only while the configuration epoch (DocumentStore.epoch) is still that one when the
   * transaction writes: changes found under definitions that changed meanwhile must not land after
   * the sweep of the new ones. Answers false when the epoch was another — nothing was applied, or
   * (SQLite, which reads it back after the commit) the epoch moved just after; either way the
   * caller finds its changes again under the new settings, and applying them again is harmless.
   */
  apply(transitions: SegmentTransition[], epoch?: number): Promise<boolean>;
  /**
   * Per segment with a member or a recorded entry or exit: kept as memberships change, so a call
   * reads one row per segment, whatever the number of profiles.
   */
  counts(): Promise<SegmentCount[]>;
  /** Members ordered by profile id after `afterProfileId`. */
  members(segment: string, afterProfileId: string, limit: number): Promise<Membership[]>;
  /** Recent entries and exits, newest first. */
  transitions(segment: string, limit: number): Promise<RecordedTransition[]>;
  /**
   * Entries and exits recorded after the one with id `afterId`, oldest first (0: from the first).
   * An event not yet returned always gets a larger id than every event already returned.
   */
  transitionsAfter(segment: string, afterId: number, limit: number): Promise<RecordedTransition[]>;
  /**
   * Erases a subject: it leaves every segment, and its recorded entries and exits are deleted. In
   * each segment it was in — or has entries and exits recorded in, which a poller behind may not
   * have read to the end — one exit is recorded in their place (reason `erased`, at `at`, seq 0,
   * the segments version of its last event there), so an audience synced from the events feed
   * drops it too; it names the subject only by the profile id the poller already knows. Exits of
   * reason `erased` are kept: erasing again records nothing.
   */
  eraseSubject(profileId: string, at?: number): Promise<void>;
}
