/**
 * Relationship context an operator records on a subject or an account, with an expiry:
 * "procurement delay — pause automated sequences until 2027-01-15". Rules see active flags as
 * `flags.<name>`.
 */
export interface Flag {
  id: string;
  target: { kind: 'profile' | 'account'; id: string };
  name: string;
  note: string;
  /** Expiry (ms), or null for "until cleared". */
  until: number | null;
  author: string;
  createdAt: number;
  clearedAt: number | null;
  clearedBy: string | null;
}

/** A high-stakes choice waiting for (or decided by) a person. */
export interface Hold {
  id: string;
  decisionId: string;
  profileKey: string;
  subject: string;
  placement: string;
  action: string;
  variant: string | null;
  /**
   * A fingerprint of the content the review is of, taken when it was opened (approved-content.ts):
   * an approval delivers only that content. Absent on reviews opened before 2026-12-04.
   */
  contentHash?: string | null;
  queue: string;
  status: 'pending' | 'approved' | 'rejected' | 'delivered';
  createdAt: number;
  decidedAt: number | null;
  reviewer: string | null;
  note: string | null;
  /** The decision that finally delivered it after approval. */
  deliveredIn: string | null;
  /**
   * The newer review of the same person and action that decisions follow instead (human-territory.ts):
   * a review so marked is never live again, whatever its status and windows say. Set by the decision
   * that opened or delivered the newer one (under the keys merged into the person too), and read
   * from the store for any review a later one of the same profile key and action followed. Absent
   * or null: none.
   */
  supersededBy?: string | null;
}

/**
 * One outcome credited to one decision (or to none: `decisionId` null). An outcome credited to
 * several decisions has one record each, with its share of the credit.
 */
export interface OutcomeRecord {
  /** The outcome's own id (a track event's messageId, or the API caller's). */
  id: string;
  at: number;
  profileKey: string;
  type: string;
  /** The outcome's own value (e.g. revenue), when it has one. */
  value: number | null;
  decisionId: string | null;
  action: string | null;
  /** The item of a recommendation the outcome is of (the one clicked or bought), when it names one. */
  item?: string;
  /** Share of the credit (1 for last-touch). */
  credit: number;
  /** The reward under the policy's value function, times the credit. */
  reward: number;
  /** True when it is the action's goal, the first for this decision: it counts as a success of the estimate. */
  success: boolean;
  source: 'api' | 'event';
  /**
   * When Tact recorded it (ms): `at` is when it happened, which a late report (an offline
   * conversion sent days on) puts long before. The estimates date their evidence by it. Absent on
   * outcomes stored before 2026-12-07, and on records made without the recorder (tests): read as `at`.
   */
  recordedAt?: number;
}

/** An action choice, as the contact ledger and the estimates need it. */
export interface ContactRow {
  decisionId: string;
  at: number;
  profileKey: string;
  action: string;
  channel: string;
  placement: string;
  /** The decision's ladder position (its trials' groups), when it recorded one. */
  segment?: string | null;
  microSegment?: number | null;
  microSegmentModel?: string | null;
}
