/**
 * Uplift-based targeting under a contact budget, and its value on randomised data by inverse
 * propensity weighting. Each subject's candidate is the action with the highest value-weighted
 * uplift; the subjects with the highest such scores are contacted, up to the budget, and only when
 * the score is positive — "none" competes on value (doing nothing is an option).
 */

/**
 * Assigns an arm to each subject: 0 = none.
 *
 * @param uplifts row-major n×arms uplift matrix (column 0 = none = 0)
 * @param budget maximum share of subjects contacted, in [0, 1]
 * @param values value of one unit of outcome per arm (default 1 each)
 * @example
 * budgetedAssignment(Float64Array.from([0, 0.02, 0.01, 0, -0.01, 0.005]), 2, 3, 0.5); // [1, 0]
 */
export function budgetedAssignment(uplifts: Float64Array, n: number, arms: number, budget: number, values?: ArrayLike<number>): Int32Array {
  const best = new Int32Array(n);
  const score = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let arg = 0;
    let top = 0;
    for (let k = 1; k < arms; k++) {
      const s = uplifts[i * arms + k] * (values ? values[k] : 1);
      if (s > top) {
        top = s;
        arg = k;
      }
    }
    best[i] = arg;
    score[i] = top;
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[b] - score[a] || a - b);
  const quota = Math.floor(budget * n + 1e-9);
  const out = new Int32Array(n);
  for (let r = 0; r < quota; r++) {
    const i = order[r];
    if (score[i] <= 0) break;
    out[i] = best[i];
  }
  return out;
}

/**
 * Per-row IPS contributions of a deterministic policy on randomised data: 1{logged = assigned}·y/p.
 * Their mean is the policy's value per subject.
 *
 * @example
 * ipsContributions(Int32Array.from([1, 0]), Int32Array.from([1, 1]), [1, 1], 1 / 3); // [3, 0]
 */
export function ipsContributions(assigned: Int32Array, logged: Int32Array, y: ArrayLike<number>, propensity: number | ArrayLike<number>): Float64Array {
  const out = new Float64Array(assigned.length);
  for (let i = 0; i < assigned.length; i++) {
    if (assigned[i] !== logged[i]) continue;
    const p = typeof propensity === 'number' ? propensity : propensity[i];
    out[i] = y[i] / p;
  }
  return out;
}

/**
 * Share of the incremental outcome of "everyone gets the best single arm" that a policy captures:
 * (V(policy) − V(none)) / (V(best arm) − V(none)). Random targeting of a share b captures b.
 *
 * @example
 * liftShare(0.012, 0.006, 0.0125); // ≈ 0.92
 */
export function liftShare(policyValue: number, noneValue: number, bestArmValue: number): number {
  return (policyValue - noneValue) / (bestArmValue - noneValue);
}
