import type { Estimate } from '../../learn/estimate.js';
import type { BetaDist, RateCounts } from '../../learn/rates/beta-binomial.js';
import { MIN_CONCENTRATION } from '../../learn/rates/concentration.js';
import { type LadderCounts, type LadderModel, type Rung, type RungDetail, ladderEstimate } from '../../learn/rates/ladder.js';
import { type TrialState, countsAt } from '../../learn/rates/rate-trials.js';
import type { LadderPosition } from '../../segments/segment-lookup.js';
import type { ModelVersion } from '../registry/model-store.js';
import type { CompiledRate } from './rates-kind.js';

/** The stored `rates` model: per rate, the population prior and each rung's prior strength. */
export interface RatesModelState {
  rates: Record<string, { populationPrior: BetaDist; concentration: Record<Rung, number> }>;
}

/**
 * Prior strengths before any training: a person's own trials weigh against 30 pseudo-trials of the rung above.
 *
 * @example
 * ladderFor(rate, undefined).concentration.personal; // 30
 */
export const DEFAULT_CONCENTRATION: Record<Rung, number> = { segment: 100, 'micro-segment': 100, personal: 30 };

/**
 * The ladder of one rate under the live `rates` model (or the defaults before training). A κ
 * stored below MIN_CONCENTRATION (by a training before that floor) is raised to it.
 *
 * @example
 * const ladder = ladderFor(rate, await registry.live('rates'));
 */
export function ladderFor(rate: CompiledRate, live: ModelVersion<RatesModelState> | undefined): LadderModel {
  const fitted = live?.state.rates[rate.def.name];
  return {
    populationPrior: fitted?.populationPrior ?? { alpha: 1, beta: 1 },
    concentration: fitted ? floorConcentration(fitted.concentration) : DEFAULT_CONCENTRATION,
    minDataWeight: 0.2,
    establishedWhen: { maxWidth: rate.maxWidth },
    level: 0.9,
    modelVersion: live ? `rates@${live.version}` : 'rates@default',
  };
}

const floorConcentration = (c: Record<Rung, number>): Record<Rung, number> =>
  ({ segment: Math.max(MIN_CONCENTRATION, c.segment), 'micro-segment': Math.max(MIN_CONCENTRATION, c['micro-segment']), personal: Math.max(MIN_CONCENTRATION, c.personal) });

/**
 * The group rows (subject ids of the estimate store) a subject's trials are credited to.
 *
 * @example
 * groupKeys({ segment: 'vip', microSegment: null }); // { population: 'population', segment: 'segment:vip', micro: undefined }
 */
export function groupKeys(pos: Pick<LadderPosition, 'segment' | 'microSegment'>): { population: string; segment?: string; micro?: string } {
  return { population: 'population', segment: pos.segment ? `segment:${pos.segment}` : undefined, micro: pos.microSegment?.key };
}

/**
 * A subject's rate now, from the deepest rung its evidence has earned.
 *
 * @example
 * rateNow(ladder, rate, trials, (k) => groupCounts.get(k), groupKeys(pos), Date.now());
 */
export function rateNow(ladder: LadderModel, rate: CompiledRate, personal: TrialState | undefined, group: (subjectId: string) => RateCounts | undefined, keys: ReturnType<typeof groupKeys>, now: number): { estimate: Estimate; details: RungDetail[]; counts: LadderCounts } {
  const none = { successes: 0, trials: 0 };
  const counts: LadderCounts = { population: group(keys.population) ?? none };
  if (keys.segment) counts.segment = group(keys.segment) ?? none;
  if (keys.micro) counts['micro-segment'] = group(keys.micro) ?? none;
  counts.personal = personal ? countsAt(personal, now, rate.windowMs) : none;
  // Copies: the group rows' counts keep changing after this estimate.
  const frozen: LadderCounts = Object.fromEntries(Object.entries(counts).map(([k, c]) => [k, { successes: c.successes, trials: c.trials }])) as unknown as LadderCounts;
  return { ...ladderEstimate(ladder, counts, new Date(now).toISOString()), counts: frozen };
}
