import { type FeatureRange, copyRange, unionRange } from '../../learn/bandit/feature-range.js';
import { createPosterior, type LogisticPosterior } from '../../learn/bandit/logistic-posterior.js';
import { mergePosterior } from '../../learn/bandit/merge.js';
import { type FeatureScaling, type ScalingParams, carryPosterior, copyScaling, identityScaling, mergeScaling, refitDue } from '../../learn/bandit/scaling.js';
import { banditFromJson, banditToJson, type BanditJson } from '../../learn/bandit/serialize.js';
import { type BanditAction, type BanditConfig, type BanditState, addAction, createBandit, rescaleBandit, updateBandit } from '../../learn/bandit/thompson.js';
import type { EstimateStore, StoredEstimate } from '../../models/estimates/estimate-store.js';
import type { DecisionRecord } from '../decision.js';
import type { DecisionStore } from '../decision-store.js';
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

/** Decisions read a page at a time when a load catches up from the log. */
const LOG_PAGE = 1000;

/**
 * How far back a catch-up reads outcomes at least, and decisions where no bandit is stored: what a
 * process learned and did not save is of its last seconds (it saves every 5 s), so an hour covers a
 * restart within the hour of a kill, outcomes dated up to an hour before they were recorded among them.
 */
const CATCH_UP_HORIZON = 60 * 60_000;

/**
 * The decision log, as a load catches up from it (DecisionStore). Wired only where this process is
 * its placements' one learner (the embedded store: one process per data directory).
 */
export type BanditLog = Pick<DecisionStore, 'queryDecisions' | 'getDecision' | 'outcomesOf' | 'outcomesSince'>;

/** A placement whose bandit decisions use `config` (bandit-select.ts banditConfig). @example { id: 'home', config: banditConfig(placement.selection, 0.1) } */
export interface BanditPlacement {
  id: string;
  config: BanditConfig;
}

/**
 * What a stored row adds to the bandit's JSON (older readers ignore it): the trials learned before
 * it was written whose outcome is dated at or after its write (a caller's clock ahead, the same
 * millisecond) — `<decision>|<action>` → the outcome's date — which a catch-up must not learn again.
 */
type RowState = BanditJson & { learnedAhead?: Record<string, number> };

/** What an outcome makes of its trial: 1 at a success, 0 at a dismissal or a negative reward; undefined at anything else (an impression, a click: the goal may still follow). */
const resolution = (o: OutcomeRecord): 0 | 1 | undefined => (o.success ? 1 : o.reward < 0 || o.type === 'dismissal' ? 0 : undefined);

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
 * or while this one stalled — reads and merges again, so neither loses what it learned. A placement
 * is read before its first decision here ({@link hold}), and on the embedded store a read catches up
 * from the decision log ({@link load}): a kill -9 loses nothing that was acknowledged.
 *
 * @example
 * const book = new PlacementBandits({ store: store.estimates, decisions: store.decisions, windowOf: () => 7 * DAY, now: Date.now });
 * await book.load(['home']);
 */
export class PlacementBandits implements BanditBook {
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Trial>();
  private saving: Promise<void> | undefined;
  /** Placements whose stored bandit is being read, with the read. */
  private readonly taking = new Map<string, Promise<void>>();
  /** Every placement of this key (a playbook) is held: {@link hold} has nothing to wait for. */
  private heldFor: object | undefined;
  private holding: { key: object; done: Promise<void> } | undefined;
  /** Catch-ups running, and the trials this process opened meanwhile (not to be opened again from the log). */
  private catching = 0;
  private readonly openedLive = new Set<string>();
  /** Trials learned at an outcome dated at or after the moment (with a log): the row written by then names them. */
  private readonly ahead = new Map<string, { placement: string; at: number }>();

  constructor(private readonly d: {
    store: EstimateStore;
    decisions: { outcomesOf(decisionId: string): Promise<OutcomeRecord[]> };
    /** Attribution window of an action, ms. */
    windowOf: (action: string) => number;
    now: () => number;
    /**
     * The decision log, where this process is the placements' one learner (the embedded store): a
     * placement's stored bandit, when read, learns what the log holds after it was written
     * ({@link load}). Absent (PostgreSQL, where the log does not say which process would have
     * learned a decision): the stored bandit is taken as it is.
     */
    log?: BanditLog;
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
    for (const t of this.trialsOf(r)) {
      if (this.catching) this.openedLive.add(`${t.decisionId}|${t.action}`);
      this.open(t);
    }
  }

  /** The trials a logged decision opens: one per action a bandit chose (not in the holdout). */
  private trialsOf(r: DecisionRecord): Trial[] {
    if (!r.bandit || r.arm !== 'treatment') return [];
    const features = r.bandit.features;
    return r.choices.filter((c) => c.kind === 'action' && c.action).map((c) => ({ decisionId: r.id, placement: r.placement, action: c.action as string, features, deadline: r.at + this.d.windowOf(c.action as string) }));
  }

  private open(t: Trial): void {
    if (this.pending.size >= MAX_OPEN_TRIALS) this.pending.delete(this.pending.keys().next().value as string);
    this.pending.set(`${t.decisionId}|${t.action}`, t);
  }

  /** Resolves trials by the outcomes just recorded (OutcomeRecorder's callback). */
  onOutcomes(records: readonly OutcomeRecord[]): void {
    for (const o of records) {
      if (!o.decisionId || !o.action) continue;
      const key = `${o.decisionId}|${o.action}`;
      const t = this.pending.get(key);
      if (!t) continue;
      const y = resolution(o);
      if (y === undefined) continue; // an impression, a click: the goal may still follow
      this.learn(t, y);
      this.pending.delete(key);
      // Dated at or after now (a clock ahead, or this very millisecond): a catch-up from a row written
      // now would take it for one learned after the row; the row names it (persist).
      if (this.d.log && o.at >= this.d.now()) this.ahead.set(key, { placement: t.placement, at: o.at });
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

  /**
   * Reads the stored bandits of these placements (at start), and with {@link BanditPlacement}s
   * holds each with the settings its decisions use (a bandit afresh where none is stored). With the
   * log, a placement this process did not hold catches up from it: the trials of the decisions
   * logged since its bandit was written, and of earlier ones whose first resolving outcome is dated
   * after that write (none before it, their window still open then), are opened as this process
   * opens its own, and the outcomes logged since resolve them as they resolve its own
   * ({@link onOutcomes}); what stays open resolves by outcome or window as usual. Nothing the row
   * holds is learned again: a decision dated after the write was not learned before it, nor was
   * an outcome dated after it, but for those the row names (`learnedAhead`). With no row, nothing
   * was saved: the decisions of the last hour are read ({@link CATCH_UP_HORIZON}; what a process
   * learns unsaved is of its last 5 s). At most {@link MAX_OPEN_TRIALS} decisions, the newest, and
   * outcomes dated within the hour at least; a trial whose resolving outcome is dated earlier than
   * both the row and the hour resolves at its window's end, from the log (a success if it has one).
   * Until 2026-12-05 the outcomes learned in the last 5 s before a kill -9 were lost.
   */
  async load(placements: readonly (string | BanditPlacement)[]): Promise<void> {
    await this.take(placements.map((p) => (typeof p === 'string' ? { id: p } : p)));
  }

  /**
   * Holds the placements' bandits before a decision: each placement not held yet (added since the
   * start, or its features changed) has its stored bandit read — taken as it is, or caught up from
   * the log ({@link load}) — or starts afresh, so that its first decision here does not start from
   * nothing while another process holds learning for it. `key` (a playbook) marks the list: while
   * it is the same, the answer is undefined at once (nothing to wait for; the list is not even made).
   *
   * @example
   * await book.hold(play, () => thompsonPlacements(play));
   */
  hold(key: object, placements: () => readonly BanditPlacement[]): Promise<void> | undefined {
    if (key === this.heldFor) return undefined;
    if (this.holding?.key === key) return this.holding.done;
    const todo = placements().filter((p) => this.entries.get(p.id)?.state.config.features !== p.config.features);
    if (!todo.length) {
      this.heldFor = key;
      return undefined;
    }
    const holding = { key, done: Promise.resolve() };
    holding.done = this.take(todo).then(
      () => {
        if (this.holding === holding) (this.heldFor = key, this.holding = undefined);
      },
      (err: unknown) => {
        if (this.holding === holding) this.holding = undefined;
        throw err;
      },
    );
    this.holding = holding;
    return holding.done;
  }

  /** Reads each placement's stored bandit, once at a time per placement (a read under way is waited for). */
  private take(list: readonly { id: string; config?: BanditConfig }[]): Promise<void> {
    const waits: Promise<void>[] = [];
    const mine = list.filter((p) => {
      const under = this.taking.get(p.id);
      if (under) waits.push(under);
      return !under;
    });
    if (mine.length) {
      const read = this.read(mine).finally(() => {
        for (const p of mine) if (this.taking.get(p.id) === read) this.taking.delete(p.id);
      });
      for (const p of mine) this.taking.set(p.id, read);
      waits.push(read);
    }
    return Promise.all(waits).then(() => undefined);
  }

  private async read(list: readonly { id: string; config?: BanditConfig }[]): Promise<void> {
    const rows = new Map((await this.d.store.getMany(list.map((p) => ({ subjectId: 'population', model: BANDIT_MODEL, key: p.id })))).map((r) => [r.key, r]));
    // Never held in this process: none of the log's decisions since the row are this process's own.
    const fresh = list.filter((p) => !this.entries.has(p.id));
    for (const p of list) {
      const row = rows.get(p.id);
      if (!row) continue;
      const stored = fromRow(row);
      const e = this.entries.get(p.id);
      const fits = !p.config || stored.config.features === p.config.features;
      if (!e || (fits && e.state.config.features !== stored.config.features)) this.adopt(p.id, stored);
      else if (!e.dirty && e.state.config.features === stored.config.features && stored.updates !== e.baseUpdates) this.adopt(p.id, stored, e);
    }
    if (this.d.log && fresh.length) await this.catchUp(this.d.log, fresh.map((p) => ({ ...p, row: rows.get(p.id) })));
    for (const p of list) if (p.config) this.stateFor(p.id, [], p.config);
  }

  /** Learns what the log holds after each placement's stored row ({@link load}): the trials opened, then the outcomes since. */
  private async catchUp(log: BanditLog, list: readonly { id: string; config?: BanditConfig; row?: StoredEstimate }[]): Promise<void> {
    this.catching++;
    try {
      const horizon = this.d.now() - CATCH_UP_HORIZON;
      const trials = new Map<string, Trial>();
      const add = (t: Trial) => trials.set(`${t.decisionId}|${t.action}`, t);
      const marks = new Set<string>();
      /** Placements with a row: its time, and the actions it holds (an earlier decision chose among them). */
      const rows = new Map<string, { at: number; actions: Set<string> }>();
      const seen = new Set<string>();
      let from = Infinity;
      for (const p of list) {
        const at = p.row?.updatedAt;
        if (p.row && at !== undefined) {
          const state = p.row.state as RowState;
          // Still ahead of the next row's write, they go on into it (persist).
          for (const [k, on] of Object.entries(state.learnedAhead ?? {})) if (typeof on === 'number') (marks.add(k), this.ahead.set(k, { placement: p.id, at: on }));
          rows.set(p.id, { at, actions: new Set((state.actions ?? []).map((a) => a.id)) });
        }
        // Nothing stored: nothing was learned; what the last process may have learned unsaved is of the last hour.
        const since = at ?? horizon;
        for (const d of await decisionsSince(log, p.id, since)) (seen.add(d.id), this.trialsOf(d).forEach(add));
        from = Math.min(from, since);
      }
      if (from === Infinity) return;
      // Outcomes dated within the horizon only (the log since an idle placement's old row can be long):
      // a trial whose resolving outcome is dated earlier resolves at its window's end, from the log.
      const outcomes = await log.outcomesSince(Math.max(from, horizon));
      // Decisions dated before their placement's row whose trial the row had not resolved: their first
      // resolving outcome is dated after the write, and their window was still open then.
      const earlier = new Map<string, DecisionRecord | undefined>();
      for (const o of outcomes) {
        if (!o.decisionId || !o.action || seen.has(o.decisionId) || resolution(o) === undefined) continue;
        if (![...rows.values()].some((r) => o.at >= r.at && r.actions.has(o.action as string))) continue;
        if (!earlier.has(o.decisionId)) earlier.set(o.decisionId, await log.getDecision(o.decisionId));
        const d = earlier.get(o.decisionId);
        const at = d && rows.get(d.placement)?.at;
        if (!d || at === undefined || d.at >= at || o.at < at) continue;
        const t = this.trialsOf(d).find((x) => x.action === o.action);
        if (!t || t.deadline <= at || trials.has(`${t.decisionId}|${t.action}`)) continue;
        const before = (await log.outcomesOf(d.id)).some((x) => x.action === o.action && x.at < at && resolution(x) !== undefined);
        if (!before) add(t);
      }
      for (const [key, t] of trials) if (!marks.has(key) && !this.openedLive.has(key) && !this.pending.has(key)) this.open(t);
      // Each placement held with the actions its trials chose (an action added after the row was written, as a decision adds it).
      for (const p of list) {
        const config = p.config ?? this.entries.get(p.id)?.state.config;
        const actions = [...new Set([...trials.values()].filter((t) => t.placement === p.id).map((t) => t.action))];
        if (config && actions.length) this.stateFor(p.id, actions, config);
      }
      this.onOutcomes(outcomes);
    } finally {
      if (--this.catching === 0) this.openedLive.clear();
    }
  }

  /** Merges each bandit with the stored one and writes those that learned (at most one save at a time). */
  save(): Promise<void> {
    this.saving ??= this.saveAll().finally(() => (this.saving = undefined));
    return this.saving;
  }

  private async saveAll(): Promise<void> {
    // A mark dated before now is before the next row's write: that row needs it no more.
    const now = this.d.now();
    for (const [key, m] of this.ahead) if (m.at < now) this.ahead.delete(key);
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
    // The row's time is the catch-up's watermark (load): written in the same instant as the state is taken.
    const at = this.d.now();
    const ahead = [...this.ahead].filter(([, m]) => m.placement === placement && m.at >= at);
    const json: RowState = { ...banditToJson(state), ...(ahead.length ? { learnedAhead: Object.fromEntries(ahead.map(([key, m]) => [key, m.at])) } : {}) };
    return this.d.store.replace({ subjectId: 'population', model: BANDIT_MODEL, key: placement, estimate: null, state: json, modelVersion: `${BANDIT_MODEL}:${placement}@${state.updates}`, seq: state.updates, updatedAt: at }, read);
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

/** The decisions at a placement logged at or after `from`, oldest first: the newest {@link MAX_OPEN_TRIALS} of them. */
async function decisionsSince(log: BanditLog, placement: string, from: number): Promise<DecisionRecord[]> {
  const out: DecisionRecord[] = [];
  let after: { at: number; id: string } | undefined;
  for (;;) {
    const page = await log.queryDecisions({ placement, from, limit: LOG_PAGE, ...(after ? { after } : {}) });
    out.push(...page);
    if (page.length < LOG_PAGE || out.length >= MAX_OPEN_TRIALS) return out.reverse();
    const last = page[page.length - 1];
    after = { at: last.at, id: last.id };
  }
}
