/**
 * `tact evaluate hillstrom` — uplift targeting on the Hillstrom e-mail test.
 *
 * Protocol (issue 4): rows with even index train, odd index test. Each customer gets the arm with
 * the highest estimated uplift over "none", and the customers with the highest uplift are e-mailed
 * up to a budget of 10%…90%; the policy's value on the test half is estimated by IPS with p = 1/3
 * for conversion, visit and spend. conversion_lift_share_at_50 = incremental conversions at a 50%
 * budget ÷ incremental conversions of e-mailing everyone the best single arm (chosen on the train
 * half). Random targeting of a share b captures b in expectation, so "above random" means
 * lift share(b) > b.
 *
 * Model choice never looks at the test half: the T-learner (each arm's ridge λ cross-validated, as
 * the product's learner fits it), the X- and S-learners and the uplift forest, each
 * with two arm modes (each customer's best arm, or the best single arm only), are compared by
 * 4-fold cross-fitting inside the train half (mean lift share over the nine budgets, IPS on the
 * pooled out-of-fold predictions); the winner is refitted on the whole train half and evaluated
 * once on test.
 * Spend targeting ranks by conversion uplift × the arm's mean spend per conversion (train half).
 * All intervals: percentile bootstrap over test rows (1,000 resamples, seeded), paired across budgets;
 * a lift share whose gap to the best arm no test outcome shows is bounded exactly there (unseenGaps).
 */
import { type Evaluation, type EvaluationContext, withIntervals } from '../../evaluate/evaluation.js';
import { HILLSTROM_ARMS } from '../data/hillstrom.js';
import { bootstrapMany, formatCi, round } from '../stats/bootstrap.js';
import { liftShare } from '../uplift/targeting.js';
import type { UpliftModel } from '../uplift/uplift-data.js';
import { liftChart } from './charts.js';
import { counted, stages, ticker } from './progress.js';
import { CV_FOLDS, fitHillstrom } from './hillstrom-fit.js';
import { BUDGETS, bestArm, curve, shares, sub, subInt, unseenGaps, upliftMatrix, wmean } from './hillstrom-policy.js';

/** The fields of an outcome's object in the JSON; the lists are per budget (`budgets`: 10–90%). */
const OUTCOME_FIELDS = '`model` fitted, `arm_mode` (best arm per customer or one arm), `cv_mean_lift_share` (cross-fitted on the train half, by model; conversion and visit), `best_single_arm`, `none_value` and `best_arm_value` per customer (with `none_value_ci`, `best_arm_value_ci`), `budgets`, per budget `policy_value`, `incremental_per_customer` and `lift_share` (each with its `_ci` list: `policy_value_ci`, `incremental_per_customer_ci`, `lift_share_ci`), `random_lift_share` (random targeting\'s, = the budget), `above_random_every_budget`, `above_random_every_budget_ci_excludes_0`';

async function run(ctx: EvaluationContext) {
  const reps = ctx.quick ? 200 : 1000;
  // The bar's shares: seconds of each stage in a full run (the fits are memoised for calibration;
  // the fits 8.2 s before the T-learner's cross-validated λ of 2026-12-06, FIT_COST in hillstrom-fit.ts).
  const bar = stages(ctx.progress, { 'fitting the uplift models': 20, intervals: 6.1 });
  const fit = fitHillstrom(ctx.datasetsDir, ctx.quick ?? false, bar.stage('fitting the uplift models'));
  const tick = ticker(3 * (reps + 1), bar.stage('intervals'));
  const { h, X, train, test } = fit;
  ctx.log(`hillstrom: ${h.n} customers; train ${train.length} (even rows), test ${test.length} (odd rows); arms ${HILLSTROM_ARMS.join(' / ')}, p = 1/3`);
  const armTest = subInt(h.arm, test);
  const result: Record<string, unknown> = {};
  let seed = 10;
  for (const outcome of ['conversion', 'visit', 'spend'] as const) {
    let model: UpliftModel;
    let cv: Record<string, number> | undefined;
    let scale: number[] | undefined;
    let onlyArm: number | undefined;
    if (outcome === 'spend') {
      model = fit.conversion.model;
      scale = [0, 1, 2].map((k) => {
        let s = 0;
        let c = 0;
        for (const i of train) if (h.arm[i] === k && h.conversion[i] > 0) {
          s += h.spend[i];
          c += 1;
        }
        return c > 0 ? s / c : 0;
      });
      onlyArm = fit.conversion.onlyArm;
    } else {
      ({ model, cv, onlyArm } = fit[outcome]);
    }
    const y = sub(h[outcome], test);
    const best = bestArm(h.arm, h[outcome], train);
    const c = curve(upliftMatrix(model, X, test, scale, onlyArm), armTest, y, best);
    // A gap to the best arm that no test customer's outcome shows is bounded exactly (hillstrom-policy.ts):
    // each resample's share at both ends of that bound. Where every outcome was seen, both are the share.
    // The outcome's largest value (1 for conversion and visit; for spend the largest on the train half).
    const ceiling = sub(h[outcome], train).reduce((m, v) => Math.max(m, v), 0);
    const gaps = unseenGaps(c, armTest, y, best, ceiling);
    const stats = bootstrapMany(test.length, counted((w: Float64Array) => {
      const s = shares(c, w);
      const none = wmean(c.none, w);
      const bestValue = wmean(c.best, w);
      const values = c.policies.map((p) => wmean(p, w));
      const ends = values.map((v, j) => [liftShare(v - gaps[j].up, none, bestValue), liftShare(v + gaps[j].down, none, bestValue)]);
      return [...s, none, bestValue, ...values, ...values.map((v) => v - none), ...ends.map((e) => Math.min(...e)), ...ends.map((e) => Math.max(...e))];
    }, tick), { seed: seed++, reps });
    const k = BUDGETS.length;
    const share = stats.slice(0, k).map((v, j) => ({ value: v.value, low: stats[3 * k + 2 + j].low, high: stats[4 * k + 2 + j].high }));
    const vsRandom = share.map((v, j) => ({ value: v.value - BUDGETS[j], low: v.low - BUDGETS[j], high: v.high - BUDGETS[j] }));
    const [noneV, bestV] = stats.slice(k, k + 2);
    const values = stats.slice(k + 2, 2 * k + 2);
    const incremental = stats.slice(2 * k + 2, 3 * k + 2);
    const armMode = onlyArm === undefined ? 'best arm per customer' : `${HILLSTROM_ARMS[onlyArm]} only`;
    ctx.log(`${outcome}: model ${model.kind}, ${armMode}${cv ? '' : ' (conversion model: uplift × spend per conversion)'}`);
    if (cv) ctx.log(`  train-half ${CV_FOLDS}-fold cross-fitted mean lift share: ${Object.entries(cv).map(([n, v]) => `${n} ${v.toFixed(3)}`).join('; ')}`);
    ctx.log(`  per customer: none ${formatCi(noneV)}, best single arm (${HILLSTROM_ARMS[best]}) ${formatCi(bestV)}`);
    const unseen = (j: number) => (gaps[j].up || gaps[j].down ? `; no ${outcome} seen where it differs from the best single arm: that gap bounded exactly, Clopper–Pearson` : '');
    BUDGETS.forEach((b, j) => ctx.log(`  budget ${Math.round(b * 100)}%: value ${formatCi(values[j])}, lift share ${formatCi(share[j], 3)} vs random ${b.toFixed(1)} (difference ${formatCi(vsRandom[j], 3)}${unseen(j)})`));
    if (outcome !== 'spend') ctx.chart?.((g) => liftChart(outcome, BUDGETS, share, g));
    const ci = (x: { low: number; high: number }) => [round(x.low, 5), round(x.high, 5)];
    result[outcome] = {
      model: model.kind,
      arm_mode: armMode,
      ...(cv ? { cv_mean_lift_share: Object.fromEntries(Object.entries(cv).map(([n, v]) => [n, round(v)])) } : {}),
      best_single_arm: HILLSTROM_ARMS[best],
      none_value: round(noneV.value, 5), none_value_ci: ci(noneV),
      best_arm_value: round(bestV.value, 5), best_arm_value_ci: ci(bestV),
      budgets: BUDGETS,
      policy_value: values.map((v) => round(v.value, 5)), policy_value_ci: values.map(ci),
      incremental_per_customer: incremental.map((v) => round(v.value, 5)), incremental_per_customer_ci: incremental.map(ci),
      lift_share: share.map((v) => round(v.value)), lift_share_ci: share.map(ci),
      random_lift_share: BUDGETS,
      above_random_every_budget: vsRandom.every((v) => v.value > 0),
      above_random_every_budget_ci_excludes_0: vsRandom.every((v) => v.low > 0),
    };
  }
  bar.finish();
  const conv = result.conversion as { lift_share: number[]; lift_share_ci: number[][]; above_random_every_budget: boolean };
  ctx.log(`conversion lift share at 50%: ${conv.lift_share[4]} [${conv.lift_share_ci[4].join(', ')}] (goal ≥ 0.75); above random at every budget: ${conv.above_random_every_budget}`);
  return {
    evaluation: 'hillstrom',
    conversion_lift_share_at_50: conv.lift_share[4],
    conversion_lift_share_at_50_ci: conv.lift_share_ci[4],
    above_random_every_budget: conv.above_random_every_budget,
    ...result,
  };
}

/** The `hillstrom` evaluation (uplift targeting at budgets 10–90%). */
export const hillstromEvaluation: Evaluation = {
  name: 'hillstrom',
  fields: withIntervals({
    evaluation: '"hillstrom"',
    conversion_lift_share_at_50: 'share of the best single arm\'s conversion lift over no e-mail that targeting half the customers gets (goal ≥ 0.75)',
    above_random_every_budget: 'the conversion lift share beats random targeting at every budget',
    conversion: `the conversion outcome: ${OUTCOME_FIELDS}`,
    visit: `the visit outcome: ${OUTCOME_FIELDS}`,
    spend: `the spend outcome (the conversion model × spend per conversion): ${OUTCOME_FIELDS}`,
  }, ['conversion_lift_share_at_50']),
  description: 'Uplift targeting on the Hillstrom e-mail test: IPS value of budgeted targeting on the odd rows, lift share vs random.',
  run,
};
