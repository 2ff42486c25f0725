/** How many of the items the subject's history leads to each business filter left out (the first that applies counts). */
export interface LeftOut {
  purchased: number;
  /** Already in the history (`excludeHistory`, the default): viewed, not bought. */
  seen: number;
  outOfStock: number;
  /** `filters.exclude` or the placement's exclusions. */
  excluded: number;
  /** A rule that did not hold (or could not be evaluated). */
  rule: number;
}

/**
 * Why a recommendation is all popular items: the subject has no history the model knows, the
 * history it knows leads to no other item, or the business filters left out every item it leads
 * to (`leftOut` says which, and `why` names them). Until 2026-12-06 every popular answer said "the
 * subject has no history the model knows yet", also for a subject whose three viewed items were
 * known and led only to one another (QA: u4, sku-3, sku-1, sku-2).
 */
export interface PopularFallback {
  reason: 'no known history' | 'history leads nowhere' | 'filtered';
  /** The history items the model knows. */
  history: number;
  /** With `filtered`: the items the history leads to, and what left each out. */
  leadsTo?: number;
  leftOut?: LeftOut;
  /** The reason as a clause: "the subject has no history the model knows yet". */
  why: string;
}

/** What a candidate the history leads to is, for the filters: its index and the sets it may be in. */
export interface FallbackInput {
  /** History items the model knows. */
  history: number;
  /** The items the history leads to (a positive personal score). */
  candidates: readonly number[];
  purchased: ReadonlySet<number>;
  /** Items left out as already in the history; empty when `excludeHistory` is off. */
  seen: ReadonlySet<number>;
  outOfStock: ReadonlySet<number>;
  excluded: ReadonlySet<number>;
  /** The fields of the rules in force (`filters.rule`, `placements.home.rule`). */
  rules: readonly string[];
}

/**
 * The fallback of an all-popular recommendation. A candidate in none of the sets was left out by
 * a rule: the recommender takes every candidate that passes them all (recommend.ts), so none of
 * them is asked about again here (a rule's error counts stay as the recommendation left them).
 *
 * @example
 * popularFallback({ history: 3, candidates: [0, 1, 2], purchased: new Set(), seen: new Set([0, 1, 2]), outOfStock: new Set(), excluded: new Set(), rules: [] }).why;
 * // "the business filters left out all 3 items the subject's history leads to (3 already seen)"
 */
export function popularFallback(f: FallbackInput): PopularFallback {
  if (!f.history) return { reason: 'no known history', history: 0, why: 'the subject has no history the model knows yet' };
  const items = (n: number) => `${n} item${n === 1 ? '' : 's'}`;
  if (!f.candidates.length) return { reason: 'history leads nowhere', history: f.history, why: `the subject's history the model knows (${items(f.history)}) leads to no other item` };
  const leftOut: LeftOut = { purchased: 0, seen: 0, outOfStock: 0, excluded: 0, rule: 0 };
  for (const i of f.candidates) {
    const k: keyof LeftOut = f.purchased.has(i) ? 'purchased' : f.seen.has(i) ? 'seen' : f.outOfStock.has(i) ? 'outOfStock' : f.excluded.has(i) ? 'excluded' : 'rule';
    leftOut[k]++;
  }
  const rules = f.rules.map((r) => `\`${r}\``).join(', ');
  const parts = [
    leftOut.purchased && `${leftOut.purchased} already purchased`,
    leftOut.seen && `${leftOut.seen} already seen`,
    leftOut.outOfStock && `${leftOut.outOfStock} out of stock`,
    leftOut.excluded && `${leftOut.excluded} excluded`,
    leftOut.rule && `${leftOut.rule} by ${f.rules.length === 1 ? 'the rule' : 'the rules'} ${rules}`,
  ].filter((x) => !!x);
  const n = f.candidates.length;
  return { reason: 'filtered', history: f.history, leadsTo: n, leftOut, why: `the business filters left out ${n === 1 ? 'the one item' : `all ${n} items`} the subject's history leads to (${parts.join(', ')})` };
}
