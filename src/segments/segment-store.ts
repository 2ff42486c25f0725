/** A subject in an operator-defined segment, and since when. */
export interface Membership {
  segment: string;
  profileId: string;
  since: number;
}

/**
 * An entry into or an exit from a segment: recorded once per change of membership, with the
 * event (seq) and the segments document version that caused it.
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
   * passed), `model` (a version of a model the rule reads went live), `merged`, `removed` (the
   * segment is no longer defined).
   */
  reason: string;
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
  /** Applies entries and exits and records those that changed membership — one transaction. */
  apply(transitions: SegmentTransition[]): Promise<void>;
  counts(): Promise<SegmentCount[]>;
  /** Members ordered by profile id after `afterProfileId`. */
  members(segment: string, afterProfileId: string, limit: number): Promise<Membership[]>;
  /** Recent entries and exits, newest first. */
  transitions(segment: string, limit: number): Promise<SegmentTransition[]>;
  /** Removes a subject from every segment and its recorded transitions. */
  eraseSubject(profileId: string): Promise<void>;
}
