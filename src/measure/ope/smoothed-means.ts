/**
 * A reward model with no features: mean reward per (action, group) — group is e.g. the slot
 * position — shrunk toward the action's mean, which is shrunk toward the overall mean.
 *
 * Normal–normal empirical Bayes with each unit's OWN sampling variance (heteroscedastic; Morris
 * 1983, "Parametric empirical Bayes inference", JASA 78:47–55): a unit's mean ȳ_j of n_j rows has
 * variance v_j = s̃_j²/n_j, and is shrunk toward its parent m by B_j = v_j/(v_j + τ²):
 * q̂_j = m + (1 − B_j)(ȳ_j − m), i.e. s̃_j²/τ² pseudo-counts of the parent. The between-unit
 * variance τ² is the method-of-moments estimate of DerSimonian & Kacker (2007, Contemp. Clin.
 * Trials 28:105–114; DerSimonian & Laird 1986 with per-unit variances and general weights a_j):
 *   τ² = max(0, [Σ a_j(ȳ_j − m)² − Σ a_j v_j(1 − a_j/Σa)] / [Σa − Σa²/Σa]),
 * with weights a_j = n_j, so m is the row mean. Not the inverse variances: estimated variances are
 * correlated with the means (a group of zeros has variance 0), and 1/v_j weights pull the centre
 * toward such groups (Shuster 2010, Stat. Med. 29:1259–1265, "empirical vs natural weighting").
 *
 * Until 2026-12-06 one pooled within-unit variance set every unit's shrinkage; when the options'
 * reward scales differ (a 5% × 60 offer beside "nothing", which earns 0) the large one's variance
 * pulled the small ones far toward the overall mean (q̂(nothing) 0 → 1.35 on 76 rows of 0), and DM
 * was 1.55 for a candidate worth 0.28 (reward-models.test.ts).
 *
 * A unit's variance is regularised toward the pooled within-unit variance s0² with ONE degree of
 * freedom (Smyth 2004, Stat. Appl. Genet. Mol. Biol. 3(1):3, the moderated variance):
 *   s̃_j² = (SS_j + 1·s0²) / (n_j − 1 + 1).
 * One row's worth, the weakest prior that keeps a unit of equal rewards (76 zeros) or of one row
 * from a variance of 0 or of nothing — a one-row unit gets s0² — while a unit's own spread decides
 * as soon as it has a few rows, which is the point: one option's large rewards must not set
 * another's uncertainty. The cost: a small unit whose rare reward has not happened yet is taken to
 * be fairly sure of its (low) mean — as its own rows are by IPS.
 */

export interface SmoothedMeansModel {
  overall: number;
  /**
   * Between-unit variances τ² of the true means: of the actions about the overall mean, of the
   * (action, group) cells about their action's. 0 pools that level completely into its parent.
   */
  actionBetween: number;
  cellBetween: number;
  /** Each action's shrinkage B_a toward the overall mean (1 = pooled completely; 1 for an action never seen). */
  actionShrinkage: Float64Array;
  /** Predicted reward, row-major [action][group] flattened: index a·nGroups + g. */
  table: Float64Array;
  nGroups: number;
}

/** Prior degrees of freedom of each unit's variance (toward the pooled variance); see the file's comment. */
const PRIOR_DF = 1;

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
  for (let i = 0; i < n; i++) {
    const c = action[i] * nGroups + group[i];
    cn[c]++;
    cs[c] += reward[i];
    an[action[i]]++;
    as[action[i]] += reward[i];
    total += reward[i];
  }
  const overall = n > 0 ? total / n : 0;
  const actionMeans = Float64Array.from(an, (m, a) => (m > 0 ? as[a] / m : overall));
  const cellMeans = Float64Array.from(cn, (m, c) => (m > 0 ? cs[c] / m : 0));
  // Sums of squared deviations in a second pass (no cancellation for large rewards).
  const css = new Float64Array(cells);
  const ass = new Float64Array(nActions);
  for (let i = 0; i < n; i++) {
    const c = action[i] * nGroups + group[i];
    css[c] += (reward[i] - cellMeans[c]) ** 2;
    ass[action[i]] += (reward[i] - actionMeans[action[i]]) ** 2;
  }
  const actions = level(an, actionMeans, ass, () => 0, 1, () => overall);
  const actionShrunk = Float64Array.from(an, (m, a) => shrink(actionMeans[a], m, overall, actions.variance[a], actions.tau2));
  const actionShrinkage = Float64Array.from(an, (m, a) => (m > 0 && actions.tau2 > 0 ? actions.variance[a] / m / (actions.variance[a] / m + actions.tau2) : 1));
  const parentOf = (c: number) => Math.floor(c / nGroups);
  const cellLevel = level(cn, cellMeans, css, parentOf, nActions, (a) => actionMeans[a]);
  const table = new Float64Array(cells);
  for (let c = 0; c < cells; c++) table[c] = shrink(cellMeans[c], cn[c], actionShrunk[parentOf(c)], cellLevel.variance[c], cellLevel.tau2);
  return { overall, actionBetween: actions.tau2, cellBetween: cellLevel.tau2, actionShrinkage, table, nGroups };
}

/**
 * Predicted reward for an action in a group.
 * @example predictSmoothed(model, 3, 0)
 */
export function predictSmoothed(m: SmoothedMeansModel, action: number, group: number): number {
  return m.table[action * m.nGroups + group];
}

/** The parent plus (1 − B)(mean − parent), B = (s²/n)/(s²/n + τ²); the parent when unseen or τ² = 0. */
function shrink(mean: number, count: number, prior: number, variance: number, tau2: number): number {
  if (count === 0 || !(tau2 > 0)) return prior;
  const v = variance / count;
  return prior + (tau2 / (v + tau2)) * (mean - prior);
}

/**
 * One level of units (actions, or cells within their action): each unit's regularised variance
 * s̃_j² and the between-unit variance τ² by the method of moments with weights n_j, about each
 * parent's row mean (several parents: the moments summed over them, a meta-regression on the parent).
 * τ² = 0 (pool completely) when no within-unit variance can be estimated or no parent has two units.
 */
function level(counts: Float64Array, means: Float64Array, ss: Float64Array, parentOf: (j: number) => number, nParents: number, parentMean: (p: number) => number): { variance: Float64Array; tau2: number } {
  const variance = new Float64Array(counts.length);
  let pooledSs = 0;
  let pooledDf = 0;
  for (let j = 0; j < counts.length; j++) {
    if (counts[j] === 0) continue;
    pooledSs += ss[j];
    pooledDf += counts[j] - 1;
  }
  if (pooledDf <= 0) return { variance, tau2: 0 };
  const s0 = pooledSs / pooledDf;
  const parentN = new Float64Array(nParents);
  const parentSq = new Float64Array(nParents);
  for (let j = 0; j < counts.length; j++) {
    if (counts[j] === 0) continue;
    variance[j] = (ss[j] + PRIOR_DF * s0) / (counts[j] - 1 + PRIOR_DF);
    parentN[parentOf(j)] += counts[j];
    parentSq[parentOf(j)] += counts[j] * counts[j];
  }
  let between = 0;
  let noise = 0;
  for (let j = 0; j < counts.length; j++) {
    if (counts[j] === 0) continue;
    const p = parentOf(j);
    between += counts[j] * (means[j] - parentMean(p)) ** 2;
    // E[n_j(ȳ_j − m)²] = n_j·v_j(1 − n_j/N) + τ²·n_j(1 − n_j/N), with n_j·v_j = s̃_j².
    noise += variance[j] * (1 - counts[j] / parentN[p]);
  }
  let spread = 0;
  for (let p = 0; p < nParents; p++) if (parentN[p] > 0) spread += parentN[p] - parentSq[p] / parentN[p];
  if (!(spread > 1e-9)) return { variance, tau2: 0 };
  return { variance, tau2: Math.max(0, (between - noise) / spread) };
}
