/**
 * A subject's trials of one rate when exposures and successes arrive as separate events (an
 * e-mail delivered, then opened within three days). A trial stays open until a success within its
 * window closes it as a success, or its window passes (a failure). Counts for estimation leave out
 * the trials still inside their window — they may yet succeed — so a fresh exposure never reads
 * as a failure.
 */
import type { RateCounts } from './beta-binomial.js';

/** An exposure waiting for its outcome, with the group rows it was credited to. */
export interface OpenTrial {
  at: number;
  seq: number;
  groups: string[];
}

/** Closed counts and the open trials, oldest first (plain JSON). */
export interface TrialState {
  successes: number;
  trials: number;
  open: OpenTrial[];
}

/** @example const s = newTrialState(); */
export const newTrialState = (): TrialState => ({ successes: 0, trials: 0, open: [] });

/**
 * Closes, as failures, the open trials whose window ended at or before `now`; returns them.
 *
 * @example
 * expireTrials(s, Date.now(), 3 * 86_400_000); // [{ at: …, seq: 17, groups: [] }]
 */
export function expireTrials(s: TrialState, now: number, windowMs: number): OpenTrial[] {
  let k = 0;
  while (k < s.open.length && s.open[k].at + windowMs <= now) k++;
  const closed = s.open.splice(0, k);
  s.trials += closed.length;
  return closed;
}

/**
 * An exposure opens a trial. Beyond `maxOpen` open trials the oldest is closed as a failure
 * (returned) so the state stays bounded.
 *
 * @example
 * openTrial(s, { at: t, seq: 41, groups: ['population'] });
 */
export function openTrial(s: TrialState, trial: OpenTrial, maxOpen = 100): OpenTrial[] {
  s.open.push(trial);
  const over = s.open.length - maxOpen;
  if (over <= 0) return [];
  s.trials += over;
  return s.open.splice(0, over);
}

/**
 * A success at time `at` closes the oldest open trial it can answer (opened at or before `at`,
 * less than `windowMs` earlier) and returns it; a success without such an exposure counts nothing.
 *
 * @example
 * resolveSuccess(s, t + 3_600_000, 3 * 86_400_000); // the trial opened at t
 */
export function resolveSuccess(s: TrialState, at: number, windowMs: number): OpenTrial | undefined {
  const i = s.open.findIndex((o) => o.at <= at && at - o.at < windowMs);
  if (i < 0) return undefined;
  const [trial] = s.open.splice(i, 1);
  s.trials += 1;
  s.successes += 1;
  return trial;
}

/**
 * A success at `at` for a subject whose trials lie in several states (its own, and those of the
 * profiles merged into it): closes the oldest open trial any of them can answer, as
 * {@link resolveSuccess} would in their union. Returns which state held it, and the trial.
 *
 * @example
 * resolveSuccessAmong([survivor, mergedAway], t, 3 * 86_400_000); // { state: 1, trial: { at: …, seq: 17, groups: […] } }
 */
export function resolveSuccessAmong(states: TrialState[], at: number, windowMs: number): { state: number; trial: OpenTrial } | undefined {
  let best = -1;
  let oldest: OpenTrial | undefined;
  states.forEach((s, k) => {
    const o = s.open.find((x) => x.at <= at && at - x.at < windowMs);
    if (o && (!oldest || o.at < oldest.at || (o.at === oldest.at && o.seq < oldest.seq))) {
      best = k;
      oldest = o;
    }
  });
  if (best < 0) return undefined;
  return { state: best, trial: resolveSuccess(states[best], at, windowMs)! };
}

/**
 * The counts to estimate from as of `now`: closed trials, plus open ones whose window has passed
 * (failures); trials still inside their window are left out.
 *
 * @example
 * countsAt({ successes: 1, trials: 3, open: [{ at: 0, seq: 1, groups: [] }] }, 10, 5); // { successes: 1, trials: 4 }
 */
export function countsAt(s: TrialState, now: number, windowMs: number): RateCounts {
  let expired = 0;
  for (const o of s.open) if (o.at + windowMs <= now) expired++;
  return { successes: s.successes, trials: s.trials + expired };
}
