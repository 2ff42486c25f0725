/**
 * The shared shape of uplift training data and models. Arm 0 is always "none" (no contact):
 * every uplift is the incremental effect of an action over doing nothing.
 *
 * Four learners implement it — T-learner (t-learner.ts), X-learner (x-learner.ts), S-learner with
 * shrunken interactions (s-learner.ts) and an uplift forest (uplift-forest.ts). Which one to use is
 * decided per outcome by cross-fitting on training data (see evaluations/hillstrom-fit.ts); on
 * Hillstrom the T-learner won for conversion and the S-learner for visits (docs/models.md).
 */

/** Randomised (or logged with known propensities) outcomes by arm. */
export interface UpliftData {
  /** Features, row-major n×d; column 0 must be the constant 1 (intercept). */
  X: Float64Array;
  d: number;
  /** Arm of each row: 0 = none, 1..arms−1 = actions. */
  arm: Int32Array;
  /** Outcome of each row (0/1 for conversions and visits). */
  y: Float64Array;
  /** Number of arms including none. */
  arms: number;
}

/** A fitted uplift model. */
export interface UpliftModel {
  /** "t-learner" or "x-learner". */
  kind: string;
  arms: number;
  /** Predicted outcome probability under each arm (index 0 = none). */
  outcomes(x: ArrayLike<number>): Float64Array;
  /** Incremental effect of each arm over none (index 0 is 0). */
  uplift(x: ArrayLike<number>): Float64Array;
  /** Standard error of each arm's uplift at x (index 0 is 0). */
  upliftStandardError(x: ArrayLike<number>): Float64Array;
}

/**
 * Row indices of the data that received `arm` (optionally within `subset`).
 *
 * @example
 * rowsOfArm(data, 0); // the control rows
 */
export function rowsOfArm(data: UpliftData, arm: number, subset?: ArrayLike<number>): Int32Array {
  const out: number[] = [];
  if (subset) {
    for (let r = 0; r < subset.length; r++) if (data.arm[subset[r]] === arm) out.push(subset[r]);
  } else for (let i = 0; i < data.arm.length; i++) if (data.arm[i] === arm) out.push(i);
  return Int32Array.from(out);
}
