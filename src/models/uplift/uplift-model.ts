import type { Estimate } from '../../learn/estimate.js';
import { type ArmModel, upliftOf } from '../../learn/uplift/logged-uplift.js';
import type { UpliftModel } from '../../learn/uplift/uplift-data.js';
import { upliftEstimate } from '../../learn/uplift/uplift-estimate.js';
import type { HeldOutSplit } from './held-out.js';

/** A model feature: a fact path (as decisions keep facts), standardised with the training mean and sd. */
export interface UpliftFeature {
  path: string;
  mean: number;
  sd: number;
}

/**
 * The stored `uplift` model: per goal type the "none" arm's outcome model, per action its own
 * (IPS-weighted ridge-logistic T-learner, src/learn/uplift/logged-uplift.ts), over the features.
 */
export interface UpliftState {
  features: UpliftFeature[];
  /** Goal type → the "none" arm's model of that goal, outcomes within `windowMs`. */
  none: Record<string, ArmModel>;
  /**
   * Per attribution window of an action other than `windowMs` (its ms, as text) → goal type → the
   * "none" arm's model of that goal, outcomes within that window: an action's uplift is its rate
   * within its window less doing nothing's within the same window. Absent before 2026-12-04.
   */
  noneByWindow?: Record<string, Record<string, ArmModel>>;
  /**
   * Action → its goal, its arm model (outcomes within `windowMs` of the action: its attribution
   * window; absent before 2026-12-04, when every action was read within the state's `windowMs`).
   */
  actions: Record<string, { goal: string; model: ArmModel; windowMs?: number }>;
  /** The policy's attribution window: that of `none`, and of every action trained before 2026-12-04. */
  windowMs: number;
  /** The held-out split whose held-out subjects it was not trained on (held-out.ts); absent in versions trained before 2026-12-04. */
  heldOut?: HeldOutSplit;
}

/**
 * A fact's value as a number: numbers as they are, booleans 0/1, lists by their length; anything
 * else (text, times, objects) is not a feature.
 *
 * @example
 * numeric(['sku-1', 'sku-2']); // 2
 */
export function numeric(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.length;
  return undefined;
}

/**
 * The value at a fact path (`features.orders`, `traits.age`, `accounts`) in rule variables or in a
 * decision's kept facts (which are keyed by the path itself).
 *
 * @example
 * valueAt({ features: { orders: 3 } }, 'features.orders'); // 3
 */
export function valueAt(vars: Record<string, unknown>, path: string): unknown {
  if (path in vars) return vars[path];
  const dot = path.indexOf('.');
  if (dot < 0) return undefined;
  const root = vars[path.slice(0, dot)];
  return root && typeof root === 'object' ? (root as Record<string, unknown>)[path.slice(dot + 1)] : undefined;
}

/**
 * The model's input row for a subject: 1, then each feature standardised (absent → the mean, 0).
 *
 * @example
 * featureRow(state.features, vars); // Float64Array [1, 0.4, -1.2]
 */
export function featureRow(features: readonly UpliftFeature[], vars: Record<string, unknown>): Float64Array {
  const x = new Float64Array(features.length + 1);
  x[0] = 1;
  features.forEach((f, i) => {
    const v = numeric(valueAt(vars, f.path));
    x[i + 1] = v === undefined ? 0 : (v - f.mean) / f.sd;
  });
  return x;
}

/**
 * The "none" model an action's uplift is read against: doing nothing's model of the action's goal
 * within the action's window (a state trained before per-action windows: the one of its goal).
 *
 * @example
 * noneFor(state, 'shoes-offer'); // the "none" conversion model within the shoes' 14 days
 */
export function noneFor(state: UpliftState, action: string): ArmModel | undefined {
  const a = state.actions[action];
  if (!a) return undefined;
  if (a.windowMs === undefined || a.windowMs === state.windowMs) return state.none[a.goal];
  return state.noneByWindow?.[String(a.windowMs)]?.[a.goal];
}

/**
 * A live uplift model ready for decisions: the T-learners built once per version.
 *
 * @example
 * const scorer = new UpliftScorer(live.state, live.version, live.dataTo);
 * scorer.estimate('winback', vars, { level: 0.9, maxWidth: 0.05 }); // { value: 0.012, low: 0.004, … } or undefined
 */
export class UpliftScorer {
  readonly modelVersion: string;
  /** Action → its T-learner against "none" within its window, and the rows both rest on: built once, so a decision allocates nothing more per candidate. */
  private readonly models = new Map<string, { model: UpliftModel; evidence: number }>();
  private readonly noneModels = new Map<string, UpliftModel>();

  /**
   * `dataTo`: the end of the version's data window — the `updatedAt` of its estimates (when the
   * evidence they rest on last changed); without it they have none (null).
   */
  constructor(readonly state: UpliftState, readonly version: number, private readonly dataTo?: number) {
    this.modelVersion = `uplift@${version}`;
    for (const [action, a] of Object.entries(state.actions)) {
      const none = noneFor(state, action);
      if (none) this.models.set(action, { model: upliftOf(none, a.model), evidence: a.model.rows + none.rows });
    }
  }

  /** The action's uplift over "none" (both within the action's attribution window) for these variables, or undefined when the model has no arm for it. */
  estimate(action: string, vars: Record<string, unknown>, o: { level: number; maxWidth: number; updatedAt?: string | null }): Estimate | undefined {
    const m = this.models.get(action);
    if (!m) return undefined;
    const { model, evidence } = m;
    return upliftEstimate(model, featureRow(this.state.features, vars), 1, { level: o.level, evidence, establishedWhen: { maxWidth: o.maxWidth }, modelVersion: this.modelVersion, updatedAt: o.updatedAt ?? (this.dataTo === undefined ? null : new Date(this.dataTo).toISOString()) });
  }

  /** Predicted goal probability under "none" (`action` undefined: within the state's `windowMs`) or the action (within its own window), for the off-policy reward model. */
  outcome(action: string | undefined, goal: string, vars: Record<string, unknown>): number | undefined {
    const x = featureRow(this.state.features, vars);
    if (action && this.models.has(action)) return this.models.get(action)!.model.outcomes(x)[1];
    const none = this.state.none[goal];
    if (!none) return undefined;
    let m = this.noneModels.get(goal);
    if (!m) this.noneModels.set(goal, (m = upliftOf(none, none)));
    return m.outcomes(x)[0];
  }

  /** The fact paths the model reads (a decision that used it keeps their values). */
  paths(): string[] {
    return this.state.features.map((f) => f.path);
  }
}
