import { type FeatureRange, copyRange, unionRange } from '../../learn/bandit/feature-range.js';
import { createPosterior, type LogisticPosterior } from '../../learn/bandit/logistic-posterior.js';
import { mergePosterior } from '../../learn/bandit/merge.js';
import { type FeatureScaling, type ScalingParams, carryPosterior, copyScaling, identityScaling, mergeScaling, refitDue } from '../../learn/bandit/scaling.js';
import { banditFromJson, banditToJson, type BanditJson } from '../../learn/bandit/serialize.js';
import { type BanditAction, type BanditConfig, type BanditState, addAction, createBandit, rescaleBandit, updateBandit } from '../../learn/bandit/thompson.js';
import type { EstimateStore } from '../../models/estimates/estimate-store.js';
import type { DecisionRecord } from '../decision.js';
import type { OutcomeRecord } from '../records.js';
import type { BanditBook } from './bandit-select.js';

/** Where a placement's bandit is stored: one estimates row per placement. @example store.estimates.getMany([{ subjectId: 'population', model: BANDIT_MODEL, key: 'home' }]) */
export const BANDIT_MODEL = 'bandit';

/** An action's posterior as last merged, with the scaling it is expressed in (absent: raw features). */
type Based = LogisticPosterior & { params?: ScalingParams; priorEvidence?: number; updatedAt?: number | null; range?: FeatureRange };

interface Entry {
  state: BanditState;
  /** Each action's posterior as last merged with the store (or its prior): local − base is ours to add. */
  base: Map<string, Based>;
  baseUpdates: number;
  /** The scaling's moments as last merged: local − base is ours to add. */
  baseScaling?: FeatureScaling;
  dirty: boolean;
}

/** A decision's action waiting for its outcome. */
interface Trial {
  decisionId: string;
  placement: string;
  action: string;
  features: number[];
  deadline: number;
}

/** Open trials kept in memory at most; beyond, the oldest is dropped unlearned (bounded memory). @example book.openTrials() <= MAX_OPEN_TRIALS // true */
export const MAX_OPEN_TRIALS = 500_000;

/** Writes of one placement's bandit refused (another process wrote it since it was read) before a save leaves it to the next. */
const SAVE_TRIES = 5;

const paramsOf = (s: FeatureScaling | undefined): ScalingParams | undefined => (s ? { center: [...s.center], scale: [...s.scale] } : undefined);
const copy = (p: BanditAction | Based, params?: ScalingParams): Based => ({
  ...createPosterior(p.mean, p.cov, true), evidence: p.evidence, rewardSum: p.rewardSum, params, priorEvidence: p.priorEvidence, updatedAt: p.updatedAt,
  ...(p.range ? { range: copyRange(p.range) } : {}),
});
/** The range of contexts a merged belief learned from: the stored one's and ours, with the most outcomes either learned without a recorded context (feature-range.ts unionRange). */
const rangeOf = (...sides: { range?: FeatureRange; evidence: number }[]): { range: FeatureRange | undefined } => ({ range: unionRange(...sides) });
const later = (a: number | null | undefined, b: number | null | undefined): number | null => (typeof a === 'number' && typeof b === 'number' ? Math.max(a, b) : (a ?? b ?? null));
/** A stored bandit, its actions dated by the row's write when it predates per-action dates (tact-bandit@1). */
const fromRow = (row: { state: unknown; updatedAt: number }): BanditState => {
  const st = banditFromJson(row.state as BanditJson);
  for (const a of st.actions) if (a.updatedAt === undefined) a.updatedAt = a.evidence > 0 ? row.updatedAt : null;
  return st;
};

/**
 * The placements' bandits, learned online and kept in the estimates store.
 *
 * Learning: every action a bandit chose is a trial, learned at the context vector its decision
 * logged. The trial succeeds (y = 1) at the first goal outcome credited to it (the value function
 * already weighs the goal by the action's value in the score, so the model learns the goal's
 * probability); it fails (y = 0) at a dismissal or a credited outcome whose reward is negative
 * (unsubscribe, complaint) — not at an impression or a click, which the goal may still follow — or
 * when its attribution window ends without a success — then the decision log is
 * read first, so a success recorded by another process still counts. Trials open at shutdown are
 * dropped (neither success nor failure), and so is the oldest open trial beyond
 * {@link MAX_OPEN_TRIALS}.
 *
 * Persistence: {@link save} (every 5 s with background work on, and on close) merges each
 * changed bandit with the stored one — stored + (local − base) in natural parameters
 * (learn/bandit/merge.ts) — writes it, and adopts the result; unchanged bandits adopt the stored
 * one. So several processes on PostgreSQL each learn from their own decisions and see one
 * another's evidence within seconds. A write applies only if the row is still as read (a
 * compare-and-set on its seq): a save that another process's write overtook — in the same instant,
 * or while this one stalled — reads and merges again, so neither loses what it learned.
 *
 * @example
 * const book = new PlacementBandits({ store: store.estimates, decisions: store.decisions, windowOf: () => 7 * DAY, now: Date.now });
 * await book.load(['home']);
 */
export class PlacementBandits implements BanditBook {
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Trial>();
  private saving: Promise<void> | undefined;

  constructor(private readonly d: {
    store: EstimateStore;
    decisions: { outcomesOf(decisionId: string): Promise<OutcomeRecord[]> };
    /** Attribution window of an action, ms. */
    windowOf: (action: string) => number;
    now: () => number;
  }) {}

  stateFor(placement: string, actions: readonly string[], config: BanditConfig): BanditState {
    let e = this.entries.get(placement);
    if (!e || e.state.config.features !== config.features) {
      e = { state: createBandit([], config), base: new Map(), baseUpdates: 0, dirty: false };
      e.baseScaling = e.state.scaling && copyScaling(e.state.scaling);
      this.entries.set(placement, e);
    }
    Object.assign(e.state.config, config);
    // A bandit stored over raw features (tact-bandit@1) keeps what it learned: raw is the identity
    // scaling, from which the first refit re-expresses it exactly (learn/bandit/scaling.ts).
    if (config.standardize && !e.state.scaling) {
      e.state.scaling = identityScaling(config.features);
      e.baseScaling ??= identityScaling(config.features);
    }
    for (const id of actions) {
      if (e.state.actions.some((a) => a.id === id)) continue;
      e.base.set(id, copy(addAction(e.state, id), paramsOf(e.state.scaling)));
    }
    return e.state;
  }

  versionOf(placement: string): string {
    return `${BANDIT_MODEL}:${placement}@${this.entries.get(placement)?.state.updates ?? 0}`;
  }

  /** Opens a trial for each action a bandit chose (DecideService calls it for every logged decision). */
  onDecision(r: DecisionRecord): void {
    if (!r.bandit || r.arm !== 'treatment') return;
    for (const c of r.choices) {
      if (c.kind !== 'action' || !c.action) continue;
      if (this.pending.size >= MAX_OPEN_TRIALS) this.pending.delete(this.pending.keys().next().value as string);
      this.pending.set(`${r.id}|${c.action}`, { decisionId: r.id, placement: r.placement, action: c.action, features: r.bandit.features, deadline: r.at + this.d.windowOf(c.action) });
    }
  }

  /** Resolves trials by the outcomes just recorded (OutcomeRecorder's callback). */
  onOutcomes(records: readonly OutcomeRecord[]): void {
    for (const o of records) {
      if (!o.decisionId || !o.action) continue;
      const key = `${o.decisionId}|${o.action}`;
      const t = this.pending.get(key);
      if (!t) continue;
      if (o.success) this.learn(t, 1);
      else if (o.reward < 0 || o.type === 'dismissal') this.learn(t, 0);
      else continue; // an impression, a click: the goal may still follow
      this.pending.delete(key);
    }
  }

  /** Trials whose window has ended: a success in the log (from any process) or a failure. */
  async expire(now = this.d.now()): Promise<number> {
    const due = [...this.pending.entries()].filter(([, t]) => t.deadline <= now);
    for (const [key, t] of due) {
      const outcomes = await this.d.decisions.outcomesOf(t.decisionId);
      if (!this.pending.delete(key)) continue;
      this.learn(t, outcomes.some((o) => o.action === t.action && o.success) ? 1 : 0);
    }
    return due.length;
  }

  /** Trials still waiting. */
  openTrials(): number {
    return this.pending.size;
  }

  /** Reads the stored bandits of these placements (at start). */
  async load(placements: readonly string[]): Promise<void> {
    if (!placements.length) return;
    const rows = await this.d.store.getMany(placements.map((key) => ({ subjectId: 'population', model: BANDIT_MODEL, key })));
    for (const row of rows) this.adopt(row.key, fromRow(row));
  }

  /** Merges each bandit with the stored one and writes those that learned (at most one save at a time). */
  save(): Promise<void> {
    this.saving ??= this.saveAll().finally(() => (this.saving = undefined));
    return this.saving;
  }

  private async saveAll(): Promise<void> {
    for (const [placement, e] of [...this.entries]) {
      // Refused: another process wrote the bandit since we read it; read it and merge again (what
      // is still refused after a few tries stays ours to add at the next save).
      for (let tries = 0; tries < SAVE_TRIES; tries++) if (await this.saveOne(placement, e)) break;
    }
  }

  /** Merges one placement's bandit with the stored one and writes it; false when the write was refused (nothing adopted). */
  private async saveOne(placement: string, e: Entry): Promise<boolean> {
    const [row] = await this.d.store.getMany([{ subjectId: 'population', model: BANDIT_MODEL, key: placement }]);
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
      if (!(await this.persist(placement, e.state, read))) {
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
      if (stored && stored.updates !== e.baseUpdates && stored.config.features === e.state.config.features) this.adopt(placement, stored, e);
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
    if (!(await this.persist(placement, merged, read))) {
      e.dirty = true;
      return false;
    }
    // What was absorbed while we wrote stays ours to add next time: local = merged + (now − snapshot).
    const now = this.entries.get(placement);
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
  private persist(placement: string, state: BanditState, read: number | null): Promise<boolean> {
    return this.d.store.replace({ subjectId: 'population', model: BANDIT_MODEL, key: placement, estimate: null, state: banditToJson(state), modelVersion: `${BANDIT_MODEL}:${placement}@${state.updates}`, seq: state.updates, updatedAt: this.d.now() }, read);
  }

  private adopt(placement: string, state: BanditState, into?: Entry): void {
    const e: Entry = into ?? { state, base: new Map(), baseUpdates: 0, dirty: false };
    const features = state.config.features;
    // A stored bandit over raw features, adopted by one that standardises: raw is the identity scaling.
    const scaling = state.scaling ?? (e.state.scaling || e.state.config.standardize ? identityScaling(features) : undefined);
    e.state.actions = state.actions;
    e.state.updates = state.updates;
    e.state.scaling = scaling;
    e.base = new Map(state.actions.map((a) => [a.id, copy(a, paramsOf(scaling))]));
    e.baseScaling = scaling && copyScaling(scaling);
    e.baseUpdates = state.updates;
    if (!into) this.entries.set(placement, e);
  }

  private learn(t: Trial, y: number): void {
    const e = this.entries.get(t.placement);
    if (!e || !e.state.actions.some((a) => a.id === t.action) || t.features.length !== e.state.config.features) return;
    updateBandit(e.state, t.action, t.features, y, this.d.now());
    e.dirty = true;
  }
}
