/**
 * k-means with seeded k-means++ initialisation (Arthur & Vassilvitskii 2007) and Lloyd
 * iterations, over row-major Float64Array data. Used for learned micro-segments: the middle rung
 * between a segment and a person.
 */
import { Rng } from '../math/prng.js';

/** A clustering result. */
export interface KMeansResult {
  k: number;
  d: number;
  /** Row-major k×d centroids. */
  centroids: Float64Array;
  assignment: Int32Array;
  /** Sum of squared distances to the assigned centroids. */
  inertia: number;
  /** Passes that assigned the rows (maxIter + 1 when it stopped before converging). */
  iterations: number;
}

const dist2 = (X: Float64Array, i: number, C: Float64Array, c: number, d: number) => {
  let s = 0;
  for (let k = 0; k < d; k++) {
    const diff = X[i * d + k] - C[c * d + k];
    s += diff * diff;
  }
  return s;
};

/**
 * Clusters n rows of X (n×d) into k groups.
 *
 * @example
 * const { assignment } = kmeans(Float64Array.from([0, 0, 0, 1, 10, 10, 10, 11]), 2, 2, { seed: 1 });
 * // rows 0–1 together, rows 2–3 together
 */
export function kmeans(X: Float64Array, d: number, k: number, opts: { seed?: number; maxIter?: number } = {}): KMeansResult {
  const n = X.length / d;
  if (k < 1 || k > n) throw new RangeError(`k-means needs 1 ≤ k ≤ number of rows (k=${k}, rows=${n}).`);
  const rng = new Rng(opts.seed ?? 0);
  const C = new Float64Array(k * d);
  const nearest = new Float64Array(n).fill(Infinity);
  let first = rng.int(n);
  for (let c = 0; c < k; c++) {
    if (c > 0) {
      let total = 0;
      for (let i = 0; i < n; i++) total += nearest[i];
      let u = rng.float() * total;
      first = n - 1;
      for (let i = 0; i < n; i++) {
        u -= nearest[i];
        if (u < 0) {
          first = i;
          break;
        }
      }
    }
    C.set(X.subarray(first * d, (first + 1) * d), c * d);
    for (let i = 0; i < n; i++) nearest[i] = Math.min(nearest[i], dist2(X, i, C, c, d));
  }
  const assignment = new Int32Array(n).fill(-1);
  // 0 for a cluster left empty with no row to restart at: it takes no row until one is found.
  const open = new Uint8Array(k).fill(1);
  // Float noise in a mean of equal rows (1e-16): a row that close to a centre is on it.
  let scale = 0;
  for (let i = 0; i < X.length; i++) scale = Math.max(scale, Math.abs(X[i]));
  const onCentre = 1e-20 * d * scale * scale;
  const maxIter = opts.maxIter ?? 100;
  let it = 0;
  let inertia = 0;
  // Assigns every row to its nearest centroid; how many rows moved.
  const assignAll = () => {
    let changed = 0;
    inertia = 0;
    for (let i = 0; i < n; i++) {
      const c = assignCluster(C, k, d, X.subarray(i * d, (i + 1) * d), open);
      if (c !== assignment[i]) changed++;
      assignment[i] = c;
      inertia += dist2(X, i, C, c, d);
    }
    return changed;
  };
  for (; it < maxIter; it++) {
    if (assignAll() === 0) break;
    const counts = new Float64Array(k);
    C.fill(0);
    for (let i = 0; i < n; i++) {
      counts[assignment[i]] += 1;
      for (let j = 0; j < d; j++) C[assignment[i] * d + j] += X[i * d + j];
    }
    for (let c = 0; c < k; c++) if (counts[c] > 0) for (let j = 0; j < d; j++) C[c * d + j] /= counts[c];
    const placed = Uint8Array.from(counts, (m) => (m > 0 ? 1 : 0));
    for (let c = 0; c < k; c++) {
      if (placed[c]) continue;
      // An empty cluster restarts at the row farthest from every centre, so never on one: with
      // fewer distinct rows than k (no row off the centres) it stays empty and takes no row.
      let far = 0;
      let best = -1;
      for (let i = 0; i < n; i++) {
        let dd = Infinity;
        for (let o = 0; o < k; o++) if (placed[o]) dd = Math.min(dd, dist2(X, i, C, o, d));
        if (dd > best) {
          best = dd;
          far = i;
        }
      }
      C.set(X.subarray(far * d, (far + 1) * d), c * d);
      open[c] = placed[c] = best > onCentre ? 1 : 0;
    }
  }
  // Stopped at maxIter, the centroids moved after the last assignment: the rows (and so the sizes
  // and the inertia) are assigned once more, to the centroids returned.
  if (it === maxIter) assignAll();
  return { k, d, centroids: C, assignment, inertia, iterations: it + 1 };
}

/**
 * Index of the nearest centroid to x; with `open`, among the clusters whose entry is not 0 (a
 * micro-segment's `sizes`: a cluster no row was in at fitting places no one), or among all when
 * none is.
 *
 * @example
 * assignCluster(Float64Array.from([0, 0, 10, 10]), 2, 2, [9, 9]); // 1
 * assignCluster(Float64Array.from([0, 0, 10, 10]), 2, 2, [9, 9], [5, 0]); // 0
 */
export function assignCluster(centroids: Float64Array, k: number, d: number, x: ArrayLike<number>, open?: ArrayLike<number>): number {
  let best = -1;
  let bestD = Infinity;
  let any = 0;
  let anyD = Infinity;
  for (let c = 0; c < k; c++) {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const diff = x[j] - centroids[c * d + j];
      s += diff * diff;
    }
    if (s < anyD) {
      anyD = s;
      any = c;
    }
    if ((!open || open[c]) && s < bestD) {
      bestD = s;
      best = c;
    }
  }
  return best >= 0 ? best : any;
}

/**
 * How many distinct rows X (n×d) holds, counted up to `atMost` (it stops there): k-means can fill
 * no more clusters than that, so with fewer distinct rows than k some are left empty whatever the
 * seeding — the training says so rather than letting the sizes speak for themselves.
 *
 * @example
 * distinctRows(Float64Array.from([1, 5, 1, 5, 2, 5]), 2, 4); // 2
 */
export function distinctRows(X: Float64Array, d: number, atMost: number): number {
  const seen = new Set<string>();
  for (let i = 0; i < X.length && seen.size < atMost; i += d) seen.add(Array.from(X.subarray(i, i + d)).join(','));
  return seen.size;
}
