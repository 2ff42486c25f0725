/**
 * The OPE report the CLI and API print: each estimator's value with a seeded bootstrap (BCa) interval,
 * the diagnostics, and the warnings. Blocking warnings replace every number with null.
 */
import { bootstrapJointIntervals, type BootstrapOptions } from './bootstrap.js';
import { clippedIps, type ClippedIps } from './clipped.js';
import { type DiagnosticThresholds, opeDiagnostics, type OpeDiagnostics, type OpeWarning, opeWarnings } from './diagnostics.js';
import { estimate, estimateAll, influence, opeTerms } from './estimators.js';
import type { EstimatorName, LoggedFeedback } from './types.js';

export interface EstimatorResult {
  value: number;
  ci: [number, number];
  /** Bootstrap standard deviation. */
  sd: number;
  /**
   * Bootstrap resamples on which the estimator had no value (SNIPS, SNDR: every weight in the resample 0),
   * left out of `ci` and `sd`; a `dropped-replicates` warning names them when there are any.
   */
  dropped: number;
}

export interface OpeReport {
  n: number;
  /** Null for an estimator when its inputs are missing (DM/DR without a reward model) or the report is blocked. */
  estimates: Record<EstimatorName, EstimatorResult | null>;
  diagnostics: OpeDiagnostics;
  warnings: OpeWarning[];
  /** True when a blocking warning withholds all estimates. */
  blocked: boolean;
  /** IPS with every weight capped at `clip`, beside IPS (only when `clip` is given and the report is not blocked). */
  clippedIps: ClippedIps | null;
}

export interface OpeReportOptions extends BootstrapOptions {
  estimators?: EstimatorName[];
  thresholds?: DiagnosticThresholds;
  /** Also report clipped IPS with weights capped at this value (`clippedIps`); IPS itself is never clipped. */
  clip?: number;
}

/**
 * Estimates a candidate policy's value on logged decisions.
 * @example
 * const r = opeReport({ reward, loggedPropensity, targetProbability }, { seed: 1 });
 * r.blocked ? r.warnings.map((w) => w.message) : r.estimates.snips // { value, ci, sd }
 */
export function opeReport(data: LoggedFeedback, options: OpeReportOptions = {}): OpeReport {
  const terms = opeTerms(data);
  const diagnostics = opeDiagnostics(data, terms);
  const warnings = opeWarnings(diagnostics, options.thresholds);
  const blocked = warnings.some((w) => w.severity === 'block');
  const names = options.estimators ?? (['ips', 'snips', 'dm', 'dr', 'sndr'] as EstimatorName[]);
  const estimates = { ips: null, snips: null, dm: null, dr: null, sndr: null } as Record<EstimatorName, EstimatorResult | null>;
  let clipped: ClippedIps | null = null;
  if (!blocked && terms.n > 0) {
    const usable = names.filter((k) => Number.isFinite(estimate(terms, k)));
    // BCa intervals: each estimator's value and influence values (the percentile interval under-covered on small logs).
    const bca = Object.fromEntries(usable.map((k) => [k, { estimate: estimate(terms, k), influence: influence(terms, k)! }]));
    // One pass over each resample's rows for every estimator (they share the sums).
    const intervals = bootstrapJointIntervals(terms.n, usable, (idx, out) => estimateAll(terms, usable, idx, out), { ...options, bca });
    for (const k of usable) {
      const b = intervals[k];
      estimates[k] = { value: estimate(terms, k), ci: b.ci, sd: b.sd, dropped: b.dropped };
    }
    const dropped = droppedWarning(estimates, options.replicates ?? 1000);
    if (dropped) warnings.push(dropped);
    if (options.clip !== undefined) {
      const c = clippedIps(terms, options.clip, options);
      clipped = c.result;
      if (c.warning) warnings.push(c.warning);
    }
  }
  return { n: terms.n, estimates, diagnostics, warnings, blocked, clippedIps: clipped };
}

/**
 * The caution when some bootstrap resamples gave an estimator no value (a self-normalised one over a
 * resample whose weights are all 0): they are left out of its interval, which then describes only the
 * resamples that hold a decision the candidate takes — the estimate rests on very few of them.
 *
 * @example
 * droppedWarning({ snips: { value: 1, ci: [0, 2], sd: 0.5, dropped: 12 } }, 500)?.message; // "12 of 500 bootstrap resamples…"
 */
export function droppedWarning(estimates: Partial<Record<EstimatorName, EstimatorResult | null>>, replicates: number): OpeWarning | undefined {
  const counts = Object.entries(estimates).flatMap(([k, e]) => (e && e.dropped > 0 ? [[k, e.dropped] as const] : []));
  if (!counts.length) return undefined;
  const named = counts.map(([k, d]) => `${d} of ${replicates} for ${k.toUpperCase()}`).join(', ');
  return {
    code: 'dropped-replicates',
    severity: 'caution',
    message: `Bootstrap resamples with no estimate (every weight in the resample 0, so the self-normalised estimator is 0/0) were left out of the intervals: ${named}. Those intervals describe only the resamples that hold a decision the candidate takes and may understate the uncertainty: the estimate rests on very few logged decisions.`,
    details: { replicates, ...Object.fromEntries(counts) },
  };
}
