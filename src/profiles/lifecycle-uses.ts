import type { StoredWarning } from '../config/document-kind.js';
import type { DocumentStore } from '../config/document-store.js';
import type { Catalog } from '../decide/catalog.js';
import { catalogRules, policyRules } from '../decide/decision-rules.js';
import type { Policy } from '../decide/policy.js';
import type { RecommendationsDoc } from '../models/recommend/recommendations-kind.js';
import { valueMismatches } from '../rules/rule-values.js';
import type { SegmentsDoc } from '../segments/segments-kind.js';
import type { LifecycleDoc } from './lifecycle.js';
import { lifecycleNames, ruleScope } from './rule-scope.js';

/** A stored rule that may read `lifecycle`: where it is, whose it is, and in which document. */
interface StoredRule {
  field: string;
  expression: string;
  owner: string;
  doc: string;
}

/**
 * A lifecycle that no longer defines a stage or value tier a stored rule compares with
 * (`lifecycle.stage == "churning"` after "churning" was removed or renamed): the rule now holds
 * for no subject (`==`) or for every one (`!=`), silently. Taken all the same — the operator may
 * be changing both — with a warning per rule naming it (the segment, policy rule, action or
 * placement, its field and document) and the stage; the rule's own document is refused when next
 * written until the rule is changed (its rules are checked against the lifecycle: rule-values.ts).
 *
 * @example
 * await lifecycleUseWarnings({ stages: [{ name: 'new', when: 'true' }] }, store.documents);
 * // [{ field: 'stages', message: 'The policy rule `win_back` (`rules[0].when` of the policy) compares `lifecycle.stage` with `"churning"`, which is not a lifecycle stage. The stages are new. As written, `==` would be false for every subject. Change the rule (a change to the policy is refused until it is), or keep the stage.' }]
 */
export async function lifecycleUseWarnings(body: LifecycleDoc, documents: Pick<DocumentStore, 'latest'>): Promise<StoredWarning[]> {
  const scope = { lifecycle: ruleScope([], lifecycleNames(body)).lifecycle };
  const out: StoredWarning[] = [];
  for (const r of await storedRules(documents)) {
    if (!r.expression.includes('lifecycle')) continue;
    for (const m of valueMismatches(r.expression, scope)) {
      const what = m.path[1] === 'valueTier' ? { field: 'valueTiers', noun: 'value tier' } : { field: 'stages', noun: 'stage' };
      out.push({ field: what.field, message: `${capital(r.owner)} (\`${r.field}\` of the ${r.doc}) ${m.compares} Change the rule (a change to the ${r.doc} is refused until it is), or keep the ${what.noun}.` });
    }
  }
  return out;
}

/** The rules of the stored segments, policy, catalog and recommendations settings, in that order. */
async function storedRules(documents: Pick<DocumentStore, 'latest'>): Promise<StoredRule[]> {
  const out: StoredRule[] = [];
  const audiences = (await documents.latest<SegmentsDoc>('segments'))?.body?.audiences;
  if (Array.isArray(audiences)) audiences.forEach((a, i) => typeof a?.when === 'string' && out.push({ field: `audiences[${i}].when`, expression: a.when, owner: `the segment \`${String(a.name)}\``, doc: 'segments' }));
  for (const r of policyRules((await documents.latest<Policy>('policy'))?.body)) out.push({ ...r, doc: 'policy' });
  for (const r of catalogRules((await documents.latest<Catalog>('catalog'))?.body)) out.push({ ...r, doc: 'catalog' });
  const recs = (await documents.latest<RecommendationsDoc>('recommendations'))?.body;
  if (typeof recs?.rule === 'string') out.push({ field: 'rule', expression: recs.rule, owner: 'the recommendations', doc: 'recommendations' });
  const placements = recs?.placements && typeof recs.placements === 'object' ? recs.placements : {};
  for (const [name, p] of Object.entries(placements)) {
    if (typeof p?.rule === 'string') out.push({ field: `placements.${name}.rule`, expression: p.rule, owner: `the recommendations placement \`${name}\``, doc: 'recommendations' });
  }
  return out;
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
