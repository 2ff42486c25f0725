import { type FeatureRange, unionRange } from '../../learn/bandit/feature-range.js';
import { mergePosterior } from '../../learn/bandit/merge.js';
import { carryPosterior, copyScaling, identityScaling, mergeScaling, refitDue } from '../../learn/bandit/scaling.js';
import { banditToJson } from '../../learn/bandit/serialize.js';
import { type BanditAction, type BanditState, rescaleBandit } from '../../learn/bandit/thompson.js';
import { type Book, type Entry, type RowState, BANDIT_MODEL, adopt, copy, fromRow, paramsOf } from './placement-state.js';

/** Writes of one placement's bandit refused (another process wrote it since it was read) before a save leaves it to the next. */
const SAVE_TRIES = 5;

/** The range of contexts a merged belief learned from: the stored one's and ours, with the most outcomes either learned without a recorded context (feature-range.ts unionRange). */
const rangeOf = (...sides: { range?: FeatureRange; evidence: number }[]): { range: FeatureRange | undefined } => ({ range: unionRange(...sides) });
const later = (a: number | null | undefined, b: number | null | undefined): number | null => (typeof a === 'number' && typeof b === 'number' ? Math.max(a, b) : (a ?? b ?? null));

/** Merges each bandit with the stored one and writes those that learned (PlacementBandits.save, which runs one at a time). */
export async function saveAll(b: Book): Promise<void> {
  // A mark dated before now is before the next row's write: that row needs it no more.
  const now = b.d.now();
  for (const [key, m] of b.ahead) if (m.at < now) b.ahead.delete(key);
  for (const [placement, e] of [...b.entries]) {
    // Refused: another process wrote the bandit since we read it; read it and merge again (what
    // is still refused after a few tries stays ours to add at the next save).
    for (let tries = 0; tries < SAVE_TRIES; tries++) if (await saveOne(b, placement, e)) break;
  }
}

/** Merges one placement's bandit with the stored one and writes it; false when the write was refused (nothing adopted). */
async function saveOne(b: Book, placement: string, e: Entry): Promise<boolean> {
  const [row] = await b.d.store.getMany([{ subjectId: 'population', model: BANDIT_MODEL, key: placement }]);
  const stored = row ? fromRow(row) : undefined;
  const read = row?.seq ?? null;
  if (e.dirty && (!stored || stored.updates === e.baseUpdates)) {
    // Nobody else wrote since our snapshot: the merge would give our own state back, so it is
    // written as it is and kept (with its refit windows, which live in memory only).
    e.dirty = false;
    const updates = e.state.updates;
    const params = paramsOf(e.state.scaling);
    const snapshot = new Map(e.state.actions.map((a) => [a.id, copy(a, params)]));
    const scaling = e.state.scaling && copyScaling(e.state.scaling);
    if (!(await persist(b, placement, e.state, read))) {
      e.dirty = true;
      return false;
    }
    e.base = snapshot;
    e.baseUpdates = updates;
    e.baseScaling = scaling;
    if (e.state.updates !== updates) e.dirty = true;
    return true;
  }
  if (!e.dirty) {
    if (stored && stored.updates !== e.baseUpdates && stored.config.features === e.state.config.features) adopt(b, placement, stored, e);
    return true;
  }
  const snapParams = paramsOf(e.state.scaling);
  const snapshot = new Map(e.state.actions.map((a) => [a.id, copy(a, snapParams)]));
  const snapScaling = e.state.scaling && copyScaling(e.state.scaling);
  const snapUpdates = e.state.updates;
  const compatible = stored && stored.config.features === e.state.config.features ? stored : undefined;
  // A stored bandit of other features is replaced, not merged: its outcomes are not this one's.
  const merged: BanditState = { config: { ...e.state.config }, actions: [], updates: snapUpdates - e.baseUpdates + (compatible?.updates ?? 0) };
  // Merged in the stored bandit's units (raw when it has none); each side is carried there exactly.
  const into = compatible ? paramsOf(compatible.scaling) : snapParams;
  if (snapScaling) {
    const features = e.state.config.features;
    merged.scaling = compatible ? mergeScaling(compatible.scaling ?? identityScaling(features), e.baseScaling ?? identityScaling(features), snapScaling) : copyScaling(snapScaling);
  }
  for (const [id, local] of snapshot) {
    const st = compatible?.actions.find((a) => a.id === id);
    const base = e.base.get(id);
    const mine = carryPosterior(local, snapParams, into);
    // nothing absorbed here since the last merge: the stored belief stands (a prior taken afresh in new units is no evidence)
    const belief = st && base ? (local.evidence === base.evidence ? st : mergePosterior(st, carryPosterior(base, base.params, into), mine)) : mine;
    const range = st && base ? (local.evidence === base.evidence ? rangeOf(st) : rangeOf(st, local)) : rangeOf(local);
    merged.actions.push({ ...belief, id, priorEvidence: st?.priorEvidence ?? local.priorEvidence, updatedAt: later(st?.updatedAt, local.updatedAt), ...range });
  }
  for (const st of compatible?.actions ?? []) if (!snapshot.has(st.id)) merged.actions.push(st);
  if (merged.scaling && refitDue(merged.scaling)) rescaleBandit(merged);
  e.dirty = false;
  if (!(await persist(b, placement, merged, read))) {
    e.dirty = true;
    return false;
  }
  // What was absorbed while we wrote stays ours to add next time: local = merged + (now − snapshot).
  const now = b.entries.get(placement);
  if (now !== e) return true;
  const late = e.state.updates - snapUpdates;
  const curParams = paramsOf(e.state.scaling);
  const mergedParams = paramsOf(merged.scaling);
  const actions = merged.actions.map((m): BanditAction => {
    const cur = e.state.actions.find((a) => a.id === m.id);
    const snap = snapshot.get(m.id);
    if (!(cur && snap && late && cur.evidence !== snap.evidence)) return m;
    const moved = mergePosterior(m, carryPosterior(snap, snapParams, mergedParams), carryPosterior(cur, curParams, mergedParams));
    return { ...moved, id: m.id, priorEvidence: m.priorEvidence, updatedAt: later(m.updatedAt, cur.updatedAt), ...rangeOf(m, cur) };
  });
  for (const a of e.state.actions) if (!actions.some((m) => m.id === a.id)) actions.push({ ...a, ...carryPosterior(a, curParams, mergedParams), relin: undefined });
  e.state.actions = actions;
  e.base = new Map(merged.actions.map((a) => [a.id, copy(a, mergedParams)]));
  e.baseScaling = merged.scaling && copyScaling(merged.scaling);
  if (merged.scaling && e.state.scaling && snapScaling) e.state.scaling = mergeScaling(merged.scaling, snapScaling, e.state.scaling);
  e.baseUpdates = merged.updates;
  e.state.updates = merged.updates + late;
  if (late) e.dirty = true;
  return true;
}

/**
 * Writes a placement's bandit as its estimates row, if that row is still as read (`read`: its seq,
 * null when there was none); false when not. The JSON is taken before the write waits.
 */
function persist(b: Book, placement: string, state: BanditState, read: number | null): Promise<boolean> {
  // The row's time is the catch-up's watermark (load): written in the same instant as the state is taken.
  const at = b.d.now();
  const ahead = [...b.ahead].filter(([, m]) => m.placement === placement && m.at >= at);
  const json: RowState = { ...banditToJson(state), ...(ahead.length ? { learnedAhead: Object.fromEntries(ahead.map(([key, m]) => [key, m.at])) } : {}) };
  return b.d.store.replace({ subjectId: 'population', model: BANDIT_MODEL, key: placement, estimate: null, state: json, modelVersion: `${BANDIT_MODEL}:${placement}@${state.updates}`, seq: state.updates, updatedAt: at }, read);
}
