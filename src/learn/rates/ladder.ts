/**
 * The granularity ladder for rates: population → segment → micro-segment → personal.
 *
 * Each rung is a Beta-Binomial whose prior is centred on the deepest rung above it that has earned
 * its place (the population always has):
 *   θ_rung ~ Beta(κ_eff·m_parent, κ_eff·(1 − m_parent)),  κ_eff = min(κ_rung, α_parent + β_parent),
 * so a rung never starts more certain than its parent's posterior, and its own counts move it
 * (shrinkage by evidence). The estimate's `source` climbs to a rung only when the rung's own data
 * carry at least `minDataWeight` of its posterior, n/(n + κ_eff): below that the number is essentially
 * the parent's, and saying "personal" would be a confident guess dressed as a portrait. Whatever
 * the rung, the estimate is of the subject's rate ({@link subjectBelief}), not of the group's. A rung not
 * earned is no one's parent: a segment without trials (defined after the exposures, whose trials
 * were credited to the groups of their day) would otherwise cap the personal rung's κ_eff at the
 * segment's κ, and an unrelated new rule would move every member's personal estimate.
 */
import type { Estimate, EstimateSource } from '../estimate.js';
import { type BetaDist, type EstablishedWhen, type RateCounts, betaMean, betaPosterior, rateEstimate } from './beta-binomial.js';

/** Rungs below the population, in climbing order. */
export const RUNGS = ['segment', 'micro-segment', 'personal'] as const;
/** A rung below the population. */
export type Rung = (typeof RUNGS)[number];

/** Counts for one (action, subject) at each rung; absent rungs are skipped. */
export interface LadderCounts {
  population: RateCounts;
  segment?: RateCounts;
  'micro-segment'?: RateCounts;
  personal?: RateCounts;
}

/** The fitted hyper-parameters of the ladder (see empirical-bayes.ts and fitConcentration). */
export interface LadderModel {
  /** Prior of the population rate (e.g. fitted across actions by empirical Bayes). */
  populationPrior: BetaDist;
  /** Prior strength κ of each rung around its parent's mean. */
  concentration: Record<Rung, number>;
  /** Share of a rung's posterior its own data must carry to earn the rung (default 0.2). */
  minDataWeight: number;
  establishedWhen: EstablishedWhen;
  level: number;
  modelVersion: string;
}

/** What each rung computed, for explanations ("segment rate 3.1% from 412 sends …"). */
export interface RungDetail {
  rung: EstimateSource;
  posterior: BetaDist;
  trials: number;
  dataWeight: number;
  earned: boolean;
}

/**
 * Posteriors at every rung and the deepest earned rung. Each rung's prior is centred on the deepest
 * earned rung above it (until 2026-12-05 on the rung just above, earned or not).
 *
 * @example
 * const { rung } = climbLadder(model, { population: { successes: 40, trials: 1000 }, personal: { successes: 0, trials: 2 } });
 * rung; // 'population' — two personal sends earn nothing yet
 */
export function climbLadder(model: LadderModel, counts: LadderCounts): { rung: EstimateSource; details: RungDetail[] } {
  // The posterior of the deepest earned rung so far: the one the next rung is centred on.
  let parent = betaPosterior(model.populationPrior, counts.population);
  const details: RungDetail[] = [{ rung: 'population', posterior: parent, trials: counts.population.trials, dataWeight: 1, earned: true }];
  let rung: EstimateSource = 'population';
  for (const r of RUNGS) {
    const c = counts[r];
    if (!c) continue;
    const kappa = Math.min(model.concentration[r], parent.alpha + parent.beta);
    const m = betaMean(parent);
    const posterior = betaPosterior({ alpha: kappa * m, beta: kappa * (1 - m) }, c);
    const dataWeight = c.trials / (c.trials + kappa);
    const earned = dataWeight >= model.minDataWeight;
    details.push({ rung: r, posterior, trials: c.trials, dataWeight, earned });
    if (!earned) continue;
    rung = r;
    parent = posterior;
  }
  return { rung, details };
}

/**
 * The belief about this subject's own rate: the posterior predictive of a member of the deepest
 * earned rung given the subject's own trials, Beta(κ_eff·m + s, κ_eff·(1 − m) + f), with m the
 * rung's posterior mean and κ_eff = min(κ_personal, α + β of the rung's posterior) the strength the
 * personal rung shrinks with. When the personal rung is earned this is its posterior; below that
 * the same Beta, its `rung` naming the group it is centred on. Until 2026-12-06 a subject below the
 * personal rung was shown the group rung's own posterior — the belief about the group's mean rate,
 * 1.6% of subjects' rates inside its 90% interval in QA's example — and its own trials were dropped.
 * The group mean's own uncertainty enters only through the cap κ_eff ≤ α + β (the exact
 * moment-matched strength, κ·(α+β)/(κ + α + β), differs by < 0.02% once the group holds 24,000 trials).
 *
 * @example
 * subjectBelief(model, { population: { successes: 9624, trials: 24000 } }).posterior;
 * // ≈ Beta(1.69, 2.52) at κ_personal = 4.21: 90% [0.081, 0.779]
 */
export function subjectBelief(model: LadderModel, counts: LadderCounts): { rung: EstimateSource; posterior: BetaDist; trials: number; details: RungDetail[] } {
  // `trials`: those the posterior rests on — the rung's (everyone else's) and the subject's own.
  const { rung, details } = climbLadder(model, counts);
  const own = counts.personal ?? { successes: 0, trials: 0 };
  if (rung === 'personal') return { rung, posterior: details.at(-1)!.posterior, trials: own.trials, details };
  const group = details.find((d) => d.rung === rung)!;
  const kappa = Math.min(model.concentration.personal, group.posterior.alpha + group.posterior.beta);
  const m = betaMean(group.posterior);
  return { rung, posterior: betaPosterior({ alpha: kappa * m, beta: kappa * (1 - m) }, own), trials: group.trials + own.trials, details };
}

/**
 * The rate for (action, subject) as an Estimate of this subject's rate ({@link subjectBelief}):
 * `source` names the deepest rung its evidence has earned, `evidence` the trials its posterior
 * rests on (that rung's, plus the subject's own below the personal rung), and a
 * subject with no trials of its own is "learning" while the spread of subjects' rates is wider
 * than `establishedWhen` allows. The group's own posterior is in `details`.
 *
 * @example
 * ladderEstimate(model, counts, '2026-11-23T10:00:00.000Z');
 * // { value: 0.041, low: 0.012, high: 0.089, source: 'segment', status: 'learning', … }
 */
export function ladderEstimate(model: LadderModel, counts: LadderCounts, updatedAt: string | null): { estimate: Estimate; details: RungDetail[] } {
  const { rung, posterior, trials, details } = subjectBelief(model, counts);
  const estimate = rateEstimate(posterior, {
    level: model.level,
    source: rung,
    establishedWhen: model.establishedWhen,
    modelVersion: model.modelVersion,
    updatedAt,
    evidence: trials,
  });
  return { estimate, details };
}
