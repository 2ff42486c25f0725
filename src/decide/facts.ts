import { compileRule, type CompiledRule } from '../rules/cel.js';
import type { StageName, Verdict } from './decision.js';

/**
 * The facts a rule reads, found in its text: `traits.plan`, `features.orders`, `consent.Email`,
 * `flags.procurement_delay`, `context.page`, `events["Order Completed"]`, `accounts`, `timezone`,
 * `firstSeen`, `lastSeen`. A decision keeps the values of exactly these (see {@link factValues}),
 * so it can be explained and replayed months later without storing the whole profile.
 *
 * @example
 * factPaths('features.orders >= 3.0 && has(traits.plan)'); // ['features.orders', 'traits.plan']
 */
export function factPaths(expression: string): string[] {
  const out = new Set<string>();
  const dotted = /\b(traits|features|consent|flags|context)\s*(?:\.\s*([A-Za-z_][A-Za-z0-9_]*)|\[\s*"([^"]+)"\s*\])/g;
  for (const m of expression.matchAll(dotted)) out.add(`${m[1]}.${m[2] ?? m[3]}`);
  for (const m of expression.matchAll(/\bevents\s*\[\s*"([^"]+)"\s*\]/g)) out.add(`events.${m[1]}`);
  for (const m of expression.matchAll(/\b(accounts|timezone|firstSeen|lastSeen)\b/g)) out.add(m[1]);
  for (const m of expression.matchAll(/\b(estimates|anomalies)\s*(?:\.\s*([A-Za-z_][A-Za-z0-9_]*)|\[\s*"([^"]+)"\s*\])/g)) out.add(`${m[1]}.${m[2] ?? m[3]}`);
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
  /** The sentence shown when the rule excludes a candidate. */
  reason: string;
  /** The result of the rule not holding, made once (a hundred candidates a decision may fail it). */
  fails: { readonly pass: false; readonly reason: string };
  /** The verdict it gives a candidate it excludes, per stage, made once. */
  verdicts: Partial<Record<StageName, Verdict>>;
}

/**
 * Compiles a named rule (the expression was checked when the document was accepted).
 *
 * @example
 * makeCheck('bought before', 'features.orders >= 1.0', 'has never ordered');
 */
export function makeCheck(name: string, expression: string, reason?: string): Check {
  const because = reason ?? `the rule \`${name}\` (${expression}) does not hold`;
  return {
    name, expression, run: compileRule(expression, name), facts: factPaths(expression), subjectOnly: !/\baction\b/.test(expression),
    reason: because, fails: Object.freeze({ pass: false, reason: because }), verdicts: {},
  };
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
    const v = dot < 0 ? root : root && typeof root === 'object' ? (root as Record<string, unknown>)[p.slice(dot + 1)] : undefined;
    if (v === undefined) absent.push(p);
    else values[p] = plain(v);
  }
  return { values, absent };
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
