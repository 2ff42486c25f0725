import { timeSlicer, type TimeSlicer } from '../models/train/time-slice.js';
import type { DecisionStore, OutcomePosition, OutcomeRecord } from './decision-store.js';

/**
 * Outcomes read per page: each is read (and mapped) synchronously on the embedded store, ≈ 10–30 µs
 * an outcome, so a page holds the thread a few ms.
 */
export const OUTCOME_PAGE = 500;

/**
 * Every outcome since `from`, in the log's order, read {@link OUTCOME_PAGE} at a time with the
 * event loop given a turn between two pages once `slice` has run out — the same rows, in the same
 * order, as `outcomesSince(from)`, whose one read of 80,000 outcomes held the embedded store's
 * thread 1.4–1.8 s (uplift training and the decisions' calibration read it so).
 *
 * @example
 * const outcomes = await outcomesSincePaged(store.decisions, Date.now() - 7 * 86_400_000);
 */
export async function outcomesSincePaged(decisions: Pick<DecisionStore, 'outcomesPage'>, from: number, slice: TimeSlicer = timeSlicer()): Promise<OutcomeRecord[]> {
  const out: OutcomeRecord[] = [];
  let after: OutcomePosition | undefined;
  do {
    await slice.pause();
    const page = await decisions.outcomesPage(from, { ...(after ? { after } : {}), limit: OUTCOME_PAGE });
    for (const o of page.outcomes) out.push(o);
    after = page.next;
  } while (after);
  return out;
}
