/**
 * The exact probability that Thompson sampling picks a given action.
 *
 * Under disjoint Gaussian posteriors the sampled linear predictors Z_j ~ N(μ_j, σ_j²) are
 * independent, and the sampled score of action j is v_j·σ(Z_j) − c_j, increasing in Z_j (v_j > 0;
 * v_j ≤ 0 is an option of fixed score −c_j, such as "none"). Equal fixed scores tie with positive
 * probability; the samplers keep the first (lowest index), and so does this. So
 *   P(a) = ∫ φ(u) · Π_{j≠a} P(v_j σ(Z_j) − c_j < v_a σ(μ_a + σ_a u) − c_a) du,
 * a one-dimensional integral computed by adaptive Gauss–Kronrod quadrature. The logged error bound is the
 * quadrature's error estimate plus the truncated tails (|u| > 8.5 carries < 2·10⁻¹⁷) plus
 * 2·10⁻¹⁷ per pruned action (an action whose score can exceed another's floor only beyond 8.5σ)
 * plus 10⁻¹² per rival for the tabulated normal CDF (normal-table.ts), plus the products cut to 0
 * below 10⁻¹⁶, plus (with values) Φ(−8.5) per rival for the factors taken as 1 once the rival's
 * score at +8.5σ is below the score being integrated. The integrand's weights sum to at most 1, so these absolute errors add.
 */
import { integrate } from '../math/quadrature.js';
import { FAST_NORMAL_CDF_ERROR, fastNormalCdf } from '../math/normal-table.js';
import { logit, normalCdf, normalPdf, sigmoid } from '../math/special.js';
import { predictiveMean } from './logistic-posterior.js';

/** Width of the Gaussian support considered, in standard deviations. */
export const SUPPORT_SD = 8.5;
const TAIL = 2 * normalCdf(-SUPPORT_SD);

/** The sampled-score distributions of the competing actions. */
export interface ScoreDistributions {
  means: ArrayLike<number>;
  sds: ArrayLike<number>;
  /** Value multiplier per action (reward if clicked); omitted = all 1. */
  values?: ArrayLike<number>;
  /** Cost subtracted from each action's score (contact cost); omitted = all 0. Needs `values`. */
  offsets?: ArrayLike<number>;
}

/** A probability with its numerical error bound. */
export interface ExactProbability {
  probability: number;
  errorBound: number;
}

/** Threshold on Z_j for v_j·σ(Z_j) − c_j to stay below the score s (Infinity if it always does). */
function thresholdFor(values: ArrayLike<number> | undefined, j: number, score: number, offsets?: ArrayLike<number>): number {
  if (!values) return score;
  const vj = values[j];
  const s = offsets ? score + offsets[j] : score;
  if (vj <= 0) return s > 0 ? Infinity : -Infinity;
  const ratio = s / vj;
  if (ratio >= 1) return Infinity;
  if (ratio <= 0) return -Infinity;
  return logit(ratio);
}

/** Beyond this |threshold| the score's floating-point steps are wider than ~10⁻⁹ in z (σ′ < 10⁻⁷ there). */
const STEPS_MATTER = 16;

/**
 * inf{z : g_j(z) ≥ s} (with `strict`, inf{z : g_j(z) > s}) for the score g_j(z) = v_j·σ(z) − c_j
 * as the samplers compute it in floating point: ±Infinity when no z / every z qualifies. Where σ
 * is near 0 or 1, g_j is a step function — σ(z) === 1 for z ≥ 36.74, and the doubles below 1 are
 * 2⁻⁵³ apart — so two actions tie on a step with positive probability, and which side of a step
 * counts decides who wins the tie. There the crossing is found on g_j itself, by bisection to
 * adjacent doubles (g_j is non-decreasing); elsewhere the steps are below 10⁻⁹ wide and the
 * analytic logit((s + c_j)/v_j) serves. Without values the score is z itself: no steps.
 */
function crossing(values: ArrayLike<number> | undefined, j: number, s: number, offsets: ArrayLike<number> | undefined, strict: boolean): number {
  if (!values) return s;
  const t = thresholdFor(values, j, s, offsets);
  if (Number.isFinite(t) && Math.abs(t) < STEPS_MATTER) return t;
  const reaches = (z: number) => (strict ? scoreOf(values, j, z, offsets) > s : scoreOf(values, j, z, offsets) >= s);
  let lo = -800;
  let hi = 800; // σ(±800) is exactly 0 and 1: g_j is flat beyond
  if (!reaches(hi)) return Infinity;
  if (reaches(lo)) return -Infinity;
  for (;;) {
    const mid = 0.5 * (lo + hi);
    if (mid === lo || mid === hi) return hi;
    if (reaches(mid)) hi = mid;
    else lo = mid;
  }
}

// A negative value counts as 0 (a fixed score −c_j), in the samplers as here: the choice rule
// needs scores that do not fall as the goal probability rises.
const scoreOf = (values: ArrayLike<number> | undefined, j: number, z: number, offsets?: ArrayLike<number>): number =>
  values ? Math.max(0, values[j]) * sigmoid(z) - (offsets ? offsets[j] : 0) : z;

/** Whether action j's sampled score is a constant: no posterior spread, or no value (score −c_j). */
const fixedScore = (dist: ScoreDistributions, j: number): boolean => !(dist.sds[j] > 0) || (!!dist.values && !(dist.values[j] > 0));

/**
 * The sampled score of action j at linear predictor z: v_j·σ(z) − c_j, or z without values.
 *
 * @example
 * sampledScore({ means: [0], sds: [1], values: [10], offsets: [1] }, 0, 0); // 4
 */
export function sampledScore(dist: ScoreDistributions, j: number, z: number): number {
  return scoreOf(dist.values, j, z, dist.offsets);
}

/**
 * Action j's expected score under its posterior, v_j·E[σ(Z_j)] − c_j (E[σ(Z_j)] without values),
 * E[σ(Z)] the posterior mean (logistic-posterior.ts `predictiveMean`) — the reward an
 * exploiting choice expects, and the value its estimate reports. Not v_j·σ(μ_j) − c_j, the reward at
 * the posterior mean, which overrates an uncertain action (greedy.test.ts).
 *
 * @example
 * expectedScore({ means: [1], sds: [3] }, 0); // 0.613 (σ(1) = 0.731)
 */
export function expectedScore(dist: ScoreDistributions, j: number): number {
  const sd = dist.sds[j] > 0 ? dist.sds[j] : 0;
  const p = predictiveMean(dist.means[j], sd * sd);
  return dist.values ? Math.max(0, dist.values[j]) * p - (dist.offsets ? dist.offsets[j] : 0) : p;
}

/**
 * Indices of actions that can win with probability above ~10⁻¹⁷: an action is dropped when even
 * its score at +8.5σ is below another action's score at −8.5σ.
 *
 * @example
 * contenders({ means: [0, 10], sds: [1, 1] }); // [1]
 */
export function contenders(dist: ScoreDistributions): number[] {
  const { means, sds, values, offsets } = dist;
  let floor = -Infinity;
  for (let k = 0; k < means.length; k++) floor = Math.max(floor, scoreOf(values, k, means[k] - SUPPORT_SD * sds[k], offsets));
  const out: number[] = [];
  for (let j = 0; j < means.length; j++) if (scoreOf(values, j, means[j] + SUPPORT_SD * sds[j], offsets) >= floor) out.push(j);
  return out;
}

/**
 * P(action `a` has the highest sampled score), with its error bound.
 *
 * @example
 * winProbability({ means: [0, 0], sds: [1, 1] }, 0).probability; // 0.5
 */
export function winProbability(dist: ScoreDistributions, a: number, candidates?: number[], tol = 1e-9): ExactProbability {
  const { means, sds, values, offsets } = dist;
  const rivals = (candidates ?? contenders(dist)).filter((j) => j !== a);
  const pruned = means.length - 1 - rivals.length;
  const extraError = TAIL + pruned * TAIL;
  if (!values && sds[a] > 0) return unitValueWin(means, sds, a, rivals, tol, extraError);
  const muA = means[a];
  const sdA = sds[a];
  // Rivals by their highest score (at +8.5σ), highest first: once a rival's highest score is below
  // the score s of `a`, so is every later one's, and their factors are 1 up to Φ(−8.5) each.
  const order = rivals.map((j) => ({ j, max: scoreOf(values, j, means[j] + SUPPORT_SD * sds[j], offsets) })).sort((x, y) => y.max - x.max);
  const factor = (z: number): number => {
    const s = scoreOf(values, a, z, offsets);
    let prod = 1;
    for (let k = 0; k < order.length; k++) {
      if (order[k].max < s) break;
      const j = order[k].j;
      if (fixedScore(dist, j)) {
        // A constant rival: below s, or equal and after a (the samplers keep the first of equal scores).
        const r = scoreOf(values, j, means[j], offsets);
        if (r < s || (r === s && j > a)) continue;
        return 0;
      }
      // j stays below s: strictly when it comes first (it keeps a tie), or level with s when after a.
      const t = crossing(values, j, s, offsets, j > a);
      if (t === Infinity) continue;
      if (t === -Infinity) return 0;
      prod *= fastNormalCdf((t - means[j]) / sds[j]);
      if (prod < NEGLIGIBLE) return 0;
    }
    return prod;
  };
  if (!(sdA > 0)) return { probability: factor(muA), errorBound: extraError };
  // Below the best rival's floor the integrand is < Φ(−8.5): start the integral there.
  let lowU = -SUPPORT_SD;
  for (const j of rivals) {
    const floorScore = scoreOf(values, j, means[j] - SUPPORT_SD * sds[j], offsets);
    const zFloor = crossing(values, a, floorScore, offsets, false);
    if (zFloor === Infinity) return { probability: 0, errorBound: extraError };
    if (Number.isFinite(zFloor)) lowU = Math.max(lowU, (zFloor - muA) / sdA);
  }
  if (lowU >= SUPPORT_SD) return { probability: 0, errorBound: extraError };
  // From where a's score reaches its top (σ rounds to 1) the integrand is constant: that part in
  // closed form, so the quadrature does not meet the jump into it.
  const top = values ? scoreOf(values, a, Infinity, offsets) : Infinity;
  const zTop = values && scoreOf(values, a, muA + SUPPORT_SD * sdA, offsets) >= top ? crossing(values, a, top, offsets, false) : Infinity;
  const topU = Math.min(SUPPORT_SD, Math.max(lowU, (zTop - muA) / sdA));
  const atTop = topU < SUPPORT_SD ? (normalCdf(SUPPORT_SD) - normalCdf(topU)) * factor(zTop) : 0;
  const q = topU > lowU ? integrate((u) => normalPdf(u) * factor(muA + sdA * u), lowU, topU, tol) : { value: 0, errorEstimate: 0 };
  const probability = Math.min(1, Math.max(0, q.value + atTop));
  return { probability, errorBound: q.errorEstimate + extraError + rivals.length * (FAST_NORMAL_CDF_ERROR + TAIL) + 17 * NEGLIGIBLE };
}

/** Products below this are treated as 0 in the unit-value integrand (adds ≤ 10⁻¹⁶ to the error). */
const NEGLIGIBLE = 1e-16;

/**
 * Fast path for equal values: rival j's factor is Φ(slope_j·u + offset_j), precomputed, with
 * rivals ordered most-threatening first so the product can stop early once negligible.
 */
function unitValueWin(means: ArrayLike<number>, sds: ArrayLike<number>, a: number, rivals: number[], tol: number, extraError: number): ExactProbability {
  const muA = means[a];
  const sdA = sds[a];
  let lowU = -SUPPORT_SD;
  const random: number[] = [];
  for (const j of rivals) {
    if (sds[j] > 0) random.push(j);
    else lowU = Math.max(lowU, (means[j] - muA) / sdA); // a fixed rival: a must exceed its score
    lowU = Math.max(lowU, (means[j] - SUPPORT_SD * sds[j] - muA) / sdA);
  }
  if (lowU >= SUPPORT_SD) return { probability: 0, errorBound: extraError };
  random.sort((i, j) => (muA - means[i]) / sds[i] - (muA - means[j]) / sds[j]);
  const m = random.length;
  const slope = new Float64Array(m);
  const offset = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const j = random[k];
    slope[k] = sdA / sds[j];
    offset[k] = (muA - means[j]) / sds[j];
  }
  const integrand = (u: number): number => {
    let prod = normalPdf(u);
    for (let k = 0; k < m; k++) {
      prod *= fastNormalCdf(slope[k] * u + offset[k]);
      if (prod < NEGLIGIBLE) return 0;
    }
    return prod;
  };
  const q = integrate(integrand, lowU, SUPPORT_SD, tol);
  const probability = Math.min(1, Math.max(0, q.value));
  return { probability, errorBound: q.errorEstimate + extraError + m * FAST_NORMAL_CDF_ERROR + 17 * NEGLIGIBLE };
}

/**
 * The full distribution of Thompson sampling's choice (zeros for pruned actions).
 *
 * @example
 * winProbabilities({ means: [0, 0, 0], sds: [1, 1, 1] }); // ≈ [1/3, 1/3, 1/3]
 */
export function winProbabilities(dist: ScoreDistributions, tol = 1e-9): { probabilities: Float64Array; errorBound: number } {
  const cands = contenders(dist);
  const probabilities = new Float64Array(dist.means.length);
  let errorBound = 0;
  for (const a of cands) {
    const r = winProbability(dist, a, cands, tol);
    probabilities[a] = r.probability;
    errorBound = Math.max(errorBound, r.errorBound);
  }
  return { probabilities, errorBound };
}
