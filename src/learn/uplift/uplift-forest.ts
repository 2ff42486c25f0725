/**
 * Uplift forest: for each action, bagged uplift trees (uplift-tree.ts) grown on half-samples of
 * that action's rows and the control rows (each row in a tree's sample with probability ½); the
 * uplift is the average of the trees' τ. Outcome levels come from per-arm means in the leaves'
 * absence, so the forest is an uplift-only model; `outcomes` returns the arms' overall means plus
 * the uplift.
 *
 * Its standard error is the infinitesimal jackknife for subsampled ensembles (Wager, Hastie &
 * Efron 2014, JMLR 15, "Confidence intervals for random forests"; Wager & Athey 2018, JASA 113,
 * for subsamples): V = (n/(n − s))² Σᵢ Cov_b(N_bi, T_b)², with N_bi whether row i was in tree b's
 * sample, T_b the tree's estimate and s/n = ½ the sampling rate, less the Monte Carlo bias of
 * finitely many trees, n·π(1 − π)·Var_b(T)/B (their bias-corrected V_IJ-U). The spread of the
 * trees divided by √trees, used before, ignored that the trees share rows and was several times
 * too small (uplift.test.ts measures both against the spread over independent training sets).
 * It costs O(trees × rows) per call, so it is computed only when asked for.
 */
import { Rng } from '../math/prng.js';
import { type BinnedFeatures, type TreeOptions, type UpliftNode, binFeatures, binOf, growUpliftTree, predictTree } from './uplift-tree.js';
import { type UpliftData, type UpliftModel, rowsOfArm } from './uplift-data.js';

/** Settings of the forest. */
export interface ForestOptions extends TreeOptions {
  trees: number;
  seed: number;
  rows?: ArrayLike<number>;
}

/**
 * Fits one forest per action against "none".
 *
 * @example
 * const model = fitUpliftForest(train, { trees: 50, maxDepth: 4, minLeaf: 200, mtry: 6, seed: 1 });
 */
export function fitUpliftForest(data: UpliftData, opts: ForestOptions): UpliftModel {
  const rng = new Rng(opts.seed);
  const all = opts.rows ?? Int32Array.from({ length: data.arm.length }, (_, i) => i);
  const binned: BinnedFeatures = binFeatures(data.X, data.d, all);
  const control = rowsOfArm(data, 0, all);
  const baseline = mean(data.y, control);
  const forests: UpliftNode[][][] = [[]];
  /** Per arm, each tree's sample (row indices) and the number of rows it was drawn from. */
  const samplesOf: { samples: Int32Array[]; rows: number }[] = [{ samples: [], rows: 0 }];
  for (let k = 1; k < data.arms; k++) {
    const treatedRows = rowsOfArm(data, k, all);
    const treated = new Uint8Array(data.arm.length);
    for (const i of treatedRows) treated[i] = 1;
    const pool = Int32Array.from([...treatedRows, ...control]);
    const trees: UpliftNode[][] = [];
    const samples: Int32Array[] = [];
    for (let t = 0; t < opts.trees; t++) {
      const sample = pool.filter(() => rng.float() < SAMPLE_RATE);
      samples.push(sample);
      trees.push(growUpliftTree(binned, sample, treated, data.y, opts, rng));
    }
    forests.push(trees);
    samplesOf.push({ samples, rows: pool.length });
  }
  const binsOf = (x: ArrayLike<number>) => Uint8Array.from({ length: data.d }, (_, k) => binOf(binned.edges[k], x[k]));
  const perTree = (x: ArrayLike<number>, k: number) => {
    const b = binsOf(x);
    return forests[k].map((tree) => predictTree(tree, b));
  };
  const uplift = (x: ArrayLike<number>) => Float64Array.from({ length: data.arms }, (_, k) => (k === 0 ? 0 : mean(perTree(x, k))));
  return {
    kind: 'uplift-forest',
    arms: data.arms,
    uplift,
    outcomes: (x) => Float64Array.from(uplift(x), (u) => baseline + u),
    upliftStandardError: (x) => Float64Array.from({ length: data.arms }, (_, k) => (k === 0 ? 0 : Math.sqrt(jackknifeVariance(perTree(x, k), samplesOf[k].samples, samplesOf[k].rows, data.arm.length)))),
  };
}

/** The chance each row has of being in a tree's sample. */
const SAMPLE_RATE = 0.5;

/**
 * The bias-corrected infinitesimal-jackknife variance of the trees' mean (see the file's comment).
 * `estimates[b]` is tree b's estimate, `samples[b]` the rows it was grown on, drawn from `rows`
 * rows (index space up to `size`). When the Monte Carlo correction exceeds the estimate (too few
 * trees for this many rows) the uncorrected, conservative figure is returned.
 */
export function jackknifeVariance(estimates: ArrayLike<number>, samples: readonly ArrayLike<number>[], rows: number, size: number): number {
  const B = estimates.length;
  if (B < 2) return Infinity;
  const m = mean(estimates);
  // Cov_b(N_bi, T_b) = (1/B) Σ_{b ∋ i} (T_b − T̄), since the centred T sum to zero.
  const cov = new Float64Array(size);
  let spread = 0;
  for (let b = 0; b < B; b++) {
    const t = estimates[b] - m;
    spread += t * t;
    const rowsOfTree = samples[b];
    for (let r = 0; r < rowsOfTree.length; r++) cov[rowsOfTree[r]] += t;
  }
  let sum = 0;
  for (let i = 0; i < size; i++) sum += cov[i] * cov[i];
  sum /= B * B;
  const pi = SAMPLE_RATE;
  const scale = 1 / (1 - pi) ** 2;
  const corrected = sum - (rows * pi * (1 - pi) * (spread / B)) / B;
  return scale * (corrected > 0 ? corrected : sum);
}

function mean(xs: ArrayLike<number>, rows?: ArrayLike<number>): number {
  let s = 0;
  const n = rows ? rows.length : xs.length;
  for (let r = 0; r < n; r++) s += xs[rows ? rows[r] : r];
  return s / Math.max(n, 1);
}
