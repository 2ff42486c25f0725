import type { FieldProblem } from '../../errors/tact-error.js';

/**
 * Problems of a caller's list to re-rank (`[{ id, relevance }]`), each naming its field as the
 * rest of the API's 400s do (`items[1].relevance`, as `properties.products[1].price` in a
 * collected message, `placements[0].safeDefault` in a configuration, or the number that is not
 * finite, src/server/input-guard.ts): an id that is not a non-empty string, a relevance that is
 * not a finite number (null is missing, not 0; "2" is text), and an item listed twice (the list
 * would come back with it twice). Every bad item is named at once — a missing relevance no longer
 * hides the null and the "2" beside it, as POST /v1/rerank's schema did until 2026-12-05. Until
 * 2026-12-05 these wrote `items.1.relevance`. `closed` also refuses a property that is not `id`
 * or `relevance` (POST /v1/rerank takes nothing else; a decision's `context.items` may carry more).
 *
 * @example
 * rerankListProblems([{ id: 'a', relevance: 1 }, { id: 'a', relevance: null }], 'items');
 * // [{ field: 'items[1].relevance', … }, { field: 'items[1].id', … }]
 */
export function rerankListProblems(v: unknown, at: string, max = 1000, { closed = false }: { closed?: boolean } = {}): FieldProblem[] {
  if (!Array.isArray(v) || v.length > max) return [{ field: at, message: `The \`${at}\` must be a list of at most ${max} { id, relevance }.` }];
  const p: FieldProblem[] = [];
  const seen = new Map<string, number>();
  const item = (k: number) => `${at}[${k}]`;
  v.forEach((x: unknown, k) => {
    if (!x || typeof x !== 'object' || Array.isArray(x)) return void p.push({ field: item(k), message: `The \`${item(k)}\` must be an object { id, relevance }.` });
    const { id, relevance } = x as { id?: unknown; relevance?: unknown };
    if (closed) for (const key of Object.keys(x).filter((key) => key !== 'id' && key !== 'relevance')) p.push({ field: `${item(k)}.${key}`, message: `The \`${item(k)}.${key}\` property is not one an item takes: an item is { id, relevance }.` });
    if (typeof relevance !== 'number' || !Number.isFinite(relevance)) p.push({ field: `${item(k)}.relevance`, message: `The \`${item(k)}.relevance\` must be a finite number${relevance === undefined ? ' (it is missing)' : relevance === null ? ' (it is null)' : ` (not ${JSON.stringify(relevance)})`}.` });
    if (typeof id !== 'string' || id === '') return void p.push({ field: `${item(k)}.id`, message: `The \`${item(k)}.id\` must be a non-empty string${id === undefined ? ' (it is missing)' : ''}.` });
    const first = seen.get(id);
    if (first !== undefined) p.push({ field: `${item(k)}.id`, message: `The item \`${id}\` is listed twice (${item(first)} and ${item(k)}); list each item once.` });
    else seen.set(id, k);
  });
  return p;
}
