/**
 * Feature scaling of a bandit: its coefficients are over standardised features, so that the prior
 * N(0, v·I) means the same thing whatever a feature's unit (orders, spend in euros or in cents).
 *
 * Rule (Gelman, Jakulin, Pittau & Su 2008, "A weakly informative default prior distribution for
 * logistic and other regression models", Ann. Appl. Stat. 2(4) §2.1): a feature whose values are
 * all 0 or 1 (a boolean, a `path=value` indicator) is centred at its mean and keeps its unit; any
 * other is centred and divided by two standard deviations, so a change from low to high (±1 sd)
 * weighs what a 0 → 1 switch does. u = [1, (x₁ − c₁)/s₁, …]: the intercept is then the log-odds at
 * the average context. Raw features under N(0, I) gave a fresh action's linear predictor an sd of
 * about |x| (40 at 40 orders, 1,000 at a spend of 1,000), so its interval was [0, 1].
 *
 * Mean and scale are fitted on the contexts the bandit has learned from, and refitted each time
 * their count doubles (1, 2, 4, …). The moments are kept as count, mean and sum of squared
 * deviations M₂, updated by Welford's method (1962) and combined across processes by the pairwise
 * formulas of Chan, Golub & LeVeque (1979/1983): until 2026-12-04 they were the sums Σx and Σx²,
 * whose Σx²/n − mean² loses the variance of a feature with a large mean (a time in seconds: 0.3% of
 * its sd over 300,000 contexts, scaling-moments.test.ts). A refit changes
 * no learned belief: each posterior is re-expressed exactly in the new units (the linear predictor
 * θᵀu is the same function of x, an affine map of a Gaussian is Gaussian), and so is a refit
 * window (relinearize.ts). Only actions without an outcome of their own take their prior afresh in
 * the new units. The scaling is stored with the bandit, so a model version is read with its own.
 */
import type { LogisticPosterior } from './logistic-posterior.js';
import type { Relinearization } from './relinearize.js';

/** Centre and scale of each feature (not the intercept): u_i = (x_i − center_i)/scale_i. */
export interface ScalingParams {
  center: number[];
  scale: number[];
}

/** A bandit's scaling: its parameters and the moments of the learned contexts they are fitted on. */
export interface FeatureScaling extends ScalingParams {
  /** Contexts learned from. */
  count: number;
  /** Running mean of each feature. */
  mean: number[];
  /** Running sum of squared deviations from the mean (M₂; variance = M₂/count). */
  m2: number[];
  /** Whether every value seen so far was 0 or 1. */
  binary: boolean[];
  /** `count` at the last fit (0: not fitted — the identity). */
  fittedAt: number;
}

/**
 * The identity scaling (raw features) with no context seen: the scaling of a new bandit, and of a
 * bandit stored before scaling existed (its coefficients are over the raw features).
 *
 * @example
 * identityScaling(2); // { center: [0, 0], scale: [1, 1], count: 0, … }
 */
export function identityScaling(features: number): FeatureScaling {
  const zeros = () => new Array<number>(features).fill(0);
  return { center: zeros(), scale: new Array<number>(features).fill(1), count: 0, mean: zeros(), m2: zeros(), binary: new Array<boolean>(features).fill(true), fittedAt: 0 };
}

/** A deep copy. @example const snap = copyScaling(state.scaling) */
export function copyScaling(s: FeatureScaling): FeatureScaling {
  return { center: [...s.center], scale: [...s.scale], count: s.count, mean: [...s.mean], m2: [...s.m2], binary: [...s.binary], fittedAt: s.fittedAt };
}

/** Adds a learned context to the moments (Welford's update). @example observeContext(scaling, [40, 1000]) */
export function observeContext(s: FeatureScaling, x: ArrayLike<number>): void {
  s.count += 1;
  for (let i = 0; i < s.mean.length; i++) {
    const delta = x[i] - s.mean[i];
    s.mean[i] += delta / s.count;
    s.m2[i] += delta * (x[i] - s.mean[i]);
    if (x[i] !== 0 && x[i] !== 1) s.binary[i] = false;
  }
}

/**
 * Moments of the old `sum`/`sumSq` form (tact-bandit@2 rows written before 2026-12-04) as count,
 * mean and M₂: as exact as those sums still are.
 *
 * @example
 * momentsFromSums(4, [100], [2600]); // { mean: [25], m2: [100] }
 */
export function momentsFromSums(count: number, sum: number[], sumSq: number[]): { mean: number[]; m2: number[] } {
  const mean = sum.map((v) => (count ? v / count : 0));
  return { mean, m2: sumSq.map((v, i) => (count ? Math.max(0, v - sum[i] * mean[i]) : 0)) };
}

/** Whether the moments have doubled since the last fit. @example if (refitDue(s)) … */
export function refitDue(s: FeatureScaling): boolean {
  return s.count >= Math.max(1, 2 * s.fittedAt);
}

/**
 * Centre and scale from the moments (the rule above). A non-binary feature with no spread yet (one
 * context, or all equal) is scaled by the magnitude of its value, at least 1.
 *
 * @example
 * fitScaling(s); // { center: [40.2, 996], scale: [19.8, 612] }
 */
export function fitScaling(s: FeatureScaling): ScalingParams {
  const center: number[] = [];
  const scale: number[] = [];
  for (let i = 0; i < s.mean.length; i++) {
    const mean = s.count ? s.mean[i] : 0;
    const sd = s.count ? Math.sqrt(Math.max(0, s.m2[i] / s.count)) : 0;
    center.push(mean);
    if (s.binary[i]) scale.push(1);
    else scale.push(2 * sd > 1e-9 * Math.max(1, Math.abs(mean)) ? 2 * sd : Math.max(Math.abs(mean), 1));
  }
  return { center, scale };
}

/**
 * The design vector u = [1, (x − center)/scale] of a context.
 *
 * @example
 * designVector({ center: [40], scale: [20] }, [60]); // Float64Array [1, 1]
 */
export function designVector(p: ScalingParams, context: ArrayLike<number>): Float64Array {
  const u = new Float64Array(p.center.length + 1);
  u[0] = 1;
  for (let i = 0; i < p.center.length; i++) u[i + 1] = (context[i] - p.center[i]) / p.scale[i];
  return u;
}

/**
 * The design vector of a context at the average of the contexts learned from: [1, 0, …, 0]. What a
 * standardising bandit that has learned nothing reads every context as (thompson.ts designFor):
 * with no context seen, each is its own centre, as the first context's fit makes it.
 *
 * @example
 * interceptOnly(2); // Float64Array [1, 0, 0]
 */
export function interceptOnly(features: number): Float64Array {
  const u = new Float64Array(features + 1);
  u[0] = 1;
  return u;
}

/**
 * The posterior re-expressed from one scaling to another (a new object; evidence kept). With
 * θ'₀ = θ₀ + Σ θ_i (c'_i − c_i)/s_i and θ'_i = θ_i·s'_i/s_i the linear predictor is unchanged at
 * every x, so mean' = A·mean and cov' = A·cov·Aᵀ exactly.
 *
 * @example
 * const same = rescalePosterior(post, oldParams, newParams); // same predictions at every context
 */
export function rescalePosterior<T extends LogisticPosterior>(post: T, from: ScalingParams, to: ScalingParams): T {
  const d = post.dimension;
  const a = new Float64Array(d);
  const r = new Float64Array(d);
  for (let i = 1; i < d; i++) {
    a[i] = (to.center[i - 1] - from.center[i - 1]) / from.scale[i - 1];
    r[i] = to.scale[i - 1] / from.scale[i - 1];
  }
  // A: row 0 = [1, a₁, …], row i = r_i·e_i
  const mulA = (v: Float64Array, out: Float64Array) => {
    let s = v[0];
    for (let i = 1; i < d; i++) {
      s += a[i] * v[i];
      out[i] = r[i] * v[i];
    }
    out[0] = s;
  };
  const mean = new Float64Array(d);
  mulA(post.mean, mean);
  return { ...post, mean, cov: congruence(post.cov, d, mulA) };
}

/**
 * A refit window re-expressed in the new units (in place): its anchor's natural parameters
 * (Λ' = N·Λ·Nᵀ, h' = N·h) and its design vectors (u' = N·u), with N = A⁻ᵀ (row 0 = e₀,
 * row i = [(c_i − c'_i)/s'_i at 0, s_i/s'_i at i]).
 *
 * @example
 * rescaleRelinearization(action.relin, d, oldParams, newParams);
 */
export function rescaleRelinearization(rl: Relinearization, d: number, from: ScalingParams, to: ScalingParams): void {
  const b = new Float64Array(d);
  const r = new Float64Array(d);
  for (let i = 1; i < d; i++) {
    b[i] = (from.center[i - 1] - to.center[i - 1]) / to.scale[i - 1];
    r[i] = from.scale[i - 1] / to.scale[i - 1];
  }
  const mulN = (v: Float64Array, out: Float64Array) => {
    const v0 = v[0];
    for (let i = 1; i < d; i++) out[i] = b[i] * v0 + r[i] * v[i];
    out[0] = v0;
  };
  rl.anchorPrecision = congruence(rl.anchorPrecision, d, mulN);
  const h = new Float64Array(d);
  mulN(rl.anchorLinear, h);
  rl.anchorLinear = h;
  const u = new Float64Array(d);
  const out = new Float64Array(d);
  for (let k = 0; k < rl.count; k++) {
    for (let j = 0; j < d; j++) u[j] = rl.xs[k * d + j];
    mulN(u, out);
    rl.xs.set(out, k * d);
  }
}

/** M·C·Mᵀ for a symmetric d×d C (row-major), M given as a product with vectors: O(d²) for the sparse maps above. */
function congruence(c: Float64Array, d: number, mul: (v: Float64Array, out: Float64Array) => void): Float64Array {
  const mc = new Float64Array(d * d);
  const col = new Float64Array(d);
  const out = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < d; i++) col[i] = c[i * d + j];
    mul(col, out);
    for (let i = 0; i < d; i++) mc[i * d + j] = out[i];
  }
  const res = new Float64Array(d * d);
  for (let k = 0; k < d; k++) {
    mul(mc.subarray(k * d, k * d + d), out);
    res.set(out, k * d);
  }
  // exact symmetry (the maps are exact up to rounding; Cholesky later wants a symmetric matrix)
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) res[i * d + j] = res[j * d + i] = 0.5 * (res[i * d + j] + res[j * d + i]);
  return res;
}

/**
 * stored + (local − base) for the moments, in the stored parameters: what several processes
 * learned, counted once each. The contexts local saw since base are taken out of local's moments
 * and combined with stored's by the pairwise formulas (Chan, Golub & LeVeque 1979): with
 * δ = mean_B − mean_A, n = n_A + n_B, mean = mean_A + δ·n_B/n and M₂ = M₂_A + M₂_B + δ²·n_A·n_B/n.
 * Binary stays true only where every side saw 0/1 alone.
 *
 * @example
 * const merged = mergeScaling(stored.scaling, baseSnapshot, local.scaling);
 */
export function mergeScaling(stored: FeatureScaling, base: FeatureScaling, local: FeatureScaling): FeatureScaling {
  const nb = base.count;
  const nl = local.count;
  const nd = nl - nb;
  const ns = stored.count;
  const n = ns + Math.max(0, nd);
  const mean = [...stored.mean];
  const m2 = [...stored.m2];
  if (nd > 0) {
    for (let i = 0; i < mean.length; i++) {
      // local = base ⊕ delta, solved for delta (mean_d from the small difference mean_l − mean_b, not n·mean sums)
      const md = base.mean[i] + ((local.mean[i] - base.mean[i]) * nl) / nd;
      const db = md - base.mean[i];
      const m2d = Math.max(0, local.m2[i] - base.m2[i] - (db * db * nb * nd) / nl);
      const ds = md - stored.mean[i];
      mean[i] = stored.mean[i] + (ds * nd) / n;
      m2[i] = stored.m2[i] + m2d + (ds * ds * ns * nd) / n;
    }
  }
  return {
    center: [...stored.center], scale: [...stored.scale], fittedAt: stored.fittedAt,
    count: n, mean, m2,
    binary: stored.binary.map((v, i) => v && local.binary[i]),
  };
}

/**
 * A posterior carried from one scaling to another, either possibly absent (the raw features, the
 * identity); returned as it is when they are the same.
 *
 * @example
 * const inStored = carryPosterior(local, local.scaling, stored.scaling);
 */
export function carryPosterior<T extends LogisticPosterior>(post: T, from: ScalingParams | undefined, to: ScalingParams | undefined): T {
  const f = from ?? identityScaling(post.dimension - 1);
  const t = to ?? identityScaling(post.dimension - 1);
  const same = f.center.every((c, i) => c === t.center[i] && f.scale[i] === t.scale[i]);
  return same ? post : rescalePosterior(post, f, t);
}
