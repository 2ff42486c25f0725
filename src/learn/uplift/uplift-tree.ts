/**
 * One uplift tree (a causal tree in the sense of Athey & Imbens 2016, without honesty): each split
 * maximises the between-children spread of the estimated effect, n_L·n_R/n²·(τ_L − τ_R)², where
 * τ = mean outcome of treated rows − mean outcome of control rows in the child; both children must
 * keep `minLeaf` treated and `minLeaf` control rows. Features are pre-binned to quantiles, so a
 * node costs O(rows × features). Leaves hold τ.
 */
import type { Rng } from '../math/prng.js';

/** Features binned once for all trees: bins[i*d + k] is row i's bin for feature k. */
export interface BinnedFeatures {
  d: number;
  bins: Uint8Array;
  /** Upper edges per feature: value ≤ edges[k][b] falls in bin ≤ b. */
  edges: Float64Array[];
}

/** Tree node: a leaf (feature = −1) or a split "bin ≤ threshold → left". */
export interface UpliftNode {
  feature: number;
  threshold: number;
  left: number;
  right: number;
  tau: number;
}

/**
 * Bins every feature of X (n×d) into at most `maxBins` quantile bins of the `rows`.
 *
 * @example
 * const binned = binFeatures(X, d, trainRows, 32);
 */
export function binFeatures(X: Float64Array, d: number, rows: ArrayLike<number>, maxBins = 32): BinnedFeatures {
  const n = X.length / d;
  const edges: Float64Array[] = [];
  for (let k = 0; k < d; k++) {
    const vals = Float64Array.from({ length: rows.length }, (_, r) => X[rows[r] * d + k]).sort();
    const cuts: number[] = [];
    for (let b = 1; b < maxBins; b++) {
      const v = vals[Math.floor((b * vals.length) / maxBins)];
      if (cuts.length === 0 || v > cuts[cuts.length - 1]) cuts.push(v);
    }
    edges.push(Float64Array.from(cuts));
  }
  const bins = new Uint8Array(n * d);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) bins[i * d + k] = binOf(edges[k], X[i * d + k]);
  return { d, bins, edges };
}

/** Bin index of a value: number of edges strictly below it. */
export function binOf(edges: Float64Array, v: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Settings of one tree. */
export interface TreeOptions {
  maxDepth: number;
  minLeaf: number;
  /** Features tried per split (random subset). */
  mtry: number;
}

/**
 * Grows a tree on rows (each with a treated flag and an outcome).
 *
 * @example
 * const nodes = growUpliftTree(binned, rows, treated, y, { maxDepth: 4, minLeaf: 100, mtry: 5 }, rng);
 */
export function growUpliftTree(b: BinnedFeatures, rows: Int32Array, treated: Uint8Array, y: Float64Array, opts: TreeOptions, rng: Rng): UpliftNode[] {
  const nodes: UpliftNode[] = [];
  const stats = new Float64Array(256 * 4);
  const grow = (idx: Int32Array, depth: number): number => {
    let nt = 0, st = 0, nc = 0, sc = 0;
    for (const i of idx) {
      if (treated[i]) { nt++; st += y[i]; } else { nc++; sc += y[i]; }
    }
    const id = nodes.length;
    nodes.push({ feature: -1, threshold: 0, left: -1, right: -1, tau: st / Math.max(nt, 1) - sc / Math.max(nc, 1) });
    if (depth >= opts.maxDepth || nt < 2 * opts.minLeaf || nc < 2 * opts.minLeaf) return id;
    let best = { gain: 0, feature: -1, threshold: -1 };
    const n = idx.length;
    for (const k of pickFeatures(b.d, opts.mtry, rng)) {
      const nb = b.edges[k].length + 1;
      stats.fill(0, 0, nb * 4);
      for (const i of idx) {
        const s = b.bins[i * b.d + k] * 4;
        if (treated[i]) { stats[s] += 1; stats[s + 1] += y[i]; } else { stats[s + 2] += 1; stats[s + 3] += y[i]; }
      }
      let lnt = 0, lst = 0, lnc = 0, lsc = 0;
      for (let t = 0; t < nb - 1; t++) {
        lnt += stats[t * 4]; lst += stats[t * 4 + 1]; lnc += stats[t * 4 + 2]; lsc += stats[t * 4 + 3];
        const rnt = nt - lnt, rnc = nc - lnc;
        if (lnt < opts.minLeaf || lnc < opts.minLeaf || rnt < opts.minLeaf || rnc < opts.minLeaf) continue;
        const tauL = lst / lnt - lsc / lnc;
        const tauR = (st - lst) / rnt - (sc - lsc) / rnc;
        const nl = lnt + lnc;
        const gain = ((nl * (n - nl)) / (n * n)) * (tauL - tauR) ** 2;
        if (gain > best.gain) best = { gain, feature: k, threshold: t };
      }
    }
    if (best.feature < 0) return id;
    const left: number[] = [];
    const right: number[] = [];
    for (const i of idx) (b.bins[i * b.d + best.feature] <= best.threshold ? left : right).push(i);
    const l = grow(Int32Array.from(left), depth + 1);
    const r = grow(Int32Array.from(right), depth + 1);
    nodes[id] = { ...nodes[id], feature: best.feature, threshold: best.threshold, left: l, right: r };
    return id;
  };
  grow(rows, 0);
  return nodes;
}

function pickFeatures(d: number, m: number, rng: Rng): number[] {
  const all = Array.from({ length: d }, (_, k) => k);
  for (let i = d - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, Math.min(m, d));
}

/**
 * The tree's effect estimate for a row of bins.
 *
 * @example
 * predictTree(nodes, binsOfRow);
 */
export function predictTree(nodes: UpliftNode[], bins: ArrayLike<number>): number {
  let node = nodes[0];
  while (node.feature >= 0) node = nodes[bins[node.feature] <= node.threshold ? node.left : node.right];
  return node.tau;
}
