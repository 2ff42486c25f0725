/**
 * Beta-Binomial rates: a Beta(α, β) belief about a success probability, updated by counts, read
 * out as an {@link Estimate} with an equal-tailed credible interval. The online update is a pure
 * function of (counts, outcome) so every outcome changes the very next estimate.
 */
import type { Estimate, EstimateSource } from '../estimate.js';
import { inverseIncompleteBeta } from '../math/incomplete-beta.js';

/** A Beta(alpha, beta) distribution (prior or posterior). */
export interface BetaDist {
  alpha: number;
  beta: number;
}

/** Observed successes out of trials (conversions of sends, clicks of impressions). */
export interface RateCounts {
  successes: number;
  trials: number;
}

/** The empty count. */
export const noCounts = (): RateCounts => ({ successes: 0, trials: 0 });

/**
 * Online update: the counts after one more outcome (success = 1, failure = 0; fractional allowed).
 *
 * @example
 * recordOutcome({ successes: 2, trials: 10 }, 1); // { successes: 3, trials: 11 }
 */
export function recordOutcome(counts: RateCounts, outcome: number): RateCounts {
  return { successes: counts.successes + outcome, trials: counts.trials + 1 };
}

/**
 * Conjugate posterior Beta(α + s, β + n − s).
 *
 * @example
 * betaPosterior({ alpha: 1, beta: 1 }, { successes: 3, trials: 10 }); // { alpha: 4, beta: 8 }
 */
export function betaPosterior(prior: BetaDist, counts: RateCounts): BetaDist {
  return { alpha: prior.alpha + counts.successes, beta: prior.beta + counts.trials - counts.successes };
}

/** Mean α/(α+β). @example betaMean({ alpha: 1, beta: 3 }) // 0.25 */
export function betaMean(d: BetaDist): number {
  return d.alpha / (d.alpha + d.beta);
}

/**
 * Equal-tailed credible interval at `level`.
 *
 * @example
 * betaInterval({ alpha: 1, beta: 1 }, 0.9); // [0.05, 0.95]
 */
export function betaInterval(d: BetaDist, level = 0.9): [number, number] {
  const tail = (1 - level) / 2;
  return [inverseIncompleteBeta(tail, d.alpha, d.beta), inverseIncompleteBeta(1 - tail, d.alpha, d.beta)];
}

/** When an estimate counts as established. */
export interface EstablishedWhen {
  /** Largest interval width (high − low) still called established, e.g. 0.05. */
  maxWidth: number;
  /** Optional: largest width relative to the value, e.g. 1 = the interval is no wider than the rate itself. */
  maxRelativeWidth?: number;
  /** Least evidence (trials) before a rate may be established; default {@link minEvidenceFor}(maxWidth, level). */
  minEvidence?: number;
}

/**
 * The fewest trials that can support an interval of `maxWidth` on their own: the least n whose
 * narrowest exact interval — Clopper–Pearson with 0 successes, [0, 1 − t^(1/n)], t = (1 − level)/2 —
 * is no wider than `maxWidth`, i.e. n = ⌈ln t / ln(1 − maxWidth)⌉. A posterior narrower than that on
 * fewer trials owes its width to the prior (a tiny κ piles Beta mass at 0 or 1), not to the data.
 *
 * @example
 * minEvidenceFor(0.1, 0.9); // 29
 */
export function minEvidenceFor(maxWidth: number, level = 0.9): number {
  if (!(maxWidth > 0)) return Infinity;
  if (maxWidth >= 1) return 1;
  return Math.max(1, Math.ceil(Math.log((1 - level) / 2) / Math.log(1 - maxWidth) - 1e-9));
}

/** Options of {@link rateEstimate}. */
export interface RateEstimateOptions {
  level?: number;
  source: EstimateSource;
  establishedWhen: EstablishedWhen;
  modelVersion: string;
  updatedAt: string | null;
  /** The trials behind this rung: reported, and held against the rule's minimum evidence (default 0). */
  evidence?: number;
}

/**
 * A Beta belief as an Estimate: posterior mean, credible interval, evidence and status. Established
 * needs both a narrow interval and at least the rule's minimum evidence.
 *
 * @example
 * rateEstimate({ alpha: 4, beta: 96 }, { source: 'segment', establishedWhen: { maxWidth: 0.05 },
 *   modelVersion: 'rates@1', updatedAt: new Date().toISOString(), evidence: 90 });
 */
export function rateEstimate(d: BetaDist, opts: RateEstimateOptions): Estimate {
  const level = opts.level ?? 0.9;
  const [q0, q1] = betaInterval(d, level);
  const value = betaMean(d);
  // A very skewed Beta (a pseudo-count near 0) can have its mean beyond an equal-tailed quantile:
  // the interval is widened to hold it, so it still holds at least `level` and low ≤ value ≤ high.
  const low = Math.min(q0, value);
  const high = Math.max(q1, value);
  const evidence = opts.evidence ?? 0;
  const minEvidence = opts.establishedWhen.minEvidence ?? minEvidenceFor(opts.establishedWhen.maxWidth, level);
  return {
    value,
    low,
    high,
    level,
    evidence,
    source: opts.source,
    status: evidence >= minEvidence && isEstablished(value, low, high, opts.establishedWhen) ? 'established' : 'learning',
    modelVersion: opts.modelVersion,
    updatedAt: opts.updatedAt,
    posterior: { alpha: d.alpha, beta: d.beta },
  };
}

/**
 * The width rule shared by all models: the interval is narrow enough (each model adds its own
 * evidence rule — for rates, {@link minEvidenceFor}).
 *
 * @example
 * isEstablished(0.1, 0.08, 0.12, { maxWidth: 0.05 }); // true
 */
export function isEstablished(value: number, low: number, high: number, rule: EstablishedWhen): boolean {
  const width = high - low;
  // An interval that is not a number (NaN compares false) is no evidence of anything.
  if (!Number.isFinite(width) || width > rule.maxWidth) return false;
  if (rule.maxRelativeWidth !== undefined && width > rule.maxRelativeWidth * Math.abs(value)) return false;
  return true;
}
