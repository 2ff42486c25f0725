/**
 * Reliability of probability predictions on held-out outcomes: binned calibration (predicted vs
 * observed rate per bin), expected calibration error ECE = Σ_b (n_b/N)·|mean p̂_b − mean y_b|,
 * maximum calibration error, Brier score; and the coverage of interval estimates.
 */
import { debiasedEce } from './debiased-ece.js';

/** One bin of a reliability diagram. */
export interface ReliabilityBin {
  low: number;
  high: number;
  count: number;
  meanPredicted: number;
  observedRate: number;
}

/** The reliability report of one model. */
export interface ReliabilityReport {
  n: number;
  bins: ReliabilityBin[];
  ece: number;
  /** The ECE less its bias (Kumar, Liang & Ma 2019; debiased-ece.ts), floored at 0. */
  eceDebiased: number;
  mce: number;
  brier: number;
  meanPredicted: number;
  observedRate: number;
}

/**
 * Reliability report with `bins` bins; "equal-mass" bins (default) hold equal numbers of
 * predictions — rare-event models (CTR ≈ 0.5%) would otherwise put everything in one bin. Equal
 * predictions share a bin (a bin ends late rather than split them): split by position, a right
 * constant prediction would show a gap in every bin — noise, or the outcomes' order in time.
 * `weights` are optional row multiplicities (for bootstrap); `order` the rows sorted by prediction,
 * when the caller computes many reports on the same predictions. With no rows, ECE and MCE are
 * NaN like the means (null in JSON): no evidence is not a perfect calibration. `eceDebiased` is
 * the ECE less its upward bias (debiased-ece.ts): the figure to read against 0.
 *
 * @example
 * reliabilityReport([0.1, 0.9], [0, 1], { bins: 2 }).ece; // 0.1
 */
export function reliabilityReport(
  predicted: ArrayLike<number>,
  outcome: ArrayLike<number>,
  opts: { bins?: number; strategy?: 'equal-mass' | 'equal-width'; weights?: ArrayLike<number>; order?: ArrayLike<number> } = {},
): ReliabilityReport {
  const { bins = 10, strategy = 'equal-mass' } = opts;
  const n = predicted.length;
  const w = (i: number) => (opts.weights ? opts.weights[i] : 1);
  const order = opts.order ?? Array.from({ length: n }, (_, i) => i).sort((a, b) => predicted[a] - predicted[b]);
  let total = 0;
  for (let i = 0; i < n; i++) total += w(i);
  const acc = Array.from({ length: bins }, () => ({ count: 0, p: 0, y: 0, low: Infinity, high: -Infinity }));
  const equalMass = equalMassBinner(bins, total);
  for (let r = 0; r < order.length; r++) {
    const i = order[r];
    const wi = w(i);
    if (wi === 0) continue;
    const b = strategy === 'equal-width' ? Math.min(bins - 1, Math.floor(predicted[i] * bins)) : equalMass(predicted[i], wi);
    const a = acc[b];
    a.count += wi;
    a.p += wi * predicted[i];
    a.y += wi * outcome[i];
    a.low = Math.min(a.low, predicted[i]);
    a.high = Math.max(a.high, predicted[i]);
  }
  let ece = 0;
  let mce = 0;
  let brier = 0;
  let sp = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    brier += w(i) * (predicted[i] - outcome[i]) ** 2;
    sp += w(i) * predicted[i];
    sy += w(i) * outcome[i];
  }
  const out: ReliabilityBin[] = [];
  for (const a of acc) {
    if (a.count === 0) continue;
    const gap = Math.abs(a.p / a.count - a.y / a.count);
    ece += (a.count / total) * gap;
    mce = Math.max(mce, gap);
    out.push({ low: a.low, high: a.high, count: a.count, meanPredicted: a.p / a.count, observedRate: a.y / a.count });
  }
  if (total === 0) ece = mce = NaN;
  const eceDebiased = Math.max(0, debiasedEce(out, total));
  return { n: total, bins: out, ece, eceDebiased, mce, brier: brier / total, meanPredicted: sp / total, observedRate: sy / total };
}

/**
 * Equal-mass bins for rows taken in order of prediction: each row's bin by the weight before it,
 * `bins` bins over `total`; equal predictions share a bin (it ends late rather than split them).
 *
 * @example
 * const binOf = equalMassBinner(2, 4);
 * [0.1, 0.2, 0.2, 0.9].map((p) => binOf(p)); // [0, 0, 0, 1]
 */
export function equalMassBinner(bins: number, total: number): (predicted: number, weight?: number) => number {
  let cum = 0;
  let prevP = NaN;
  let prevBin = 0;
  return (p, weight = 1) => {
    const b = p === prevP ? prevBin : Math.min(bins - 1, Math.floor((cum / total) * bins));
    prevP = p;
    prevBin = b;
    cum += weight;
    return b;
  };
}

/**
 * Share of truths inside their intervals, and the mean width.
 *
 * @example
 * intervalCoverage([0, 0], [1, 1], [0.5, 2]); // { coverage: 0.5, n: 2, meanWidth: 1 }
 */
export function intervalCoverage(low: ArrayLike<number>, high: ArrayLike<number>, truth: ArrayLike<number>, weights?: ArrayLike<number>): { coverage: number; n: number; meanWidth: number } {
  let inside = 0;
  let total = 0;
  let width = 0;
  for (let i = 0; i < truth.length; i++) {
    const w = weights ? weights[i] : 1;
    total += w;
    width += w * (high[i] - low[i]);
    if (truth[i] >= low[i] && truth[i] <= high[i]) inside += w;
  }
  return { coverage: inside / total, n: total, meanWidth: width / total };
}
