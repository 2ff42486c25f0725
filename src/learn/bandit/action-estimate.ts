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
import { predictiveMean } from './logistic-posterior.js';
import { type BanditAction, type BanditState, predictorAt } from './thompson.js';

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
  const e = banditEstimate(action, predictorAt(state, action, context), {
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
 * - `evidence` is the n the interval rests on: its own outcomes, plus — while it ramps in from a
 *   prior pooled from established actions — their outcomes, weighed down linearly from all of them
 *   at 0 own outcomes to none at `rampEvidence` ({@link rampedEvidence}; the configured prior rests
 *   on nothing).
 * - at a context beyond the range the action learned from (`lp.beyond`, feature-range.ts: its
 *   predictor held there), it is "learning" with `reason: 'extrapolated'`.
 * - `updatedAt` is when the action's belief last changed (its last outcome, or its pooled prior's),
 *   null when it rests on nothing observed.
 *
 * @example
 * banditEstimate(action, linearPredictor(action, u), { z: 1.645, level: 0.9, rampEvidence: 50, establishedWhen: { maxWidth: 0.1 }, modelVersion: 'bandit:home@412' });
 */
export function banditEstimate(
  a: BanditAction,
  lp: { mean: number; variance: number; beyond?: number[] },
  o: { z: number; level: number; rampEvidence: number; establishedWhen: EstablishedWhen; modelVersion: string },
): Estimate {
  const sd = Math.sqrt(lp.variance);
  const value = predictiveMean(lp.mean, lp.variance);
  const low = Math.min(sigmoid(lp.mean - o.z * sd), value);
  const high = Math.max(sigmoid(lp.mean + o.z * sd), value);
  const ramping = a.evidence < o.rampEvidence;
  const evidence = rampedEvidence(a.evidence, a.priorEvidence ?? 0, o.rampEvidence);
  const extrapolated = (lp.beyond?.length ?? 0) > 0;
  const status = !ramping && !extrapolated && isEstablished(value, low, high, o.establishedWhen) ? 'established' : 'learning';
  const updatedAt = typeof a.updatedAt === 'number' ? new Date(a.updatedAt).toISOString() : null;
  return { value, low, high, level: o.level, evidence, source: 'population', status, modelVersion: o.modelVersion, updatedAt, ...(extrapolated ? { reason: 'extrapolated' as const } : {}) };
}

/**
 * The evidence of an action with `own` outcomes whose prior was pooled from `pooled` outcomes:
 * own + pooled·(1 − own/ramp) while it ramps in, own from `ramp` on — continuous at the boundary
 * (until 2026-12-04 it showed `pooled` up to ramp − 1 outcomes, then dropped to `ramp` at once).
 * Rounded to whole outcomes.
 *
 * @example
 * rampedEvidence(0, 5000, 50); // 5000
 * rampedEvidence(49, 5000, 50); // 149
 * rampedEvidence(50, 5000, 50); // 50
 */
export function rampedEvidence(own: number, pooled: number, ramp: number): number {
  if (!(pooled > 0) || !(own < ramp)) return own;
  return Math.round(own + pooled * (1 - own / ramp));
}
