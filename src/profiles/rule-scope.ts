import type { Shape } from '../rules/rule-names.js';
import type { FeatureDefinition, FeatureKind } from './features/definition.js';

const value = (what: string): Shape => ({ kind: 'value', what });
const timestamp = value('a timestamp');

/** The stage and value-tier names a lifecycle defines: what `lifecycle.stage` and `lifecycle.valueTier` may hold. */
export interface LifecycleNames {
  stages: readonly string[];
  valueTiers: readonly string[];
}

/**
 * What the variables of ruleVars (profile-view.ts) hold, for the check that a rule reads only names that
 * exist (rules/rule-names.ts): the features defined (each shaped by its kind), the fields of an
 * event; traits and consent purposes come from data and are not checked. Given `lifecycle` (the
 * rules whose variables have it: segments, decisions, batch audiences — not the lifecycle's own),
 * `lifecycle.stage` and `lifecycle.valueTier`, each a string the lifecycle names, or null.
 *
 * @example
 * nameProblem('features.ordrs > 1.0', 'stages[0].when', ruleScope([{ name: 'orders', kind: 'count' }])); // '… did you mean `features.orders`? …'
 * ruleProblem('lifecycle.stage == "loyl"', 'audiences[0].when', ruleScope(features, { stages: ['loyal'], valueTiers: [] })); // '… did you mean `"loyal"`? …'
 */
export function ruleScope(features: readonly Pick<FeatureDefinition, 'name' | 'kind'>[], lifecycle?: LifecycleNames): Record<string, Shape> {
  return {
    traits: { kind: 'open' },
    features: { kind: 'names', noun: 'defined feature', plural: 'features', names: Object.fromEntries(features.map((f) => [f.name, featureShape(f.kind)])) },
    events: { kind: 'keys', each: { kind: 'names', noun: 'field of an event', plural: 'fields of an event', names: { count: value('a number'), first: timestamp, last: timestamp } } },
    consent: { kind: 'keys', each: value('true or false') },
    firstSeen: timestamp,
    lastSeen: timestamp,
    timezone: value('a string'),
    now: timestamp,
    ...(lifecycle ? { lifecycle: lifecycleShape(lifecycle) } : {}),
  };
}

/** `lifecycle` in a rule: the profile's stage and value tier (as GET /v1/profiles names them), each one the lifecycle defines or null. */
function lifecycleShape(l: LifecycleNames): Shape {
  return {
    kind: 'names', noun: 'field of the lifecycle', plural: 'fields of the lifecycle',
    names: {
      stage: { kind: 'value', what: 'a string (the lifecycle stage, null when no stage holds)', values: { noun: 'lifecycle stage', plural: 'stages', names: l.stages } },
      valueTier: { kind: 'value', what: 'a string (the value tier, null when no tier holds)', values: { noun: 'value tier', plural: 'value tiers', names: l.valueTiers } },
    },
  };
}

/**
 * The stage and value-tier names of a stored lifecycle document (a body stored before it was
 * checked, or none: no names), or of the compiled lifecycle in force.
 *
 * @example
 * lifecycleNames((await documents.latest('lifecycle'))?.body); // { stages: ['new', 'loyal'], valueTiers: ['gold'] }
 */
export function lifecycleNames(body: unknown): LifecycleNames {
  const names = (list: unknown) => (Array.isArray(list) ? list.map((r) => (r as { name?: unknown } | null)?.name).filter((n): n is string => typeof n === 'string') : []);
  const b = body && typeof body === 'object' ? (body as { stages?: unknown; valueTiers?: unknown }) : {};
  return { stages: names(b.stages), valueTiers: names(b.valueTiers) };
}

/** What a feature of a kind holds in a rule (featureValue): a last_value holds whatever the events sent. */
function featureShape(kind: FeatureKind): Shape {
  const holds = featureHolds(kind);
  return holds === 'whatever the events sent' ? { kind: 'open' } : value(`${holds} (a ${kind} feature)`);
}

/**
 * What a feature of a kind holds (featureValue, state.ts): a number, a timestamp, a list, or
 * whatever the events sent (a last_value). A rule written for one does not work on another, so a
 * change of kind that changes it is refused while a rule reads the feature (features-kind.ts).
 *
 * @example
 * featureHolds('decayed_count'); // 'a number'
 */
export function featureHolds(kind: FeatureKind): 'a number' | 'a timestamp' | 'a list' | 'whatever the events sent' {
  switch (kind) {
    case 'first_seen':
    case 'last_seen': return 'a timestamp';
    case 'unique': return 'a list';
    case 'last_value': return 'whatever the events sent';
    default: return 'a number';
  }
}

/**
 * The feature definitions of a stored features document (a body stored before it was checked,
 * or none: no features).
 *
 * @example
 * definedFeatures((await documents.latest('features'))?.body); // [{ name: 'orders', kind: 'count', … }]
 */
export function definedFeatures(body: unknown): FeatureDefinition[] {
  return Array.isArray(body) ? body.filter((d): d is FeatureDefinition => !!d && typeof d === 'object' && typeof (d as FeatureDefinition).name === 'string') : [];
}
