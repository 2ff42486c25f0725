/**
 * Reward models for DM and DR on OBD, chosen by held-out log-loss on the uniform-random log
 * only (never by the OPE error against BTS's CTR): smoothed per-(item, slot) means, or a ridge
 * logistic regression on item, slot, the four user features and the user-item affinity.
 * Predictions are cross-fitted (each row predicted by a model that did not see it), as Open
 * Bandit Pipeline's RegressionModel.fit_predict does with n_folds.
 */
import { fitLogistic, logLoss, predictLogistic, type SparseRow } from '../ope/logistic.js';
import { fitSmoothedMeans, predictSmoothed } from '../ope/smoothed-means.js';
import { createRng } from '../stats/prng.js';
import type { ObdLog } from './obd-data.js';

export type RewardModelSpec = { kind: 'smoothed-means' } | { kind: 'logistic'; l2: number };

export function describeModel(m: RewardModelSpec): string {
  return m.kind === 'logistic' ? `logistic(l2=${m.l2})` : 'smoothed-means';
}

/** Features of showing `item` in row i's slot to row i's user. */
function featureRow(log: ObdLog, i: number, item: number): SparseRow {
  const k = log.nItems;
  const idx: number[] = [0, 1 + item, 1 + k + log.position[i]];
  let offset = 1 + k + log.nPositions;
  for (let j = 0; j < 4; j++) {
    idx.push(offset + log.userFeature[i * 4 + j]);
    offset += log.userFeatureLevels[j];
  }
  idx.push(offset);
  const val = idx.map(() => 1);
  val[val.length - 1] = Math.min(3, log.affinity[i * k + item]);
  return { idx, val };
}

function dimension(log: ObdLog): number {
  return 1 + log.nItems + log.nPositions + log.userFeatureLevels.reduce((s, l) => s + l, 0) + 1;
}

/** A fitted model as a function (row, item) → predicted click probability. */
type Predictor = (i: number, item: number) => number;

function fit(log: ObdLog, rows: ArrayLike<number>, spec: RewardModelSpec): Predictor {
  if (spec.kind === 'smoothed-means') {
    const pick = <T extends ArrayLike<number>>(a: T) => Array.from(rows, (i) => a[i]);
    const m = fitSmoothedMeans(pick(log.click), pick(log.item), pick(log.position), log.nItems, log.nPositions);
    return (i, item) => predictSmoothed(m, item, log.position[i]);
  }
  const x = Array.from(rows, (i) => featureRow(log, i, log.item[i]));
  const y = Array.from(rows, (i) => log.click[i]);
  const w = fitLogistic(x, y, dimension(log), { l2: spec.l2 });
  return (i, item) => predictLogistic(w, featureRow(log, i, item));
}

/**
 * Seeded fold of every row.
 * @example foldsOf(10, 3, 1) // Int32Array of 0..2
 */
export function foldsOf(n: number, folds: number, seed: number): Int32Array {
  const rng = createRng(seed);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const fold = new Int32Array(n);
  order.forEach((row, r) => (fold[row] = r % folds));
  return fold;
}

/**
 * Cross-validated log-loss of a model on the logged (row, item) pairs.
 * @example crossValidatedLogLoss(randomLog, { kind: 'logistic', l2: 10 }, foldsOf(randomLog.n, 3, 1))
 */
export function crossValidatedLogLoss(log: ObdLog, spec: RewardModelSpec, fold: Int32Array): number {
  const p = new Float64Array(log.n);
  const folds = Math.max(...fold) + 1;
  for (let f = 0; f < folds; f++) {
    const train = rowsWhere(fold, (g) => g !== f);
    const predict = fit(log, train, spec);
    for (const i of rowsWhere(fold, (g) => g === f)) p[i] = predict(i, log.item[i]);
  }
  return logLoss(log.click, p);
}

/**
 * Cross-fitted predictions for every row and every item (n × nItems).
 * @example crossFitPredictions(randomLog, chosen, foldsOf(randomLog.n, 3, 1))
 */
export function crossFitPredictions(log: ObdLog, spec: RewardModelSpec, fold: Int32Array): Float64Array {
  const k = log.nItems;
  const out = new Float64Array(log.n * k);
  const folds = Math.max(...fold) + 1;
  for (let f = 0; f < folds; f++) {
    const predict = fit(log, rowsWhere(fold, (g) => g !== f), spec);
    for (const i of rowsWhere(fold, (g) => g === f)) {
      for (let a = 0; a < k; a++) out[i * k + a] = predict(i, a);
    }
  }
  return out;
}

function rowsWhere(fold: Int32Array, keep: (f: number) => boolean): number[] {
  const rows: number[] = [];
  for (let i = 0; i < fold.length; i++) if (keep(fold[i])) rows.push(i);
  return rows;
}
