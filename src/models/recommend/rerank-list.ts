import type { FieldProblem } from '../../errors/tact-error.js';

/**
 * Problems of a caller's list to re-rank (`[{ id, relevance }]`), each naming its field: an id
 * that is not a non-empty string, a relevance that is not a finite number (null is missing, not
 * 0; "2" is text), and an item listed twice (the list would come back with it twice).
 *
 * @example
 * rerankListProblems([{ id: 'a', relevance: 1 }, { id: 'a', relevance: null }], 'items');
 * // [{ field: 'items.1.relevance', … }, { field: 'items.1.id', … }]
 */
export function rerankListProblems(v: unknown, at: string, max = 1000): FieldProblem[] {
  if (!Array.isArray(v) || v.length > max) return [{ field: at, message: `The \`${at}\` must be a list of at most ${max} { id, relevance }.` }];
  const p: FieldProblem[] = [];
  const seen = new Map<string, number>();
  v.forEach((x: unknown, k) => {
    if (!x || typeof x !== 'object' || Array.isArray(x)) return void p.push({ field: `${at}.${k}`, message: `The \`${at}.${k}\` must be an object { id, relevance }.` });
    const { id, relevance } = x as { id?: unknown; relevance?: unknown };
    if (typeof relevance !== 'number' || !Number.isFinite(relevance)) p.push({ field: `${at}.${k}.relevance`, message: `The \`${at}.${k}.relevance\` must be a finite number${relevance === undefined || relevance === null ? ' (it is missing)' : ` (not ${JSON.stringify(relevance)})`}.` });
    if (typeof id !== 'string' || id === '') return void p.push({ field: `${at}.${k}.id`, message: `The \`${at}.${k}.id\` must be a non-empty string.` });
    const first = seen.get(id);
    if (first !== undefined) p.push({ field: `${at}.${k}.id`, message: `The item \`${id}\` is listed twice (${at}.${first} and ${at}.${k}); list each item once.` });
    else seen.set(id, k);
  });
  return p;
}
