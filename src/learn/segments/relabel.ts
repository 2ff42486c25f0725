/**
 * Stable micro-segment numbers across trainings. k-means numbers its clusters in the order its
 * seeding happened to pick them, so a refit on a few more rows may call the big spenders 0 where
 * the version before called them 2 — and a segment rule `microSegment == 2` would silently change
 * its people. A new fit is therefore renumbered after the version it replaces: each earlier
 * cluster's number goes to the new cluster nearest to it (one to one, least total distance).
 */
import type { MicroSegmentModel } from './micro-segments.js';

/**
 * The model with its clusters renumbered after `previous`: the new cluster matched to earlier
 * cluster i is numbered i; clusters left over (a larger k) take the numbers left, in their own
 * order. A number that held people goes to a cluster that holds people wherever one is left (an
 * empty cluster takes the numbers left over, or one that held no one). Distances are measured in
 * the new model's standardised units, between the centroids in the features' own units, over
 * `columns`: pairs of a column of `model` and the column of `previous` holding the same feature
 * (by default the same columns, when both have as many). A feature list in another order, or with
 * a feature added or removed, is matched on the features both share; with no pair the model is
 * returned as it is (numbered afresh).
 *
 * @example
 * const model = relabelLike(fitMicroSegments(X, d, { k: 8 }), live.state.model);
 * relabelLike(fitted, live.state.model, [[0, 1], [1, 0]]); // fitted on [views, revenue], live on [revenue, views]
 */
export function relabelLike(model: MicroSegmentModel, previous: MicroSegmentModel, columns?: readonly (readonly [number, number])[]): MicroSegmentModel {
  const { k, d } = model;
  const pd = previous.d;
  const pairs = columns ?? (pd === d ? Array.from({ length: d }, (_, j) => [j, j] as const) : []);
  if (!pairs.length || pairs.some(([j, p]) => j < 0 || j >= d || p < 0 || p >= pd)) return model;
  const shared = Math.min(k, previous.k);
  // cost[i][c]: earlier cluster i against new cluster c.
  const cost = Array.from({ length: shared }, (_, i) => Array.from({ length: k }, (_, c) => {
    let s = 0;
    for (const [j, p] of pairs) {
      const before = previous.mean[p] + previous.sd[p] * previous.centroids[i * pd + p];
      s += ((before - model.mean[j]) / model.sd[j] - model.centroids[c * d + j]) ** 2;
    }
    return s;
  }));
  // A number that held people goes to a cluster that holds people wherever one can take it: an
  // empty cluster (fewer distinct rows than k) can sit exactly on a group whose populated centroid
  // is a rounding error away, and would take that group's number from it. The penalty outweighs
  // any sum of distances, so the fewest such pairs come first, then the least distance.
  const holds = (sizes: readonly number[], c: number) => (sizes[c] ?? 1) > 0;
  const penalty = 1 + cost.reduce((s, row) => s + Math.max(...row.filter(Number.isFinite), 0), 0);
  cost.forEach((row, i) => row.forEach((_, c) => {
    if (holds(previous.sizes, i) && !holds(model.sizes, c)) row[c] += penalty;
  }));
  const matched = minCostAssignment(cost);
  const order = [...matched, ...Array.from({ length: k }, (_, c) => c).filter((c) => !matched.includes(c))];
  return {
    ...model,
    centroids: order.flatMap((c) => model.centroids.slice(c * d, (c + 1) * d)),
    sizes: order.map((c) => model.sizes[c]),
  };
}

/**
 * The one-to-one assignment of rows to columns (rows ≤ columns) with the least total cost: the
 * Hungarian method with potentials (Kuhn 1955; Jonker–Volgenant form), O(rows²·columns).
 *
 * @example
 * minCostAssignment([[4, 1, 3], [2, 0, 5]]); // [1, 0]: row 0 → column 1, row 1 → column 0
 */
export function minCostAssignment(cost: readonly (readonly number[])[]): number[] {
  const n = cost.length;
  const m = n ? cost[0].length : 0;
  if (n > m) throw new RangeError(`An assignment needs no more rows than columns (rows=${n}, columns=${m}).`);
  // 1-based, column 0 a sentinel: p[j] is the row on column j, u and v the potentials.
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const p = new Int32Array(m + 1);
  const way = new Int32Array(m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Float64Array(m + 1).fill(Infinity);
    const used = new Uint8Array(m + 1);
    do {
      used[j0] = 1;
      const i0 = p[j0];
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = cost[i0 - 1][j - 1] - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else minv[j] -= delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0);
  }
  const out = new Array<number>(n).fill(-1);
  for (let j = 1; j <= m; j++) if (p[j]) out[p[j] - 1] = j - 1;
  return out;
}
