import type { LadderCounts } from '../../learn/rates/ladder.js';
import type { Estimate } from '../../learn/estimate.js';

/**
 * One stored inference: what a model holds about one subject (or one group of subjects) for one
 * key, kept apart from the profile's facts (principle 3). The `state` is the model's sufficient
 * statistics, updated online; the `estimate` is its reading as of the last update.
 *
 * @example
 * { subjectId: '01JD…', model: 'baseline', key: 'session_length', estimate: { value: 312, … }, state: { … }, modelVersion: 'baseline@1', seq: 981, updatedAt: 1764000000000 }
 */
export interface StoredEstimate {
  /** A profile id, or a group: `population`, `segment:<name>`, `micro-segment:<version>:<index>`. */
  subjectId: string;
  /** The model family: `baseline`, `send-time`, `rate`. */
  model: string;
  /** Which one of the family: the metric or rate name ('' when the family has one per subject). */
  key: string;
  /** The estimate as of the last update; null when the model cannot say anything yet. */
  estimate: Estimate | null;
  state: unknown;
  modelVersion: string;
  /** Highest event sequence number folded in: an event at or below it is never applied twice. */
  seq: number;
  updatedAt: number;
}

/** Which row. */
export interface EstimateKey {
  subjectId: string;
  model: string;
  key: string;
}

/** A reading outside a subject's established range (never raised while the baseline is learning). */
export interface AnomalyRecord {
  subjectId: string;
  metric: string;
  /** The event that carried the reading: one record per event, however often it is replayed. */
  seq: number;
  at: number;
  value: number;
  low: number;
  high: number;
  level: number;
  modelVersion: string;
  recordedAt: number;
}

/**
 * A prediction made before its outcome was known (held out by construction): the Beta belief the
 * model had when the exposure happened, and the outcome once it resolved (null while open; an
 * open point past its deadline counts as a failure).
 */
export interface CalibrationPoint {
  model: string;
  key: string;
  subjectId: string;
  seq: number;
  at: number;
  alpha: number;
  beta: number;
  deadline: number;
  outcome: number | null;
  modelVersion: string;
  /** When the point was recorded (ms): a model version trained before it never saw it. */
  recordedAt?: number | null;
  /**
   * What the prediction was made from — the rate ladder's counts at every rung at the exposure —
   * so that any other version of the model can be scored on the same point (rates-comparator.ts).
   */
  inputs?: LadderCounts | null;
}

/** Everything one consumer batch writes, in one transaction. */
export interface EstimateWrites {
  estimates?: StoredEstimate[];
  anomalies?: AnomalyRecord[];
  points?: CalibrationPoint[];
  /** Outcomes of earlier points (a success within the window). */
  outcomes?: (Omit<EstimateKey, 'subjectId'> & { subjectId: string; seq: number; outcome: number })[];
}

/** Storage of inferences: estimates with their states, anomaly flags, calibration points. */
export interface EstimateStore {
  /** Every row of one subject. */
  forSubject(subjectId: string): Promise<StoredEstimate[]>;
  /** The rows that exist among `keys`. */
  getMany(keys: EstimateKey[]): Promise<StoredEstimate[]>;
  /**
   * Creates or replaces rows, records anomalies and calibration points — one transaction. A row is
   * not replaced by one at an older `seq` (a consumer that stalled past its lease would write over
   * newer rows, and the events between would be lost from them); at the same `seq` it is.
   */
  write(w: EstimateWrites): Promise<void>;
  /**
   * Writes `row` only if the stored one is still at `seq` `was` (null: only if there is none) — a
   * compare-and-set for rows merged from what was read (a placement's bandit); true when written.
   *
   * @example
   * if (!(await store.replace(merged, read?.seq ?? null))) { … read again, merge again … }
   */
  replace(row: StoredEstimate, was: number | null): Promise<boolean>;
  /** Rows of a model (and key), ordered by subject id after `afterSubject`, at most `limit` (training reads). */
  scan(model: string, key: string | undefined, afterSubject: string, limit: number): Promise<StoredEstimate[]>;
  /** Recent anomalies, newest first. */
  anomalies(q: { subjectId?: string; metric?: string; limit: number }): Promise<AnomalyRecord[]>;
  /** Recent calibration points of a model (and key), newest first; with `closedBy`, only those whose deadline is at or before it. */
  points(model: string, key: string | undefined, limit: number, o?: { closedBy?: number }): Promise<CalibrationPoint[]>;
  /** How many points of a model (and key) have their deadline after `now`: still open. */
  openPoints(model: string, key: string | undefined, now: number): Promise<number>;
  /** Points of a model and key recorded after `recordedAfter` that kept their inputs, oldest first, at most `limit`. */
  heldOutPoints(model: string, key: string, recordedAfter: number, limit: number): Promise<CalibrationPoint[]>;
  /** Erases every inference about a subject (estimates, anomalies, calibration points). */
  eraseSubject(subjectId: string): Promise<void>;
}
