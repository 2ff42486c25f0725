/**
 * Uplift forest: for each action, bagged uplift trees (uplift-tree.ts) grown on half-samples of
 * that action's rows and the control rows; the uplift is the average of the trees' τ, and its
 * standard error the spread of the trees' estimates divided by √trees (a rough, optimistic
 * figure: trees share rows). Outcome levels come from per-arm means in the leaves' absence, so the
 * forest is an uplift-only model; `outcomes` returns the arms' overall means plus the uplift.
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
  for (let k = 1; k < data.arms; k++) {
    const treatedRows = rowsOfArm(data, k, all);
    const treated = new Uint8Array(data.arm.length);
    for (const i of treatedRows) treated[i] = 1;
    const pool = Int32Array.from([...treatedRows, ...control]);
    const trees: UpliftNode[][] = [];
    for (let t = 0; t < opts.trees; t++) {
      const sample = pool.filter(() => rng.float() < 0.5);
      trees.push(growUpliftTree(binned, sample, treated, data.y, opts, rng));
    }
    forests.push(trees);
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
    upliftStandardError: (x) =>
      Float64Array.from({ length: data.arms }, (_, k) => {
        if (k === 0) return 0;
        const v = perTree(x, k);
        const m = mean(v);
        return Math.sqrt(v.reduce((s, t) => s + (t - m) ** 2, 0) / Math.max(1, v.length - 1) / v.length);
      }),
  };
}

function mean(xs: ArrayLike<number>, rows?: ArrayLike<number>): number {
  let s = 0;
  const n = rows ? rows.length : xs.length;
  for (let r = 0; r < n; r++) s += xs[rows ? rows[r] : r];
  return s / Math.max(n, 1);
}
