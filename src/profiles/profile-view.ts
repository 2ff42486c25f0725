import { consentVar } from './consent-var.js';
import type { CompiledFeature } from './features/definition.js';
import { featureEvents, featureValue, type FeatureState } from './features/state.js';
import { lifecyclePlace, type CompiledLifecycle } from './lifecycle.js';
import { consentByPurpose, type ProfileState } from './profile-state.js';

/**
 * The variables every CEL rule sees about a profile's facts:
 * `traits`, `features.<name>`, `events["Name"].count|first|last`, `consent.<purpose>` (bool; a
 * purpose read under any case, spaces around or Unicode form, as the consent stage matches it: consentVar),
 * `firstSeen`, `lastSeen`, `timezone`, `now`; given the `lifecycle` in force (for rules that read
 * it: segments, decisions, batch audiences), `lifecycle.stage` and `lifecycle.valueTier`
 * ({@link lifecycleVar}). What they hold is declared in rule-scope.ts as well:
 * a rule reading a variable not declared there is refused when it is written. A trait, event or
 * purpose named `constructor` is left out ({@link CEL_GUARDED}).
 *
 * @example
 * const vars = ruleVars(state, features, Date.now(), settings.get(lifecycleKind));
 * compileRule('features.orders >= 3.0 && consent.Advertising && lifecycle.stage == "loyal"')(vars);
 */
export function ruleVars(s: ProfileState, features: readonly CompiledFeature[], now: number, lifecycle?: CompiledLifecycle): Record<string, unknown> {
  const f: Record<string, unknown> = {};
  for (const c of features) f[c.def.name] = featureValue(c, ownFeature(s, c.def.name), now);
  const events: Record<string, { count: number; first: Date; last: Date }> = {};
  for (const [k, e] of Object.entries(s.events)) if (k !== CEL_GUARDED) events[k] = { count: e.n, first: new Date(e.t0), last: new Date(e.t1) };
  const vars: Record<string, unknown> = {
    traits: Object.hasOwn(s.traits, CEL_GUARDED) ? Object.fromEntries(Object.entries(s.traits).filter(([k]) => k !== CEL_GUARDED)) : s.traits,
    features: f,
    events,
    consent: consentVar(consentByPurpose(s.consent)),
    firstSeen: s.firstSeenAt !== undefined ? new Date(s.firstSeenAt) : null,
    lastSeen: s.lastSeenAt !== undefined ? new Date(s.lastSeenAt) : null,
    timezone: s.timezone ?? null,
    now: new Date(now),
  };
  if (lifecycle) lifecycleVar(vars, lifecycle);
  return vars;
}

/**
 * Adds `lifecycle` to a profile's variables: its stage and value tier under the operator's rules
 * (lifecyclePlace, the same the profile answer shows), worked out the first time a rule reads it
 * and kept for the rest of these variables — a decision whose rules read it works it out once for
 * all its candidates, and variables no rule reads it from never do. The lifecycle's own rules are
 * evaluated on the same variables: one reading `lifecycle` (refused when written; one stored
 * before) finds it unknown meanwhile, and is passed over.
 *
 * @example
 * lifecycleVar(vars, settings.get(lifecycleKind)); (vars.lifecycle as { stage: string | null }).stage; // 'loyal'
 */
export function lifecycleVar(vars: Record<string, unknown>, lifecycle: CompiledLifecycle): void {
  let place: { stage: string | null; valueTier: string | null } | undefined;
  let working = false;
  Object.defineProperty(vars, 'lifecycle', {
    enumerable: true,
    configurable: true,
    get() {
      if (place || working) return place;
      working = true;
      try {
        const p = lifecyclePlace(vars, lifecycle);
        place = { stage: p.stage, valueTier: p.valueTier };
      } finally {
        working = false;
      }
      return place;
    },
  });
}

/**
 * The one key a profile holds that rules do not see: the evaluator (cel-js) tells an object's type
 * by its `constructor`, so an object with its own `constructor` key fails every rule reading it
 * ("Unsupported type: object"), and no rule reads that key of an object anyway. A trait, event
 * name or consent purpose `constructor` is kept on the profile and shown by GET /v1/profiles.
 */
const CEL_GUARDED = 'constructor';

/** The profile's state of feature `name` (its own key: a state read back from JSON inherits Object's). */
function ownFeature(s: ProfileState, name: string): FeatureState | undefined {
  return Object.hasOwn(s.features, name) ? s.features[name] : undefined;
}

/** Lifecycle stage and value tier of a profile under the operator's rules, with the rules that could not be evaluated on it (lifecyclePlace). */
export function lifecycleOf(vars: Record<string, unknown>, lc: CompiledLifecycle): { stage: string | null; valueTier: string | null; ruleErrors?: string[] } {
  return lifecyclePlace(vars, lc);
}

const NUMERIC: ReadonlySet<string> = new Set(['sum', 'mean', 'min', 'max', 'decayed_sum']);

/** A feature as the API shows it: its value, what it is, and how much evidence is behind it. */
export interface FeatureView {
  value: unknown;
  kind: string;
  /** Events counted: one that gave several values (`products[].price`) counts once. */
  events: number;
  /** sum, mean, min, max, decayed_sum: the values counted, when more than the events (a mean is over them). */
  values?: number;
  firstAt: string | null;
  lastAt: string | null;
  description?: string;
  backfill?: { state: string; progress: number };
}

/** Every defined feature of a profile, as facts with their evidence. */
export function featureViews(s: ProfileState, features: readonly CompiledFeature[], now: number, backfill?: Map<string, { state: string; progress: number }>): Record<string, FeatureView> {
  const out: Record<string, FeatureView> = {};
  for (const c of features) {
    const st = ownFeature(s, c.def.name);
    const live = st && st.h === c.hash ? st : undefined;
    const v = featureValue(c, live, now);
    const b = backfill?.get(c.def.name);
    const events = live ? featureEvents(live) : 0;
    out[c.def.name] = {
      value: v instanceof Date ? v.toISOString() : v,
      kind: c.def.kind,
      events,
      ...(live && NUMERIC.has(c.def.kind) && live.n !== events ? { values: live.n } : {}),
      firstAt: live?.t0 !== undefined ? new Date(live.t0).toISOString() : null,
      lastAt: live?.t1 !== undefined ? new Date(live.t1).toISOString() : null,
      ...(c.def.description ? { description: c.def.description } : {}),
      ...(b && b.state === 'running' ? { backfill: b } : {}),
    };
  }
  return out;
}
