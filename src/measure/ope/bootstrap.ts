/**
 * Seeded nonparametric bootstrap: resample logged rows with replacement and read the
 * percentile interval of each statistic. The reward model is held fixed across resamples
 * (as Open Bandit Pipeline's estimate_interval does), so DM's interval reflects sampling of
 * contexts, not model refitting.
 */
import { createRng } from '../stats/prng.js';

export interface BootstrapInterval {
  /** Percentile interval at `level`. */
  ci: [number, number];
  /** Standard deviation of the bootstrap replicates. */
  sd: number;
  level: number;
  replicates: number;
  /** The replicates themselves, when asked for with `keepDraws`. */
  draws?: Float64Array;
}

export interface BootstrapOptions {
  replicates?: number;
  level?: number;
  seed?: number;
  keepDraws?: boolean;
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
  const replicates = options.replicates ?? 1000;
  const level = options.level ?? 0.95;
  const rng = createRng(options.seed ?? 12345);
  const names = Object.keys(statistics) as K[];
  const draws = Object.fromEntries(names.map((k) => [k, new Float64Array(replicates)])) as Record<K, Float64Array>;
  const idx = new Int32Array(n);
  for (let b = 0; b < replicates; b++) {
    for (let j = 0; j < n; j++) idx[j] = Math.floor(rng() * n);
    for (const k of names) draws[k][b] = statistics[k](idx);
  }
  const out = {} as Record<K, BootstrapInterval>;
  for (const k of names) {
    out[k] = summarise(draws[k], level, replicates);
    if (options.keepDraws) out[k].draws = draws[k];
  }
  return out;
}

function summarise(values: Float64Array, level: number, replicates: number): BootstrapInterval {
  const finite = Array.from(values).filter(Number.isFinite).sort((a, b) => a - b);
  if (finite.length === 0) return { ci: [NaN, NaN], sd: NaN, level, replicates };
  const mean = finite.reduce((s, x) => s + x, 0) / finite.length;
  const sd = Math.sqrt(finite.reduce((s, x) => s + (x - mean) ** 2, 0) / Math.max(1, finite.length - 1));
  return { ci: [quantile(finite, (1 - level) / 2), quantile(finite, (1 + level) / 2)], sd, level, replicates };
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
