import type { Estimate } from '../learn/estimate.js';
import { isEstablished, type RateCounts } from '../learn/rates/beta-binomial.js';
import { type LadderCounts, ladderEstimate, type LadderModel } from '../learn/rates/ladder.js';

/** Choices still inside their attribution windows at each group rung of an estimate's ladder. */
export interface OpenAtRungs {
  population: number;
  segment: number;
  'micro-segment': number;
}

/**
 * An estimate whose counts hold choices still inside their attribution windows
 * (docs/adr/0007-open-attribution-windows.md): their outcomes may still come, so counting them as
 * failures — as the counts do — gives the lowest reading of the rate, not the only one. The interval
 * is widened to the highest: its upper end is that of the same ladder with the open choices left
 * out (each rung's trials less its open ones, never below its successes). The value stays the
 * counts' own (the lower reading) until the delay from decision to outcome is learned (not built).
 * An estimate that was established becomes "learning" with reason `pending` when the widened
 * interval is wider than the policy allows, or the ladder without the open choices would not be
 * established: right after a campaign, `n=193` with no outcome yet is not evidence of a 0.4% rate.
 *
 * @example
 * withOpenWindows(model, { population: { successes: 0, trials: 193 } }, { population: 193, segment: 0, 'micro-segment': 0 }, e);
 * // { …e, high: the prior's upper end, status: 'learning', reason: 'pending' }
 */
export function withOpenWindows(model: LadderModel, counts: LadderCounts, open: OpenAtRungs, e: Estimate): Estimate {
  if (!(open.population > 0 || open.segment > 0 || open['micro-segment'] > 0)) return e;
  const resolved: LadderCounts = { population: closed(counts.population, open.population) };
  if (counts.segment) resolved.segment = closed(counts.segment, open.segment);
  if (counts['micro-segment']) resolved['micro-segment'] = closed(counts['micro-segment'], open['micro-segment']);
  if (counts.personal) resolved.personal = counts.personal;
  const without = ladderEstimate(model, resolved, e.updatedAt).estimate;
  if (!(without.high > e.high)) return e;
  const pending = e.status === 'established' && (without.status !== 'established' || !isEstablished(e.value, e.low, without.high, model.establishedWhen));
  return { ...e, high: without.high, ...(pending ? { status: 'learning' as const, reason: 'pending' as const } : {}) };
}

/** A rung's counts without its open choices: trials less the open ones, never below its successes (those are decided). */
function closed(c: RateCounts, open: number): RateCounts {
  return { successes: c.successes, trials: Math.max(c.successes, c.trials - open) };
}
