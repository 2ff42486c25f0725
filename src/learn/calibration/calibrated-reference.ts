/**
 * The ECE (and MCE) a perfectly calibrated model with the same predictions would show: outcomes
 * drawn as Bernoulli(p̂) for every prediction, the report recomputed on them, many times (seeded).
 * The consistency resampling of Bröcker & Smith ("Increasing the reliability of reliability
 * diagrams", Weather and Forecasting 22 (2007) 651–661), with the predictions kept as they are.
 *
 * Why: a binned ECE is biased upwards, most for a calibrated model and on few predictions (Roelofs
 * et al., "Mitigating bias in calibration error estimation", AISTATS 2022): 100 predictions of 0.5
 * that are exactly right still read ECE ≈ 0.040 on average. The reference says what "no
 * miscalibration" looks like at this n; it corrects nothing.
 */
import { Rng } from '../math/prng.js';
import { quantileSorted } from '../stats/bootstrap.js';
import { reliabilityReport } from './reliability.js';
import { resamplesFor } from './report-intervals.js';

/** A simulated figure: its mean, the middle 95% of the simulations, and their 95th percentile. */
export interface SimulatedFigure {
  mean: number;
  low: number;
  high: number;
  /** 95th percentile: a report's figure above it is more than chance gives at 5% (one-sided). */
  p95: number;
}

/** What a calibrated model with these predictions shows. */
export interface CalibratedReference {
  simulations: number;
  ece: SimulatedFigure;
  mce: SimulatedFigure;
}

/**
 * The reference for `predicted` (`bins` equal-mass bins, as the report; `order` the rows sorted by
 * prediction, when the caller has it; `onStep` is called after each simulation).
 *
 * @example
 * calibratedReference(new Float64Array(100).fill(0.5)).ece.mean; // ≈ 0.040
 */
export function calibratedReference(predicted: ArrayLike<number>, opts: { bins?: number; order?: ArrayLike<number>; seed?: number; simulations?: number; onStep?: () => void } = {}): CalibratedReference {
  const n = predicted.length;
  const none = { mean: NaN, low: NaN, high: NaN, p95: NaN };
  if (n === 0) return { simulations: 0, ece: none, mce: none };
  const simulations = opts.simulations ?? resamplesFor(n);
  const bins = opts.bins ?? 10;
  const order = opts.order ?? Array.from({ length: n }, (_, i) => i).sort((a, b) => predicted[a] - predicted[b]);
  const rng = new Rng(opts.seed ?? 2);
  const y = new Float64Array(n);
  const ece: number[] = [];
  const mce: number[] = [];
  for (let s = 0; s < simulations; s++) {
    for (let i = 0; i < n; i++) y[i] = rng.float() < predicted[i] ? 1 : 0;
    const r = reliabilityReport(predicted, y, { bins, order });
    ece.push(r.ece);
    mce.push(r.mce);
    opts.onStep?.();
  }
  return { simulations, ece: summary(ece), mce: summary(mce) };
}

function summary(xs: number[]): SimulatedFigure {
  xs.sort((a, b) => a - b);
  return { mean: xs.reduce((s, x) => s + x, 0) / xs.length, low: quantileSorted(xs, 0.025), high: quantileSorted(xs, 0.975), p95: quantileSorted(xs, 0.95) };
}
