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
import { type BanditAction, type BanditState, designFor } from './thompson.js';

/**
 * The click-probability estimate of `actionId` at `context` (raw features: the bandit applies its
 * own scaling). `updatedAt` is the action's, unless given.
 *
 * @example
 * actionEstimate(bandit, 'offer-a', [0.3, -1.2], { establishedWhen: { maxWidth: 0.1 } });
 */
export function actionEstimate(
  state: BanditState,
  actionId: string,
  context: ArrayLike<number>,
  opts: { level?: number; establishedWhen: EstablishedWhen; updatedAt?: string | null; modelVersion?: string },
): Estimate {
  const action = state.actions.find((a) => a.id === actionId);
  if (!action) throw new Error(`The action "${actionId}" is not part of this bandit.`);
  const level = opts.level ?? 0.9;
  const e = banditEstimate(action, linearPredictor(action, designFor(state, context)), {
    z: normalQuantile(0.5 + level / 2), level, rampEvidence: state.config.rampEvidence, establishedWhen: opts.establishedWhen,
    modelVersion: opts.modelVersion ?? `bandit@${state.updates}`,
  });
  return opts.updatedAt === undefined ? e : { ...e, updatedAt: opts.updatedAt };
}

/**
 * An action's Estimate from its linear predictor Z ~ N(mean, variance) at a context.
 *
 * - `value` is the posterior mean E[σ(Z)]; the interval is equal-tailed, σ(mean ± z·sd), widened to
 *   hold the value when it lies beyond (as rates do, docs/models.md §1): E[σ(Z)] ≈ E[e^Z] =
 *   e^(mean + sd²/2) at a rare rate, above σ(mean + 1.645·sd) once sd > 3.29. The widened interval
 *   holds at least `level`.
 * - `evidence` is the n the interval rests on: while the action ramps in (fewer than
 *   `rampEvidence` own outcomes) from a prior pooled from established actions, their outcomes; else
 *   its own (the configured prior rests on nothing).
 * - `updatedAt` is when the action's belief last changed (its last outcome, or its pooled prior's),
 *   null when it rests on nothing observed.
 *
 * @example
 * banditEstimate(action, linearPredictor(action, u), { z: 1.645, level: 0.9, rampEvidence: 50, establishedWhen: { maxWidth: 0.1 }, modelVersion: 'bandit:home@412' });
 */
export function banditEstimate(
  a: BanditAction,
  lp: { mean: number; variance: number },
  o: { z: number; level: number; rampEvidence: number; establishedWhen: EstablishedWhen; modelVersion: string },
): Estimate {
  const sd = Math.sqrt(lp.variance);
  const value = predictiveMean(lp.mean, lp.variance);
  const low = Math.min(sigmoid(lp.mean - o.z * sd), value);
  const high = Math.max(sigmoid(lp.mean + o.z * sd), value);
  const ramping = a.evidence < o.rampEvidence;
  const evidence = ramping && (a.priorEvidence ?? 0) > 0 ? (a.priorEvidence as number) : a.evidence;
  const status = !ramping && isEstablished(value, low, high, o.establishedWhen) ? 'established' : 'learning';
  const updatedAt = typeof a.updatedAt === 'number' ? new Date(a.updatedAt).toISOString() : null;
  return { value, low, high, level: o.level, evidence, source: 'population', status, modelVersion: o.modelVersion, updatedAt };
}
