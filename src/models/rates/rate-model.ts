import type { Estimate } from '../../learn/estimate.js';
import type { BetaDist, RateCounts } from '../../learn/rates/beta-binomial.js';
import { MIN_CONCENTRATION } from '../../learn/rates/concentration.js';
import { type LadderCounts, type LadderModel, type Rung, type RungDetail, ladderEstimate } from '../../learn/rates/ladder.js';
import { type TrialState, countsAt, ownCounts } from '../../learn/rates/rate-trials.js';
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
 * A group row's counts without a subject's own share of them (its trials count once, at its own
 * rung): clamped, since the subject's row and a group row read at slightly different moments may
 * disagree.
 *
 * @example
 * othersOf({ successes: 46, trials: 1020 }, { successes: 6, trials: 20 }); // { successes: 40, trials: 1000 }
 */
export function othersOf(group: RateCounts, own: RateCounts): RateCounts {
  const trials = Math.max(0, group.trials - own.trials);
  return { successes: Math.min(trials, Math.max(0, group.successes - own.successes)), trials };
}

/** A stored row as a rate reads it: its state, and when it last changed (ms). */
export interface TimedRow<S> {
  state: S;
  updatedAt: number;
}

const RUNG_ORDER: Record<string, number> = { population: 0, segment: 1, 'micro-segment': 2, personal: 3 };

/**
 * A subject's rate now, from the deepest rung its evidence has earned. Its own trials count once:
 * the group rows hold them too (each exposure is credited to the population and the subject's
 * groups at once), so they are taken out of every group's counts ({@link ownCounts}) and enter at
 * the personal rung only — the rungs above are everyone else — and there only once their window
 * has passed ({@link countsAt}). `updatedAt` is when the evidence the estimate rests on last
 * changed: the latest write of the subject's row and of the group rows from the population down to
 * the rung shown, the moment a trial's window passed (an open one then counts as a failure, one a
 * success closed early as that success) — at every rung since 2026-12-06, when the subject's own
 * trials entered its estimate below the personal rung too — and the end of the
 * live model's data window (`modelAt`); null when there is none of these.
 *
 * @example
 * rateNow(ladder, rate, row, (k) => groupRows.get(k), groupKeys(pos), Date.now(), live?.dataTo);
 */
export function rateNow(ladder: LadderModel, rate: CompiledRate, personal: TimedRow<TrialState> | undefined, group: (subjectId: string) => TimedRow<RateCounts> | undefined, keys: ReturnType<typeof groupKeys>, now: number, modelAt?: number | null): { estimate: Estimate; details: RungDetail[]; counts: LadderCounts } {
  const none = { successes: 0, trials: 0 };
  const others = (id: string): RateCounts => {
    const c = group(id)?.state ?? none;
    return personal ? othersOf(c, ownCounts(personal.state, id)) : { successes: c.successes, trials: c.trials };
  };
  const counts: LadderCounts = { population: others(keys.population) };
  if (keys.segment) counts.segment = others(keys.segment);
  if (keys.micro) counts['micro-segment'] = others(keys.micro);
  counts.personal = personal ? countsAt(personal.state, now, rate.windowMs) : none;
  const { estimate, details } = ladderEstimate(ladder, counts, null);
  const shown = RUNG_ORDER[estimate.source];
  const times: number[] = [];
  if (modelAt !== undefined && modelAt !== null) times.push(modelAt);
  if (personal) times.push(personal.updatedAt);
  for (const [rung, id] of [['population', keys.population], ['segment', keys.segment], ['micro-segment', keys.micro]] as const) {
    const row = id && RUNG_ORDER[rung] <= shown ? group(id) : undefined;
    if (row) times.push(row.updatedAt);
  }
  // The subject's own trials are in its estimate at every rung (subjectBelief): the moment one's window passed dates it.
  if (personal) {
    for (const o of personal.state.open) if (o.at + rate.windowMs <= now) times.push(o.at + rate.windowMs);
    for (const at of personal.state.pendingSuccesses ?? []) if (at + rate.windowMs <= now) times.push(at + rate.windowMs);
  }
  estimate.updatedAt = times.length ? new Date(Math.max(...times)).toISOString() : null;
  return { estimate, details, counts };
}
