/** The note of an answer given before any recommendation model is trained (recommendations and re-ranking alike). */
export const NO_MODEL_NOTE = 'learning — no recommendation model has been trained yet (tact train recommendations)';

/**
 * The note of a re-ranking before any model is trained: the same words, and what the caller gets
 * instead — its list by the relevance it sent, ties as listed (src/learn/recommend/rerank.ts: no
 * evidence, no affinity weight). Until 2026-12-06 it said "the list keeps the caller's order", and
 * a list not sent in relevance order came back in another.
 */
export const NO_MODEL_RERANK_NOTE = `${NO_MODEL_NOTE}; the list is ordered by the relevance the caller sent, ties in the caller's order.`;

/** The business filters a recommendation applied, as {@link noItemNote} names them. */
export interface FiltersInForce {
  /** History items left out (`excludeHistory`, the default) and the subject has some. */
  history: boolean;
  /** The subject has purchased items (never recommended). */
  purchased: boolean;
  /** Configured or requested out-of-stock items. */
  outOfStock: boolean;
  /** `filters.exclude` or the placement's exclusions. */
  excluded: boolean;
  /** The fields of the rules in force, in order (`rule`, `placements.checkout.rule`, `filters.rule`). */
  rules: readonly string[];
}

/**
 * The note of a recommendation that the business filters emptied — an empty list is no popularity
 * fallback (until 2026-12-05 it said `popular` and nothing else): how many items the model knows
 * and which filters were in force, in the words of the decision's "No item passed the business filters."
 *
 * @example
 * noItemNote(3, { history: true, purchased: false, outOfStock: false, excluded: false, rules: ['filters.rule'] });
 * // 'No item passed the business filters: all 3 items the model knows were left out (in force: already in the subject\'s history, the rule `filters.rule`).'
 */
export function noItemNote(known: number, f: FiltersInForce): string {
  const inForce = [
    ...(f.history ? ['already in the subject\'s history'] : f.purchased ? ['already purchased'] : []),
    ...(f.outOfStock ? ['out of stock'] : []),
    ...(f.excluded ? ['excluded'] : []),
    ...f.rules.map((r) => `the rule \`${r}\``),
  ];
  return `No item passed the business filters: all ${known} item${known === 1 ? '' : 's'} the model knows were left out${inForce.length ? ` (in force: ${inForce.join(', ')})` : ''}.`;
}
