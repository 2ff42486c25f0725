import { bucketHash } from '../../measure/experiments/assignment.js';
import type { LoggedDecision } from './uplift-log.js';

/** The share of subjects whose logged decisions no `uplift` version is trained on. @example HELD_OUT_SHARE; // 0.2 */
export const HELD_OUT_SHARE = 0.2;
/** Salt of the split's hash: its own, so the held-out subjects are not those of an experiment arm or the holdout. */
const SALT = 'uplift-held-out';

/** The split a version records in its state (`heldOut`) when trained without the held-out subjects. */
export interface HeldOutSplit {
  salt: string;
  share: number;
}

/** This split, as a version trained without its held-out subjects records it. @example state.heldOut = HELD_OUT_SPLIT; */
export const HELD_OUT_SPLIT: HeldOutSplit = { salt: SALT, share: HELD_OUT_SHARE };

/**
 * Whether a subject's logged decisions are held out of `uplift` training: a hash of its profile
 * key (GrowthBook's bucketing hash, src/measure/experiments/assignment.ts) below
 * {@link HELD_OUT_SHARE}. Deterministic: every training and every comparison, in any process,
 * holds out the same subjects, so a version is never judged on a decision it learned from — and
 * all of a subject's decisions fall on one side (its outcomes are not independent of each other).
 *
 * @example
 * heldOutSubject('p42'); // false
 */
export function heldOutSubject(profileKey: string): boolean {
  return bucketHash(SALT, profileKey) < HELD_OUT_SHARE;
}

/**
 * The logged decisions split by subject: `training` for fitting a version, `heldOut` for judging
 * versions (the promotion comparison) and for the calibration report.
 *
 * @example
 * const { training, heldOut } = splitHeldOut(rows);
 */
export function splitHeldOut(rows: readonly LoggedDecision[]): { training: LoggedDecision[]; heldOut: LoggedDecision[] } {
  const training: LoggedDecision[] = [];
  const heldOut: LoggedDecision[] = [];
  for (const r of rows) (heldOutSubject(r.record.profileKey) ? heldOut : training).push(r);
  return { training, heldOut };
}
