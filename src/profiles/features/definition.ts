import { createHash } from 'node:crypto';
import type { FieldProblem } from '../../errors/tact-error.js';
import { closestWord } from '../../errors/edit-distance.js';
import { describeValue } from '../../errors/schema-problems.js';
import { compileRule } from '../../rules/cel.js';
import type { Shape } from '../../rules/rule-names.js';
import { ruleProblem } from '../../rules/rule-types.js';
import { messageTypeHint } from '../../rules/syntax-hints.js';
import { MESSAGE_TYPES, type MessageType } from '../../collect/message.js';
import { noWhereErrors, type WhereErrorTally } from './where-errors.js';
import { andList } from '../../errors/words.js';

/** What a computed feature aggregates. */
export type FeatureKind =
  | 'count' | 'sum' | 'mean' | 'min' | 'max'
  | 'first_seen' | 'last_seen'
  | 'decayed_count' | 'decayed_sum'
  | 'unique' | 'last_value';

export const FEATURE_KINDS: readonly FeatureKind[] = ['count', 'sum', 'mean', 'min', 'max', 'first_seen', 'last_seen', 'decayed_count', 'decayed_sum', 'unique', 'last_value'];
const NEEDS_PROPERTY: ReadonlySet<FeatureKind> = new Set(['sum', 'mean', 'min', 'max', 'decayed_sum', 'unique', 'last_value']);

/**
 * The keys a definition of each kind takes, in the order the docs list them: what applyToFeature
 * reads for it (state.ts). Another key would be saved and ignored — a `count` given a `property`
 * still counts events, a `halfLife` on a `sum` decays nothing — so it is refused.
 */
const FIELDS = ['name', 'kind', 'event', 'type', 'property', 'where', 'halfLife', 'limit', 'description'] as const satisfies readonly (keyof FeatureDefinition)[];
const ONLY_SOME: Partial<Record<(typeof FIELDS)[number], (k: FeatureKind) => boolean>> = {
  property: (k) => NEEDS_PROPERTY.has(k),
  halfLife: (k) => k.startsWith('decayed'),
  limit: (k) => k === 'unique',
};
const fieldsOf = (kind: FeatureKind): string[] => FIELDS.filter((f) => ONLY_SOME[f]?.(kind) ?? true);
/** "decayed_count and decayed_sum": the kinds that take a key. */
const kindsTaking = (field: string): string => {
  const ks = FEATURE_KINDS.filter((k) => fieldsOf(k).includes(field));
  return andList(ks);
};

/**
 * A computed feature, updated in the same transaction as each event it matches.
 *
 * @example
 * { name: 'orders_30d', kind: 'decayed_count', event: 'Order Completed', halfLife: '30d' }
 * { name: 'purchased_products', kind: 'unique', event: 'Order Completed', property: 'products[].product_id', limit: 200 }
 */
export interface FeatureDefinition {
  /** Name used in rules (`features.<name>`): lower case letters, digits and underscores. */
  name: string;
  kind: FeatureKind;
  /** Track event name it counts; omit to use `type`. */
  event?: string;
  /** Message type it counts (page, screen, identify, group, track); default track when `event` is set. */
  type?: MessageType;
  /** Dotted path into properties (traits for identify and group); `a[].b` collects b from every element of list a. */
  property?: string;
  /** Optional CEL filter over {event, name, properties, traits, context} (WHERE_SCOPE). */
  where?: string;
  /** Half-life of decayed kinds, e.g. "7d", "12h", "90m". */
  halfLife?: string;
  /** unique: how many values to keep (the most recent), default 100, at most 10,000. */
  limit?: number;
  description?: string;
}

/** A definition checked and prepared for fast use on the write path. */
export interface CompiledFeature {
  def: FeatureDefinition;
  /** Short hash of the definition: state computed under another definition is not reused. */
  hash: string;
  halfLifeMs: number;
  limit: number;
  path: string[] | undefined;
  where: ((vars: Record<string, unknown>) => unknown) | undefined;
  /**
   * Events on which `where` failed (other than for a missing key), counted by matches() in this
   * process since this compilation: a failure is a non-match, shown by GET /v1/features.
   */
  whereErrors: WhereErrorTally;
}

/**
 * The shortest `halfLife` a decayed feature takes (1s): event times are milliseconds, set by
 * clients whose clocks differ by more, so a shorter one decays a count to nothing between two
 * events — it measures clock noise, not recency.
 */
export const MIN_HALF_LIFE_MS = 1000;

const scalar = (what: string): Shape => ({ kind: 'value', what });

/**
 * What a `where` filter sees of one event (the variables matches() in state.ts gives it): a name
 * it does not see compiles (CEL variables are dynamic here), fails on every event, and the
 * feature would never count one — so it is refused when written. The names are strings (null on
 * other calls), so a comparison with another type (`event == 3`: false for every event) is
 * refused too (rule-types.ts reads the kind from the words: they start "a string"); below
 * `properties`, `traits` and `context` is data, of any type. (`type` is CEL's own name for its
 * type function, not the message type: the definition's `type` chooses that. The event's time is
 * not a variable.)
 */
const WHERE_SCOPE: Readonly<Record<string, Shape>> = {
  event: scalar('a string (the track event name; null on other calls)'),
  name: scalar('a string (the page or screen name; null on other calls)'),
  category: scalar('a string (the page or screen category; null when none was sent)'),
  properties: { kind: 'open' },
  traits: { kind: 'open' },
  context: { kind: 'open' },
};

/**
 * Names the rule evaluator will not read as a key of an object (@marcbachmann/cel-js guards
 * `constructor` against prototype access: `features.constructor` and `features["constructor"]`
 * fail with "Unsupported type: object"), so a feature under one could never be used.
 */
const UNREADABLE: ReadonlySet<string> = new Set(['constructor']);

/** The path of key `k` of the definition at `at` (`features[2].event`; `event` for a definition at the top of a body, at ''). */
const under = (at: string, k: string): string => (at ? `${at}.${k}` : k);

/**
 * Checks a feature definition; returns the problems, each naming its field (below `at`: '' for a
 * definition that is the body itself, as POST /v1/features takes it).
 *
 * @example
 * checkFeature({ name: 'x', kind: 'sum', event: 'Order Completed' }, 'features[0]'); // [{ field: 'features[0].property', … }]
 */
export function checkFeature(d: unknown, at = 'feature'): FieldProblem[] {
  const p: FieldProblem[] = [];
  if (!d || typeof d !== 'object') return [{ field: at || 'feature', message: 'A feature definition must be a JSON object.' }];
  const f = d as Record<string, unknown>;
  if (typeof f.name !== 'string' || !/^[a-z][a-z0-9_]{0,63}$/.test(f.name)) p.push({ field: under(at, 'name'), message: 'The `name` must start with a lower-case letter and use only a–z, 0–9 and _ (at most 64 characters).' });
  else if (UNREADABLE.has(f.name)) p.push({ field: under(at, 'name'), message: `The name \`${f.name}\` cannot be read by a rule (\`features.${f.name}\` fails for every subject: CEL guards that key of an object): choose another name.` });
  if (!FEATURE_KINDS.includes(f.kind as FeatureKind)) p.push({ field: under(at, 'kind'), message: `The \`kind\` must be one of ${FEATURE_KINDS.join(', ')}.` });
  if (f.event === undefined && f.type === undefined) p.push({ field: under(at, 'event'), message: 'Say which events the feature counts: an `event` name (track) or a message `type`.' });
  if (f.event !== undefined && typeof f.event !== 'string') p.push({ field: under(at, 'event'), message: 'The `event` must be a non-empty string.' });
  // An event name of only spaces names no track call a client sends on purpose: it would count nothing.
  else if (typeof f.event === 'string' && !f.event.trim()) p.push({ field: under(at, 'event'), message: `The \`event\` must name a track event; it was ${f.event ? 'blank (only spaces)' : 'empty'}, so the feature would count nothing.` });
  if (f.type !== undefined && !MESSAGE_TYPES.includes(f.type as MessageType)) p.push({ field: under(at, 'type'), message: `The \`type\` must be one of ${MESSAGE_TYPES.join(', ')}.` });
  else if (typeof f.event === 'string' && f.event && f.type !== undefined && f.type !== 'track') p.push({ field: under(at, 'event'), message: eventOfNoTrack(f.type as MessageType, f.event) });
  if (NEEDS_PROPERTY.has(f.kind as FeatureKind) && (typeof f.property !== 'string' || !f.property)) p.push({ field: under(at, 'property'), message: `A ${String(f.kind)} feature needs the \`property\` it aggregates, e.g. "revenue".` });
  else if (typeof f.property === 'string' && NEEDS_PROPERTY.has(f.kind as FeatureKind)) {
    const problem = propertyProblem(f.property);
    if (problem) p.push({ field: under(at, 'property'), message: problem });
  }
  const halfLifeMs = readDuration(f.halfLife);
  if (String(f.kind).startsWith('decayed') && halfLifeMs === undefined) p.push({ field: under(at, 'halfLife'), message: halfLifeProblem(f.halfLife) });
  else if (String(f.kind).startsWith('decayed') && halfLifeMs !== undefined && halfLifeMs < MIN_HALF_LIFE_MS) {
    p.push({ field: under(at, 'halfLife'), message: `The \`halfLife\` ${JSON.stringify(f.halfLife)} is shorter than the shortest one taken, 1s: event times are kept to the millisecond and sent by clocks that differ by more, so the count would be lost between one event and the next. Write one such as "1h" or "7d".` });
  }
  if (f.limit !== undefined && (!Number.isInteger(f.limit) || (f.limit as number) < 1 || (f.limit as number) > 10_000)) p.push({ field: under(at, 'limit'), message: 'The `limit` must be a whole number from 1 to 10,000.' });
  if (f.where !== undefined && typeof f.where !== 'string') {
    p.push({ field: under(at, 'where'), message: `The \`where\` must be a CEL expression written as a string, such as 'properties.revenue > 100.0'; it was ${describeValue(f.where)}.${typeof f.where === 'boolean' ? ` In YAML, quote it: \`where: '${String(f.where)}'\`.` : ''}` });
  } else if (f.where !== undefined) {
    try {
      compileRule(String(f.where), under(at, 'where'), { authoring: true });
      const typo = ruleProblem(String(f.where), under(at, 'where'), WHERE_SCOPE, 'event');
      if (typo) p.push({ field: under(at, 'where'), message: typo });
    } catch (e) {
      const hint = messageTypeHint(String(f.where));
      p.push({ field: under(at, 'where'), message: hint ? `${(e as Error).message} ${hint}.` : (e as Error).message });
    }
  }
  if (f.description !== undefined && typeof f.description !== 'string') p.push({ field: under(at, 'description'), message: 'The `description` must be a string.' });
  return [...p, ...keysNotTaken(f, at)];
}

/**
 * Why a `property` path would read nothing in any event (extract() in state.ts): a part with no
 * key (`a..b`, `[]`), or a path written from the message rather than from its `properties`
 * (`traits` for identify and group), as a `where` names it (`properties.revenue`).
 *
 * @example
 * propertyProblem('properties.revenue'); // 'The `property` is a path inside … write "revenue".'
 */
function propertyProblem(path: string): string | undefined {
  const parts = path.split('.');
  if (parts.some((x) => x === '' || x === '[]')) return `The \`property\` ${JSON.stringify(path)} has an empty part: it is a dotted path of keys, such as "revenue" or "products[].price".`;
  if (parts.length > 1 && (parts[0] === 'properties' || parts[0] === 'traits')) {
    return `The \`property\` is a path inside the event's \`properties\` (its \`traits\` for identify and group calls), so ${JSON.stringify(path)} reads ${parts[0]}.${path}: write ${JSON.stringify(parts.slice(1).join('.'))}.`;
  }
  return undefined;
}

/**
 * Why `event` is refused beside a `type` other than track: only a track call carries an event
 * name (matches() compares it), so the feature would never count one. A page or screen is chosen
 * by its `name` in `where`.
 */
function eventOfNoTrack(type: MessageType, event: string): string {
  const named = type === 'page' || type === 'screen';
  const then = named ? `Choose the ${type} by its name with \`where: 'name == ${JSON.stringify(event)}'\`.` : 'Remove it, or filter with `where`.';
  return `A feature of ${type} calls takes no \`event\`: that is a track call's name, and ${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type} call carries none, so it would count nothing. ${then}`;
}

/**
 * A problem for each key the definition's kind does not take (any kind's keys, when the kind is
 * not one: that is reported already), naming the field and the key it likely means.
 */
function keysNotTaken(f: Record<string, unknown>, at: string): FieldProblem[] {
  const kind = FEATURE_KINDS.includes(f.kind as FeatureKind) ? (f.kind as FeatureKind) : undefined;
  const takes: readonly string[] = kind ? fieldsOf(kind) : FIELDS;
  const list = kind ? `The fields of a ${kind} feature are ${takes.join(', ')}.` : `The fields are ${takes.join(', ')}.`;
  return Object.keys(f).filter((k) => !takes.includes(k)).map((k) => {
    const field = under(at, k);
    if ((FIELDS as readonly string[]).includes(k)) return { field, message: `A ${kind} feature takes no \`${k}\` (it would be ignored): only ${kindsTaking(k)} features do. ${list}` };
    // A guess among the kind's own keys first; one only other kinds take says which.
    const near = closestWord(k, [...takes, ...FIELDS.filter((x) => !takes.includes(x))]);
    const guess = near === undefined ? '' : takes.includes(near) ? ` Did you mean \`${near}\`?` : ` Did you mean \`${near}\` (which only ${kindsTaking(near)} features take)?`;
    // `description: Orders, with a 30-day half-life` in a YAML { … } mapping: the comma ends the value.
    const split = f[k] === null && /\s/.test(k) ? ' A key with spaces and no value is what a comma in an unquoted YAML value gives (in `{ …, description: a, b }` the comma ends the description): quote the value.' : '';
    return { field, message: `The \`${field}\` field is not one Tact knows here.${guess}${split} ${list}` };
  });
}


/**
 * Prepares a checked definition for the write path. `since` names the features version from
 * which a definition is in force again after a time without it: its states are kept apart from
 * those of its earlier time.
 */
export function compileFeature(def: FeatureDefinition, since?: number): CompiledFeature {
  const clean: FeatureDefinition = { ...def, type: def.type ?? (def.event ? 'track' : undefined) };
  return {
    def: clean,
    hash: featureHash(def, since),
    halfLifeMs: parseDuration(def.halfLife) ?? 0,
    limit: def.limit ?? 100,
    path: def.property ? def.property.split('.') : undefined,
    where: def.where ? compileRule(def.where, 'where') : undefined,
    whereErrors: noWhereErrors(),
  };
}

/** Short hash of what a definition computes: a state computed under another hash is not reused. */
export function featureHash(def: FeatureDefinition, since?: number): string {
  const key: unknown[] = [def.kind, def.event, def.type ?? (def.event ? 'track' : undefined), def.property, def.where, def.halfLife, def.limit];
  if (since !== undefined) key.push(since);
  return createHash('sha256').update(JSON.stringify(key)).digest('base64url').slice(0, 10);
}

/**
 * Parses "30d", "12h", "15m", "45s", "2w" into milliseconds (more than 0).
 *
 * @example
 * parseDuration('7d'); // 604800000
 */
export function parseDuration(v: unknown): number | undefined {
  const ms = readDuration(v);
  return ms !== undefined && ms > 0 ? ms : undefined;
}

/** A duration in milliseconds, 0 for "0s": a number (a fraction too, "1.5d") and a unit, ms, s, m, h, d or w. */
export function readDuration(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$/.exec(v);
  if (!m) return undefined;
  const unit = { ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 604800e3 }[m[2] as 'ms'];
  return Number(m[1]) * unit;
}

/**
 * Why a decayed feature's `halfLife` is refused when it is not a duration: absent, or a value
 * that parseDuration does not read ("P7D", "7D", "1d2h", "-1d", "1e3s"), quoted.
 */
function halfLifeProblem(v: unknown): string {
  if (v === undefined || v === null) return 'A decayed feature needs a `halfLife` such as "7d", "12h" or "30m".';
  const upper = typeof v === 'string' && readDuration(v.toLowerCase()) !== undefined ? ` Units are lower case: write ${JSON.stringify(v.trim().toLowerCase())}.` : '';
  return `The \`halfLife\` ${typeof v === 'string' ? JSON.stringify(v) : describeValue(v)} was not understood: write one positive number and one lower-case unit — s, m, h, d or w (ms for milliseconds) — such as "7d", "12h", "1.5d" or "90m", at least 1s.${upper}`;
}
