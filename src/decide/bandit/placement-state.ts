import { type FeatureRange, copyRange } from '../../learn/bandit/feature-range.js';
import { createPosterior, type LogisticPosterior } from '../../learn/bandit/logistic-posterior.js';
import { type FeatureScaling, type ScalingParams, copyScaling, identityScaling } from '../../learn/bandit/scaling.js';
import { banditFromJson, type BanditJson } from '../../learn/bandit/serialize.js';
import { type BanditAction, type BanditConfig, type BanditState, addAction, createBandit } from '../../learn/bandit/thompson.js';
import type { EstimateStore } from '../../models/estimates/estimate-store.js';
import type { DecisionStore } from '../decision-store.js';
import type { OutcomeRecord } from '../records.js';

/** Where a placement's bandit is stored: one estimates row per placement. @example store.estimates.getMany([{ subjectId: 'population', model: BANDIT_MODEL, key: 'home' }]) */
export const BANDIT_MODEL = 'bandit';

/** Open trials kept in memory at most; beyond, the oldest is dropped unlearned (bounded memory). @example book.openTrials() <= MAX_OPEN_TRIALS // true */
export const MAX_OPEN_TRIALS = 500_000;

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

/** An action's posterior as last merged, with the scaling it is expressed in (absent: raw features). */
export type Based = LogisticPosterior & { params?: ScalingParams; priorEvidence?: number; updatedAt?: number | null; range?: FeatureRange };

export interface Entry {
  state: BanditState;
  /** Each action's posterior as last merged with the store (or its prior): local − base is ours to add. */
  base: Map<string, Based>;
  baseUpdates: number;
  /** The scaling's moments as last merged: local − base is ours to add. */
  baseScaling?: FeatureScaling;
  dirty: boolean;
}

/** A decision's action waiting for its outcome. */
export interface Trial {
  decisionId: string;
  placement: string;
  action: string;
  features: number[];
  deadline: number;
}

/**
 * What a stored row adds to the bandit's JSON (older readers ignore it): the trials learned before
 * it was written whose outcome is dated at or after its write (a caller's clock ahead, the same
 * millisecond) — `<decision>|<action>` → the outcome's date — which a catch-up must not learn again.
 */
export type RowState = BanditJson & { learnedAhead?: Record<string, number> };

/** What the placements' bandits work with (PlacementBandits' constructor). */
export interface BookDeps {
  store: EstimateStore;
  decisions: { outcomesOf(decisionId: string): Promise<OutcomeRecord[]> };
  /** Attribution window of an action, ms. */
  windowOf: (action: string) => number;
  now: () => number;
  /**
   * The decision log, where this process is the placements' one learner (the embedded store): a
   * placement's stored bandit, when read, learns what the log holds after it was written
   * (placement-bandits.ts load). Absent (PostgreSQL, where the log does not say which process would
   * have learned a decision): the stored bandit is taken as it is.
   */
  log?: BanditLog;
}

/** The placements' bandits and their open trials, as learning, catching up and saving share them (placement-bandits.ts). */
export interface Book {
  readonly d: BookDeps;
  readonly entries: Map<string, Entry>;
  readonly pending: Map<string, Trial>;
  /** Catch-ups running, and the trials this process opened meanwhile (not to be opened again from the log). */
  catching: number;
  readonly openedLive: Set<string>;
  /** Trials learned at an outcome dated at or after the moment (with a log): the row written by then names them. */
  readonly ahead: Map<string, { placement: string; at: number }>;
}

export const paramsOf = (s: FeatureScaling | undefined): ScalingParams | undefined => (s ? { center: [...s.center], scale: [...s.scale] } : undefined);
export const copy = (p: BanditAction | Based, params?: ScalingParams): Based => ({
  ...createPosterior(p.mean, p.cov, true), evidence: p.evidence, rewardSum: p.rewardSum, params, priorEvidence: p.priorEvidence, updatedAt: p.updatedAt,
  ...(p.range ? { range: copyRange(p.range) } : {}),
});
/** A stored bandit, its actions dated by the row's write when it predates per-action dates (tact-bandit@1). */
export const fromRow = (row: { state: unknown; updatedAt: number }): BanditState => {
  const st = banditFromJson(row.state as BanditJson);
  for (const a of st.actions) if (a.updatedAt === undefined) a.updatedAt = a.evidence > 0 ? row.updatedAt : null;
  return st;
};

/** A placement's bandit with these actions and settings (PlacementBandits.stateFor): afresh where none is held or its features changed. */
export function stateFor(b: Book, placement: string, actions: readonly string[], config: BanditConfig): BanditState {
  let e = b.entries.get(placement);
  if (!e || e.state.config.features !== config.features) {
    e = { state: createBandit([], config), base: new Map(), baseUpdates: 0, dirty: false };
    e.baseScaling = e.state.scaling && copyScaling(e.state.scaling);
    b.entries.set(placement, e);
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

/** Takes a stored bandit as a placement's (into its entry, when given), as last merged. */
export function adopt(b: Book, placement: string, state: BanditState, into?: Entry): void {
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
  if (!into) b.entries.set(placement, e);
}
