import type { LogPosition } from '../../decide/decision-cursor.js';
import type { Store } from '../../store/store.js';
import type { ModelVersion } from '../registry/model-store.js';
import { mergedInto } from '../../profiles/merged-ids.js';
import type { ProfileStore } from '../../profiles/profile-store.js';
import { HELD_OUT_SPLIT, type HeldOutSplit, subjectOfRow } from './held-out.js';
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
 * The split a version was trained on, as its state records it (a version of 2026-12-04 whose
 * metrics alone count held-out decisions: split by the decision's key); undefined for a version
 * trained on every subject ({@link trainedOnSplit} false).
 *
 * @example
 * splitOf(live); // { salt: 'uplift-held-out', share: 0.2, by: 'subject', asOf: 1765… }
 */
export function splitOf(v: Pick<ModelVersion, 'state' | 'metrics'>): HeldOutSplit | undefined {
  if (!trainedOnSplit(v)) return undefined;
  return (v.state as UpliftState | undefined)?.heldOut ?? { salt: HELD_OUT_SPLIT.salt, share: HELD_OUT_SPLIT.share };
}

/**
 * The profile keys a version trained on every subject learned from: those with a decision in its
 * data window (`dataFrom`–`dataTo`, both included: its log read the decisions up to `dataTo`).
 * Read from the log a page at a time; every decision there counts, even one the trainer skipped
 * (a handoff), which can only leave out more. Every key is kept, whichever side of the split it
 * hashes to: a held-out subject may have been decided for under another profile since merged into
 * it ({@link personKeys}).
 *
 * @example
 * await heldOutSubjectsSeenBy(store, live); // Set { 'p17', 'p42', … }
 */
export async function heldOutSubjectsSeenBy(store: Store, v: Pick<ModelVersion, 'dataFrom' | 'dataTo'>): Promise<Set<string>> {
  const seen = new Set<string>();
  let after: LogPosition | undefined;
  for (;;) {
    const page = await store.decisions.queryDecisions({ from: v.dataFrom ?? 0, to: v.dataTo + 1, after, limit: PAGE });
    for (const d of page) seen.add(d.profileKey);
    if (page.length < PAGE) return seen;
    const last = page[page.length - 1];
    after = { at: last.at, id: last.id };
  }
}

/**
 * Per subject (now) of these rows, the profile keys its decisions may carry: the subject, every
 * profile merged into it (src/profiles/merged-ids.ts), and the keys of the rows' own merges — one
 * walk of the merge records per distinct subject.
 *
 * @example
 * await personKeys(store.profiles, heldOut); // Map { 'p_ana' => Set { 'p_ana', 'p_visitor' } }
 */
export async function personKeys(profiles: Pick<ProfileStore, 'merges'>, rows: readonly LoggedDecision[]): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  for (const r of rows) {
    const subject = subjectOfRow(r);
    let keys = out.get(subject);
    if (!keys) out.set(subject, (keys = new Set([subject])));
    keys.add(r.record.profileKey);
    for (const m of r.moves ?? []) keys.add(m.from).add(m.into);
  }
  const subjects = [...out.keys()];
  for (let i = 0; i < subjects.length; i += 32) {
    await Promise.all(subjects.slice(i, i + 32).map(async (s) => {
      const keys = out.get(s)!;
      for (const from of await mergedInto(profiles, s)) keys.add(from);
    }));
  }
  return out;
}

/**
 * The held-out rows a version trained on every subject never learned from: decisions made after
 * its data window ended, of subjects none of whose profile keys (`keysOf`: {@link personKeys}; by
 * default the row's own key) had a decision inside it — a subject's later decision shares its
 * facts and, when windows overlap, its very conversions with the earlier one the version was
 * fitted on (the reason the split keeps a subject's decisions on one side).
 *
 * @example
 * unseenRows(heldOut, live, await heldOutSubjectsSeenBy(store, live), await personKeys(store.profiles, heldOut));
 */
export function unseenRows(rows: readonly LoggedDecision[], v: Pick<ModelVersion, 'dataTo'>, seen: ReadonlySet<string>, keysOf?: ReadonlyMap<string, ReadonlySet<string>>): LoggedDecision[] {
  return rows.filter((r) => {
    if (r.record.at <= v.dataTo || seen.has(r.record.profileKey)) return false;
    for (const k of keysOf?.get(subjectOfRow(r)) ?? []) if (seen.has(k)) return false;
    return true;
  });
}
