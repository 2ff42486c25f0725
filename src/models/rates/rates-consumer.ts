import type { LoggedEvent } from '../../collect/log-consumers.js';
import type { Settings } from '../../config/settings.js';
import type { RateCounts } from '../../learn/rates/beta-binomial.js';
import { type OpenTrial, type TrialState, answerEarlySuccess, expireTrials, newTrialState, openTrial, resolveSuccessAmong } from '../../learn/rates/rate-trials.js';
import { mergedInto } from '../../profiles/merged-ids.js';
import type { LadderPosition, SegmentLookup } from '../../segments/segment-lookup.js';
import type { Store } from '../../store/store.js';
import { EstimateBatch, type SubjectEvent, withSubjects } from '../estimates/estimate-batch.js';
import type { AfterWrite, KindConsumer } from '../estimates/learn-consumers.js';
import type { ModelRegistry } from '../registry/registry.js';
import { type RatesModelState, type TimedRow, groupKeys, ladderFor, rateNow } from './rate-model.js';
import { foldedTo, markCounted, markFolded, restartIfRedefined } from './rate-rows.js';
import { type CompiledRate, ratesKind } from './rates-kind.js';

/** A rate's row of a subject, or of a group (`population`, `segment:<name>`, `micro-segment:<v>:<i>`). */
const rowKey = (subjectId: string, rate: CompiledRate) => ({ subjectId, model: 'rate', key: rate.def.name });

/** A subject's row starts with no trials, a group's with no counts. */
const isGroup = (subjectId: string) => subjectId === 'population' || subjectId.startsWith('segment:') || subjectId.startsWith('micro-segment:');
const emptyFor = (subjectId: string) => (isGroup(subjectId) ? (): RateCounts => ({ successes: 0, trials: 0 }) : newTrialState);

/**
 * Loads rows and empties those counted under another definition of their rate (redefined under
 * the same name): this consumer's replay from the start of the log counts them again.
 */
async function loadRows(batch: EstimateBatch, keys: { subjectId: string; rate: CompiledRate }[]): Promise<void> {
  await batch.load(keys.map((k) => rowKey(k.subjectId, k.rate)));
  for (const k of keys) {
    const row = batch.get(rowKey(k.subjectId, k.rate));
    if (row) restartIfRedefined(row, k.rate, emptyFor(k.subjectId));
  }
}

/**
 * Learns every configured rate online. An exposure opens a trial for the subject — first recording
 * the ladder's prediction for it (a held-out calibration point) — and counts a trial for the
 * population and the subject's segment and micro-segment; a success within the window closes the
 * oldest open trial as a success and credits the same groups — among the subject's own trials and
 * those of the profiles merged into it (an e-mail delivered to a visitor, opened after they signed
 * in). Personal counts hold a trial only once its window has passed, a success included
 * (`countsAt`); the group rows count each exposure and success as it comes.
 *
 * @example
 * learnConsumers.push(ratesConsumer(store, settings, registry, lookup));
 */
export function ratesConsumer(store: Store, settings: Settings, registry: ModelRegistry, lookup: SegmentLookup, afterWrite: AfterWrite = async () => undefined): KindConsumer {
  return {
    kind: ratesKind.kind,
    configured: () => settings.get(ratesKind).length > 0,
    // Only the rates' exposure and success events are parsed for it.
    wants: (type, event) => type === 'track' && event !== null && settings.get(ratesKind).some((r) => r.def.exposure === event || r.def.success === event),
    async handle(events: LoggedEvent[]) {
      const rates = settings.get(ratesKind);
      const names = new Set(rates.flatMap((r) => [r.def.exposure, r.def.success]));
      const relevant = await withSubjects(store.profiles, events.filter((e) => e.message.type === 'track' && names.has(e.message.event ?? '')));
      if (!relevant.length) return;
      const now = Date.now();
      const live = await registry.live<RatesModelState>('rates');
      const positions = new Map<string, LadderPosition>();
      for (const e of relevant) if (!positions.has(e.subject.id)) positions.set(e.subject.id, await lookup.position(e.subject, now));
      const batch = new EstimateBatch(store.estimates, now);
      // The profiles merged into a subject with a success: their open trials are the subject's too.
      const successes = new Set(rates.map((r) => r.def.success));
      const merged = new Map<string, string[]>();
      for (const e of relevant) {
        if (merged.has(e.subject.id) || !successes.has(e.message.event ?? '')) continue;
        merged.set(e.subject.id, e.subject.absorbed === 0 ? [] : await mergedInto(store.profiles, e.subject.id));
      }
      const owners = (id: string) => [id, ...(merged.get(id) ?? [])];
      await loadRows(batch, relevant.flatMap((e) => rates.flatMap((rate) => owners(e.subject.id).map((subjectId) => ({ subjectId, rate })))));
      // Group rows: of the subjects' positions now, and of the trials a success may close.
      const groups = new Set<string>(['population']);
      for (const p of positions.values()) for (const g of Object.values(groupKeys(p))) if (g) groups.add(g);
      for (const e of relevant) for (const r of rates) for (const id of owners(e.subject.id)) {
        const st = batch.get(rowKey(id, r))?.state as TrialState | undefined;
        for (const t of [...(st?.open ?? []), ...(st?.failed ?? [])]) t.groups.forEach((g) => groups.add(g));
      }
      await loadRows(batch, rates.flatMap((rate) => [...groups].map((subjectId) => ({ subjectId, rate }))));
      for (const e of relevant) for (const r of rates) apply(batch, e, r, positions.get(e.subject.id)!, ladderFor(r, live), live?.dataTo, now, merged.get(e.subject.id) ?? []);
      await batch.flush();
      await afterWrite(relevant);
    },
  };
}

function apply(batch: EstimateBatch, e: SubjectEvent, r: CompiledRate, pos: LadderPosition, ladder: ReturnType<typeof ladderFor>, modelAt: number | undefined, now: number, merged: readonly string[]): void {
  const exposure = e.message.event === r.def.exposure;
  const success = e.message.event === r.def.success;
  if (!exposure && !success) return;
  const row = batch.row(rowKey(e.subject.id, r), () => ({ state: newTrialState(), modelVersion: ladder.modelVersion }));
  // Not `batch.fresh`: a row counted again under a new definition keeps its higher stored seq.
  if (e.seq <= foldedTo(row)) return;
  const trials = row.state as TrialState;
  const at = e.message.timestamp;
  const group = (g: string) => batch.row(rowKey(g, r), () => ({ state: { successes: 0, trials: 0 } satisfies RateCounts, modelVersion: ladder.modelVersion }));
  const counts = (g: string) => batch.get(rowKey(g, r)) as TimedRow<RateCounts> | undefined;
  const own = (): TimedRow<TrialState> => ({ state: trials, updatedAt: row.updatedAt });
  // A trial closed as a success (open, or a failure a late success answered): its groups' rows count it.
  const succeeded = (subjectId: string, trial: OpenTrial) => {
    for (const g of trial.groups) {
      const gr = group(g);
      (gr.state as RateCounts).successes += 1;
      markCounted(gr, r);
      batch.touch(gr, e.seq);
    }
    // The calibration point was recorded under the profile the trial was opened for.
    batch.writes.outcomes.push({ model: 'rates', key: r.def.name, subjectId, seq: trial.seq, outcome: 1 });
  };
  expireTrials(trials, at, r.windowMs);
  if (success) {
    // The subject's own row first, then the rows of the profiles merged into it that exist.
    const holders = [row, ...merged.map((id) => batch.get(rowKey(id, r))).filter((x) => x !== undefined)];
    const found = resolveSuccessAmong(holders.map((h) => h.state as TrialState), at, r.windowMs);
    if (found) {
      const holder = holders[found.state];
      if (holder !== row) {
        markFolded(holder, r, e.seq);
        batch.touch(holder, e.seq);
      }
      succeeded(holder.subjectId, found.trial);
    }
  }
  const keys = groupKeys(pos);
  if (exposure) {
    const before = rateNow(ladder, r, own(), counts, keys, at, modelAt);
    // The belief about this subject's rate (until 2026-12-06 the shown rung's posterior: a group's mean).
    const used = before.estimate.posterior!;
    batch.writes.points.push({
      model: 'rates', key: r.def.name, subjectId: e.subject.id, seq: e.seq, at, alpha: used.alpha, beta: used.beta,
      deadline: at + r.windowMs, outcome: null, modelVersion: ladder.modelVersion, recordedAt: now, inputs: before.counts,
    });
    const credited = [keys.population, keys.segment, keys.micro].filter((g): g is string => !!g);
    for (const g of credited) {
      const gr = group(g);
      (gr.state as RateCounts).trials += 1;
      markCounted(gr, r);
      batch.touch(gr, e.seq);
    }
    const trial = { at, seq: e.seq, groups: credited };
    openTrial(trials, trial);
    // A success that arrived before this exposure (the log out of time order) closes it at once.
    if (answerEarlySuccess(trials, trial, r.windowMs)) succeeded(e.subject.id, trial);
  }
  // Touched first, so that the estimate stored with it is dated by this write (rateNow's `updatedAt`).
  markFolded(row, r, e.seq);
  batch.touch(row, e.seq, undefined, ladder.modelVersion);
  batch.touch(row, e.seq, rateNow(ladder, r, own(), counts, keys, now, modelAt).estimate);
}
