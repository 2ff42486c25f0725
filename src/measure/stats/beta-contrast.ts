/**
 * Quantiles of a contrast of two independent Beta variables, X ~ Beta(a_A, b_A) and
 * Y ~ Beta(a_B, b_B): the difference Y − X or the ratio Y / X. Their CDFs are one-dimensional
 * integrals over X,
 *   P(Y − X ≤ d) = ∫ f_X(x) I_x+d(a_B, b_B) dx,   P(Y / X ≤ t) = ∫ f_X(x) I_t·x(a_B, b_B) dx,
 * (I the regularized incomplete beta), computed by a deterministic midpoint rule on X's mean ± 15
 * sd (clipped to [0, 1]) with each cell weighted by its exact Beta mass, so the rule follows X at
 * any count; each quantile is found by Illinois regula falsi on that monotone CDF.
 */
import { normalQuantile } from '../../maths/distributions.js';
import { logBeta, regularizedBeta } from '../../maths/special.js';

/** A probability too small to move a quantile: what is left out of the CDF's sum is below it. */
const TAIL = 1e-17;

export interface BetaShape {
  alpha: number;
  beta: number;
}

/**
 * Quantiles of Y − X ('difference') or Y / X ('ratio') at the probabilities `probs`.
 * @example betaContrastQuantiles({ alpha: 1, beta: 1 }, { alpha: 1, beta: 1 }, 'difference', [0.5]) // ≈ [0]
 */
export function betaContrastQuantiles(x: BetaShape, y: BetaShape, kind: 'difference' | 'ratio', probs: readonly number[], nodes = 400): number[] {
  if (kind === 'difference') return probs.map(quantileSolver(x, y, kind, nodes));
  // Y/X ≤ t exactly when X/Y ≥ 1/t, so the p-quantile of Y/X is 1 over the (1 − p)-quantile of X/Y.
  // The grid runs over the denominator and reads the numerator's CDF once per cell: at a quantile t
  // of Y/X that CDF moves across a cell of X by about t·h_X·f_Y, across a cell of Y (the other
  // way round) by h_Y·f_X/t; with h ∝ sd and the densities ∝ 1/sd the grid over X is the finer
  // one while t < sd_Y/sd_X. Beyond, over X the upper tail of a rate near 0 (no conversion: X's
  // density is highest at 0, where Y/X is largest) was 0.2–20% off.
  let direct: ((p: number) => number) | undefined;
  let swapped: ((p: number) => number) | undefined;
  const [mx, vx] = moments(x);
  const [my, vy] = moments(y);
  const spread = Math.sqrt(vx / (mx * mx) + vy / (my * my));
  const pivot = Math.log(Math.sqrt(vy / vx));
  return probs.map((p) => {
    if (Math.log(my / mx) + normalQuantile(p) * spread <= pivot) return (direct ??= quantileSolver(x, y, 'ratio', nodes))(p);
    return 1 / (swapped ??= quantileSolver(y, x, 'ratio', nodes))(1 - p);
  });
}

/**
 * E[f(X)] for X ~ Beta(alpha, beta), on the grid the quantiles use (cell midpoints weighted by
 * their exact Beta mass): for f bounded and smooth on X's scale.
 * @example betaExpectation({ alpha: 2, beta: 2 }, (x) => x) // ≈ 0.5
 */
export function betaExpectation(d: BetaShape, f: (x: number) => number, nodes = 400): number {
  const [xs, ws] = massGrid(d, nodes);
  let total = 0;
  for (let i = 0; i < xs.length; i++) total += ws[i] * f(xs[i]);
  return total;
}

/** The quantile function of Y − X or Y / X, with the grid over X built once. */
function quantileSolver(x: BetaShape, y: BetaShape, kind: 'difference' | 'ratio', nodes: number): (p: number) => number {
  const [xs, ws] = massGrid(x, nodes);
  const lb = logBeta(y.alpha, y.beta);
  const cdfY = (v: number) => regularizedBeta(v, y.alpha, y.beta, lb);
  const xMin = xs[0];
  const xMax = xs[xs.length - 1];
  // The ratio is solved in log t, where its CDF is smoother and the bracket finite.
  const at = kind === 'difference' ? (d: number) => (v: number) => v + d : (s: number) => (v: number) => Math.exp(s) * v;
  // Only the nodes where Y's CDF is neither ≈ 0 nor ≈ 1 are evaluated (each costs a continued
  // fraction, ~6 µs at a million trials): it rises with x, so two bisections find where it passes
  // TAIL and 1 − TAIL; below, each node adds less than TAIL·w, above, w within TAIL·w. With the
  // cells of less than TAIL mass left out too (`massGrid`), the CDF is off by at most 2·nodes·TAIL.
  const cdf = (s: number) => {
    const shift = at(s);
    const F = (i: number) => cdfY(shift(xs[i]));
    // First node with F ≥ TAIL, first with F > 1 − TAIL (xs.length when none).
    const first = (ok: (v: number) => boolean) => {
      let lo = 0;
      let hi = xs.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (ok(F(mid))) hi = mid;
        else lo = mid + 1;
      }
      return lo;
    };
    const from = first((v) => v >= TAIL);
    const to = first((v) => v > 1 - TAIL);
    let total = 0;
    for (let i = from; i < to; i++) total += ws[i] * F(i);
    for (let i = Math.max(from, to); i < xs.length; i++) total += ws[i];
    return total;
  };
  // At the lower end every node's Y-probability is 0 or nearly (Y's mean − 40 sd), at the upper end 1.
  const [yLow] = span(y, 40);
  const bracket: [number, number] =
    kind === 'difference' ? [yLow - xMax, 1 - xMin] : [Math.log(Math.max(yLow, 1e-300) / xMax), Math.log(1 / xMin)];
  // The search starts one sd either side of the normal approximation's quantile and widens
  // (doubling) until it holds the quantile or reaches the outer bracket: from the outer bracket
  // alone the regula falsi took some 35 CDFs a quantile, from here fewer than 10.
  const [mx, vx] = moments(x);
  const [my, vy] = moments(y);
  const centre = kind === 'difference' ? my - mx : Math.log(my / mx);
  const spread = kind === 'difference' ? Math.sqrt(vx + vy) : Math.sqrt(vx / (mx * mx) + vy / (my * my));
  return (p) => {
    const guess = Math.min(bracket[1], Math.max(bracket[0], centre + normalQuantile(p) * spread));
    let lo = Math.max(bracket[0], guess - spread);
    let hi = Math.min(bracket[1], guess + spread);
    let flo = cdf(lo) - p;
    let fhi: number | undefined;
    for (let step = 2 * spread; flo > 0 && lo > bracket[0]; step *= 2) {
      [hi, fhi] = [lo, flo];
      lo = Math.max(bracket[0], lo - step);
      flo = cdf(lo) - p;
    }
    fhi ??= cdf(hi) - p;
    for (let step = 2 * spread; fhi < 0 && hi < bracket[1]; step *= 2) {
      lo = hi;
      flo = fhi;
      hi = Math.min(bracket[1], hi + step);
      fhi = cdf(hi) - p;
    }
    const s = solveIncreasing(cdf, p, lo, hi, flo, fhi);
    return kind === 'difference' ? s : Math.exp(s);
  };
}

/** Cell midpoints of mean ± 15 sd (within [0, 1]) and their Beta masses, normalised to 1. */
function massGrid(d: BetaShape, cells: number): [number[], number[]] {
  const [lo, hi] = span(d, 15);
  const lb = logBeta(d.alpha, d.beta);
  const h = (hi - lo) / cells;
  const xs: number[] = [];
  const ws: number[] = [];
  let below = regularizedBeta(lo, d.alpha, d.beta, lb);
  const first = below;
  for (let i = 0; i < cells; i++) {
    const edge = i === cells - 1 ? hi : lo + (i + 1) * h;
    const cdf = regularizedBeta(edge, d.alpha, d.beta, lb);
    xs.push(lo + (i + 0.5) * h);
    ws.push(cdf - below);
    below = cdf;
  }
  const total = below - first;
  const keep = ws.map((w) => w / total >= TAIL);
  return [xs.filter((_, i) => keep[i]), ws.filter((_, i) => keep[i]).map((w) => w / total)];
}

/** Mean and variance of Beta(alpha, beta). */
function moments(d: BetaShape): [number, number] {
  const n = d.alpha + d.beta;
  const mean = d.alpha / n;
  return [mean, (mean * (1 - mean)) / (n + 1)];
}

function span(d: BetaShape, sds: number): [number, number] {
  const n = d.alpha + d.beta;
  const mean = d.alpha / n;
  const sd = Math.sqrt((mean * (1 - mean)) / (n + 1));
  return [Math.max(0, mean - sds * sd), Math.min(1, mean + sds * sd)];
}

/** The s in [lo, hi] where the increasing f reaches p: Illinois regula falsi, bisection as a guard. */
function solveIncreasing(f: (s: number) => number, p: number, lo: number, hi: number, flo = f(lo) - p, fhi = f(hi) - p): number {
  if (flo >= 0) return lo;
  if (fhi <= 0) return hi;
  let side = 0;
  for (let i = 0; i < 100; i++) {
    let s = (lo * fhi - hi * flo) / (fhi - flo);
    if (!(s > lo && s < hi)) s = 0.5 * (lo + hi);
    const fs = f(s) - p;
    if (Math.abs(fs) < 1e-13 || hi - lo < 1e-14 * Math.max(1, Math.abs(s))) return s;
    if (fs < 0) {
      lo = s;
      flo = fs;
      if (side === -1) fhi /= 2;
      side = -1;
    } else {
      hi = s;
      fhi = fs;
      if (side === 1) flo /= 2;
      side = 1;
    }
  }
  return 0.5 * (lo + hi);
}
