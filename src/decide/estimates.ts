import type { Estimate } from '../learn/estimate.js';
import type { CompiledAction } from './catalog-compile.js';

/** Who an estimate is for: the subject's key and the facts its rules see. */
export interface EstimateSubject {
  key: string;
  vars: Record<string, unknown>;
}

/**
 * Where the scoring stage gets "how likely is this action's goal for this subject": an
 * {@link Estimate} with its interval, evidence and the rung it comes from. The first
 * implementation is the Beta-Binomial ladder over logged outcomes (ladder-estimates.ts); richer
 * models (a bandit per placement, uplift, segments) plug in behind this same interface.
 *
 * @example
 * const e = provider.estimate(action, { key: 'p_123', vars }); // { value: 0.041, low: …, source: 'population', … }
 */
export interface EstimateProvider {
  /** Named in every decision's explanation, e.g. "beta-ladder@1". */
  readonly modelVersion: string;
  estimate(action: CompiledAction, subject: EstimateSubject): Estimate;
}
