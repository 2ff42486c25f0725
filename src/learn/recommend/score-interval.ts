import { Rng } from '../math/prng.js';
import type { Neighbours } from './neighbours.js';

/** The draws one item's interval may take by default: a request for 100 items stays within ≈ 5·10⁶. */
const DRAW_BUDGET = 50_000;

/**
 * Replicates by default: as many as {@link DRAW_BUDGET} draws allow for a pool of h + 1, between
 * 200 and 2,000 — 2,000 up to 24 history items, 248 at the 200 a subject's history is sampled to.
 * With a fixed 200, an interval's ends moved by a whole step of the sum's discrete values with the
 * seed, and an item near the `established` line (width ≤ score) read either status: 17 of 200
 * items in a QA shop against a 100,000-replicate bootstrap (2026-12-06).
 */
export function defaultReplicates(h: number): number {
  return Math.min(2000, Math.max(200, Math.floor(DRAW_BUDGET / (h + 1))));
}

/**
 * How sure a personal recommendation score is, given the subject's own history: the score of item
 * j is Σ over history items i of the neighbour weight w(i → j), so it rests on which items the
 * subject happened to view or buy. A percentile bootstrap over the history (resampling its items
 * with replacement, seeded by the item so the answer is stable) gives the interval. The pool
 * holds one more, imagined item of weight 0 — the subject's next interest may be unrelated to
 * anything seen — and each replicate draws as many items as the pool holds (h + 1), so the pool's
 * sum, which is the score, is what is resampled: the replicates centre on the score, and a
 * history of one item gives [0, 2·score], not a point. Until 2026-12-06 a replicate drew h items,
 * centring on h/(h + 1) of the score, and the score sat at the top of its own interval (a QA
 * case: 0.3747 in [0, 0.3811] on 2 history items; [0, score] on one). `evidence` is the number
 * of history items that contribute to j.
 *
 * @example
 * historyInterval(nb, [3, 9, 12], 7, { level: 0.9 }); // { low, high, level: 0.9, evidence: 2 }: 90% around the score, the history items behind it
 */
export function historyInterval(nb: Neighbours, history: ArrayLike<number>, item: number, o: { level: number; replicates?: number }): { low: number; high: number; level: number; evidence: number } {
  const h = history.length;
  const contribution = new Float64Array(h);
  let evidence = 0;
  for (let k = 0; k < h; k++) {
    const to = nb.to[history[k]];
    const at = to ? to.indexOf(item) : -1;
    contribution[k] = at >= 0 ? nb.weight[history[k]][at] : 0;
    if (contribution[k] !== 0) evidence++;
  }
  if (h === 0 || evidence === 0) return { low: 0, high: 0, level: o.level, evidence: 0 };
  const replicates = o.replicates ?? defaultReplicates(h);
  const rng = new Rng(item + 1);
  const sums = new Float64Array(replicates);
  // contribution[h] (the imagined unrelated item) stays 0; a replicate is as large as the pool
  const pool = new Float64Array(h + 1);
  pool.set(contribution);
  for (let r = 0; r < replicates; r++) {
    let s = 0;
    for (let k = 0; k <= h; k++) s += pool[rng.int(h + 1)];
    sums[r] = s;
  }
  sums.sort();
  const tail = (1 - o.level) / 2;
  const at = (q: number) => sums[Math.min(replicates - 1, Math.max(0, Math.floor(q * replicates)))];
  return { low: at(tail), high: at(1 - tail), level: o.level, evidence };
}
