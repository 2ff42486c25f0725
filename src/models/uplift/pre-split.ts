import type { LogPosition } from '../../decide/decision-cursor.js';
import type { Store } from '../../store/store.js';
import type { ModelVersion } from '../registry/model-store.js';
import { HELD_OUT_SPLIT, heldOutSubject } from './held-out.js';
import type { LoggedDecision } from './uplift-log.js';
import type { UpliftState } from './uplift-model.js';

const PAGE = 2000;

/**
 * Whether a version was trained without this split's held-out subjects: its state records the
 * split (since 2026-12-04), or — trained on 2026-12-04 before the state recorded it — its metrics
 * count the held-out decisions it left out (`heldOut`), which only a trainer with this split wrote.
 * A version trained earlier learned from every subject, the held-out ones included.
 *
 * @example
 * trainedOnSplit(live); // false for a version trained before the held-out split
 */
export function trainedOnSplit(v: Pick<ModelVersion, 'state' | 'metrics'>): boolean {
  const split = (v.state as UpliftState | undefined)?.heldOut;
  if (split) return split.salt === HELD_OUT_SPLIT.salt && split.share === HELD_OUT_SPLIT.share;
  return typeof v.metrics.heldOut === 'number';
}

/**
 * The held-out subjects a version trained on every subject learned from: those with a decision in
 * its data window (`dataFrom`–`dataTo`, both included: its log read the decisions up to `dataTo`).
 * Read from the log a page at a time; every decision there counts, even one the trainer skipped
 * (a handoff), which can only leave out more.
 *
 * @example
 * await heldOutSubjectsSeenBy(store, live); // Set { 'p17', 'p42', … }
 */
export async function heldOutSubjectsSeenBy(store: Store, v: Pick<ModelVersion, 'dataFrom' | 'dataTo'>): Promise<Set<string>> {
  const seen = new Set<string>();
  let after: LogPosition | undefined;
  for (;;) {
    const page = await store.decisions.queryDecisions({ from: v.dataFrom ?? 0, to: v.dataTo + 1, after, limit: PAGE });
    for (const d of page) if (heldOutSubject(d.profileKey)) seen.add(d.profileKey);
    if (page.length < PAGE) return seen;
    const last = page[page.length - 1];
    after = { at: last.at, id: last.id };
  }
}

/**
 * The held-out rows a version trained on every subject never learned from: decisions made after
 * its data window ended, of subjects with no decision inside it — a subject's later decision
 * shares its facts and, when windows overlap, its very conversions with the earlier one the
 * version was fitted on (the reason the split keeps a subject's decisions on one side).
 *
 * @example
 * unseenRows(heldOut, live, await heldOutSubjectsSeenBy(store, live));
 */
export function unseenRows(rows: readonly LoggedDecision[], v: Pick<ModelVersion, 'dataTo'>, seen: ReadonlySet<string>): LoggedDecision[] {
  return rows.filter((r) => r.record.at > v.dataTo && !seen.has(r.record.profileKey));
}
