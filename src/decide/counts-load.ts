import type { DecisionStore } from './decision-store.js';
import { recordGroupKeys } from './estimating/prefetch.js';
import type { OutcomeCounts } from './outcome-counts.js';

/**
 * The estimates' counts as a start rebuilds them from the decision log: trials and successes per
 * (action, group) first — the subjects' counts, read without their groups, are then their share of
 * each (OutcomeCounts.loadTrials) — then per (action, subject).
 *
 * @example
 * await loadCounts(store.decisions, counts);
 */
export async function loadCounts(store: Pick<DecisionStore, 'groupCounts' | 'trialCounts' | 'successCounts'>, counts: OutcomeCounts): Promise<void> {
  for (const r of await store.groupCounts()) for (const g of recordGroupKeys(r)) counts.loadGroup(r.action, g, Number(r.trials), Number(r.successes));
  for (const r of await store.trialCounts()) counts.loadTrials(r.action, r.profileKey, r.n);
  for (const r of await store.successCounts()) counts.loadSuccesses(r.action, r.profileKey, r.n);
}

/**
 * The choices decided from `from` to before `to`, counted open per hour until their attribution
 * windows end (ADR 0007) — for the population, and for the ladder groups their decisions recorded.
 * The store hands them over in parts with `pause` awaited between: a server reads them after its
 * start, in the background, so a week's log holds neither the start nor the event loop for long.
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
): Promise<void> {
  if (!store.readOpenChoices || !(to > from)) return;
  await store.readOpenChoices(from, to, (rows) => {
    for (const r of rows) {
      const n = Number(r.n);
      const hour = Number(r.hour);
      counts.loadOpen(r.action, null, hour, n);
      for (const g of recordGroupKeys(r)) counts.loadOpen(r.action, g, hour, n);
    }
  }, pause);
  // Curves of how long successes take, made while these were read, read too few choices.
  counts.delays.forget();
}

/** Hours of choices kept and read past the longest attribution window: the delays' life table reads choices old enough to have had all of it (OutcomeDelays). */
export const LIFE_TABLE_MS = 2 * 3_600_000;

/** The most successes a start reads for their delays (the newest). */
export const DELAYS_READ = 100_000;

/**
 * The successes of the choices made since `since` (the longest attribution window, and the two hours
 * the life table needs past it), with their choices' times, so the estimates know how long
 * conversions take from the start on (OutcomeDelays). When there are more than {@link DELAYS_READ},
 * the newest are read and the choices made before the oldest of them are left out of the curve
 * (some of their successes were not read).
 *
 * @example
 * await loadDelays(store.decisions, counts, Date.now() - 7 * 86_400_000 - 2 * 3_600_000);
 */
export async function loadDelays(store: Pick<DecisionStore, 'successDelays'>, counts: OutcomeCounts, since: number): Promise<void> {
  if (!store.successDelays) return;
  const rows = await store.successDelays(since, DELAYS_READ);
  for (const r of rows) counts.delays.add(r.action, Number(r.decidedAt), Number(r.at) - Number(r.decidedAt));
  if (rows.length >= DELAYS_READ) counts.delays.completeSince(Math.min(...rows.map((r) => Number(r.at))));
}
