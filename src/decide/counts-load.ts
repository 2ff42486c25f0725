import type { DecisionStore } from './decision-store.js';
import { recordGroupKeys } from './estimating/prefetch.js';
import { HOUR_MS } from './open-trials.js';
import type { OutcomeCounts } from './outcome-counts.js';
import { PERSONAL_CHOICES } from './personal-choices.js';
import type { ContactRow } from './records.js';

/**
 * The estimates' counts as a start rebuilds them from the decision log: trials and successes per
 * (action, group) first — the subjects' counts, read without their groups, are then their share of
 * each (OutcomeCounts.loadTrials) — then per (action, subject); each with when it last changed.
 *
 * @example
 * await loadCounts(store.decisions, counts);
 */
export async function loadCounts(store: Pick<DecisionStore, 'groupCounts' | 'trialCounts' | 'successCounts'>, counts: OutcomeCounts): Promise<void> {
  for (const r of await store.groupCounts()) for (const g of recordGroupKeys(r)) counts.loadGroup(r.action, g, Number(r.trials), Number(r.successes), r.at);
  for (const r of await store.trialCounts()) counts.loadTrials(r.action, r.profileKey, r.n, r.at);
  for (const r of await store.successCounts()) counts.loadSuccesses(r.action, r.profileKey, r.n, r.at);
}

/**
 * The choices decided from `from` to before `to`, counted open per hour until their attribution
 * windows end (ADR 0007) — for the population, and for the ladder groups their decisions recorded.
 * The store hands them over in parts with `pause` awaited between: a server reads them after its
 * start, in the background, so a week's log holds neither the start nor the event loop for long.
 * With `upToSeq`, the decisions numbered after it are left to the caller (a shared store's syncs).
 *
 * @example
 * await loadOpenChoices(store.decisions, counts, Date.now() - 7 * 86_400_000, Date.now());
 */
export async function loadOpenChoices(
  store: Pick<DecisionStore, 'readOpenChoices'>,
  counts: OutcomeCounts,
  from: number,
  to: number,
  pause: () => Promise<void> = async () => {},
  upToSeq?: number,
): Promise<void> {
  if (!store.readOpenChoices || !(to > from)) return;
  await store.readOpenChoices(from, to, (rows) => {
    for (const r of rows) {
      const n = Number(r.n);
      const hour = Number(r.hour);
      counts.loadOpen(r.action, null, hour, n);
      for (const g of recordGroupKeys(r)) counts.loadOpen(r.action, g, hour, n);
    }
  }, pause, upToSeq);
  // Curves of how long successes take, made while these were read, read too few choices.
  counts.delays.forget();
}

/** Hours of choices kept and read past the longest attribution window: the delays' life table reads choices old enough to have had all of it (OutcomeDelays). */
export const LIFE_TABLE_MS = 2 * 3_600_000;

/** The most choices whose successes a start reads for their delays: past it, every n-th hour's. */
export const DELAYS_READ = 200_000;

/**
 * The successes logged up to outcome `upTo` of the choices of the hours `counts.open` holds from
 * `since` (the longest attribution window and two hours more), an hour of choices at a time with
 * `pause` awaited between, so the estimates know how long conversions take (OutcomeDelays). With more
 * than {@link DELAYS_READ} choices in those hours, every n-th hour's, newest first (the life table
 * reads each hour's successes against that hour's choices: any hours spanning the window serve).
 * Successes after `upTo` are counted as they come (DecideState.applyOutcome).
 *
 * @example
 * await loadDelays(store.decisions, counts, Date.now() - 7 * 86_400_000 - 2 * 3_600_000, Date.now(), await store.decisions.lastOutcomeSeq());
 */
export async function loadDelays(store: Pick<DecisionStore, 'successDelays'>, counts: OutcomeCounts, since: number, now: number, upTo: number, pause: () => Promise<void> = async () => {}): Promise<void> {
  if (!store.successDelays) return;
  const perHour = new Map<number, number>();
  for (const action of counts.open.actions()) counts.open.hours(action)?.forEach((n, h) => perHour.set(h, (perHour.get(h) ?? 0) + n));
  const last = Math.floor(now / HOUR_MS);
  const first = Math.floor(since / HOUR_MS);
  let total = 0;
  for (let h = first; h <= last; h++) total += perHour.get(h) ?? 0;
  const stride = Math.max(1, Math.ceil(total / DELAYS_READ));
  for (let h = last; h >= first; h -= stride) {
    if (perHour.has(h)) {
      for (const r of await store.successDelays(h * HOUR_MS, (h + 1) * HOUR_MS, upTo)) {
        const decidedAt = Number(r.decidedAt);
        counts.delays.add(r.action, decidedAt, Number(r.at) - decidedAt);
        // The groups' successes among their open choices, from the same rows (OutcomeCounts.openGroupSuccesses).
        for (const g of recordGroupKeys(r)) counts.open.addSuccess(r.action, g, decidedAt);
      }
    }
    counts.delays.markRead(h);
    await pause();
  }
  counts.delays.forget();
}

/** A choice a subject's personal rung keeps, read from the log, and whether a success was credited to it. */
export interface LoggedChoice {
  profileKey: string;
  action: string;
  at: number;
  won: boolean;
}

/**
 * Contacts read from the log as the choices each subject's personal rung keeps — its newest
 * {@link PERSONAL_CHOICES} one by one, the older counted per action and day — and which of them
 * converted (one `successesOf` read for them all), for OutcomeCounts.noteLoggedChoice (ADR 0007).
 * Until 2026-12-07 only the newest were passed on: the rest read as closed.
 *
 * @example
 * for (const c of await keptChoices(store.decisions, rows)) counts.noteLoggedChoice(c.action, c.profileKey, c.at, c.won);
 */
export async function keptChoices(store: Pick<DecisionStore, 'successesOf'>, rows: readonly ContactRow[]): Promise<LoggedChoice[]> {
  // Oldest first: each subject's list fills in time order, the older choices leaving it for their counts as newer come.
  const kept = [...rows].sort((x, y) => x.at - y.at);
  const won = kept.length && store.successesOf ? await store.successesOf([...new Set(kept.map((c) => c.decisionId))]) : [];
  const converted = new Set(won.map((w) => `${w.decisionId}|${w.action}`));
  return kept.map((c) => ({ profileKey: c.profileKey, action: c.action, at: c.at, won: converted.has(`${c.decisionId}|${c.action}`) }));
}
