import type { Estimate } from '../learn/estimate.js';
import { isEstablished, type RateCounts } from '../learn/rates/beta-binomial.js';
import { type LadderCounts, ladderEstimate, type LadderModel } from '../learn/rates/ladder.js';

/** Choices still inside their attribution windows at each group rung of an estimate's ladder, and at its personal rung when it has one. */
export interface OpenAtRungs {
  population: number;
  segment: number;
  'micro-segment': number;
  personal?: number;
}

/**
 * An estimate whose counts hold choices still inside their attribution windows
 * (docs/adr/0007-open-attribution-windows.md): their outcomes may still come, so counting them as
 * failures — as the counts do — gives the lowest reading of the rate, not the only one. The interval
 * is widened to the highest: its upper end is that of the same ladder with the open choices left
 * out (each rung's trials less its open ones, never below its successes). With `unexposed` — the
 * open choices weighed by the share of their conversions still to come under the learned delay
 * (OutcomeCounts.openUnexposed) — the value is that of the ladder over the choices' exposure (each
 * rung's trials less its unexposed share): the successes so far out of the chances that have had
 * time to convert — and the highest reading is the closed choices' own (`openSuccesses`: each
 * rung's successes among its open choices, which leave with them), the upper end the highest
 * of that, the exposures' and the counts' own. Without it (no delay learned yet) the value stays the
 * counts' own, the lower reading. The interval keeps the lowest reading's lower end and the highest
 * reading's upper end: the delay itself is learned, not known.
 * An estimate that was established becomes "learning" with reason `pending` when the widened
 * interval is wider than the policy allows, or the ladder without the open choices would not be
 * established: right after a campaign, `n=193` with no outcome yet is not evidence of a 0.4% rate.
 *
 * @example
 * withOpenWindows(model, { population: { successes: 0, trials: 193 } }, { population: 193, segment: 0, 'micro-segment': 0 }, e);
 * // { …e, high: the prior's upper end, status: 'learning', reason: 'pending' }
 */
export function withOpenWindows(model: LadderModel, counts: LadderCounts, open: OpenAtRungs, e: Estimate, unexposed?: OpenAtRungs, openSuccesses?: OpenAtRungs): Estimate {
  if (!(open.population > 0 || open.segment > 0 || open['micro-segment'] > 0 || (open.personal ?? 0) > 0)) return e;
  let without: Estimate;
  let value = e.value;
  let high: number;
  if (!unexposed) {
    // No delay learned: the highest reading leaves out the open choices that have not converted (yet).
    without = ladderEstimate(model, less(counts, open), e.updatedAt).estimate;
    high = Math.max(e.high, without.high);
  } else {
    // The delay learned: the value is the ladder's over the choices' exposures, and the highest
    // reading the closed choices' own — at each group rung the open ones leave with their
    // successes when those are known per hour (kept in, a week of open choices that had converted
    // read near 100%: the converted are known at once, the others only as their windows close;
    // until 2026-12-06 late evening only the population's left with theirs).
    const exposed = ladderEstimate(model, less(counts, unexposed), e.updatedAt).estimate;
    const closedOnly = less(counts, open, openSuccesses);
    without = ladderEstimate(model, closedOnly, e.updatedAt).estimate;
    high = Math.max(e.high, without.high, exposed.high);
    value = Math.min(Math.max(exposed.value, e.value), high);
  }
  const pending = e.status === 'established' && (without.status !== 'established' || !isEstablished(value, e.low, high, model.establishedWhen));
  // The open choices among the trials of its evidence: the rung's it is centred on, and below the
  // personal rung the subject's own too (ladder.ts, subjectBelief: a subject's trials count at its
  // personal rung, its posterior shrunk toward the group's). Until 2026-12-07 only the rung's were
  // shown: a subject shown an offer twice on a fresh install read "n=2", not that both were pending.
  // A subject's older choices are counted per day and read as spread over it (PersonalChoices), so
  // its open choices need not be a whole number: said to the nearest one.
  const rung = e.source;
  const own = rung === 'personal' ? 0 : (open.personal ?? 0);
  const open_ = (open[rung] ?? 0) + own;
  const choices = Math.round(open_);
  const unexposedShown = unexposed ? (unexposed[rung] ?? 0) + (rung === 'personal' ? 0 : (unexposed.personal ?? 0)) : 0;
  const shown = choices > 0 ? { open: { choices, ...(unexposed ? { exposure: Math.max(0, open_ - unexposedShown) } : {}) } } : {};
  return { ...e, value, high, ...(pending ? { status: 'learning' as const, reason: 'pending' as const } : {}), ...shown };
}

/**
 * The ladder's counts with `by` taken out of each rung's trials (never below its successes), and
 * with `won` — the successes among those choices — out of its successes.
 */
function less(counts: LadderCounts, by: OpenAtRungs, won?: OpenAtRungs): LadderCounts {
  const out: LadderCounts = { population: closed(counts.population, by.population, won?.population) };
  if (counts.segment) out.segment = closed(counts.segment, by.segment, won?.segment);
  if (counts['micro-segment']) out['micro-segment'] = closed(counts['micro-segment'], by['micro-segment'], won?.['micro-segment']);
  if (counts.personal) out.personal = closed(counts.personal, by.personal ?? 0, won?.personal);
  return out;
}

/**
 * A rung's counts less `open` of its trials (open, or unexposed), never below its successes (those
 * are decided) — with `won`, the successes of those open choices, leaving with them.
 */
function closed(c: RateCounts, open: number, won?: number): RateCounts {
  const successes = won && open > 0 ? Math.max(0, c.successes - Math.min(won, c.successes)) : c.successes;
  return { successes, trials: Math.max(successes, c.trials - open) };
}
