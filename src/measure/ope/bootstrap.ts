/**
 * Seeded nonparametric bootstrap: resample logged rows with replacement and read the
 * percentile interval of each statistic — or, given its estimate and empirical influence values,
 * the BCa interval (bias-corrected and accelerated: Efron, JASA 82 (1987) 171–185; Efron &
 * Tibshirani, An Introduction to the Bootstrap (1993), §14.3), which keeps its coverage where a
 * few rare rewards make the statistic skewed: on 300 logged decisions with ~13 rewards the
 * percentile interval covered the truth 91% of the time, BCa 95% (report.test.ts). The reward
 * model is held fixed across resamples (as Open Bandit Pipeline's estimate_interval does), so
 * DM's interval reflects sampling of contexts, not model refitting.
 */
import { normalCdf, normalQuantile } from '../../maths/distributions.js';
import { createRng } from '../stats/prng.js';

export interface BootstrapInterval {
  /** Percentile interval at `level`. */
  ci: [number, number];
  /** Standard deviation of the bootstrap replicates. */
  sd: number;
  level: number;
  replicates: number;
  /**
   * Replicates whose statistic was not finite (SNIPS or SNDR on a resample whose weights are all 0: 0/0),
   * left out of the interval and the sd, which are then conditional on the resample having a value.
   */
  dropped: number;
  /** The replicates themselves, when asked for with `keepDraws`. */
  draws?: Float64Array;
  /** 'bca' when the statistic came with its estimate and influence values, else 'percentile'. */
  method: 'percentile' | 'bca';
}

/** What BCa needs of a statistic: its full-sample value and its empirical influence value at each row. */
export interface BcaInput {
  estimate: number;
  influence: ArrayLike<number>;
}

export interface BootstrapOptions {
  replicates?: number;
  level?: number;
  seed?: number;
  keepDraws?: boolean;
  /** Per statistic (by name), its estimate and influence values: its interval is then BCa. */
  bca?: Readonly<Record<string, BcaInput | undefined>>;
}

/**
 * Bootstrap intervals for several statistics that share each resample.
 * @example bootstrapIntervals(rows.length, { mean: (idx) => meanOf(rows, idx) }, { seed: 7 }).mean.ci
 */
export function bootstrapIntervals<K extends string>(
  n: number,
  statistics: Record<K, (idx: Int32Array) => number>,
  options: BootstrapOptions = {},
): Record<K, BootstrapInterval> {
  const names = Object.keys(statistics) as K[];
  return bootstrapJointIntervals(n, names, (idx, out) => names.forEach((k, i) => (out[i] = statistics[k](idx))), options);
}

/**
 * Bootstrap intervals for statistics computed together on each resample: `statistic` writes the
 * value of each of `names`, in order, into `out` (one pass over the rows for all of them). The same
 * resamples as {@link bootstrapIntervals} for the same seed.
 * @example bootstrapJointIntervals(terms.n, ['ips', 'snips'], (idx, out) => estimateAll(terms, ['ips', 'snips'], idx, out), { seed: 7 })
 */
export function bootstrapJointIntervals<K extends string>(
  n: number,
  names: readonly K[],
  statistic: (idx: Int32Array, out: Float64Array) => void,
  options: BootstrapOptions = {},
): Record<K, BootstrapInterval> {
  const replicates = options.replicates ?? 1000;
  const level = options.level ?? 0.95;
  const rng = createRng(options.seed ?? 12345);
  const draws = Object.fromEntries(names.map((k) => [k, new Float64Array(replicates)])) as Record<K, Float64Array>;
  const columns = names.map((k) => draws[k]);
  const idx = new Int32Array(n);
  const values = new Float64Array(names.length);
  for (let b = 0; b < replicates; b++) {
    for (let j = 0; j < n; j++) idx[j] = Math.floor(rng() * n);
    statistic(idx, values);
    for (let i = 0; i < columns.length; i++) columns[i][b] = values[i];
  }
  const out = {} as Record<K, BootstrapInterval>;
  for (const k of names) {
    out[k] = summarise(draws[k], level, replicates, options.bca?.[k]);
    if (options.keepDraws) out[k].draws = draws[k];
  }
  return out;
}

function summarise(values: Float64Array, level: number, replicates: number, bca?: BcaInput): BootstrapInterval {
  const finite = Array.from(values).filter(Number.isFinite).sort((a, b) => a - b);
  const dropped = values.length - finite.length;
  if (finite.length === 0) return { ci: [NaN, NaN], sd: NaN, level, replicates, dropped, method: 'percentile' };
  const mean = finite.reduce((s, x) => s + x, 0) / finite.length;
  const sd = Math.sqrt(finite.reduce((s, x) => s + (x - mean) ** 2, 0) / Math.max(1, finite.length - 1));
  const [lo, hi] = bca ? bcaLevels(finite, level, bca) : [(1 - level) / 2, (1 + level) / 2];
  return { ci: [quantile(finite, lo), quantile(finite, hi)], sd, level, replicates, dropped, method: bca ? 'bca' : 'percentile' };
}

/**
 * The BCa interval's quantile levels (Efron & Tibshirani 1993, eq. 14.10, 14.14, 14.15): the bias
 * correction z₀ = Φ⁻¹(share of replicates below the estimate, ties counted half), the acceleration
 * a = ΣU³ / (6 (ΣU²)^{3/2}) from the influence values U, and α₁,₂ = Φ(z₀ + (z₀ + z)/(1 − a(z₀ + z)))
 * at z = Φ⁻¹((1 ∓ level)/2). Levels are kept inside the replicates' own resolution.
 * @example bcaLevels(sortedDraws, 0.95, { estimate, influence }) // [0.031, 0.981]
 */
export function bcaLevels(sorted: ArrayLike<number>, level: number, bca: BcaInput): [number, number] {
  const b = sorted.length;
  let below = 0;
  for (let i = 0; i < b; i++) below += sorted[i] < bca.estimate ? 1 : sorted[i] === bca.estimate ? 0.5 : 0;
  const edge = 0.5 / b;
  const z0 = normalQuantile(Math.min(1 - edge, Math.max(edge, below / b)));
  let s2 = 0;
  let s3 = 0;
  for (let i = 0; i < bca.influence.length; i++) {
    const u = bca.influence[i];
    s2 += u * u;
    s3 += u * u * u;
  }
  const a = s2 > 0 ? s3 / (6 * s2 ** 1.5) : 0;
  const at = (p: number) => {
    const z = z0 + normalQuantile(p);
    return Math.min(1, Math.max(0, normalCdf(z0 + z / (1 - a * z))));
  };
  return [at((1 - level) / 2), at((1 + level) / 2)];
}

/**
 * Linear-interpolation quantile of sorted values (numpy's default "linear" method).
 * @example quantile([1, 2, 3, 4], 0.5) // 2.5
 */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}
