import { type DocumentKind, unknownFields } from '../config/document-kind.js';
import type { DocumentStore } from '../config/document-store.js';
import type { FieldProblem } from '../errors/tact-error.js';
import { compileRule, testRule, variablePaths, type CompiledRule } from '../rules/cel.js';
import { ruleProblem } from '../rules/rule-types.js';
import { lifecycleUseWarnings } from './lifecycle-uses.js';
import { definedFeatures, ruleScope } from './rule-scope.js';

/**
 * Lifecycle stages and value tiers: operator-defined CEL expressions over a profile's facts,
 * tried in order; the first that holds names the stage (or tier). An event name the profile
 * never saw is not in `events` (reading it fails the rule): test it with `in`.
 *
 * @example
 * { stages: [{ name: 'new', when: '!("Order Completed" in events)' }, { name: 'active', when: 'features.orders_90d >= 1.0' }, { name: 'lapsed', when: 'true' }],
 *   valueTiers: [{ name: 'gold', when: 'features.revenue >= 1000.0' }, { name: 'standard', when: 'true' }] }
 */
export interface LifecycleDoc {
  stages?: NamedRule[];
  valueTiers?: NamedRule[];
}

export interface NamedRule {
  name: string;
  when: string;
  description?: string;
}

/** The keys of a stage or tier: another is refused, since saved it would be ignored (a misspelt `when` is no rule). */
const RULE_FIELDS = ['name', 'when', 'description'] as const satisfies readonly (keyof NamedRule)[];

export interface CompiledLifecycle {
  stages: { name: string; when: string; rule: CompiledRule }[];
  valueTiers: { name: string; when: string; rule: CompiledRule }[];
}

/**
 * Which stage / tier a profile is in, or null when no rule holds (or none is defined). A rule that
 * cannot be evaluated on the profile (a trait it lacks) is passed over, and when `errors` is given
 * the sentence naming it (`what` and its field: "The stage `gold` (`stages[0].when`) …") is added.
 *
 * @example
 * classify(lc.stages, vars); // 'active'
 */
export function classify(rules: CompiledLifecycle['stages'], vars: Record<string, unknown>, errors?: string[], what = 'stage', at = 'stages'): string | null {
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i];
    const verdict = testRule(r.rule, vars);
    if (verdict.pass) return r.name;
    if (verdict.error !== undefined) errors?.push(`The ${what} \`${r.name}\` (\`${at}[${i}].when\`) could not be evaluated (${verdict.error}), so it was passed over.`);
  }
  return null;
}

/**
 * A profile's stage and value tier, and the rules passed over because they could not be evaluated
 * on it (`ruleErrors`, absent when none): without them a stage that fails on a trait the profile
 * lacks would read as one that does not hold.
 *
 * @example
 * lifecyclePlace(vars, lc); // { stage: 'other', valueTier: null, ruleErrors: ['The stage `gold` (`stages[0].when`) could not be evaluated (No such key: tier), so it was passed over.'] }
 */
export function lifecyclePlace(vars: Record<string, unknown>, lc: CompiledLifecycle): { stage: string | null; valueTier: string | null; ruleErrors?: string[] } {
  const errors: string[] = [];
  const stage = classify(lc.stages, vars, errors);
  const valueTier = classify(lc.valueTiers, vars, errors, 'value tier', 'valueTiers');
  return { stage, valueTier, ...(errors.length ? { ruleErrors: errors } : {}) };
}

/**
 * Whether a rule reads the variable `lifecycle` (by a member or whole: `variablePaths` cannot say
 * which member) — what segment, decision and batch-audience rules read to see a stage or tier.
 *
 * @example
 * readsLifecycle('lifecycle.stage == "loyal"'); // true
 * readsLifecycle('features.lifecycle_events > 1.0'); // false
 */
export function readsLifecycle(expression: string): boolean {
  if (!expression.includes('lifecycle')) return false;
  const paths = variablePaths(expression, 'lifecycle');
  return paths === undefined || paths.length > 0;
}

function checkList(list: unknown, field: string): FieldProblem[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) return [{ field, message: `The \`${field}\` must be a list of { name, when } rules.` }];
  const p: FieldProblem[] = [];
  list.forEach((r, i) => {
    const at = `${field}[${i}]`;
    if (!r || typeof r !== 'object') return p.push({ field: at, message: 'Each rule must be an object with `name` and `when`.' });
    p.push(...unknownFields(r, RULE_FIELDS, at));
    const { name, when } = r as NamedRule;
    if (typeof name !== 'string' || !name) p.push({ field: `${at}.name`, message: 'The `name` must be a non-empty string.' });
    if (typeof when !== 'string' || !when) p.push({ field: `${at}.when`, message: 'The `when` must be a CEL expression.' });
    else {
      try {
        compileRule(when, `${at}.when`, { authoring: true });
        if (readsLifecycle(when)) p.push({ field: `${at}.when`, message: `The rule in \`${at}.when\` reads \`lifecycle\`, which a stage or value tier cannot read: they are what \`lifecycle\` holds, so it would be computed from itself. Write it over the profile's facts (\`features\`, \`events\`, \`traits\`, …).` });
      } catch (e) {
        p.push({ field: `${at}.when`, message: (e as Error).message });
      }
    }
    return undefined;
  });
  return p;
}

/**
 * A stage or tier that reads a feature not defined (`features.revenu`) never holds, or holds for
 * everyone under a `!has(…)`: refused when written, against the features stored (the config file
 * applies its features before its lifecycle), naming the rule and the closest defined name.
 *
 * @example
 * await checkLifecycleNames({ valueTiers: [{ name: 'high', when: 'features.revenu >= 1000.0' }] }, store.documents);
 * // [{ field: 'valueTiers[0].when', message: 'The rule in `valueTiers[0].when` reads `features.revenu`, … did you mean `features.revenue`? …' }]
 */
export async function checkLifecycleNames(body: LifecycleDoc, documents: Pick<DocumentStore, 'latest'>): Promise<FieldProblem[]> {
  const scope = ruleScope(definedFeatures((await documents.latest('features'))?.body));
  const p: FieldProblem[] = [];
  for (const [list, at] of [[body.stages, 'stages'], [body.valueTiers, 'valueTiers']] as const) {
    (list ?? []).forEach((r, i) => {
      const field = `${at}[${i}].when`;
      const problem = ruleProblem(r.when, field, scope);
      if (problem) p.push({ field, message: problem });
    });
  }
  return p;
}

export const lifecycleKind: DocumentKind<LifecycleDoc, CompiledLifecycle> = {
  kind: 'lifecycle',
  configKey: 'lifecycle',
  fields: ['stages', 'valueTiers'] satisfies (keyof LifecycleDoc)[],
  description: 'Lifecycle stages and value tiers as ordered CEL rules over profile facts.',
  empty: {},
  check(body: unknown): FieldProblem[] {
    if (!body || typeof body !== 'object' || Array.isArray(body)) return [{ field: 'lifecycle', message: 'The lifecycle must be an object with `stages` and/or `valueTiers`.' }];
    const b = body as LifecycleDoc;
    return [...checkList(b.stages, 'stages'), ...checkList(b.valueTiers, 'valueTiers')];
  },
  checkStored: checkLifecycleNames,
  warnStored: (body, documents) => lifecycleUseWarnings(body, documents),
  compile(body) {
    const c = (l: NamedRule[] | undefined) => (l ?? []).map((r) => ({ name: r.name, when: r.when, rule: compileRule(r.when) }));
    return { stages: c(body.stages), valueTiers: c(body.valueTiers) };
  },
};
