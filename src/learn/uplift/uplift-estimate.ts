/**
 * An uplift as the decision pipeline consumes it: an {@link Estimate} of the incremental effect of
 * one action over "none" for one subject's features, with a normal interval from the model's
 * standard error. The models pool everyone's outcomes, so the source is "population" (conditioned
 * on the subject's features); "learning" while the interval is wider than the policy allows.
 */
import type { Estimate } from '../estimate.js';
import { isEstablished, type EstablishedWhen } from '../rates/beta-binomial.js';
import { normalQuantile } from '../math/special.js';
import type { UpliftModel } from './uplift-data.js';

/**
 * Uplift of `arm` at features x as an Estimate.
 *
 * @example
 * upliftEstimate(model, x, 1, { evidence: 32000, establishedWhen: { maxWidth: 0.02 }, modelVersion: 'uplift@3', updatedAt: now });
 * // { value: 0.004, low: −0.001, high: 0.009, status: 'learning', … }
 */
export function upliftEstimate(
  model: UpliftModel,
  x: ArrayLike<number>,
  arm: number,
  opts: { level?: number; evidence: number; establishedWhen: EstablishedWhen; modelVersion: string; updatedAt: string | null },
): Estimate {
  const level = opts.level ?? 0.9;
  const value = model.uplift(x)[arm];
  const se = model.upliftStandardError(x)[arm];
  const z = normalQuantile(0.5 + level / 2);
  const low = value - z * se;
  const high = value + z * se;
  return {
    value, low, high, level,
    evidence: opts.evidence,
    source: 'population',
    // An uplift can be ~0 or negative, so only the absolute width decides its status.
    status: isEstablished(value, low, high, { ...opts.establishedWhen, maxRelativeWidth: undefined }) ? 'established' : 'learning',
    modelVersion: opts.modelVersion,
    updatedAt: opts.updatedAt,
  };
}
