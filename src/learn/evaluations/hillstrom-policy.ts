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
  /** Per budget, the arm the policy gives each evaluation row (0 = none). */
  assigned: Int32Array[];
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
  const assigned = BUDGETS.map((b) => budgetedAssignment(uplifts, n, 3, b));
  const policies = assigned.map((a) => ipsContributions(a, arm, y, P));
  return { policies, assigned, none: ipsContributions(new Int32Array(n), arm, y, P), best: ipsContributions(new Int32Array(n).fill(best), arm, y, P) };
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

/**
 * Exact one-sided upper bound of a rate after 0 events in m trials, at error `a`: the
 * Clopper–Pearson limit, closed-form at x = 0, (1 − p)^m = a (Clopper & Pearson 1934); at a = 0.05
 * about 3/m, the "rule of three" (Hanley & Lippman-Hand 1983). m = 0 bounds nothing: 1.
 *
 * @example
 * zeroEventUpper(300, 0.05); // 0.00994 (3/300 = 0.01)
 */
export const zeroEventUpper = (m: number, a: number) => 1 - Math.pow(a, 1 / m);

/**
 * How far the gap between the best single arm's value and a budget's policy value may lie beyond
 * what the bootstrap sees, per customer: `up` (the best arm's side) and `down` (the policy's).
 *
 * The gap lives on the rows D where the policy gives another arm than the best single arm; a
 * random third of D was logged with the best arm (and a third with the policy's arm), and the
 * gap's estimate is their outcomes'. When one side saw no outcome at all (no conversion among the
 * 267 customers of quick mode's 90% budget), every resample sees none either, and the bootstrap
 * says the gap is exactly 0 — a lift share of 1 with an interval of zero width. That side's mean
 * is then bounded exactly instead: at most zeroEventUpper(m, α/4) × `ceiling` (the outcome's
 * largest value) over the share |D|/n of customers (it holds for rates that differ between
 * customers too: no event among them is then at most as likely as at their mean rate). The
 * evaluation takes each resample's share at both ends of the bounds, the lower end's 2.5% and the
 * upper end's 97.5% percentiles: α/4 a bound and the bootstrap's α/2, so it misses with at most
 * about α in all (Bonferroni). A side with any outcome is the bootstrap's (0 here), as before.
 *
 * @example
 * const gaps = unseenGaps(c, armTest, yTest, 1, 1); // gaps[8].up > 0: nothing seen there
 */
export function unseenGaps(c: Curve, arm: Int32Array, y: Float64Array, best: number, ceiling: number, alpha = 0.05): { up: number; down: number }[] {
  const n = arm.length;
  return c.assigned.map((a) => {
    let rows = 0;
    // [rows, rows with the outcome] logged with the best arm, and with the policy's arm.
    const bestSide = [0, 0];
    const policySide = [0, 0];
    for (let i = 0; i < n; i++) {
      if (a[i] === best) continue;
      rows += 1;
      const side = arm[i] === best ? bestSide : arm[i] === a[i] ? policySide : undefined;
      if (!side) continue;
      side[0] += 1;
      if (y[i] !== 0) side[1] += 1;
    }
    const bound = ([m, events]: number[]) => (rows > 0 && events === 0 ? (rows / n) * ceiling * zeroEventUpper(m, alpha / 4) : 0);
    return { up: bound(bestSide), down: bound(policySide) };
  });
}
