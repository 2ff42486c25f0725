import type { DocumentStore } from '../config/document-store.js';
import type { FieldProblem } from '../errors/tact-error.js';
import type { FeatureDefinition } from '../profiles/features/definition.js';
import { definedFeatures, type LifecycleNames, lifecycleNames, ruleScope } from '../profiles/rule-scope.js';
import { namesRead, notDefined, type Shape } from '../rules/rule-names.js';
import { ruleProblem } from '../rules/rule-types.js';
import type { Catalog } from './catalog.js';
import type { Policy } from './policy.js';
import { checkPolicyTargets } from './policy-targets.js';
import { catalogRules, policyRules, type RuleField } from './decision-rules.js';
import { configuredEstimates } from '../segments/estimate-names.js';

type Features = readonly Pick<FeatureDefinition, 'name' | 'kind'>[];
/** The rates and metrics configured (`rates`, `metrics`): the names a decision rule may read under `estimates` and `anomalies`. */
type Configured = { rates: readonly string[]; metrics: readonly string[] };
const value = (what: string): Shape => ({ kind: 'value', what });

/** The fields of `estimates.<rate>` in a decision rule (RuleEstimate, src/models/estimates/rule-estimates.ts). */
const RATE_ESTIMATE: Shape = {
  kind: 'names', noun: 'field of an estimate', plural: 'fields of an estimate',
  names: { value: value('a number'), low: value('a number'), high: value('a number'), status: value('a string'), source: value('a string'), evidence: value('a number') },
};

/** What `action` holds (CompiledAction.celVar, catalog-compile.ts); its `properties` are the operator's own data. */
const ACTION: Shape = {
  kind: 'names', noun: 'field of an action', plural: 'fields of an action',
  names: { id: value('a string'), name: value('a string'), channels: value('a list'), topics: value('a list'), purpose: value('a string'), value: value('a number'), properties: { kind: 'open' } },
};

/**
 * What a decision rule's variables hold (an action's eligibility, applicability, suitability; the
 * policy's rules, human territory, levers — decider.ts): the profile's facts and `lifecycle` (ruleScope), the
 * subject's `flags`, the request's `context`, the subject's `accounts`, the candidate `action`,
 * and the rates and anomaly flags the models give: `estimates.<rate>` of each rate configured,
 * `anomalies.<metric>` of each metric (ruleInferences, src/models/estimates/rule-estimates.ts —
 * nothing else is put under them). Given `configured`, a rate or metric not configured is not
 * declared (until 2026-12-06 any name was taken, and a rule on one failed for every subject);
 * without it any name is. Flag names and the context come from data: not checked.
 *
 * @example
 * nameProblem('features.ordrs >= 1.0', 'actions[0].eligibility', decisionScope(features)); // '… did you mean `features.orders`? …'
 * nameProblem('estimates.email_opn.low > 0.2', 'rules[0].when', decisionScope(features, { rates: ['email_open'], metrics: [] })); // '… not a configured rate (`rates`): did you mean `estimates.email_open`? …'
 */
export function decisionScope(features: Features, configured?: Configured, lifecycle: LifecycleNames = { stages: [], valueTiers: [] }): Record<string, Shape> {
  const named = (names: readonly string[], each: Shape, noun: string, plural: string): Shape => ({ kind: 'names', noun, plural, names: Object.fromEntries(names.map((n) => [n, each])) });
  return {
    ...ruleScope(features, lifecycle),
    flags: { kind: 'open' },
    context: { kind: 'open' },
    accounts: value('a list of account ids'),
    action: ACTION,
    estimates: configured ? named(configured.rates, RATE_ESTIMATE, 'configured rate (`rates`)', 'rates') : { kind: 'keys', each: RATE_ESTIMATE },
    anomalies: configured ? named(configured.metrics, value('true or false'), 'configured metric (`metrics`)', 'metrics') : { kind: 'keys', each: value('true or false') },
  };
}

/**
 * What a recommendation rule's variables hold (a catalog placement's `recommend`, the
 * recommendations settings' rules — src/models/recommend/recommender.ts): the profile's facts and
 * `lifecycle` (ruleScope, as a decision rule has them), the request's `context` and the `item`
 * (its id and catalog attributes, which are data).
 *
 * @example
 * nameProblem('item.price < 30.0 && features.ordrs > 1.0', 'rule', recommendScope(features)); // '… did you mean `features.orders`? …'
 */
export function recommendScope(features: Features, lifecycle: LifecycleNames = { stages: [], valueTiers: [] }): Record<string, Shape> {
  return { ...ruleScope(features, lifecycle), context: { kind: 'open' }, item: { kind: 'open' } };
}

/** Each `features.<name>` a placement's Thompson bandit reads (selection-option.ts), with its field. */
function selectionFeatures(body: Catalog | undefined): { field: string; name: string; owner: string; deeper: boolean }[] {
  const out: { field: string; name: string; owner: string; deeper: boolean }[] = [];
  (Array.isArray(body?.placements) ? body.placements : []).forEach((p, i) => {
    const list = p?.selection?.features;
    if (!Array.isArray(list)) return;
    list.forEach((f, k) => {
      const path = typeof f === 'string' ? f.split('=')[0].split('.') : [];
      if (path[0] === 'features' && path.length >= 2) out.push({ field: `placements[${i}].selection.features[${k}]`, name: path[1], owner: `the placement \`${String(p.id)}\``, deeper: path.length > 2 });
    });
  });
  return out;
}

const featuresOf = async (documents: Pick<DocumentStore, 'latest'>) => definedFeatures((await documents.latest('features'))?.body);

const lifecycleOf = async (documents: Pick<DocumentStore, 'latest'>) => lifecycleNames((await documents.latest('lifecycle'))?.body);

function ruleProblems(rules: readonly RuleField[], features: Features, configured: Configured, lifecycle: LifecycleNames): FieldProblem[] {
  const scopes = { decision: decisionScope(features, configured, lifecycle), recommend: recommendScope(features, lifecycle) };
  const p: FieldProblem[] = [];
  for (const r of rules) {
    const problem = ruleProblem(r.expression, r.field, scopes[r.scope]);
    if (problem) p.push({ field: r.field, message: problem });
  }
  return p;
}

/**
 * A catalog whose action rules, recommendation rules or bandit features read a feature not
 * defined (`features.purchses`) would never hold (or hold for everyone under a `!has(…)`; a
 * bandit's feature would read 0); one whose action rules read a rate or a metric not configured
 * (`estimates.email_opn`, `anomalies.spnd`) fails for every subject. Refused when written, against
 * the features, rates and metrics stored (a config file's own in place: Settings.applyFile),
 * naming the field and the closest defined name.
 *
 * @example
 * await checkCatalogNames({ actions: [{ id: 'a', name: 'A', channels: ['web'], eligibility: 'features.ordrs >= 1.0' }] }, store.documents);
 * // [{ field: 'actions[0].eligibility', message: 'The rule in `actions[0].eligibility` reads `features.ordrs`, … did you mean `features.orders`? …' }]
 */
export async function checkCatalogNames(body: Catalog, documents: Pick<DocumentStore, 'latest'>): Promise<FieldProblem[]> {
  const features = await featuresOf(documents);
  const p = ruleProblems(catalogRules(body), features, await configuredEstimates(documents), await lifecycleOf(documents));
  const set = decisionScope(features).features;
  for (const s of selectionFeatures(body)) {
    if (set.kind === 'names' && !Object.hasOwn(set.names, s.name)) p.push({ field: s.field, message: `The \`${s.field}\` names \`features.${s.name}\`, which is not ${notDefined(s.name, set, (n) => `features.${n}`)}` });
    // A path inside a feature that holds a number, a timestamp or a list reads nothing: 0 for
    // everyone, as an undefined feature would (it was taken, 2026-12-05). A last value may hold an object.
    else if (set.kind === 'names' && s.deeper) {
      const shape = set.names[s.name];
      if (shape.kind === 'value') p.push({ field: s.field, message: `The \`${s.field}\` reads inside \`features.${s.name}\`, which holds ${shape.what}: no path inside it holds anything, so the bandit would read 0 for everyone. Name \`features.${s.name}\` itself.` });
    }
  }
  return p.sort(inDocumentOrder);
}

/**
 * A policy whose rules, human territory or levers read a feature not defined (a rate or a metric
 * not configured), or that names a channel, topic or action the catalog in force does not have
 * (policy-targets.ts): refused when written, as {@link checkCatalogNames}.
 *
 * @example
 * await checkPolicyNames({ levers: [{ name: 'loyal', weight: 2, when: 'features.ordrs >= 3.0' }] }, store.documents);
 * // [{ field: 'levers[0].when', message: '… did you mean `features.orders`? …' }]
 */
export async function checkPolicyNames(body: Policy, documents: Pick<DocumentStore, 'latest'>): Promise<FieldProblem[]> {
  return [...ruleProblems(policyRules(body), await featuresOf(documents), await configuredEstimates(documents), await lifecycleOf(documents)), ...(await checkPolicyTargets(body, documents))];
}

/**
 * Who, in the stored catalog and policy, reads each of the features `removed`: "the action
 * `winback` (`actions[3].eligibility` of the catalog)", in document order. For the check that
 * refuses removing a feature still read (src/profiles/features/features-kind.ts).
 *
 * @example
 * await decisionFeatureUses(new Set(['purchased']), store.documents);
 * // [{ feature: 'purchased', by: 'the policy rule `not bought already` (`rules[0].when` of the policy)' }]
 */
export async function decisionFeatureUses(removed: ReadonlySet<string>, documents: Pick<DocumentStore, 'latest'>): Promise<{ feature: string; by: string }[]> {
  if (removed.size === 0) return [];
  const uses: { field: string; feature: string; by: string }[] = [];
  const read = (rules: readonly RuleField[], doc: string) => {
    for (const r of rules) for (const f of namesRead(r.expression, 'features')) if (removed.has(f)) uses.push({ field: r.field, feature: f, by: `${r.owner} (\`${r.field}\` of the ${doc})` });
  };
  const catalog = (await documents.latest<Catalog>('catalog'))?.body;
  read(catalogRules(catalog), 'catalog');
  for (const s of selectionFeatures(catalog)) if (removed.has(s.name)) uses.push({ field: s.field, feature: s.name, by: `${s.owner} (\`${s.field}\` of the catalog)` });
  uses.sort(inDocumentOrder);
  read(policyRules((await documents.latest<Policy>('policy'))?.body), 'policy');
  return uses.map(({ feature, by }) => ({ feature, by }));
}

/** Catalog fields in the order they are written: the actions, then the placements, each by index (a stable sort keeps the rest). */
function inDocumentOrder(a: { field: string }, b: { field: string }): number {
  const key = (field: string) => {
    const m = /^(actions|placements)\[(\d+)\]/.exec(field);
    return m ? (m[1] === 'actions' ? 0 : 1e9) + Number(m[2]) : 2e9;
  };
  return key(a.field) - key(b.field);
}
