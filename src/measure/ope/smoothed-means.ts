/**
 * A reward model with no features: mean reward per (action, group) — group is e.g. the slot
 * position — shrunk toward the action's mean, which is shrunk toward the overall mean.
 * The strength of each shrinkage is estimated from the data by the method of moments
 * (DerSimonian & Laird 1986): k = σ²_within / τ²_between, so an action seen 30 times with one
 * click does not get a 3% rate, and differences the data support are kept.
 */

export interface SmoothedMeansModel {
  overall: number;
  /** Shrinkage strengths (pseudo-counts) at the action and the (action, group) level. */
  actionStrength: number;
  cellStrength: number;
  /** Predicted reward, row-major [action][group] flattened: index a·nGroups + g. */
  table: Float64Array;
  nGroups: number;
}

/**
 * Fits the table.
 * @example fitSmoothedMeans([1, 0, 0, 0], [0, 0, 1, 1], [0, 0, 0, 0], 2, 1).table // shrunk per-action rates
 */
export function fitSmoothedMeans(
  reward: ArrayLike<number>,
  action: ArrayLike<number>,
  group: ArrayLike<number>,
  nActions: number,
  nGroups: number,
): SmoothedMeansModel {
  const n = reward.length;
  const cells = nActions * nGroups;
  const cn = new Float64Array(cells);
  const cs = new Float64Array(cells);
  const an = new Float64Array(nActions);
  const as = new Float64Array(nActions);
  let total = 0;
  let totalSq = 0;
  for (let i = 0; i < n; i++) {
    const c = action[i] * nGroups + group[i];
    cn[c]++;
    cs[c] += reward[i];
    an[action[i]]++;
    as[action[i]] += reward[i];
    total += reward[i];
    totalSq += reward[i] * reward[i];
  }
  const overall = n > 0 ? total / n : 0;
  const actionMeans = Array.from(an, (m, a) => (m > 0 ? as[a] / m : overall));
  const actionStrength = strength(an, actionMeans, () => overall, totalSq, n);
  const actionShrunk = Array.from(an, (m, a) => shrink(as[a], m, overall, actionStrength));
  const cellMeans = Array.from(cn, (m, c) => (m > 0 ? cs[c] / m : 0));
  const cellStrength = strength(cn, cellMeans, (c) => actionMeans[Math.floor(c / nGroups)], totalSq, n);
  const table = new Float64Array(cells);
  for (let c = 0; c < cells; c++) table[c] = shrink(cs[c], cn[c], actionShrunk[Math.floor(c / nGroups)], cellStrength);
  return { overall, actionStrength, cellStrength, table, nGroups };
}

/**
 * Predicted reward for an action in a group.
 * @example predictSmoothed(model, 3, 0)
 */
export function predictSmoothed(m: SmoothedMeansModel, action: number, group: number): number {
  return m.table[action * m.nGroups + group];
}

function shrink(sum: number, count: number, prior: number, k: number): number {
  if (!Number.isFinite(k)) return prior;
  return (sum + k * prior) / (count + k);
}

/** Method-of-moments pseudo-count σ²/τ²; Infinity (pool completely) when no between-unit variance shows. */
function strength(counts: Float64Array, means: number[], parentOf: (j: number) => number, totalSq: number, n: number): number {
  let between = 0;
  let units = 0;
  let sumSqCounts = 0;
  let withinSs = totalSq;
  for (let j = 0; j < counts.length; j++) {
    if (counts[j] === 0) continue;
    units++;
    between += counts[j] * (means[j] - parentOf(j)) ** 2;
    sumSqCounts += counts[j] * counts[j];
    withinSs -= counts[j] * means[j] * means[j];
  }
  if (units < 2 || n <= units) return Infinity;
  const sigma2 = Math.max(0, withinSs) / (n - units);
  const tau2 = (between - (units - 1) * sigma2) / (n - sumSqCounts / n);
  return tau2 > 0 ? sigma2 / tau2 : Infinity;
}
