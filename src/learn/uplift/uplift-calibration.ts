/**
 * Calibration of an uplift model on held-out rows: does the uplift it predicts show up as a
 * difference between treated and control rows? Rows are binned by predicted uplift (equal-mass);
 * in each bin the observed uplift is the treated rows' mean outcome less the control rows', each
 * weighted by 1/propensity and self-normalised (Hájek), so a logging policy that favoured some
 * subjects does not bias it; its 95% interval is the normal one with the linearised variance of
 * each weighted mean, Σ wᵢ²(yᵢ − ȳ)² / (Σ wᵢ)², which with equal weights is Wald's interval for a
 * difference of proportions (Newcombe 1998, method 1).
 */
import { equalMassBinner } from '../calibration/reliability.js';
import { normalQuantile } from '../math/special.js';

/** One held-out row: the model's predicted uplift for it, whether it was treated, what followed, its weight (1/propensity). */
export interface UpliftCalibrationPoint {
  predicted: number;
  treated: boolean;
  outcome: number;
  weight: number;
}

/** A weighted mean with its linearised standard error. */
interface WeightedMean {
  rows: number;
  mean: number;
  se: number;
}

/** One bin: its predicted uplift against the observed difference treated − control. */
export interface UpliftCalibrationBin {
  /** Smallest and largest predicted uplift in the bin. */
  low: number;
  high: number;
  count: number;
  treated: number;
  control: number;
  meanPredicted: number;
  /** Treated − control (weighted); null when the bin lacks treated or control rows. */
  observed: number | null;
  /** 95% interval of `observed`; null with it. */
  interval: { low: number; high: number } | null;
  /** Whether the interval holds the bin's mean predicted uplift. */
  holds: boolean | null;
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
  /** Bins with an observed uplift, and how many of their intervals hold the predicted uplift. */
  binsObserved: number;
  binsHolding: number;
}

function weightedMean(rows: readonly UpliftCalibrationPoint[]): WeightedMean | null {
  let sw = 0;
  let swy = 0;
  for (const r of rows) {
    sw += r.weight;
    swy += r.weight * r.outcome;
  }
  if (!(sw > 0)) return null;
  const mean = swy / sw;
  let v = 0;
  for (const r of rows) v += r.weight ** 2 * (r.outcome - mean) ** 2;
  return { rows: rows.length, mean, se: Math.sqrt(v) / sw };
}

/**
 * Treated − control among `rows`, with its interval at `level`; null when either side is empty.
 *
 * @example
 * upliftDifference(points, 0.95); // { observed: 0.2, interval: { low: 0.0575, high: 0.3425 } }
 */
export function upliftDifference(rows: readonly UpliftCalibrationPoint[], level = 0.95): { observed: number; interval: { low: number; high: number } } | null {
  const t = weightedMean(rows.filter((r) => r.treated));
  const c = weightedMean(rows.filter((r) => !r.treated));
  if (!t || !c) return null;
  const observed = t.mean - c.mean;
  const half = normalQuantile(0.5 + level / 2) * Math.sqrt(t.se ** 2 + c.se ** 2);
  return { observed, interval: { low: observed - half, high: observed + half } };
}

/**
 * The calibration report of predicted uplift on held-out rows, `bins` equal-mass bins by
 * predicted uplift (as the reliability report's: equal predictions share a bin), each with the observed
 * uplift and its 95% interval.
 *
 * @example
 * upliftCalibrationReport(points).bins[0]; // { meanPredicted: 0.01, observed: 0.013, interval: { low: -0.004, high: 0.03 }, … }
 */
export function upliftCalibrationReport(points: readonly UpliftCalibrationPoint[], opts: { bins?: number; level?: number } = {}): UpliftCalibrationReport {
  const bins = opts.bins ?? 10;
  const level = opts.level ?? 0.95;
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
    out.push({
      low: g[0].predicted, high: g[g.length - 1].predicted, count: g.length, treated, control: g.length - treated, meanPredicted,
      observed: d?.observed ?? null, interval: d?.interval ?? null, holds: d ? meanPredicted >= d.interval.low && meanPredicted <= d.interval.high : null,
    });
  }
  const all = upliftDifference(points, level);
  const treated = points.filter((r) => r.treated).length;
  const observedBins = out.filter((b) => b.observed !== null);
  return {
    n, treated, control: n - treated, level, bins: out,
    meanPredicted: n ? points.reduce((s, r) => s + r.predicted, 0) / n : null,
    observed: all?.observed ?? null, interval: all?.interval ?? null,
    meanAbsoluteGap: observedRows ? gap / observedRows : null,
    binsObserved: observedBins.length, binsHolding: observedBins.filter((b) => b.holds).length,
  };
}
