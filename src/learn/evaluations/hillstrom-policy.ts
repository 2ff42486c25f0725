/**
 * Lift curves for the Hillstrom evaluation: uplift matrices, budgeted policies at 10–90%, their
 * per-row IPS contributions (p = 1/3) and lift shares under bootstrap multiplicities.
 */
import { HILLSTROM_FEATURES } from '../data/hillstrom.js';
import { budgetedAssignment, ipsContributions, liftShare } from '../uplift/targeting.js';
import type { UpliftModel } from '../uplift/uplift-data.js';

/** Contact budgets of the protocol: 10%, 20%, …, 90% of customers. @example BUDGETS[4] // 0.5 */
export const BUDGETS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
/** Each Hillstrom arm's randomisation probability. @example ipsContributions(a, arm, y, P) */
export const P = 1 / 3;

/** Values of xs at rows. @example sub([5, 6, 7], [2, 0]) // [7, 5] */
export const sub = (xs: ArrayLike<number>, rows: ArrayLike<number>) => Float64Array.from({ length: rows.length }, (_, r) => xs[rows[r]]);
/** Int32 values of xs at rows. @example subInt(Int32Array.from([5, 6]), [1]) // [6] */
export const subInt = (xs: Int32Array, rows: ArrayLike<number>) => Int32Array.from({ length: rows.length }, (_, r) => xs[rows[r]]);

/**
 * Uplift matrix (rows × arms) of a model on the given rows; `scale` multiplies each arm (value per
 * outcome), `onlyArm` restricts the policy to one arm.
 *
 * @example
 * upliftMatrix(model, X, testRows, undefined, 1);
 */
export function upliftMatrix(model: UpliftModel, X: Float64Array, rows: ArrayLike<number>, scale?: ArrayLike<number>, onlyArm?: number): Float64Array {
  const d = HILLSTROM_FEATURES;
  const out = new Float64Array(rows.length * model.arms);
  for (let r = 0; r < rows.length; r++) {
    const u = model.uplift(X.subarray(rows[r] * d, (rows[r] + 1) * d));
    for (let k = 1; k < model.arms; k++) out[r * model.arms + k] = onlyArm !== undefined && k !== onlyArm ? -Infinity : u[k] * (scale ? scale[k] : 1);
  }
  return out;
}

/** Best single arm (≥ 1) by mean outcome on rows. @example bestArm(h.arm, h.conversion, train) // 1 (men's e-mail) */
export function bestArm(arm: Int32Array, y: ArrayLike<number>, rows: ArrayLike<number>): number {
  const sum = [0, 0, 0];
  const cnt = [0, 0, 0];
  for (let r = 0; r < rows.length; r++) {
    sum[arm[rows[r]]] += y[rows[r]];
    cnt[arm[rows[r]]] += 1;
  }
  return sum[1] / cnt[1] >= sum[2] / cnt[2] ? 1 : 2;
}

/** Per-row IPS contributions of the budgeted policies, of "none" and of the best single arm. */
export interface Curve {
  /** Per budget, the per-row IPS contributions on the evaluation rows. */
  policies: Float64Array[];
  none: Float64Array;
  best: Float64Array;
}

/**
 * The lift curve's ingredients on evaluation rows.
 *
 * @example
 * const c = curve(upliftMatrix(model, X, test), armTest, yTest, 1);
 */
export function curve(uplifts: Float64Array, arm: Int32Array, y: Float64Array, best: number): Curve {
  const n = arm.length;
  const policies = BUDGETS.map((b) => ipsContributions(budgetedAssignment(uplifts, n, 3, b), arm, y, P));
  return { policies, none: ipsContributions(new Int32Array(n), arm, y, P), best: ipsContributions(new Int32Array(n).fill(best), arm, y, P) };
}

/** Mean under bootstrap multiplicities. @example wmean(Float64Array.from([1, 3]), ones(2)) // 2 */
export const wmean = (xs: Float64Array, w: Float64Array) => {
  let s = 0;
  let t = 0;
  for (let i = 0; i < xs.length; i++) {
    s += w[i] * xs[i];
    t += w[i];
  }
  return s / t;
};
/** Lift shares at every budget under multiplicities w. @example shares(c, ones(n))[4] // share at 50% */
export const shares = (c: Curve, w: Float64Array) => {
  const none = wmean(c.none, w);
  const best = wmean(c.best, w);
  return c.policies.map((p) => liftShare(wmean(p, w), none, best));
};
/** A vector of ones (no resampling). @example ones(3) // [1, 1, 1] */
export const ones = (n: number) => new Float64Array(n).fill(1);
/** Mean lift share over the nine budgets (the model-selection score). @example meanShare(c) */
export const meanShare = (c: Curve) => shares(c, ones(c.none.length)).reduce((a, b) => a + b, 0) / BUDGETS.length;

