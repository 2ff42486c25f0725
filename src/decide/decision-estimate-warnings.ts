import type { StoredLookups, StoredWarning } from '../config/document-kind.js';
import { namesRead } from '../rules/rule-names.js';
import { trainedHolds, UNTRAINED } from '../segments/estimate-names.js';
import type { RuleField } from './decision-rules.js';

/**
 * Each decision rule that reads a configured rate (`estimates.<rate>`) no trained rates model
 * holds yet: taken all the same — the estimate exists, status "learning" — with a warning naming
 * the rule and what the estimate rests on until a training, as a segment rule's
 * (src/segments/estimate-names.ts). An anomaly flag (`anomalies.<metric>`) rests on the subject's
 * own baseline, not on a trained model: no warning. None when no model registry is at hand.
 * `doc` names what is taken: "catalog", "policy".
 *
 * @example
 * await untrainedDecisionWarnings(policyRules({ rules: [{ name: 'opens', stage: 'suitability', when: 'estimates.email_open.low > 0.2' }] }), 'policy', { models: store.models });
 * // [{ field: 'rules[0].when', message: 'The rule in `rules[0].when` reads `estimates.email_open`, and no trained rates model holds that rate yet: …' }]
 */
export async function untrainedDecisionWarnings(rules: readonly RuleField[], doc: string, lookups: StoredLookups | undefined): Promise<StoredWarning[]> {
  const holds = trainedHolds(lookups);
  if (!holds) return [];
  const u = UNTRAINED.rates;
  const out: StoredWarning[] = [];
  for (const r of rules) {
    if (r.scope !== 'decision') continue;
    for (const name of namesRead(r.expression, 'estimates')) {
      if (await holds('rates', name)) continue;
      out.push({ field: r.field, message: `The rule in \`${r.field}\` reads \`estimates.${name}\`, and no trained ${u.model} model holds that ${u.what} yet: until one does (the training schedule, or POST /v1/models/${u.model}/train), ${u.until}. The ${doc} is taken.` });
    }
  }
  return out;
}
