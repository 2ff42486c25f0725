/**
 * The granularity ladder for rates: population → segment → micro-segment → personal.
 *
 * Each rung is a Beta-Binomial whose prior is centred on the deepest rung above it that has earned
 * its place (the population always has):
 *   θ_rung ~ Beta(κ_eff·m_parent, κ_eff·(1 − m_parent)),  κ_eff = min(κ_rung, α_parent + β_parent),
 * so a rung never starts more certain than its parent's posterior, and its own counts move it
 * (shrinkage by evidence). The estimate climbs to a rung only when the rung's own data carry at
 * least `minDataWeight` of its posterior, n/(n + κ_eff): below that the number is essentially the
 * parent's, and saying "personal" would be a confident guess dressed as a portrait. A rung not
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
 * The rate for (action, subject) as an Estimate, from the deepest rung its evidence has earned.
 *
 * @example
 * ladderEstimate(model, counts, '2026-11-23T10:00:00.000Z');
 * // { value: 0.041, low: 0.031, high: 0.052, source: 'segment', status: 'established', … }
 */
export function ladderEstimate(model: LadderModel, counts: LadderCounts, updatedAt: string | null): { estimate: Estimate; details: RungDetail[] } {
  const { rung, details } = climbLadder(model, counts);
  const chosen = details.filter((d) => d.rung === rung).pop()!;
  const estimate = rateEstimate(chosen.posterior, {
    level: model.level,
    source: rung,
    establishedWhen: model.establishedWhen,
    modelVersion: model.modelVersion,
    updatedAt,
    evidence: chosen.trials,
  });
  return { estimate, details };
}
