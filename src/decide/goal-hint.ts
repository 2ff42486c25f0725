import type { DocumentStore } from '../config/document-store.js';
import type { StoredWarning } from '../config/document-kind.js';
import { closestWord } from '../errors/edit-distance.js';
import type { Catalog } from './catalog.js';
import { OWN_OUTCOME_TYPES } from './outcomes/type-hint.js';
import type { Policy } from './policy.js';

/**
 * A warning for each action whose `goal` no outcome can carry but that is one typo from a type
 * one does: Tact's own outcome types, the policy's rewards (`outcomes.rewards`) and the types its
 * tracked events become (`outcomes.events`). Goals are free, so the catalog is applied; but an
 * action whose goal is `convrsion` counts no conversion as its success, and its estimate never
 * learns (an outcome typed `convrsion` would even pass for a type something reads). Nothing for a
 * goal far from every type (one of the operator's own, e.g. `signup`). Short goals allow one
 * edit, longer ones two, as outcome types do (type-hint.ts).
 *
 * @example
 * await catalogGoalWarnings({ actions: [{ id: 'k1', goal: 'convrsion' }] }, store.documents);
 * // [{ field: 'actions[0].goal', message: 'The `actions[0].goal` `convrsion` of `k1` is no outcome type … Did you mean `conversion`? …' }]
 */
export async function catalogGoalWarnings(body: Catalog, documents: Pick<DocumentStore, 'latest'>): Promise<StoredWarning[]> {
  const actions = Array.isArray(body?.actions) ? body.actions : [];
  if (!actions.some((a) => typeof a?.goal === 'string')) return [];
  const policy = (await documents.latest<Policy>('policy'))?.body;
  const known = new Set<string>(OWN_OUTCOME_TYPES);
  for (const t of Object.keys(policy?.outcomes?.rewards ?? {})) known.add(t);
  for (const e of Object.values(policy?.outcomes?.events ?? {})) if (typeof e?.type === 'string') known.add(e.type);
  const out: StoredWarning[] = [];
  actions.forEach((a, i) => {
    const goal = a?.goal;
    if (typeof goal !== 'string' || known.has(goal)) return;
    const near = closestWord(goal, known, goal.length <= 5 ? 1 : 2);
    if (!near) return;
    const field = `actions[${i}].goal`;
    out.push({
      field,
      message: `The \`${field}\` \`${goal}\` of \`${a.id}\` is no outcome type Tact or the policy knows (its own: ${OWN_OUTCOME_TYPES.join(', ')}; the policy's rewards; the types its events become). Did you mean \`${near}\`? As written, no ${near} counts as the action's success and its estimate does not learn from them. The catalog is applied; correct the goal, or report outcomes of type \`${goal}\`.`,
    });
  });
  return out;
}
