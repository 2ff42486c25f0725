/**
 * The OPE report the CLI and API print: each estimator's value with a seeded bootstrap (BCa) interval,
 * the diagnostics, and the warnings. Blocking warnings replace every number with null.
 */
import { bootstrapIntervals, type BootstrapOptions } from './bootstrap.js';
import { type DiagnosticThresholds, opeDiagnostics, type OpeDiagnostics, type OpeWarning, opeWarnings } from './diagnostics.js';
import { estimate, influence, opeTerms } from './estimators.js';
import type { EstimatorName, LoggedFeedback } from './types.js';

export interface EstimatorResult {
  value: number;
  ci: [number, number];
  /** Bootstrap standard deviation. */
  sd: number;
}

export interface OpeReport {
  n: number;
  /** Null for an estimator when its inputs are missing (DM/DR without a reward model) or the report is blocked. */
  estimates: Record<EstimatorName, EstimatorResult | null>;
  diagnostics: OpeDiagnostics;
  warnings: OpeWarning[];
  /** True when a blocking warning withholds all estimates. */
  blocked: boolean;
}

export interface OpeReportOptions extends BootstrapOptions {
  estimators?: EstimatorName[];
  thresholds?: DiagnosticThresholds;
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
  if (!blocked && terms.n > 0) {
    const usable = names.filter((k) => Number.isFinite(estimate(terms, k)));
    const stats = Object.fromEntries(usable.map((k) => [k, (idx: Int32Array) => estimate(terms, k, idx)]));
    // BCa intervals: each estimator's value and influence values (the percentile interval under-covered on small logs).
    const bca = Object.fromEntries(usable.map((k) => [k, { estimate: estimate(terms, k), influence: influence(terms, k)! }]));
    const intervals = bootstrapIntervals(terms.n, stats, { ...options, bca });
    for (const k of usable) {
      const b = intervals[k];
      estimates[k] = { value: estimate(terms, k), ci: b.ci, sd: b.sd };
    }
  }
  return { n: terms.n, estimates, diagnostics, warnings, blocked };
}
