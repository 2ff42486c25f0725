/**
 * The Beta-binomial distribution: the count of successes in n trials when the success rate is
 * Beta(a, b) — the posterior predictive of a count, used by the monitors' bands (src/measure) and
 * the models' held-out interval checks (src/learn).
 */
import { logBeta, logGamma } from './special.js';

/**
 * P(X = k) for X ~ BetaBinomial(n, a, b).
 * @example betaBinomialPmf(0, 1, 1, 1) // 0.5
 */
export function betaBinomialPmf(k: number, n: number, a: number, b: number): number {
  if (k < 0 || k > n) return 0;
  const logChoose = logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
  return Math.exp(logChoose + logBeta(k + a, n - k + b) - logBeta(a, b));
}

/** P(X = k + 1) / P(X = k): the terms follow from one another by this ratio, without special functions. */
const ratioUp = (k: number, n: number, a: number, b: number) => ((n - k) * (k + a)) / ((k + 1) * (n - k - 1 + b));

/** Mass left out of the window beyond each of its ends, at most. */
const OUTSIDE = 1e-17;

/**
 * A Beta-binomial distribution with its probabilities from `lo` to `hi` worked out once, so that
 * its CDF, survival and quantiles cost a walk over numbers, not special functions per term. The
 * terms come from the one at the mean by the ratio of neighbours, outwards until what is left
 * beyond each end is below 1e-17 (the distribution is unimodal — log-concave when a, b ≥ 1,
 * monotone when one of them is below 1 — so the terms fall away from the window and what lies
 * beyond an end is at most the count of terms left times the last one). With a, b < 1 it is
 * U-shaped and every term is kept. Tails beyond the window are summed outward from their own
 * first term, so a far tail keeps its relative precision (1e-13 here, against 1e-8 asked by the
 * tests' references).
 *
 * @example
 * const d = new BetaBinomial(1000, 300.5, 9700.5);
 * [d.quantile(0.0005), d.quantile(0.9995), d.sf(40)]; // [13, 50, ≈ 0.0527]
 */
export class BetaBinomial {
  readonly lo: number;
  readonly hi: number;
  private readonly p: Float64Array;
  private readonly mean: number;
  private readonly uShaped: boolean;

  constructor(
    readonly n: number,
    readonly a: number,
    readonly b: number,
  ) {
    this.mean = (n * a) / (a + b);
    this.uShaped = a < 1 && b < 1;
    const m = Math.min(n, Math.max(0, Math.round(this.mean)));
    const pm = betaBinomialPmf(m, n, a, b);
    const up: number[] = [];
    for (let k = m, t = pm; k < n; k++) {
      t *= ratioUp(k, n, a, b);
      up.push(t);
      if (!this.uShaped && t * (n - k - 1) < OUTSIDE && t < pm) break;
    }
    const down: number[] = [];
    for (let k = m, t = pm; k > 0; k--) {
      t /= ratioUp(k - 1, n, a, b);
      down.push(t);
      if (!this.uShaped && t * (k - 1) < OUTSIDE && t < pm) break;
    }
    this.lo = m - down.length;
    this.hi = m + up.length;
    this.p = new Float64Array(this.hi - this.lo + 1);
    for (let i = 0; i < down.length; i++) this.p[down.length - 1 - i] = down[i];
    this.p[down.length] = pm;
    for (let i = 0; i < up.length; i++) this.p[down.length + 1 + i] = up[i];
  }

  /** P(X = k). */
  pmf(k: number): number {
    if (k < 0 || k > this.n) return 0;
    return k >= this.lo && k <= this.hi ? this.p[k - this.lo] : betaBinomialPmf(k, this.n, this.a, this.b);
  }

  /** P(X ≤ k), summing the shorter tail. */
  cdf(k: number): number {
    if (k < 0) return 0;
    if (k >= this.n) return 1;
    if (k > this.mean) return 1 - this.sf(k + 1);
    // Downward from k: the terms fall (k is at or below the mean of a unimodal distribution, or the
    // distribution is U-shaped and every term is in the window).
    let s = 0;
    let t = this.pmf(k);
    for (let j = k; j >= 0; j--) {
      if (j < k) t = j >= this.lo ? this.p[j - this.lo] : t / ratioUp(j, this.n, this.a, this.b);
      s += t;
      if (!this.uShaped && j < this.lo && t * j < s * 1e-17) break;
    }
    return Math.min(1, s);
  }

  /** P(X ≥ k). */
  sf(k: number): number {
    if (k <= 0) return 1;
    if (k > this.n) return 0;
    if (k <= this.mean) return 1 - this.cdf(k - 1);
    let s = 0;
    let t = this.pmf(k);
    for (let j = k; j <= this.n; j++) {
      if (j > k) t = j <= this.hi ? this.p[j - this.lo] : t * ratioUp(j - 1, this.n, this.a, this.b);
      s += t;
      if (!this.uShaped && j > this.hi && t * (this.n - j) < s * 1e-17) break;
    }
    return Math.min(1, s);
  }

  /** Smallest k with P(X ≤ k) ≥ q (to 1e-12). */
  quantile(q: number): number {
    if (q <= 1e-12) return 0;
    // Below the window lies under 1e-17 of the mass: the running sum starts at its low end.
    let s = 0;
    for (let k = this.lo; k <= this.hi; k++) {
      s += this.p[k - this.lo];
      if (s >= q - 1e-12) return k;
    }
    return this.hi;
  }
}
