/**
 * What the bandit believes about one action for one context, as an {@link Estimate}: the predictive
 * click probability with the 90% interval σ(μ ± 1.645σ) of the linear predictor. The action is
 * "learning" while it is still ramping in (fewer than `rampEvidence` outcomes) or its interval is
 * wider than the policy allows. The model pools all subjects' outcomes (source "population",
 * conditioned on the context's features).
 */
import type { Estimate } from '../estimate.js';
import { normalQuantile, sigmoid } from '../math/special.js';
import { type EstablishedWhen, isEstablished } from '../rates/beta-binomial.js';
import { linearPredictor, predictiveMean } from './logistic-posterior.js';
import { type BanditState, withIntercept } from './thompson.js';

/**
 * The click-probability estimate of `actionId` at `context`.
 *
 * @example
 * actionEstimate(bandit, 'offer-a', [0.3, -1.2], { establishedWhen: { maxWidth: 0.1 }, updatedAt: now });
 */
export function actionEstimate(
  state: BanditState,
  actionId: string,
  context: ArrayLike<number>,
  opts: { level?: number; establishedWhen: EstablishedWhen; updatedAt: string; modelVersion?: string },
): Estimate {
  const action = state.actions.find((a) => a.id === actionId);
  if (!action) throw new Error(`The action "${actionId}" is not part of this bandit.`);
  const level = opts.level ?? 0.9;
  const lp = linearPredictor(action, withIntercept(context));
  const sd = Math.sqrt(lp.variance);
  const z = normalQuantile(0.5 + level / 2);
  const value = predictiveMean(lp.mean, lp.variance);
  const low = sigmoid(lp.mean - z * sd);
  const high = sigmoid(lp.mean + z * sd);
  const ramping = action.evidence < state.config.rampEvidence;
  return {
    value, low, high, level,
    evidence: action.evidence,
    source: 'population',
    status: !ramping && isEstablished(value, low, high, opts.establishedWhen) ? 'established' : 'learning',
    modelVersion: opts.modelVersion ?? `bandit@${state.updates}`,
    updatedAt: opts.updatedAt,
  };
}
