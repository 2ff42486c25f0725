import { compileRule, type CompiledRule, ruleTree, variablePaths } from '../rules/cel.js';
import { purposeKey } from '../profiles/profile-state.js';
import type { StageName, Verdict } from './decision.js';

/** Variables whose members a rule reads one by one: a decision keeps `traits.plan`, not all traits. */
const MAPS = new Set(['traits', 'features', 'consent', 'flags', 'context', 'events', 'estimates', 'anomalies', 'lifecycle']);
/** Variables a decision keeps whole. */
const WHOLE = new Set(['accounts', 'timezone', 'firstSeen', 'lastSeen']);

interface Node {
  op: string;
  args: unknown;
}
const isNode = (x: unknown): x is Node => !!x && typeof x === 'object' && typeof (x as Node).op === 'string';

/**
 * The facts a rule reads, found in its parse tree: `traits.plan`, `features.orders`,
 * `consent.Email`, `flags.procurement_delay`, `context.page`, `lifecycle.stage`, `events["Order Completed"]` (or
 * `events.Signup`, or `"Signup" in events`), `estimates.<rate>`, `anomalies.<metric>`, `accounts`,
 * `timezone`, `firstSeen`, `lastSeen`. A variable the rule reads otherwise than by a constant
 * member (`size(traits)`, `traits[k]`, `events.exists(…)`) is a fact whole. A decision keeps the
 * values of exactly these (see {@link factValues}), so it can be explained and replayed months
 * later without storing the whole profile.
 *
 * @example
 * factPaths('features.orders >= 3.0 && has(traits.plan)'); // ['features.orders', 'traits.plan']
 */
export function factPaths(expression: string): string[] {
  const out = new Set<string>();
  // The variable and first constant member under a member chain (`traits.address.city` → traits, address).
  const head = (node: Node): [string, string | undefined] | undefined => {
    if (node.op === 'id') return typeof node.args === 'string' ? [node.args, undefined] : undefined;
    if ((node.op !== '.' && node.op !== '[]') || !Array.isArray(node.args)) return undefined;
    const [obj, key] = node.args as [unknown, unknown];
    const name = node.op === '.' ? key : isNode(key) && key.op === 'value' ? key.args : undefined;
    if (!isNode(obj) || typeof name !== 'string') return undefined;
    const h = head(obj);
    return h && [h[0], h[1] ?? name];
  };
  const visit = (x: unknown): void => {
    if (Array.isArray(x)) return x.forEach(visit);
    if (!isNode(x) || x.op === 'value') return;
    if (x.op === '.' || x.op === '[]' || x.op === 'id') {
      const h = head(x);
      if (h && MAPS.has(h[0])) return void out.add(h[1] === undefined ? h[0] : `${h[0]}.${h[1]}`);
      if (h && WHOLE.has(h[0])) return void out.add(h[0]);
      if (h) return;
    }
    // `"Signup" in events` reads whether the subject has that one.
    if (x.op === 'in' && Array.isArray(x.args)) {
      const [k, m] = x.args as unknown[];
      if (isNode(k) && k.op === 'value' && typeof k.args === 'string' && isNode(m) && m.op === 'id' && MAPS.has(m.args as string)) return void out.add(`${m.args as string}.${k.args}`);
    }
    visit(x.args);
  };
  visit(ruleTree(expression));
  return [...out];
}

/** A rule compiled once, with the name an operator gave it and the facts it reads. */
export interface Check {
  name: string;
  expression: string;
  run: CompiledRule;
  facts: readonly string[];
  /** The expression never names `action`: its result is the same for every candidate of a decision. */
  subjectOnly: boolean;
  /** Set when the expression reads `action` only through member paths (see actionClass). */
  byAction?: ActionClasses;
  /** The sentence shown when the rule excludes a candidate. */
  reason: string;
  /** The result of the rule not holding, made once (a hundred candidates a decision may fail it). */
  fails: { readonly pass: false; readonly reason: string };
  /** The verdict it gives a candidate it excludes, per stage, made once. */
  verdicts: Partial<Record<StageName, Verdict>>;
}

/**
 * The actions a rule reads only through member paths of `action`, put in classes: two candidates
 * that agree on those paths get the same result within a decision.
 */
export interface ActionClasses {
  /** The member paths of `action` the expression reads. */
  paths: readonly (readonly string[])[];
  /** Per action (its CEL variable): its class. */
  of: WeakMap<object, number>;
  /** The classes found so far, by the values at `paths`. */
  keys: Map<string, number>;
  /** How many actions have been given a class. */
  classified: number;
}

/**
 * Compiles a named rule (the expression was checked when the document was accepted).
 *
 * @example
 * makeCheck('bought before', 'features.orders >= 1.0', 'has never ordered');
 */
export function makeCheck(name: string, expression: string, reason?: string): Check {
  const because = reason ?? `the rule \`${name}\` (${expression}) does not hold`;
  const run = compileRule(expression, name);
  const paths = variablePaths(expression, 'action');
  return {
    name, expression, run, facts: factPaths(expression), subjectOnly: paths?.length === 0,
    ...(paths?.length ? { byAction: { paths, of: new WeakMap(), keys: new Map(), classified: 0 } } : {}),
    reason: because, fails: Object.freeze({ pass: false, reason: because }), verdicts: {},
  };
}

/**
 * The class of an action for a rule that reads only member paths of `action`: actions whose
 * values at those paths are equal (absent counts as a value, told apart by where the path broke) share a class, and so the rule's
 * result within one decision — the pipeline evaluates such a rule once per class, not once per
 * candidate (`action.value < 40.0` over a hundred offers at seventeen price points: seventeen
 * evaluations). Made once per action and rule; undefined when the rule reads `action` otherwise.
 *
 * @example
 * actionClass(makeCheck('cheap', 'action.value < 40.0'), { value: 29 }); // 0
 */
export function actionClass(check: Check, action: object): number | undefined {
  const c = check.byAction;
  if (!c) return undefined;
  let k = c.of.get(action);
  if (k === undefined) {
    const key = JSON.stringify(c.paths.map((p) => reach(action, p)), keyPart);
    k = c.keys.get(key);
    if (k === undefined) c.keys.set(key, (k = c.keys.size));
    c.of.set(action, k);
    c.classified += 1;
  }
  // Sharing pays when actions are at least two to a class; a rule on a field every action has its
  // own value of (a product id) is evaluated per candidate, without the bookkeeping.
  return c.keys.size * 2 <= c.classified ? k : undefined;
}

/**
 * What a rule reading `path` of an action meets there: `[value]` when the path reaches a value;
 * the step's index when a map lacks that key (`has()` is false at the last step and an error before
 * it: "No such key: spec"); `[index, value]` when a step meets a value that is not a map. Where the
 * path broke is part of the class: `!has(action.properties.spec.size)` holds for `spec: {}` and
 * errors without `spec`.
 */
function reach(root: unknown, path: readonly string[]): unknown {
  let v = root;
  for (let i = 0; i < path.length; i++) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return [i, v];
    if (!Object.hasOwn(v, path[i])) return i;
    v = (v as Record<string, unknown>)[path[i]];
  }
  return [v];
}

/** A class key's values told apart where JSON would merge them: strings are tagged, so none reads as `undefined` or −0. */
function keyPart(_k: string, v: unknown): unknown {
  if (typeof v === 'string') return `s${v}`;
  if (v === undefined) return 'u';
  return typeof v === 'number' && Object.is(v, -0) ? '-0' : v;
}

/**
 * The values of the given fact paths in a rule-variable object, as plain JSON (times as ISO
 * strings), and the paths the profile did not have at all (a rule's `has()` tells the two apart).
 *
 * @example
 * factValues(new Set(['features.orders', 'traits.plan']), { features: { orders: 3 }, traits: {} });
 * // { values: { 'features.orders': 3 }, absent: ['traits.plan'] }
 */
export function factValues(paths: Iterable<string>, vars: Record<string, unknown>): { values: Record<string, unknown>; absent: string[] } {
  const values: Record<string, unknown> = {};
  const absent: string[] = [];
  for (const p of paths) {
    const dot = p.indexOf('.');
    const head = dot < 0 ? p : p.slice(0, dot);
    const root = vars[head];
    const v = dot < 0 ? root : root && typeof root === 'object' ? member(head, root as Record<string, unknown>, p.slice(dot + 1)) : undefined;
    if (v === undefined) absent.push(p);
    else values[p] = plain(v);
  }
  return { values, absent };
}

/**
 * A member of a variable; a consent purpose is matched as the consent stage matches it (purposeKey),
 * so `consent.Advertising` keeps the state of a profile that keeps it as `advertising`.
 */
function member(head: string, root: Record<string, unknown>, key: string): unknown {
  if (head !== 'consent' || Object.hasOwn(root, key)) return root[key];
  const want = purposeKey(key);
  const found = Object.keys(root).filter((k) => purposeKey(k) === want);
  return found.length ? found.every((k) => root[k] === true) : undefined;
}

function plain(v: unknown): unknown {
  if (v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = plain(x);
    return o;
  }
  return typeof v === 'bigint' ? Number(v) : v;
}
