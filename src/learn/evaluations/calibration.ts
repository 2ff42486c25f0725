/**
 * `tact evaluate calibration` — are the rate and click models' probabilities and intervals honest
 * on held-out outcomes?
 *
 * - ece_conversion: the Hillstrom conversion model (the model the `hillstrom` evaluation selected,
 *   fitted on the even rows), P(conversion | x, arm received), on the odd rows; also the visit model.
 * - ece_click: the bandit's click model — the predictive click probability of the chosen action,
 *   computed before its outcome (progressive validation), over the last 10,000 rounds of the
 *   `bandit` simulation; with the coverage of its 90% credible intervals of the TRUE click
 *   probability (known in the simulator). Also the OBD slot model, out-of-fold (5 folds).
 * - Rate intervals: Beta-Binomial segment rates (Hillstrom; per arm, segments = channel × zip ×
 *   newbie × mens × womens; each arm's prior by empirical Bayes across its segments, fitted on the
 *   train half) — does the 90%
 *   posterior-predictive interval of each segment's test conversions hold them? Likewise for the
 *   OBD (fold, position, item) groups.
 * ECE uses 10 equal-mass bins. Each `ece_*` is the debiased ECE (Kumar, Liang & Ma 2019) with the
 * 95% interval of the true ECE (calibration/debiased-ece.ts: bias-shifted bootstrap, holding 0 when a
 * calibrated model's ECE would read as high 5% of the time); `ece_*_plugin` is the binned ECE
 * Σ (n_b/N)·|p̄_b − ȳ_b|, biased upwards (until 2026-12-05 the `ece_*` figures, with a percentile
 * interval that could lie above its point). Coverage CIs: percentile bootstrap. 500 resamples,
 * seeded — over rows for the Hillstrom and OBD figures, whose rows are different customers and
 * impressions; over actions for the bandit's: every round of one action is predicted from that
 * action's one posterior, so its misses come together, and resampling rounds one by one would make
 * the intervals several times too narrow (the bandit's rounds themselves show no dependence in time
 * that a block bootstrap would pick up: Politis & White's rule gives blocks of 1).
 */
import { type Evaluation, type EvaluationContext, withIntervals } from '../../evaluate/evaluation.js';
import { calibratedReference } from '../calibration/calibrated-reference.js';
import { type ReliabilityReport, intervalCoverage, reliabilityReport } from '../calibration/reliability.js';
import { reportIntervals } from '../calibration/report-intervals.js';
import { HILLSTROM_FEATURES } from '../data/hillstrom.js';
import { betaPosterior } from '../rates/beta-binomial.js';
import { betaBinomialInterval } from '../rates/beta-binomial-predictive.js';
import { fitBetaPrior } from '../rates/empirical-bayes.js';
import { bootstrap, formatCi, round, weightedMean } from '../stats/bootstrap.js';
import { runBanditSimulation } from './bandit-sim.js';
import { fitHillstrom } from './hillstrom-fit.js';
import { obdHeldOut } from './obd.js';
import { counted, stages, ticker } from './progress.js';

const ci = (x: { low: number; high: number }): [number, number] => [round(x.low), round(x.high)];

/** No progress to report. */
const quiet = () => {};

/** Calls of `tick` by {@link eceWithCi}: the point, the calibrated reference's simulations, the resamples. */
const eceTicks = (reps: number) => 2 * reps + 1;

/**
 * The debiased ECE with its 95% interval (`ece`), and the plug-in ECE (`plugin`,
 * `report.ece`); `clusters` resamples whole clusters.
 *
 * @example
 * eceWithCi(predicted, clicked, 53, 500, chosenAction).ece; // { value: 0.0061, low: 0, high: 0.0161 }
 */
export function eceWithCi(predicted: Float64Array, outcome: Float64Array, seed: number, reps: number, clusters?: ArrayLike<number>, tick: () => void = quiet) {
  const order = Array.from({ length: predicted.length }, (_, i) => i).sort((a, b) => predicted[a] - predicted[b]);
  const report: ReliabilityReport = reliabilityReport(predicted, outcome, { order });
  tick();
  const reference = calibratedReference(predicted, { order, seed: seed + 1000, simulations: reps, onStep: tick });
  const intervals = reportIntervals(predicted, outcome, { order, clusters, seed, resamples: reps, calibratedP95: reference.ece.p95, onStep: tick });
  return { report, ece: { value: report.eceDebiased, ...intervals.eceDebiased }, plugin: report.ece, calibratedP95: reference.ece.p95 };
}

/** The share of hits (0/1 per row) with its bootstrap interval. */
function hitShare(hits: ArrayLike<number>, seed: number, reps: number, clusters?: ArrayLike<number>, tick: () => void = quiet) {
  return bootstrap(hits.length, counted((w: Float64Array) => weightedMean(hits, w), tick), { seed, reps, clusters });
}

/** Coverage of 90% posterior-predictive count intervals over groups. */
function groupCoverage(groups: { posterior: { alpha: number; beta: number }; trials: number; clicks: number }[], seed: number, reps: number, tick: () => void = quiet) {
  const used = groups.filter((g) => g.trials > 0);
  const inside = Float64Array.from(used, (g) => {
    const [lo, hi] = betaBinomialInterval(g.posterior, g.trials, 0.9);
    return g.clicks >= lo && g.clicks <= hi ? 1 : 0;
  });
  return hitShare(inside, seed, reps, undefined, tick);
}

async function run(ctx: EvaluationContext) {
  const reps = ctx.quick ? 100 : 500;
  // The bar's shares: seconds of each stage in a full run alone (the fits and the simulation are
  // memoised: after hillstrom and bandit in one process, the bar passes their shares at once; the
  // fits 9.3 s before the T-learner's cross-validated λ of 2026-12-06).
  const bar = stages(ctx.progress, { 'fitting the uplift models': 22, 'Hillstrom calibration': 2.1, 'bandit simulation': 13.6, 'click-model calibration': 1.1, 'OBD calibration': 1.2 });
  const fit = fitHillstrom(ctx.datasetsDir, ctx.quick ?? false, bar.stage('fitting the uplift models'));
  let tick = ticker(2 * eceTicks(reps) + reps + 1, bar.stage('Hillstrom calibration'));
  const { h, X, test, train } = fit;
  const d = HILLSTROM_FEATURES;
  const convPred = Float64Array.from(test, (i) => fit.conversion.model.outcomes(X.subarray(i * d, (i + 1) * d))[h.arm[i]]);
  const visitPred = Float64Array.from(test, (i) => fit.visit.model.outcomes(X.subarray(i * d, (i + 1) * d))[h.arm[i]]);
  const conv = eceWithCi(convPred, Float64Array.from(test, (i) => h.conversion[i]), 50, reps, undefined, tick);
  const visit = eceWithCi(visitPred, Float64Array.from(test, (i) => h.visit[i]), 51, reps, undefined, tick);

  // Segment rates per arm (an action's rates share that action's population prior), prior by
  // empirical Bayes across the arm's segments on the train half; intervals checked on the test half.
  const segGroups: { posterior: { alpha: number; beta: number }; trials: number; clicks: number }[] = [];
  const kappas: number[] = [];
  for (let arm = 0; arm < 3; arm++) {
    const seg = new Map<string, { s: number; n: number; ts: number; tn: number }>();
    const key = (i: number) => `${h.channel[i]}|${h.zip[i]}|${h.newbie[i]}|${h.mens[i]}|${h.womens[i]}`;
    for (const [rows, isTrain] of [[train, true], [test, false]] as const) {
      for (const i of rows) {
        if (h.arm[i] !== arm) continue;
        const g = seg.get(key(i)) ?? { s: 0, n: 0, ts: 0, tn: 0 };
        if (isTrain) {
          g.s += h.conversion[i];
          g.n += 1;
        } else {
          g.ts += h.conversion[i];
          g.tn += 1;
        }
        seg.set(key(i), g);
      }
    }
    const prior = fitBetaPrior([...seg.values()].map((g) => ({ successes: g.s, trials: g.n })));
    kappas.push(prior.alpha + prior.beta);
    for (const g of seg.values()) segGroups.push({ posterior: betaPosterior(prior, { successes: g.s, trials: g.n }), trials: g.tn, clicks: g.ts });
  }
  const segCoverage = groupCoverage(segGroups, 52, reps, tick);

  const sim = runBanditSimulation({ seed: 0, rounds: ctx.quick ? 6_000 : 100_000, window: ctx.quick ? 1_000 : 10_000, progress: bar.stage('bandit simulation') });
  tick = ticker(2 * eceTicks(reps) + 3 * (reps + 1), bar.stage('click-model calibration'));
  // Rounds are resampled by the action whose posterior made their prediction.
  const covered = Float64Array.from(sim.truth, (p, i) => (p >= sim.low90[i] && p <= sim.high90[i] ? 1 : 0));
  const clicked = Float64Array.from(sim.click);
  const click = eceWithCi(sim.predicted, clicked, 53, reps, sim.chosen, tick);
  const clickCoverage = hitShare(covered, 54, reps, sim.chosen, tick);
  const width = intervalCoverage(sim.low90, sim.high90, sim.truth).meanWidth;
  const anyCoverage = hitShare(sim.anyCovered, 57, reps, sim.anyAction, tick);
  const chosenActions = new Set(sim.chosen).size;
  // The true ECE of these rounds (same bins), the simulator knowing each chosen action's p.
  const trueClickEce = reliabilityReport(sim.predicted, sim.truth).ece;
  // What resampling rounds one by one would have said, for the log.
  const rowBased = { ece: eceWithCi(sim.predicted, clicked, 53, reps, undefined, tick).ece, covered: hitShare(covered, 54, reps, undefined, tick) };

  // Two campaigns' held-out predictions (counted as two bootstraps' worth), then the ECE and a bootstrap.
  tick = ticker(3 * (reps + 1) + eceTicks(reps), bar.stage('OBD calibration'));
  const obd = (['men', 'women'] as const).map((c) => {
    const held = obdHeldOut(ctx.datasetsDir, c);
    for (let k = 0; k <= reps; k++) tick();
    return held;
  });
  const obdPred = Float64Array.from([...obd[0].predicted, ...obd[1].predicted]);
  const obdClick = Float64Array.from([...obd[0].click, ...obd[1].click]);
  const obdEce = eceWithCi(obdPred, obdClick, 55, reps, undefined, tick);
  const obdCoverage = groupCoverage([...obd[0].groups, ...obd[1].groups], 56, reps, tick);
  bar.finish();

  ctx.log(`conversion model (Hillstrom ${fit.conversion.model.kind}, test half, n=${test.length}): ECE ${formatCi(conv.ece, 5)} (binned ${conv.plugin.toFixed(5)}); mean predicted ${conv.report.meanPredicted.toFixed(5)} vs observed ${conv.report.observedRate.toFixed(5)}   (goal ≤ 0.02)`);
  // At a rate of 1%, ≤ 0.02 cannot fail: predicting 0 for everyone reads the rate itself (QA 2026-12-06).
  ctx.log(`  ${relativeWords(conv.ece, conv.report.observedRate)}`);
  ctx.log(`visit model (Hillstrom ${fit.visit.model.kind}, test half): ECE ${formatCi(visit.ece, 5)} (binned ${visit.plugin.toFixed(5)}); mean predicted ${visit.report.meanPredicted.toFixed(4)} vs observed ${visit.report.observedRate.toFixed(4)}`);
  ctx.log(`segment conversion rates (${segGroups.length} arm × segment groups; prior strength κ per arm ${kappas.map((k) => k.toPrecision(3)).join(', ')}): coverage of 90% predictive intervals on the test half ${formatCi(segCoverage, 3)}`);
  ctx.log(`bandit figures: bootstrap over the ${chosenActions} actions chosen in the window (resampling rounds one by one would give ECE ${formatCi(rowBased.ece, 5)}, coverage ${formatCi(rowBased.covered, 3)})`);
  ctx.log(`click model (bandit, progressive, last ${sim.window} rounds): ECE ${formatCi(click.ece, 5)} (binned ${click.plugin.toFixed(5)}; against the simulator's true p ${trueClickEce.toFixed(5)}); 90% credible intervals hold the true p ${formatCi(clickCoverage, 3)} (mean width ${width.toFixed(3)}); those of an action drawn at random ${formatCi(anyCoverage, 3)}   (goal ≤ 0.02)`);
  ctx.log(`click model (OBD slot rates, out-of-fold, n=${obdPred.length}): ECE ${formatCi(obdEce.ece, 5)} (binned ${obdEce.plugin.toFixed(5)}); 90% predictive intervals of held-out clicks per (fold, slot, item) ${formatCi(obdCoverage, 3)}`);
  ctx.log(`  ${relativeWords(obdEce.ece, obdEce.report.observedRate)}`);
  for (const b of click.report.bins) ctx.log(`  bandit bin [${b.low.toFixed(3)}, ${b.high.toFixed(3)}] n=${b.count}: predicted ${b.meanPredicted.toFixed(3)}, observed ${b.observedRate.toFixed(3)}`);
  return {
    evaluation: 'calibration',
    ece_conversion: round(conv.ece.value, 5),
    ece_click: round(click.ece.value, 5),
    ece_conversion_ci: ci(conv.ece),
    ece_click_ci: ci(click.ece),
    ece_visit: round(visit.ece.value, 5),
    ece_visit_ci: ci(visit.ece),
    ece_click_obd: round(obdEce.ece.value, 5),
    ece_click_obd_ci: ci(obdEce.ece),
    ece_conversion_plugin: round(conv.plugin, 5),
    ece_click_plugin: round(click.plugin, 5),
    ece_visit_plugin: round(visit.plugin, 5),
    ece_click_obd_plugin: round(obdEce.plugin, 5),
    ece_click_true: round(trueClickEce, 5),
    // The ECE as a share of the observed rate, beside that rate: a model that predicted 0 for
    // everyone would read ECE = the rate (share 1), within the ≤ 0.02 goal at these rates.
    conversion_observed_rate: round(conv.report.observedRate, 5),
    ece_conversion_relative: round(conv.ece.value / conv.report.observedRate),
    ece_conversion_relative_ci: ci({ low: conv.ece.low / conv.report.observedRate, high: conv.ece.high / conv.report.observedRate }),
    click_obd_observed_rate: round(obdEce.report.observedRate, 5),
    ece_click_obd_relative: round(obdEce.ece.value / obdEce.report.observedRate),
    ece_click_obd_relative_ci: ci({ low: obdEce.ece.low / obdEce.report.observedRate, high: obdEce.ece.high / obdEce.report.observedRate }),
    coverage90_click_interval: round(clickCoverage.value),
    coverage90_click_interval_ci: ci(clickCoverage),
    coverage90_click_interval_any_action: round(anyCoverage.value),
    coverage90_click_interval_any_action_ci: ci(anyCoverage),
    coverage90_segment_rates: round(segCoverage.value),
    coverage90_segment_rates_ci: ci(segCoverage),
    coverage90_obd_rates: round(obdCoverage.value),
    coverage90_obd_rates_ci: ci(obdCoverage),
    bandit_bootstrap_clusters: chosenActions,
    reliability_click: click.report.bins.map((b) => ({ predicted: round(b.meanPredicted), observed: round(b.observedRate), n: b.count })),
  };
}

/**
 * The ECE against the rate it is of: "ECE is 14% of the observed rate 0.00953 …" — where the
 * outcome is rare, the absolute goal says little, and this says how far off the model is for it.
 *
 * @example
 * relativeWords({ value: 0.0013, low: 0.0004, high: 0.0023 }, 0.00953);
 */
export function relativeWords(ece: { value: number; low: number; high: number }, rate: number): string {
  const pct = (x: number) => `${(100 * x / rate).toFixed(0)}%`;
  return `ECE is ${pct(ece.value)} [${pct(ece.low)}, ${pct(ece.high)}] of the observed rate ${rate.toFixed(5)}; a model predicting 0 for everyone would read ECE ${rate.toFixed(5)} (100%), so at a rate this low the ≤ 0.02 goal alone cannot fail`;
}

/** The `calibration` evaluation (ECE and interval coverage on held-out outcomes). */
export const calibrationEvaluation: Evaluation = {
  name: 'calibration',
  fields: withIntervals({
    evaluation: '"calibration"',
    ece_conversion: 'expected calibration error of the Hillstrom conversion model on the test half (goal ≤ 0.02)',
    ece_click: 'ECE of the bandit\'s click model over the simulation\'s last rounds (goal ≤ 0.02)',
    ece_visit: 'ECE of the Hillstrom visit model on the test half',
    ece_click_obd: 'ECE of the OBD slot click rates, out of fold',
    ece_conversion_plugin: 'the binned (plug-in) ECE of the conversion model',
    ece_click_plugin: 'the binned ECE of the click model',
    ece_visit_plugin: 'the binned ECE of the visit model',
    ece_click_obd_plugin: 'the binned ECE of the OBD click rates',
    ece_click_true: 'the click model\'s ECE against the simulator\'s true probabilities',
    conversion_observed_rate: 'the conversion rate observed on the test half',
    ece_conversion_relative: '`ece_conversion` ÷ `conversion_observed_rate` (a model predicting 0 would read 1)',
    click_obd_observed_rate: 'the OBD click rate observed',
    ece_click_obd_relative: '`ece_click_obd` ÷ `click_obd_observed_rate`',
    coverage90_click_interval: 'share of the chosen actions\' 90% credible intervals that hold the true click probability',
    coverage90_click_interval_any_action: 'the same for an action drawn at random',
    coverage90_segment_rates: 'coverage of the 90% predictive intervals of the segment conversion rates on the test half',
    coverage90_obd_rates: 'coverage of the 90% predictive intervals of held-out OBD clicks per (fold, slot, item)',
    bandit_bootstrap_clusters: 'actions the bandit figures\' bootstrap resamples (each with all its rounds)',
    reliability_click: 'the click model\'s reliability bins: `predicted`, `observed`, `n`',
  }, ['ece_conversion', 'ece_click', 'ece_visit', 'ece_click_obd', 'ece_conversion_relative', 'ece_click_obd_relative', 'coverage90_click_interval', 'coverage90_click_interval_any_action', 'coverage90_segment_rates', 'coverage90_obd_rates']),
  description: 'Reliability of the conversion and click models on held-out outcomes: ECE, and coverage of 90% intervals.',
  run,
};
