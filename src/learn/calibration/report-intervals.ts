/**
 * 95% intervals of a reliability report's ECE, MCE and Brier score, by a seeded bootstrap over the
 * predictions. Resampled by subject when `clusters` is given: one subject's predictions share its
 * rate, so when the model is off for that subject its misses come together, and resampling rows
 * one by one would make the intervals too narrow by √(design effect) (2.1× in the test; the same
 * reason as `clusters` in stats/bootstrap.ts).
 *
 * A binned ECE is biased upwards (Roelofs et al., "Mitigating bias in calibration error
 * estimation", AISTATS 2022), and a resample's ECE is biased once more: resampling adds noise to
 * every bin, so the percentile interval sits above the figure it should surround. Each interval is
 * the percentile interval shifted down by the bootstrap's own estimate of that bias (mean of the
 * resamples − the point): the range the report's figure takes on other samples of this many
 * predictions, placed around the observed one. It is an interval for the ECE expected at this n —
 * compare it with calibrated-reference.ts, not with 0. For the Brier score, a mean, the shift is ~0.
 *
 * `eceDebiased` is the interval of the true ECE around the report's debiased ECE (debiased-ece.ts):
 * the one to read against 0. Given `calibratedP95` (calibrated-reference.ts), it holds 0 whenever
 * the plug-in ECE is within what a calibrated model reads 95% of the time.
 */
import { Rng } from '../math/prng.js';
import { quantileSorted } from '../stats/bootstrap.js';
import { debiasedEce, debiasedEceInterval } from './debiased-ece.js';
import { reliabilityReport } from './reliability.js';

/** The two ends of an interval. */
export interface Interval {
  low: number;
  high: number;
}

/** The report's 95% intervals, and how many resamples they were drawn from. */
export interface ReportIntervals {
  level: number;
  resamples: number;
  /** What a resample draws from: the subjects (clusters), or the rows when there are none. */
  groups: number;
  ece: Interval;
  /** The 95% interval of the true ECE, around `eceDebiased` (debiased-ece.ts). */
  eceDebiased: Interval;
  mce: Interval;
  brier: Interval;
}

/**
 * Resamples (and simulations) for n predictions: 1,000, fewer above 10,000 predictions to keep
 * each report within 10 million rows (a report on 50,000 predictions draws 200), never under 200.
 *
 * @example
 * resamplesFor(20_000); // 500
 */
export function resamplesFor(n: number): number {
  return Math.max(200, Math.min(1000, Math.floor(10_000_000 / Math.max(n, 1))));
}

/**
 * Bootstrap intervals of ECE, MCE and Brier (`bins` equal-mass bins, as the report). `order` is
 * the rows sorted by prediction, when the caller has it; `calibratedP95` the reference's 95th
 * percentile of ECE (`calibratedReference(…).ece.p95`); `onStep` is called after each resample.
 *
 * @example
 * reportIntervals(predicted, outcome, { clusters: subjectIndex }).ece; // { low: 0.004, high: 0.011 }
 */
export function reportIntervals(
  predicted: ArrayLike<number>,
  outcome: ArrayLike<number>,
  opts: { clusters?: ArrayLike<number>; bins?: number; order?: ArrayLike<number>; seed?: number; resamples?: number; calibratedP95?: number; onStep?: () => void },
): ReportIntervals {
  const n = predicted.length;
  const level = 0.95;
  const none = { low: NaN, high: NaN };
  if (n === 0) return { level, resamples: 0, groups: 0, ece: none, eceDebiased: none, mce: none, brier: none };
  const resamples = opts.resamples ?? resamplesFor(n);
  const bins = opts.bins ?? 10;
  const order = opts.order ?? Array.from({ length: n }, (_, i) => i).sort((a, b) => predicted[a] - predicted[b]);
  const point = reliabilityReport(predicted, outcome, { bins, order });
  const groups = clusterRows(n, opts.clusters);
  const rng = new Rng(opts.seed ?? 1);
  const w = new Float64Array(n);
  const draws = { ece: [] as number[], debiased: [] as number[], mce: [] as number[], brier: [] as number[] };
  for (let r = 0; r < resamples; r++) {
    w.fill(0);
    for (let k = 0; k < groups.length; k++) for (const i of groups[rng.int(groups.length)]) w[i] += 1;
    const d = reliabilityReport(predicted, outcome, { bins, order, weights: w });
    draws.ece.push(d.ece);
    draws.debiased.push(debiasedEce(d.bins, d.n));
    draws.mce.push(d.mce);
    draws.brier.push(d.brier);
    opts.onStep?.();
  }
  const shifted = (xs: number[], value: number): Interval => {
    xs.sort((a, b) => a - b);
    const bias = xs.reduce((s, x) => s + x, 0) / xs.length - value;
    const a = (1 - level) / 2;
    return { low: Math.max(0, quantileSorted(xs, a) - bias), high: quantileSorted(xs, 1 - a) - bias };
  };
  draws.debiased.sort((a, b) => a - b);
  const eceDebiased = debiasedEceInterval({ plugin: point.ece, debiased: debiasedEce(point.bins, point.n), resampled: draws.debiased, calibratedP95: opts.calibratedP95, level });
  return { level, resamples, groups: groups.length, ece: shifted(draws.ece, point.ece), eceDebiased, mce: shifted(draws.mce, point.mce), brier: shifted(draws.brier, point.brier) };
}

/** Rows grouped by cluster (first appearance first); every row its own group without clusters. */
function clusterRows(n: number, clusters: ArrayLike<number> | undefined): number[][] {
  if (!clusters) return Array.from({ length: n }, (_, i) => [i]);
  const map = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const rows = map.get(clusters[i]);
    if (rows) rows.push(i);
    else map.set(clusters[i], [i]);
  }
  return [...map.values()];
}
