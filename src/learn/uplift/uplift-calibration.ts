/**
 * Calibration of an uplift model on held-out rows: does the uplift it predicts show up as a
 * difference between treated and control rows? Rows are binned by predicted uplift (equal-mass);
 * in each bin the observed uplift is the treated rows' goal rate less the control rows', each
 * weighted by 1/propensity and self-normalised (Hájek), so a logging policy that favoured some
 * subjects does not bias it.
 *
 * Its interval is Newcombe's hybrid score interval for a difference of two proportions (method 10
 * of R. G. Newcombe, Statistics in Medicine 17 (1998) 873–890), built from each side's Wilson
 * interval. Until 2026-12-06 it was the normal (Wald) one, observed ± z·√(se_t² + se_c²): with
 * few rows it left [−1, 1] (1/2 − 0/4 read 0.5 [−0.193, 1.193]) and where every outcome was 0 it
 * was the point [0, 0], which "missed" any non-zero prediction. The rows are weighted, so each
 * side's Wilson interval is taken at its Kish effective size n_eff = (Σw)²/Σw² (Kish, Survey
 * Sampling, 1965: the unweighted sample whose mean has the weighted mean's variance when the weights
 * are unrelated to the outcome), with the weighted rate p̂ as the proportion; with equal weights on
 * a side n_eff is its row count and the interval is exactly Newcombe's. n_eff ≤ the row count
 * (Cauchy–Schwarz), so weights never make a side look surer than its rows.
 *
 * A bin with fewer than `minRows` (10) effective treated or control rows is not judged: there even
 * 0/10 − 0/10 reads [−0.2775, 0.2775] (Newcombe 1998, Table II), wider than any uplift a model
 * predicts, so it would "hold" whatever was predicted and only say that little was seen.
 */
import { equalMassBinner } from '../calibration/reliability.js';
import { wilsonInterval } from '../../measure/stats/proportion-intervals.js';
import { normalQuantile } from '../math/special.js';

/** One held-out row: the model's predicted uplift for it, whether it was treated, what followed (1 or 0), its weight (1/propensity). */
export interface UpliftCalibrationPoint {
  predicted: number;
  treated: boolean;
  outcome: number;
  weight: number;
}

/** A side's weighted rate and its Kish effective size (Σw)²/Σw². */
interface WeightedRate {
  mean: number;
  effective: number;
}

/** Bins with fewer effective treated or control rows than this are not judged (the module's comment says why). */
export const MIN_JUDGED_ROWS = 10;

/** A bin's verdict: its interval holds the predicted uplift or misses it; too few rows to judge; null without an observed uplift. */
export type UpliftBinVerdict = 'holds' | 'misses' | 'too few' | null;

/** One bin: its predicted uplift against the observed difference treated − control. */
export interface UpliftCalibrationBin {
  /** Smallest and largest predicted uplift in the bin. */
  low: number;
  high: number;
  count: number;
  treated: number;
  control: number;
  /** Kish effective sizes (Σw)²/Σw² of the treated and control rows (their counts when the weights are equal). */
  effectiveTreated: number;
  effectiveControl: number;
  meanPredicted: number;
  /** Treated − control (weighted); null when the bin lacks treated or control rows. */
  observed: number | null;
  /** 95% interval of `observed`; null with it. */
  interval: { low: number; high: number } | null;
  /** Whether the interval holds the bin's mean predicted uplift; null when not judged (`verdict`). */
  holds: boolean | null;
  verdict: UpliftBinVerdict;
}

/** The report: bins, and over all rows the mean predicted uplift against the observed one. */
export interface UpliftCalibrationReport {
  n: number;
  treated: number;
  control: number;
  level: number;
  bins: UpliftCalibrationBin[];
  meanPredicted: number | null;
  observed: number | null;
  interval: { low: number; high: number } | null;
  /** Σ over bins with an observed uplift of (rows/N)·|mean predicted − observed|; null with none. */
  meanAbsoluteGap: number | null;
  /** Bins with an observed uplift; of those, the judged ones (≥ `minRows` effective treated and control rows); of those, how many intervals hold the predicted uplift. */
  binsObserved: number;
  binsJudged: number;
  binsHolding: number;
  minRows: number;
}

function weightedRate(rows: readonly UpliftCalibrationPoint[]): WeightedRate | null {
  let sw = 0;
  let sw2 = 0;
  let swy = 0;
  for (const r of rows) {
    sw += r.weight;
    sw2 += r.weight ** 2;
    swy += r.weight * r.outcome;
  }
  if (!(sw > 0)) return null;
  return { mean: swy / sw, effective: (sw * sw) / sw2 };
}

/**
 * Treated − control among `rows` (weighted rates), with Newcombe's hybrid score interval at `level`
 * on the Kish effective sizes, and those sizes; null when either side is empty.
 *
 * @example
 * upliftDifference(points, 0.95); // 56/70 − 48/80, equal weights: { observed: 0.2, interval: { low: 0.0524, high: 0.3339 }, … }
 */
export function upliftDifference(rows: readonly UpliftCalibrationPoint[], level = 0.95): { observed: number; interval: { low: number; high: number }; effectiveTreated: number; effectiveControl: number } | null {
  const t = weightedRate(rows.filter((r) => r.treated));
  const c = weightedRate(rows.filter((r) => !r.treated));
  if (!t || !c) return null;
  const z = normalQuantile(0.5 + level / 2);
  // Wilson at a non-integer size is the same formula; x = p̂·n_eff keeps p̂ (exactly 0 or 1 stays so).
  const [lt, ut] = wilsonInterval(t.mean * t.effective, t.effective, z);
  const [lc, uc] = wilsonInterval(c.mean * c.effective, c.effective, z);
  const observed = t.mean - c.mean;
  const interval = { low: observed - Math.hypot(t.mean - lt, uc - c.mean), high: observed + Math.hypot(ut - t.mean, c.mean - lc) };
  return { observed, interval, effectiveTreated: t.effective, effectiveControl: c.effective };
}

/**
 * The calibration report of predicted uplift on held-out rows, `bins` equal-mass bins by
 * predicted uplift (as the reliability report's: equal predictions share a bin), each with the observed
 * uplift, its 95% interval and its verdict; a bin with fewer than `minRows` effective treated or
 * control rows is "too few" and neither holds nor misses.
 *
 * @example
 * upliftCalibrationReport(points).bins[0]; // { meanPredicted: 0.01, observed: 0.013, interval: { low: -0.004, high: 0.03 }, verdict: 'holds', … }
 */
export function upliftCalibrationReport(points: readonly UpliftCalibrationPoint[], opts: { bins?: number; level?: number; minRows?: number } = {}): UpliftCalibrationReport {
  const bins = opts.bins ?? 10;
  const level = opts.level ?? 0.95;
  const minRows = opts.minRows ?? MIN_JUDGED_ROWS;
  const n = points.length;
  const sorted = [...points].sort((a, b) => a.predicted - b.predicted);
  const groups: UpliftCalibrationPoint[][] = Array.from({ length: bins }, () => []);
  const binOf = equalMassBinner(bins, n);
  for (const r of sorted) groups[binOf(r.predicted)].push(r);
  const out: UpliftCalibrationBin[] = [];
  let gap = 0;
  let observedRows = 0;
  for (const g of groups) {
    if (!g.length) continue;
    const meanPredicted = g.reduce((s, r) => s + r.predicted, 0) / g.length;
    const d = upliftDifference(g, level);
    const treated = g.filter((r) => r.treated).length;
    if (d) {
      gap += g.length * Math.abs(meanPredicted - d.observed);
      observedRows += g.length;
    }
    // Tolerance: equal weights of 1/0.3 give an effective size of 9.999… for 10 rows.
    const judged = d !== null && Math.min(d.effectiveTreated, d.effectiveControl) >= minRows - 1e-9;
    const holds = judged ? meanPredicted >= d.interval.low && meanPredicted <= d.interval.high : null;
    out.push({
      low: g[0].predicted, high: g[g.length - 1].predicted, count: g.length, treated, control: g.length - treated,
      effectiveTreated: d?.effectiveTreated ?? 0, effectiveControl: d?.effectiveControl ?? 0, meanPredicted,
      observed: d?.observed ?? null, interval: d?.interval ?? null, holds, verdict: !d ? null : holds === null ? 'too few' : holds ? 'holds' : 'misses',
    });
  }
  const all = upliftDifference(points, level);
  const treated = points.filter((r) => r.treated).length;
  return {
    n, treated, control: n - treated, level, bins: out,
    meanPredicted: n ? points.reduce((s, r) => s + r.predicted, 0) / n : null,
    observed: all?.observed ?? null, interval: all?.interval ?? null,
    meanAbsoluteGap: observedRows ? gap / observedRows : null,
    binsObserved: out.filter((b) => b.observed !== null).length,
    binsJudged: out.filter((b) => b.holds !== null).length,
    binsHolding: out.filter((b) => b.holds === true).length,
    minRows,
  };
}
