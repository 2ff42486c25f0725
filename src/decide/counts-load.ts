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
}
