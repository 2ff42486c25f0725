import type { DocumentStore } from '../../config/document-store.js';
import type { FieldProblem } from '../../errors/tact-error.js';
import { itemShape } from '../../models/recommend/item-fields.js';
import type { RecommendationsDoc } from '../../models/recommend/recommendations-kind.js';
import type { FeatureKind } from '../../profiles/features/definition.js';
import { definedFeatures, lifecycleNames } from '../../profiles/rule-scope.js';
import { namesRead, notDefined } from '../../rules/rule-names.js';
import { ruleProblem } from '../../rules/rule-types.js';
import { recommendScope } from '../decision-names.js';

/** Kinds whose value may be a list of item ids: a unique set, or the last value of a property that is a list. */
const LISTS: ReadonlySet<FeatureKind> = new Set(['unique', 'last_value']);
const HOLDS: Partial<Record<FeatureKind, string>> = { first_seen: 'a timestamp', last_seen: 'a timestamp' };

/** The rules of a recommendations document (of one stored before it was checked too), with their fields and owners. */
function rules(body: RecommendationsDoc | undefined): { field: string; expression: string; owner: string }[] {
  const out: { field: string; expression: string; owner: string }[] = [];
  if (typeof body?.rule === 'string') out.push({ field: 'rule', expression: body.rule, owner: 'the recommendations' });
  const placements = body?.placements && typeof body.placements === 'object' ? body.placements : {};
  for (const [name, p] of Object.entries(placements)) {
    if (typeof p?.rule === 'string') out.push({ field: `placements.${name}.rule`, expression: p.rule, owner: `the recommendations placement \`${name}\`` });
  }
  return out;
}

/** The features `history` and `purchased` name, with their fields. */
function lists(body: RecommendationsDoc | undefined): { field: string; name: string }[] {
  return (['history', 'purchased'] as const).flatMap((k) => {
    const list = body?.[k];
    return Array.isArray(list) ? list.flatMap((name, i) => (typeof name === 'string' ? [{ field: `${k}[${i}]`, name }] : [])) : [];
  });
}

/**
 * Recommendations settings whose `history` or `purchased` names a feature not defined (read as
 * empty: nothing would be excluded as bought), or one that never holds a list of items (a count),
 * or whose rules read a feature not defined, compare `lifecycle.stage` (`valueTier`) with one the
 * lifecycle does not define, or read a field no item has (an item is its id and its attributes in
 * the same document's `items`: `item.price` with no item priced fails on every item): refused
 * when written, against the features and lifecycle stored (the config file applies them first),
 * naming the field and the closest defined name.
 *
 * @example
 * await checkRecommendationNames({ purchased: ['bougth'] }, store.documents);
 * // [{ field: 'purchased[0]', message: 'The `purchased[0]` names `bougth`, which is not a defined feature: did you mean `bought`? …' }]
 */
export async function checkRecommendationNames(body: RecommendationsDoc, documents: Pick<DocumentStore, 'latest'>): Promise<FieldProblem[]> {
  const features = definedFeatures((await documents.latest('features'))?.body);
  const base = recommendScope(features, lifecycleNames((await documents.latest('lifecycle'))?.body));
  const scope = { ...base, item: itemShape(body.items) };
  const set = base.features;
  const kinds = new Map(features.map((f) => [f.name, f.kind]));
  const p: FieldProblem[] = [];
  for (const { field, name } of lists(body)) {
    const kind = kinds.get(name);
    if (kind === undefined && set.kind === 'names') p.push({ field, message: `The \`${field}\` names \`${name}\`, which is not ${notDefined(name, set)}` });
    else if (kind !== undefined && !LISTS.has(kind)) p.push({ field, message: `The \`${field}\` names \`${name}\`, a ${kind} feature, which holds ${HOLDS[kind] ?? 'a number'}: \`history\` and \`purchased\` read lists of item ids, which a unique feature holds.` });
  }
  for (const r of rules(body)) {
    const problem = ruleProblem(r.expression, r.field, scope);
    if (problem) p.push({ field: r.field, message: problem });
  }
  return p;
}

/**
 * Who, in the stored recommendations settings, reads each of the features `removed`: "the
 * recommendations (`history[0]` of the recommendations)". For the check that refuses removing a
 * feature still read (src/profiles/features/features-kind.ts).
 *
 * @example
 * await recommendationFeatureUses(new Set(['viewed']), store.documents);
 * // [{ feature: 'viewed', by: 'the recommendations (`history[0]` of the recommendations)' }]
 */
export async function recommendationFeatureUses(removed: ReadonlySet<string>, documents: Pick<DocumentStore, 'latest'>): Promise<{ feature: string; by: string }[]> {
  if (removed.size === 0) return [];
  const body = (await documents.latest<RecommendationsDoc>('recommendations'))?.body;
  const uses = lists(body).filter((l) => removed.has(l.name)).map((l) => ({ feature: l.name, by: `the recommendations (\`${l.field}\` of the recommendations)` }));
  for (const r of rules(body)) for (const f of namesRead(r.expression, 'features')) if (removed.has(f)) uses.push({ feature: f, by: `${r.owner} (\`${r.field}\` of the recommendations)` });
  return uses;
}
