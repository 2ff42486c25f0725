/**
 * Re-ranking a list the caller brings (search results with their relevance scores): blend the
 * caller's relevance with the subject's affinity for each item, giving affinity a weight that
 * grows with the subject's evidence, w = maxWeight · n/(n + halfEvidence) — a new subject gets the
 * list by the caller's relevance, ties in the caller's order. Both signals are turned into
 * within-list percentiles so their scales do not matter; the explanation says which one moved the
 * item.
 */

/** The affinity's largest weight when the caller sends no `maxWeight`: relevance always keeps at least half the say. */
export const DEFAULT_MAX_WEIGHT = 0.5;

/** The subject's evidence (history items the model knows) at which the affinity gets half of `maxWeight`. */
export const DEFAULT_HALF_EVIDENCE = 10;

/** An item of the caller's list. */
export interface Ranked {
  item: number;
  relevance: number;
}

/** A re-ranked item. */
export interface Reranked extends Ranked {
  score: number;
  affinity: number;
  explanation: string;
}

/** Percentile rank within the list (ties share the mean rank), in [0, 1]. */
function percentiles(values: number[]): number[] {
  const n = values.length;
  if (n <= 1) return values.map(() => 1);
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(n);
  for (let r = 0; r < n; ) {
    let e = r;
    while (e + 1 < n && order[e + 1][0] === order[r][0]) e++;
    const mean = (r + e) / 2 / (n - 1);
    for (let k = r; k <= e; k++) out[order[k][1]] = mean;
    r = e + 1;
  }
  return out;
}

/**
 * Re-ranks `list` with the subject's `affinity` per item (e.g. personalScores(...).scores).
 * `maxWeight` defaults to {@link DEFAULT_MAX_WEIGHT} (0.5), `halfEvidence` to
 * {@link DEFAULT_HALF_EVIDENCE} (10): 10 history items give the affinity a weight of 0.25.
 *
 * @example
 * rerank([{ item: 4, relevance: 9.1 }, { item: 7, relevance: 8.7 }], affinity, { evidence: 12 });
 */
export function rerank(list: Ranked[], affinity: ArrayLike<number>, opts: { evidence: number; maxWeight?: number; halfEvidence?: number }): Reranked[] {
  const w = (opts.maxWeight ?? DEFAULT_MAX_WEIGHT) * (opts.evidence / (opts.evidence + (opts.halfEvidence ?? DEFAULT_HALF_EVIDENCE)));
  const rel = percentiles(list.map((x) => x.relevance));
  const aff = percentiles(list.map((x) => affinity[x.item] ?? 0));
  // The caller's order: by relevance, then as listed (what a subject without evidence gets back).
  const callerPlace = new Array<number>(list.length);
  list.map((x, k) => [x.relevance, k] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]).forEach(([, k], place) => (callerPlace[k] = place));
  const scored = list.map((x, k) => ({ ...x, score: (1 - w) * rel[k] + w * aff[k], affinity: affinity[x.item] ?? 0, explanation: 'ranked by relevance', index: k }));
  scored.sort((a, b) => b.score - a.score || a.index - b.index);
  // "raised" only for an item that ends above its place in the caller's order and has affinity.
  scored.forEach((x, place) => {
    if (x.affinity > 0 && place < callerPlace[x.index]) x.explanation = 'raised by your past interest';
  });
  return scored.map(({ index: _index, ...rest }) => rest);
}
