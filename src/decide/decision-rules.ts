import type { DocumentStore } from '../config/document-store.js';
import { namesRead } from '../rules/rule-names.js';
import type { Catalog } from './catalog.js';
import type { Policy } from './policy.js';

/** One CEL field of a catalog or policy document: where it is, what it is, and who it belongs to. */
export interface RuleField {
  field: string;
  expression: string;
  /** "the action `winback`", for the sentence refusing a feature's (a rate's, a metric's) removal. */
  owner: string;
  scope: 'decision' | 'recommend';
}

/**
 * Each CEL field of a catalog (of a body stored before it was checked too: what is not a rule is skipped).
 *
 * @example
 * catalogRules({ actions: [{ id: 'a', eligibility: 'features.orders > 1' }] }); // [{ field: 'actions[0].eligibility', owner: 'the action `a`', scope: 'decision', … }]
 */
export function catalogRules(body: Catalog | undefined): RuleField[] {
  const out: RuleField[] = [];
  (Array.isArray(body?.actions) ? body.actions : []).forEach((a, i) => {
    for (const k of ['eligibility', 'applicability', 'suitability'] as const) {
      if (typeof a?.[k] === 'string') out.push({ field: `actions[${i}].${k}`, expression: a[k], owner: `the action \`${String(a.id)}\``, scope: 'decision' });
    }
  });
  (Array.isArray(body?.placements) ? body.placements : []).forEach((p, i) => {
    for (const k of ['rule', 'outOfStock'] as const) {
      const e = p?.recommend?.[k];
      if (typeof e === 'string') out.push({ field: `placements[${i}].recommend.${k}`, expression: e, owner: `the placement \`${String(p.id)}\``, scope: 'recommend' });
    }
  });
  return out;
}

/**
 * Each CEL field of a policy: its rules, human territory and levers.
 *
 * @example
 * policyRules({ levers: [{ name: 'loyal', weight: 2, when: 'features.orders >= 3' }] }); // [{ field: 'levers[0].when', owner: 'the lever `loyal`', … }]
 */
export function policyRules(body: Policy | undefined): RuleField[] {
  const out: RuleField[] = [];
  const list = (items: unknown, at: string, what: string) => {
    if (!Array.isArray(items)) return;
    items.forEach((r: { name?: unknown; when?: unknown } | null, i) => {
      if (typeof r?.when === 'string') out.push({ field: `${at}[${i}].when`, expression: r.when, owner: `the ${what} \`${String(r.name)}\``, scope: 'decision' });
    });
  };
  list(body?.rules, 'rules', 'policy rule');
  list(body?.humanTerritory, 'humanTerritory', 'human territory');
  list(body?.levers, 'levers', 'lever');
  return out;
}

/** Under which variable a decision rule reads each named kind of estimate (src/models/estimates/rule-estimates.ts). */
export const DECISION_READS = { rates: 'estimates', metrics: 'anomalies' } as const;

/**
 * Each rate (`estimates.<rate>`) and metric (`anomalies.<metric>`) a decision rule of the stored
 * catalog and policy reads, once per rule, with who reads it (the action `winback`), where
 * (`actions[3].eligibility`) and in which document. For the check that refuses removing a rate or
 * a metric still read (src/segments/estimate-uses.ts).
 *
 * @example
 * await decisionEstimateReads(store.documents);
 * // [{ kind: 'rates', name: 'email_open', owner: 'the policy rule `opens`', field: 'rules[0].when', doc: 'policy' }]
 */
export async function decisionEstimateReads(documents: Pick<DocumentStore, 'latest'>): Promise<{ kind: keyof typeof DECISION_READS; name: string; owner: string; field: string; doc: 'catalog' | 'policy' }[]> {
  const out: { kind: keyof typeof DECISION_READS; name: string; owner: string; field: string; doc: 'catalog' | 'policy' }[] = [];
  const read = (rules: readonly RuleField[], doc: 'catalog' | 'policy') => {
    for (const r of rules) {
      if (r.scope !== 'decision') continue;
      for (const kind of ['rates', 'metrics'] as const) for (const name of namesRead(r.expression, DECISION_READS[kind])) out.push({ kind, name, owner: r.owner, field: r.field, doc });
    }
  };
  read(catalogRules((await documents.latest<Catalog>('catalog'))?.body), 'catalog');
  read(policyRules((await documents.latest<Policy>('policy'))?.body), 'policy');
  return out;
}
