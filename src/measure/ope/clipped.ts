/**
 * Clipped IPS, an opt-in companion to IPS, never a replacement: every weight capped at λ,
 * V = mean(min(w, λ)·r) (Open Bandit Pipeline's InverseProbabilityWeighting `lambda_`; truncated
 * importance sampling, Ionides, J Comput Graph Stat 17 (2008) 295–311). Capping trades variance
 * for bias: with full support IPS is unbiased, so E[IPS − clipped] is exactly the clipped
 * estimator's bias, and the gap on the log (`bias`) is an unbiased estimate of it — downward for
 * rewards ≥ 0. Its bootstrap interval is an interval for the clipped quantity, not for the
 * candidate's value; IPS stays in the report beside it, and a caution says so.
 */
import { bootstrapIntervals, type BootstrapOptions } from './bootstrap.js';
import type { OpeWarning } from './diagnostics.js';
import { estimate, influence, type OpeTerms } from './estimators.js';

export interface ClippedIps {
  /** λ: the largest weight kept. */
  clip: number;
  value: number;
  /** BCa bootstrap interval of the clipped estimator (the same resamples as the other estimators for a seed). */
  ci: [number, number];
  sd: number;
  dropped: number;
  /** Logged decisions whose weight was above λ. */
  rows: number;
  /** IPS − clipped IPS on this log: the estimated bias clipping adds (0 when no weight exceeds λ). */
  bias: number;
}

/**
 * Clipped IPS at `clip` with its interval, and the caution when clipping changed any weight.
 *
 * @example
 * clippedIps(opeTerms(data), 10, { seed: 1 }).result.bias; // IPS − clipped IPS
 */
export function clippedIps(t: OpeTerms, clip: number, o: BootstrapOptions = {}): { result: ClippedIps; warning?: OpeWarning } {
  if (!(clip > 0)) throw new RangeError(`The clip (largest weight kept) is ${clip}; it must be above 0.`);
  const weight = t.weight.map((w) => Math.min(w, clip));
  let rows = 0;
  for (let i = 0; i < t.n; i++) if (t.weight[i] > clip) rows++;
  const c: OpeTerms = { ...t, weight };
  const value = estimate(c, 'ips');
  const bias = estimate(t, 'ips') - value;
  const b = bootstrapIntervals(t.n, { ips: (idx) => estimate(c, 'ips', idx) }, { ...o, bca: { ips: { estimate: value, influence: influence(c, 'ips')! } } }).ips;
  const result: ClippedIps = { clip, value, ci: b.ci, sd: b.sd, dropped: b.dropped, rows, bias };
  if (rows === 0) return { result };
  return {
    result,
    warning: {
      code: 'clipped-weights',
      severity: 'caution',
      message: `Clipped IPS caps ${rows} of ${t.n} weights at ${clip}: it is biased by what the caps remove (IPS − clipped IPS = ${bias.toPrecision(3)} on this log, an estimate of that bias), and its interval is around the clipped value, not the candidate's; IPS is reported beside it unclipped.`,
      details: { clip, rows, bias },
    },
  };
}
