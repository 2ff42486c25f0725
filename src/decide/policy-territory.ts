import type { DocumentStore } from '../config/document-store.js';
import type { FieldProblem } from '../errors/tact-error.js';
import { accountIdProblem, storedMergeRules } from './flag-declarations.js';
import type { Policy } from './policy.js';

/**
 * A human territory naming an account id the merge rules in force block (`null`, `undefined` …)
 * or one too long to be an account: a group() call never makes that account, so the entry covers
 * no one by it (until 2026-12-05 it was taken). Against the merge rules stored (the config file's
 * with it); blank ids are refused by policy-check.ts, which needs no rules.
 *
 * @example
 * await territoryAccountProblems({ humanTerritory: [{ name: 't', queue: 'q', accounts: ['null'] }] }, store.documents);
 * // [{ field: 'humanTerritory[0].accounts[0]', message: 'The `humanTerritory[0].accounts[0]` `null` can never be an account: …' }]
 */
export async function territoryAccountProblems(body: Policy, documents: Pick<DocumentStore, 'latest'>): Promise<FieldProblem[]> {
  const named = (Array.isArray(body.humanTerritory) ? body.humanTerritory : []).flatMap((t, i) =>
    (Array.isArray(t?.accounts) ? t.accounts : []).map((id, k) => ({ field: `humanTerritory[${i}].accounts[${k}]`, id })),
  );
  if (!named.length) return [];
  const rules = await storedMergeRules(documents);
  const out: FieldProblem[] = [];
  for (const { field, id } of named) {
    const message = typeof id === 'string' ? accountIdProblem(id, field, 'the entry would cover no one by it', rules) : undefined;
    if (message) out.push({ field, message });
  }
  return out;
}
