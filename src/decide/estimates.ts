import type { Estimate } from '../learn/estimate.js';
import type { CompiledAction } from './catalog-compile.js';
import type { CompiledPolicy } from './policy-compile.js';

/**
 * Who an estimate is for: the subject's key, the facts its rules see, and where it sits on the
 * granularity ladder at decision time (group keys as {@link OutcomeCounts} counts them:
 * `segment:<name>`, `micro-segment:<version>:<index>`; null or absent when it has none).
 */
export interface EstimateSubject {
  key: string;
  vars: Record<string, unknown>;
  segment?: string | null;
  microSegment?: string | null;
  /** Profile keys merged into this subject: their decisions and outcomes are the subject's too. */
  also?: readonly string[];
}

/**
 * Where the scoring stage gets "how likely is this action's goal for this subject": an
 * {@link Estimate} with its interval, evidence and the rung it comes from. The implementation is
 * the Beta-Binomial ladder over logged outcomes (ladder-estimates.ts): population → segment →
 * micro-segment → personal. `uplift`, when present, gives the action's incremental effect over
 * doing nothing (the `uplift` model, scoring: uplift in the policy).
 *
 * @example
 * const e = provider.estimate(action, { key: 'p_123', vars, segment: 'segment:vip' }); // { value: 0.041, source: 'segment', … }
 */
export interface EstimateProvider {
  /** Named in every decision's explanation, e.g. "beta-ladder@1". */
  readonly modelVersion: string;
  estimate(action: CompiledAction, subject: EstimateSubject): Estimate;
  /**
   * The provider estimating with a policy's `estimates` settings (prior, strengths, established
   * width, interval level): a decision uses its policy's — an experiment arm's pinned version's.
   * A provider without settings of its own leaves it out.
   */
  under?(settings: CompiledPolicy['estimates']): EstimateProvider;
  /** The action's uplift over "none" for this subject (an Estimate of a difference of rates), if a model gives one. */
  uplift?(action: CompiledAction, subject: EstimateSubject): Estimate | undefined;
  /** The uplift model behind `uplift` (its version and the fact paths it reads). */
  readonly upliftModel?: { readonly modelVersion: string; paths(): string[] };
}
