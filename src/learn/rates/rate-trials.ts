/**
 * A subject's trials of one rate when exposures and successes arrive as separate events (an
 * e-mail delivered, then opened within three days). A trial stays open until a success within its
 * window closes it as a success, or its window passes (a failure). The counts to estimate from
 * ({@link countsAt}) hold a trial only once its window has passed, whatever its outcome: a fresh
 * exposure never reads as a failure, and an early success never reads as a success of a trial
 * whose silent siblings are still left out (which read 6 opens of 20 e-mails as 6 of 6).
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
  /**
   * What this subject credited to each group row other than the population (a trial at each
   * exposure, a success when one closes a trial): its share of those rows, left out of the prior of
   * its own rung so that its trials count once ({@link ownCounts}). Absent in states stored before
   * 2026-12-04: for those only the open trials' groups are known.
   */
  credited?: Record<string, RateCounts>;
  /**
   * The closed counts a state stored before 2026-12-04 held when it was first changed since: the
   * groups they were credited to were not recorded, so {@link ownCounts} reads them as credited to
   * whichever group it is asked about — never counted twice there, at worst taking as many of the
   * others' trials out of a group the subject has since joined. Absent when zero.
   */
  unattributed?: RateCounts;
  /**
   * The open times of the trials a success closed while still inside their window, oldest first:
   * counted in `successes` and `trials` (the group rows count them at once), but left out of
   * {@link countsAt} until their window passes. Beyond {@link MAX_PENDING} the oldest counts at
   * once. Absent when empty, and in states stored before 2026-12-05 (whose successes count at once).
   */
  pendingSuccesses?: number[];
  /**
   * The trials closed as failures (their window passed, or beyond `maxOpen`), oldest first, at most
   * {@link MAX_FAILED}: a success that arrives after them (a log folded out of time order — opens
   * after a later delivery, or in another process) still closes the one whose window holds it, as a
   * success. Absent when empty, and in states stored before 2026-12-05.
   */
  failed?: OpenTrial[];
  /**
   * The times of the successes no exposure could answer yet, oldest first, at most
   * {@link MAX_UNANSWERED}: an exposure arriving later whose window holds one closes at once as a
   * success ({@link answerEarlySuccess}). They count nothing until then. Absent when empty.
   */
  unanswered?: number[];
  /**
   * The trials a success closed, as open time and the success's time (`by`), oldest first, at most
   * {@link MAX_FAILED}: a success or exposure arriving late may move that success to another trial
   * of its window, so that both are answered (the matching read in time order). Absent when empty.
   */
  answered?: { at: number; by: number }[];
}

/** The most successes kept waiting for their window ({@link TrialState.pendingSuccesses}); older ones count at once. */
export const MAX_PENDING = 100;

/** The most failed trials kept for a late success ({@link TrialState.failed}); older ones stay failures. */
export const MAX_FAILED = 100;

/** The most unanswered successes kept for a late exposure ({@link TrialState.unanswered}); older ones count nothing. */
export const MAX_UNANSWERED = 100;

/** Keeps the trials just closed as failures, oldest first and bounded, for a success arriving late. */
function keepFailed(s: TrialState, closed: readonly OpenTrial[]): void {
  if (!closed.length) return;
  const failed = [...(s.failed ?? []), ...closed].sort((a, b) => a.at - b.at || a.seq - b.seq);
  s.failed = failed.slice(Math.max(0, failed.length - MAX_FAILED));
}

/** Inserts a success's trial open time into `pendingSuccesses`, oldest first and bounded. */
function addPending(s: TrialState, at: number): void {
  const pending = (s.pendingSuccesses ??= []);
  let k = pending.length;
  while (k > 0 && pending[k - 1] > at) k--;
  pending.splice(k, 0, at);
  // The oldest beyond the bound count at once (they already are in `successes` and `trials`).
  if (pending.length > MAX_PENDING) pending.splice(0, pending.length - MAX_PENDING);
}

/** Whether a success at `at` can answer the trial opened at `o.at`. */
const answers = (o: { at: number }, at: number, windowMs: number) => o.at <= at && at - o.at < windowMs;

/**
 * Closes `trial` (open, or failed) as a success answered by the success at `by`: counted and
 * credited to its groups, its open time pending until its window passes, the match recorded.
 */
function closeAsSuccess(s: TrialState, trial: OpenTrial, by: number): void {
  const credited = creditedOf(s);
  const i = s.open.indexOf(trial);
  if (i >= 0) {
    s.open.splice(i, 1);
    s.trials += 1;
  } else {
    // A failure a late success answered: already counted as a trial, only its outcome changes.
    s.failed!.splice(s.failed!.indexOf(trial), 1);
    if (!s.failed!.length) delete s.failed;
  }
  s.successes += 1;
  credit(credited, trial.groups, 'success');
  addPending(s, trial.at);
  const answered = (s.answered ??= []);
  let k = answered.length;
  while (k > 0 && answered[k - 1].at > trial.at) k--;
  answered.splice(k, 0, { at: trial.at, by });
  if (answered.length > MAX_FAILED) answered.splice(0, answered.length - MAX_FAILED);
}

/**
 * A trial for a success at `at` (an augmenting path of the matching of successes to trials): the
 * oldest open, else failed, trial of its window; else a trial of its window another success closed,
 * if that success finds another in turn (it moves there, this one takes its place). Returns the
 * free trial that closes at the end of the path, and the success it is answered by.
 */
function trialFor(s: TrialState, at: number, windowMs: number, seen: Set<object>): { trial: OpenTrial; by: number } | undefined {
  const free = s.open.find((o) => answers(o, at, windowMs)) ?? s.failed?.find((o) => answers(o, at, windowMs));
  if (free) return { trial: free, by: at };
  for (const m of s.answered ?? []) {
    if (seen.has(m) || !answers(m, at, windowMs)) continue;
    seen.add(m);
    const r = trialFor(s, m.by, windowMs, seen);
    if (r) {
      m.by = at;
      return r;
    }
  }
  return undefined;
}

/**
 * A success for a trial opened at `at`, the other way round: an unanswered one of its window
 * (removed from `unanswered`), else one of its window that closed another trial, if that trial
 * finds another success in turn. Returns the success's time.
 */
function successFor(s: TrialState, at: number, windowMs: number, seen: Set<object>): number | undefined {
  const u = s.unanswered?.findIndex((x) => answers({ at }, x, windowMs)) ?? -1;
  if (u >= 0) {
    const [by] = s.unanswered!.splice(u, 1);
    if (!s.unanswered!.length) delete s.unanswered;
    return by;
  }
  if (!s.unanswered) return undefined;
  for (const m of s.answered ?? []) {
    if (seen.has(m) || !answers({ at }, m.by, windowMs)) continue;
    seen.add(m);
    const r = successFor(s, m.at, windowMs, seen);
    if (r !== undefined) {
      const by = m.by;
      m.by = r;
      return by;
    }
  }
  return undefined;
}

/** @example const s = newTrialState(); */
export const newTrialState = (): TrialState => ({ successes: 0, trials: 0, open: [], credited: {} });

/**
 * The credited counts of a state. A state stored before they were kept gets them once, before its
 * first change — its open trials' groups, and its closed counts as `unattributed` — so that an
 * expiry or a success never loses what the open trials were credited to, and reading the state
 * gives the same {@link ownCounts} before and after.
 */
function creditedOf(s: TrialState): Record<string, RateCounts> {
  if (!s.credited) {
    s.credited = {};
    for (const o of s.open) credit(s.credited, o.groups, 'trial');
    if (s.trials > 0) s.unattributed = { successes: s.successes, trials: s.trials };
  }
  return s.credited;
}

/** The closed counts whose groups are not known (a state stored before 2026-12-04): all of them until it is first changed. */
function unattributedOf(s: TrialState): RateCounts {
  if (!s.credited) return { successes: s.successes, trials: s.trials };
  return s.unattributed ?? { successes: 0, trials: 0 };
}

function credit(to: Record<string, RateCounts>, groups: readonly string[], what: 'trial' | 'success'): void {
  for (const g of groups) {
    if (g === POPULATION) continue;
    const c = (to[g] ??= { successes: 0, trials: 0 });
    if (what === 'trial') c.trials += 1;
    else c.successes += 1;
  }
}

/** The population row's subject id: every exposure is credited to it. */
const POPULATION = 'population';

/**
 * The subject's own share of a group row's counts — what the group row holds of this subject's
 * exposures and successes. The population holds every one of them (all its exposures, closed or
 * open, and its successes); another group what {@link TrialState.credited} says (or, in a state
 * stored before that was kept, its open trials credited there), plus the closed counts whose
 * groups were not recorded ({@link TrialState.unattributed}).
 *
 * @example
 * ownCounts({ successes: 2, trials: 5, open: [{ at: 0, seq: 9, groups: ['population'] }] }, 'population'); // { successes: 2, trials: 6 }
 */
export function ownCounts(s: TrialState, group: string): RateCounts {
  if (group === POPULATION) return { successes: s.successes, trials: s.trials + s.open.length };
  const u = unattributedOf(s);
  const c = s.credited ? (s.credited[group] ?? { successes: 0, trials: 0 }) : { successes: 0, trials: s.open.filter((o) => o.groups.includes(group)).length };
  return { successes: c.successes + u.successes, trials: c.trials + u.trials };
}

/**
 * The sum of several states (a subject and the profiles merged into it): counts added, open trials,
 * pending successes, failed trials and unanswered successes kept oldest first (within their bounds), credited and unattributed counts added (each state's as
 * {@link ownCounts} reads it). The sum of states stored before credited counts were kept is one of
 * those too.
 *
 * @example
 * addTrialStates([survivor, mergedAway]);
 */
export function addTrialStates(states: readonly TrialState[]): TrialState {
  const out: TrialState = {
    successes: states.reduce((s, x) => s + x.successes, 0),
    trials: states.reduce((s, x) => s + x.trials, 0),
    open: states.flatMap((x) => x.open).sort((a, b) => a.at - b.at || a.seq - b.seq),
  };
  const pending = states.flatMap((x) => x.pendingSuccesses ?? []).sort((a, b) => a - b);
  if (pending.length) out.pendingSuccesses = pending.slice(Math.max(0, pending.length - MAX_PENDING));
  const failed = states.flatMap((x) => x.failed ?? []).sort((a, b) => a.at - b.at || a.seq - b.seq);
  if (failed.length) out.failed = failed.slice(Math.max(0, failed.length - MAX_FAILED));
  const unanswered = states.flatMap((x) => x.unanswered ?? []).sort((a, b) => a - b);
  if (unanswered.length) out.unanswered = unanswered.slice(Math.max(0, unanswered.length - MAX_UNANSWERED));
  const answered = states.flatMap((x) => x.answered ?? []).sort((a, b) => a.at - b.at);
  if (answered.length) out.answered = answered.slice(Math.max(0, answered.length - MAX_FAILED));
  if (states.some((x) => x.credited)) {
    const credited: Record<string, RateCounts> = {};
    for (const x of states) {
      const u = unattributedOf(x);
      for (const g of new Set([...Object.keys(x.credited ?? {}), ...x.open.flatMap((o) => o.groups)])) {
        if (g === POPULATION) continue;
        const c = ownCounts(x, g);
        const to = (credited[g] ??= { successes: 0, trials: 0 });
        to.successes += c.successes - u.successes;
        to.trials += c.trials - u.trials;
      }
    }
    out.credited = credited;
    const unattributed = states.reduce((t, x) => {
      const u = unattributedOf(x);
      return { successes: t.successes + u.successes, trials: t.trials + u.trials };
    }, { successes: 0, trials: 0 });
    if (unattributed.trials > 0) out.unattributed = unattributed;
  }
  return out;
}

/**
 * Closes, as failures, the open trials whose window ended at or before `now`, and forgets the
 * pending successes whose window did (they count from now on); returns the closed trials.
 *
 * @example
 * expireTrials(s, Date.now(), 3 * 86_400_000); // [{ at: …, seq: 17, groups: [] }]
 */
export function expireTrials(s: TrialState, now: number, windowMs: number): OpenTrial[] {
  // Before an open trial leaves: in an old state it is the only record of its groups.
  creditedOf(s);
  let k = 0;
  while (k < s.open.length && s.open[k].at + windowMs <= now) k++;
  const closed = s.open.splice(0, k);
  s.trials += closed.length;
  keepFailed(s, closed);
  if (s.pendingSuccesses) {
    const still = s.pendingSuccesses.filter((at) => at + windowMs > now);
    if (still.length) s.pendingSuccesses = still;
    else delete s.pendingSuccesses;
  }
  return closed;
}

/**
 * An exposure opens a trial, counted as a trial of each of its groups in `credited`. Beyond
 * `maxOpen` open trials the oldest is closed as a failure (returned) so the state stays bounded.
 *
 * @example
 * openTrial(s, { at: t, seq: 41, groups: ['population'] });
 */
export function openTrial(s: TrialState, trial: OpenTrial, maxOpen = 100): OpenTrial[] {
  credit(creditedOf(s), trial.groups, 'trial');
  s.open.push(trial);
  const over = s.open.length - maxOpen;
  if (over <= 0) return [];
  s.trials += over;
  const closed = s.open.splice(0, over);
  keepFailed(s, closed);
  return closed;
}

/**
 * An exposure arriving after a success it answers (the log out of time order): if a success kept in
 * `unanswered` lies in the window of `trial` (just opened, still open), the trial closes at once as
 * a success, counted and credited as {@link resolveSuccess} does, and is returned.
 *
 * @example
 * openTrial(s, trial); answerEarlySuccess(s, trial, 3 * 86_400_000); // trial, if an open came first
 */
export function answerEarlySuccess(s: TrialState, trial: OpenTrial, windowMs: number): OpenTrial | undefined {
  if (!s.open.includes(trial) || !s.unanswered) return undefined;
  const by = successFor(s, trial.at, windowMs, new Set());
  if (by === undefined) return undefined;
  closeAsSuccess(s, trial, by);
  return trial;
}

/**
 * A success at time `at` closes the oldest open trial it can answer (opened at or before `at`,
 * less than `windowMs` earlier), counted as a success of each of its groups in `credited` and in
 * the state's closed counts, and returns it. Without one, it closes the oldest trial already closed
 * as a failure (`failed`) whose window holds it — the success arrived late — counted a success
 * instead; without that either, it counts nothing and waits in `unanswered` for a later exposure
 * ({@link answerEarlySuccess}). The trial's window has not passed yet, so its open time waits in `pendingSuccesses` until it
 * does: {@link countsAt} holds it only from then on, as it does the failures beside it.
 *
 * @example
 * resolveSuccess(s, t + 3_600_000, 3 * 86_400_000); // the trial opened at t
 */
export function resolveSuccess(s: TrialState, at: number, windowMs: number): OpenTrial | undefined {
  return resolveSuccessAmong([s], at, windowMs)?.trial;
}

/**
 * A success at `at` for a subject whose trials lie in several states (its own, and those of the
 * profiles merged into it): closes the oldest open trial any of them can answer, else the oldest
 * failed one, as {@link resolveSuccess} would in their union; unanswered, it is kept in the first
 * (the subject's own). Returns which state held it, and the trial.
 *
 * @example
 * resolveSuccessAmong([survivor, mergedAway], t, 3 * 86_400_000); // { state: 1, trial: { at: …, seq: 17, groups: […] } }
 */
export function resolveSuccessAmong(states: TrialState[], at: number, windowMs: number): { state: number; trial: OpenTrial } | undefined {
  const oldest = (list: (s: TrialState) => readonly OpenTrial[]) => {
    let best = -1;
    let found: OpenTrial | undefined;
    states.forEach((s, k) => {
      const o = list(s).find((x) => answers(x, at, windowMs));
      if (o && (!found || o.at < found.at || (o.at === found.at && o.seq < found.seq))) {
        best = k;
        found = o;
      }
    });
    return found ? { state: best, trial: found } : undefined;
  };
  // The oldest open trial, else one already closed as a failure whose window holds it (it came late).
  const hit = oldest((s) => s.open) ?? oldest((s) => s.failed ?? []);
  if (hit) {
    closeAsSuccess(states[hit.state], hit.trial, at);
    return hit;
  }
  // Else along the trials other successes closed: one of them moves to a free trial of its window.
  for (const [k, s] of states.entries()) {
    const r = trialFor(s, at, windowMs, new Set());
    if (r) {
      closeAsSuccess(s, r.trial, r.by);
      return { state: k, trial: r.trial };
    }
  }
  // Kept for an exposure that arrives later (answerEarlySuccess), in the subject's own state.
  const u = (states[0].unanswered ??= []);
  let k = u.length;
  while (k > 0 && u[k - 1] > at) k--;
  u.splice(k, 0, at);
  if (u.length > MAX_UNANSWERED) u.splice(0, u.length - MAX_UNANSWERED);
  return undefined;
}

/**
 * The counts to estimate from as of `now`: the trials whose window has passed by `now` — closed
 * ones, and open ones whose window passed (failures) — and no other. A trial still inside its
 * window is left out whatever its outcome so far: open, it may yet succeed; closed early by a
 * success (`pendingSuccesses`), counting it while its still-silent siblings are left out would
 * count successes sooner than failures and read the rate high. So a success enters the counts
 * only when its window ends — the estimate lags by the window, the price of being unbiased.
 *
 * @example
 * countsAt({ successes: 1, trials: 3, open: [{ at: 0, seq: 1, groups: [] }] }, 10, 5); // { successes: 1, trials: 4 }
 * countsAt({ successes: 1, trials: 1, open: [], pendingSuccesses: [8] }, 10, 5); // { successes: 0, trials: 0 }
 */
export function countsAt(s: TrialState, now: number, windowMs: number): RateCounts {
  let expired = 0;
  for (const o of s.open) if (o.at + windowMs <= now) expired++;
  let pending = 0;
  for (const at of s.pendingSuccesses ?? []) if (at + windowMs > now) pending++;
  return { successes: s.successes - pending, trials: s.trials - pending + expired };
}
