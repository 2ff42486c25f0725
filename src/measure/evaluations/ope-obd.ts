/**
 * `tact evaluate ope-obd`: estimate the Bernoulli-TS policy's click rate from the uniform-random
 * logs of the Open Bandit Dataset sample, and compare with the click rate BTS actually logged.
 * Protocol of Saito et al. (2021) and Open Bandit Pipeline's examples/obd: the relative error
 * |V̂ − V| / V of each estimator, with its bootstrap spread (OBP reports the mean over bootstrap
 * resamples; we give that, the full-sample error and a 95% interval). Nothing is tuned on V:
 * the reward model is chosen by cross-validated log-loss on the random log alone.
 */
import { join } from 'node:path';
import type { Evaluation, EvaluationContext } from '../../evaluate/evaluation.js';
import { bootstrapIntervals, quantile } from '../ope/bootstrap.js';
import { opeDiagnostics, opeWarnings } from '../ope/diagnostics.js';
import { estimate, opeTerms } from '../ope/estimators.js';
import type { EstimatorName, LoggedFeedback } from '../ope/types.js';
import { betaQuantile } from '../../maths/distributions.js';
import { loadObdLog, type ObdLog } from './obd-data.js';
import { btsDistribution } from './obd-policy.js';
import { crossFitPredictions, crossValidatedLogLoss, describeModel, foldsOf, type RewardModelSpec } from './obd-reward-model.js';

const ESTIMATORS: EstimatorName[] = ['ips', 'snips', 'dm', 'dr', 'sndr'];
/** Paper Table 1, full data: on-policy CTR of Bernoulli TS. */
const PUBLISHED_BTS_CTR = { men: 0.0067, women: 0.0064 } as const;
/** examples/obd/README.md at st-tech/zr-obp 8cbd5fa: mean relative error, "all" campaign, small sample, 30 bootstrap runs. */
const REFERENCE = { dm: 0.157, ipw: 0.311, snipw: 0.312, dr: 0.293, sndr: 0.302, source: 'st-tech/zr-obp examples/obd/README.md (commit 8cbd5fa)' };
const SEED = 20211206;

type Campaign = 'men' | 'women';

/** Builds the logged feedback of the random log for the BTS candidate. */
function feedbackFor(random: ObdLog, pi: Float64Array, prediction?: Float64Array): LoggedFeedback {
  const k = random.nItems;
  const n = random.n;
  const targetDistribution = new Float64Array(n * k);
  const targetProbability = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const row = random.position[i] * k;
    for (let a = 0; a < k; a++) targetDistribution[i * k + a] = pi[row + a];
    targetProbability[i] = pi[row + random.item[i]];
  }
  return {
    reward: random.click,
    loggedPropensity: random.propensity,
    targetProbability,
    nActions: k,
    action: random.item,
    targetDistribution,
    rewardPrediction: prediction,
  };
}

async function evaluateCampaign(ctx: EvaluationContext, campaign: Campaign): Promise<Record<string, unknown>> {
  const limit = ctx.quick ? 2000 : Infinity;
  const random = loadObdLog(join(ctx.datasetsDir, 'obd', 'random', `${campaign}.csv.gz`), limit);
  const bts = loadObdLog(join(ctx.datasetsDir, 'obd', 'bts', `${campaign}.csv.gz`), limit);
  const clicks = bts.click.reduce((s, c) => s + c, 0);
  const truth = clicks / bts.n;
  // Jeffreys interval: the ground truth itself is a count of a few dozen clicks.
  const truthCi: [number, number] = [betaQuantile(0.025, clicks + 0.5, bts.n - clicks + 0.5), betaQuantile(0.975, clicks + 0.5, bts.n - clicks + 0.5)];
  const pi = btsDistribution(bts, 'frequency');

  const fold = foldsOf(random.n, 3, SEED);
  const candidates: RewardModelSpec[] = ctx.quick
    ? [{ kind: 'smoothed-means' }, { kind: 'logistic', l2: 10 }]
    : [{ kind: 'smoothed-means' }, { kind: 'logistic', l2: 1 }, { kind: 'logistic', l2: 10 }, { kind: 'logistic', l2: 100 }];
  const cvLoss: Record<string, number> = {};
  for (const c of candidates) cvLoss[describeModel(c)] = crossValidatedLogLoss(random, c, fold);
  const chosen = candidates.reduce((best, c) => (cvLoss[describeModel(c)] < cvLoss[describeModel(best)] ? c : best));
  const data = feedbackFor(random, pi, crossFitPredictions(random, chosen, fold));

  const terms = opeTerms(data);
  const replicates = ctx.quick ? 50 : 1000;
  const stats = Object.fromEntries(ESTIMATORS.map((k) => [k, (idx: Int32Array) => estimate(terms, k, idx)])) as Record<EstimatorName, (idx: Int32Array) => number>;
  const boot = bootstrapIntervals(terms.n, stats, { replicates, seed: SEED, keepDraws: true });
  const rel = (v: number) => Math.abs(v - truth) / truth;
  const out: Record<string, unknown> = {};
  for (const k of ESTIMATORS) {
    const value = estimate(terms, k);
    const relDraws = Array.from(boot[k].draws!, rel).sort((a, b) => a - b);
    out[k] = {
      estimate: value,
      estimate_ci: boot[k].ci,
      rel_error: rel(value),
      ci: [quantile(relDraws, 0.025), quantile(relDraws, 0.975)],
      mean_rel_error: relDraws.reduce((s, x) => s + x, 0) / relDraws.length,
      rel_error_vs_published_ctr: Math.abs(value - PUBLISHED_BTS_CTR[campaign]) / PUBLISHED_BTS_CTR[campaign],
    };
    ctx.log(
      `${campaign} ${k.padEnd(5)} V̂ = ${(value * 100).toFixed(3)}% (95% ${(boot[k].ci[0] * 100).toFixed(3)}–${(boot[k].ci[1] * 100).toFixed(3)}%)  ` +
        `rel. error ${rel(value).toFixed(3)} (bootstrap mean ${(out[k] as { mean_rel_error: number }).mean_rel_error.toFixed(3)}, 95% ${quantile(relDraws, 0.025).toFixed(3)}–${quantile(relDraws, 0.975).toFixed(3)})`,
    );
  }
  const diagnostics = opeDiagnostics(data, terms);
  // Sensitivity: the same estimators with BTS's distribution from normalised mean propensities.
  const alt = opeTerms(feedbackFor(random, btsDistribution(bts, 'mean-propensity'), data.rewardPrediction as Float64Array));
  const sensitivity = Object.fromEntries(ESTIMATORS.map((k) => [k, rel(estimate(alt, k))]));
  ctx.log(
    `${campaign} BTS logged CTR ${(truth * 100).toFixed(3)}% (${clicks} clicks / ${bts.n}, 95% ${(truthCi[0] * 100).toFixed(3)}–${(truthCi[1] * 100).toFixed(3)}%); ` +
      `random-log CTR ${((random.click.reduce((s, c) => s + c, 0) / random.n) * 100).toFixed(3)}%; reward model ${describeModel(chosen)}; ESS ${diagnostics.effectiveSampleSize.toFixed(0)} of ${diagnostics.n}, max weight ${diagnostics.maxWeight.toFixed(2)}`,
  );
  return {
    ...out,
    bts_logged_ctr: truth,
    bts_logged_ctr_ci: truthCi,
    bts_clicks: clicks,
    published_bts_ctr: PUBLISHED_BTS_CTR[campaign],
    random_logged_ctr: random.click.reduce((s, c) => s + c, 0) / random.n,
    rows: random.n,
    reward_model: { chosen: describeModel(chosen), cv_log_loss: cvLoss },
    diagnostics,
    warnings: opeWarnings(diagnostics).map((w) => w.code),
    sensitivity_mean_propensity_rel_error: sensitivity,
    bootstrap_replicates: replicates,
  };
}

/** The fields of a campaign's object in the JSON (`evaluateCampaign`'s answer). */
const CAMPAIGN_FIELDS =
  "one object per estimator, `ips`, `snips`, `dm`, `dr`, `sndr` (each: `estimate` of BTS's CTR, `estimate_ci` its bootstrap 95% interval, `rel_error` against BTS's logged CTR, `ci` the bootstrap 95% interval of that error, `mean_rel_error` its bootstrap mean, `rel_error_vs_published_ctr`); " +
  "`bts_logged_ctr`, `bts_logged_ctr_ci` BTS's own logged CTR and its interval, `bts_clicks`; `published_bts_ctr` the dataset paper's; `random_logged_ctr` the random log's; `rows` of the random log; " +
  "`reward_model` the cross-fitted model chosen by log-loss; `diagnostics` (effective sample size, largest weight, unsupported mass); `warnings` their codes; `sensitivity_mean_propensity_rel_error` each estimator's error with BTS's distribution from mean propensities; `bootstrap_replicates`";

/** The ope-obd evaluation (see the module comment). */
export const opeObdEvaluation: Evaluation = {
  name: 'ope-obd',
  fields: {
    evaluation: '"ope-obd"',
    men: `the men's campaign: ${CAMPAIGN_FIELDS}`,
    women: `the women's campaign: ${CAMPAIGN_FIELDS}`,
    mean_rel_error: 'each estimator\'s relative error averaged over the two campaigns: `ips`, `snips`, `dm`, `dr`, `sndr`',
    reference: 'the relative errors Open Bandit Pipeline reports on its "all" campaign, for comparison: `dm`, `ipw`, `snipw`, `dr`, `sndr`, and their `source`',
    quick: 'true when run small (tests), false for the full protocol',
  },
  description: "Estimates Bernoulli-TS's click rate from the uniform-random Open Bandit logs (IPS, SNIPS, DM, DR, SNDR) and compares it with BTS's logged click rate.",
  async run(ctx) {
    const men = await evaluateCampaign(ctx, 'men');
    ctx.progress?.(1, 2, 'men');
    const women = await evaluateCampaign(ctx, 'women');
    ctx.progress?.(2, 2, 'women');
    const mean = Object.fromEntries(
      ESTIMATORS.map((k) => [k, ((men[k] as { rel_error: number }).rel_error + (women[k] as { rel_error: number }).rel_error) / 2]),
    );
    ctx.log(`mean relative error over men and women: ${ESTIMATORS.map((k) => `${k} ${mean[k].toFixed(3)}`).join(', ')} (reference, OBP "all" campaign: DM 0.157, SNIPW 0.312, DR 0.293)`);
    return { evaluation: 'ope-obd', men, women, mean_rel_error: mean, reference: REFERENCE, quick: ctx.quick ?? false };
  },
};
