/**
 * Seeded percentile bootstrap: every figure an evaluation prints carries a 95% interval
 * computed here. Resampling is by index so that paired statistics (a difference of two policy
 * values on the same rows) keep their pairing.
 *
 * Rows that follow each other in time are resampled in blocks: with `block: b` each resample is
 * made of runs of b consecutive rows starting at uniform positions, wrapping around the end (the
 * circular block bootstrap of Politis & Romano 1992); `circularBlockLength` chooses b from the
 * data. With b = 1 it is the ordinary bootstrap. Rows that share something unobserved (the
 * rounds of one bandit action share its posterior) are resampled by cluster: with `clusters`
 * each resample draws as many clusters as there are, with replacement, and takes all their rows.
 */
import { Rng } from '../math/prng.js';

/** A point figure with its bootstrap interval. */
export interface WithInterval {
  value: number;
  low: number;
  high: number;
}

/**
 * Percentile bootstrap interval of `statistic` over rows 0..n−1, resampled with replacement.
 * `statistic` receives multiplicities: w[i] = how many times row i was drawn.
 *
 * @example
 * const xs = [1, 2, 3, 4, 5];
 * bootstrap(xs.length, (w) => weightedMean(xs, w), { seed: 1 }); // {value: 3, low≈1.8, high≈4.2}
 */
export function bootstrap(
  n: number,
  statistic: (weights: Float64Array) => number,
  options: BootstrapOptions = {},
): WithInterval {
  const { seed = 0, reps = 1000, level = 0.95 } = options;
  const rng = new Rng(seed);
  const ones = new Float64Array(n).fill(1);
  const value = statistic(ones);
  const w = new Float64Array(n);
  const draws: number[] = [];
  const draw = resampler(n, options);
  for (let r = 0; r < reps; r++) {
    draw(w, rng);
    const s = statistic(w);
    if (Number.isFinite(s)) draws.push(s);
  }
  draws.sort((a, b) => a - b);
  const alpha = (1 - level) / 2;
  return { value, low: quantileSorted(draws, alpha), high: quantileSorted(draws, 1 - alpha) };
}

/**
 * Like {@link bootstrap} for several statistics computed from the same resamples (paired), e.g.
 * a policy value at nine budgets. Returns one interval per component.
 *
 * @example
 * bootstrapMany(xs.length, (w) => [weightedMean(xs, w), weightedMean(ys, w)], { seed: 2 });
 */
export function bootstrapMany(
  n: number,
  statistic: (weights: Float64Array) => number[],
  options: BootstrapOptions = {},
): WithInterval[] {
  const { seed = 0, reps = 1000, level = 0.95 } = options;
  const rng = new Rng(seed);
  const values = statistic(new Float64Array(n).fill(1));
  const draws: number[][] = values.map(() => []);
  const w = new Float64Array(n);
  const draw = resampler(n, options);
  for (let r = 0; r < reps; r++) {
    draw(w, rng);
    statistic(w).forEach((s, j) => {
      if (Number.isFinite(s)) draws[j].push(s);
    });
  }
  const alpha = (1 - level) / 2;
  return values.map((value, j) => {
    const sorted = draws[j].sort((a, b) => a - b);
    return { value, low: quantileSorted(sorted, alpha), high: quantileSorted(sorted, 1 - alpha) };
  });
}

/** How rows are resampled: `strata` within each stratum; `block` in runs of consecutive rows; `clusters` by whole cluster (at most one of the three). */
export interface BootstrapOptions {
  seed?: number;
  reps?: number;
  level?: number;
  strata?: ArrayLike<number>;
  block?: number;
  clusters?: ArrayLike<number>;
}

/** Fills `w` with one resample's multiplicities. */
function resampler(n: number, options: BootstrapOptions): (w: Float64Array, rng: Rng) => void {
  const block = Math.max(1, Math.round(options.block ?? 1));
  if ([block > 1, !!options.strata, !!options.clusters].filter(Boolean).length > 1) throw new Error('bootstrap: `block`, `strata` and `clusters` cannot be combined.');
  if (options.clusters) {
    const members = groupRows(options.clusters);
    return (w, rng) => {
      w.fill(0);
      for (let k = 0; k < members.length; k++) for (const i of members[rng.int(members.length)]) w[i] += 1;
    };
  }
  if (block > 1) {
    return (w, rng) => {
      w.fill(0);
      for (let drawn = 0; drawn < n; ) {
        const start = rng.int(n);
        for (let k = 0; k < block && drawn < n; k++, drawn++) w[(start + k) % n] += 1;
      }
    };
  }
  const groups = options.strata ? groupRows(options.strata) : [Array.from({ length: n }, (_, i) => i)];
  return (w, rng) => {
    w.fill(0);
    for (const rows of groups) for (let k = 0; k < rows.length; k++) w[rows[rng.int(rows.length)]] += 1;
  };
}

function groupRows(strata: ArrayLike<number>): number[][] {
  const map = new Map<number, number[]>();
  for (let i = 0; i < strata.length; i++) {
    const key = strata[i];
    const rows = map.get(key);
    if (rows) rows.push(i);
    else map.set(key, [i]);
  }
  return [...map.values()];
}

/**
 * Linear-interpolated quantile of an ascending array (type 7, as R's default).
 *
 * @example
 * quantileSorted([1, 2, 3, 4], 0.5); // 2.5
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * Mean of `xs` with row multiplicities `w` (the usual companion of {@link bootstrap}).
 *
 * @example
 * weightedMean([1, 3], Float64Array.from([1, 1])); // 2
 */
export function weightedMean(xs: ArrayLike<number>, w: ArrayLike<number>): number {
  let s = 0;
  let t = 0;
  for (let i = 0; i < xs.length; i++) {
    s += w[i] * xs[i];
    t += w[i];
  }
  return s / t;
}

/** Rounds a figure for printing: 4 significant decimals by default. @example round(0.123456) // 0.1235 */
export function round(x: number, digits = 4): number {
  const f = Math.pow(10, digits);
  return Math.round(x * f) / f;
}

/** "0.1234 [0.1100, 0.1350]" for log lines. @example formatCi({value: 1, low: 0, high: 2}) */
export function formatCi(x: WithInterval, digits = 4): string {
  return `${x.value.toFixed(digits)} [${x.low.toFixed(digits)}, ${x.high.toFixed(digits)}]`;
}
