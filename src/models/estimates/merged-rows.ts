import type { ProfileStore } from '../../profiles/profile-store.js';
import { mergedInto } from '../../profiles/merged-ids.js';
import { type TrialState, addTrialStates } from '../../learn/rates/rate-trials.js';
import { ownReadings } from '../baselines/baseline-reader.js';
import type { SlotCounts } from '../send-time/send-time-model.js';
import type { EstimateKey, EstimateStore, StoredEstimate } from './estimate-store.js';

/**
 * One model state from the survivor's row and the rows of the profiles merged into it, so what a
 * person did before two of their identities met still counts: send-time slot counts (and the
 * engagement held while a zone was unknown) and rate trials add up (open trials kept, oldest
 * first; with what each profile credited to its groups), last changed when any of the rows did; for
 * a metric baseline (decayed sums that cannot simply be added) the row with more readings stands.
 * The survivor's row carries the result.
 *
 * @example
 * combineRows([survivorRow, anonymousRow]); // send-time: counts summed slot by slot
 */
export function combineRows(rows: readonly StoredEstimate[]): StoredEstimate | undefined {
  if (rows.length <= 1) return rows[0];
  const [first] = rows;
  // Counts that add up changed when any of their rows did.
  const updatedAt = Math.max(...rows.map((r) => r.updatedAt));
  if (first.model === 'send-time') {
    const counts = (first.state as SlotCounts).counts.slice();
    for (const r of rows.slice(1)) (r.state as SlotCounts).counts.forEach((c, i) => (counts[i] = (counts[i] ?? 0) + c));
    // Engagement held while a profile's zone was unknown: read in the survivor's zone.
    const unzoned = rows.flatMap((r) => (r.state as SlotCounts).unzoned ?? []);
    return { ...first, updatedAt, state: { ...(first.state as object), counts, ...(unzoned.length ? { unzoned } : {}) } };
  }
  if (first.model === 'rate') {
    return { ...first, updatedAt, state: addTrialStates(rows.map((r) => r.state as TrialState)) };
  }
  if (first.model === 'baseline') {
    return rows.reduce((best, r) => (ownReadings(r) > ownReadings(best) ? { ...r, subjectId: first.subjectId } : best));
  }
  return first;
}

/**
 * A subject's estimate rows with the history of the profiles merged into it combined in
 * ({@link combineRows}); keyed by `model:key`. `merged` (the profiles merged into the subject)
 * is read from the merge records unless the caller already has it.
 *
 * @example
 * const rows = await combinedRows(store, 'p_1'); rows.get('send-time:');
 */
export async function combinedRows(store: { profiles: Pick<ProfileStore, 'merges'>; estimates: Pick<EstimateStore, 'forSubject' | 'getMany'> }, subjectId: string, only?: Omit<EstimateKey, 'subjectId'>[], merged?: readonly string[]): Promise<Map<string, StoredEstimate>> {
  const ids = [subjectId, ...(merged ?? (await mergedInto(store.profiles, subjectId)))];
  const byKey = new Map<string, StoredEstimate[]>();
  for (const id of ids) {
    const rows = only ? await store.estimates.getMany(only.map((k) => ({ ...k, subjectId: id }))) : await store.estimates.forSubject(id);
    for (const r of rows) {
      const k = `${r.model}:${r.key}`;
      const list = byKey.get(k);
      if (list) list.push(r);
      else byKey.set(k, [r]);
    }
  }
  const out = new Map<string, StoredEstimate>();
  for (const [k, list] of byKey) {
    // the survivor's own row leads (it is what the consumers keep writing to)
    list.sort((a, b) => (a.subjectId === subjectId ? -1 : b.subjectId === subjectId ? 1 : 0));
    const combined = combineRows(list);
    if (combined) out.set(k, { ...combined, subjectId });
  }
  return out;
}
