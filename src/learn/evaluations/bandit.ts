/**
 * `tact evaluate bandit` — the fixed simulator of issue 4 (see bandit-sim.ts), learner = contextual
 * Thompson sampling with logistic Laplace posteriors (thompson.ts), default settings.
 *
 * Figures over the last 10,000 of 100,000 rounds, each with a paired percentile-bootstrap 95% CI
 * over rounds, in circular blocks of consecutive rounds as long as Politis & White's rule asks on
 * the learner's clicks (stats/block-length.ts; 1 on this simulator) (seed 0):
 * - ctr_last10k: the learner's realised clicks / rounds.
 * - oracle_ctr, uniform_ctr: the best action's and a uniformly random action's clicks on the same
 *   rounds, with the same click draws (common random numbers: action j clicks iff u_t < p_j).
 * - ips_self_check_error: the honesty check of the logged propensities, made non-trivial.
 *   The learner's policy is frozen as it stood when the window began (π_F, after round 90,000);
 *   its value on the last 10k rounds is estimated by IPS from the log,
 *   (1/n)·Σ_t π_F(a_t|x_t)/π_t·click_t with π_t the propensity logged at round t, and compared with
 *   the realised value of π_F on those rounds, (1/n)·Σ_t Σ_a π_F(a|x_t)·1(u_t < p_a(x_t)) (the
 *   clicks π_F's choices would have received, averaged exactly over π_F's own randomisation).
 *   Reported: (IPS − realised) / realised with its interval, and its absolute value with the
 *   interval that implies (0 to the farther end when the signed one holds 0). Wrong propensities bias the IPS term (logging 1.0
 *   instead of π_t would divide it by E[1/π_t]); the logging policy's IPS of itself would be
 *   trivially exact. Also reported: the mean importance weight (1 in expectation when the
 *   propensities are right), with its largest weights. Its bootstrap CI resamples the window's own
 *   weights: it says how the mean would vary over windows drawn from them, and cannot count the
 *   rare large weights a window did not draw, nor discount the ones it drew. The weights are
 *   heavy-tailed (a choice logged at π_t = 0.0014 that π_F makes with 0.038 weighs 28), so a CI
 *   that excludes 1 is no proof of wrong propensities; seed 0 draws two such weights (27.8, 20.3)
 *   where 0.010 were expected, and its CI excludes 1 for them (docs/models.md, `bandit`).
 *   Why not the FINAL policy: it was trained on the window's own clicks, so it favours the actions
 *   that were lucky there and its IPS on that log is optimistic (we measured ≈ +4%); it is printed
 *   as a diagnostic, not as the check.
 */
import { type Evaluation, type EvaluationContext, withIntervals } from '../../evaluate/evaluation.js';
import { type BanditState, actionProbabilities } from '../bandit/thompson.js';
import { circularBlockLength } from '../stats/block-length.js';
import { bootstrap, formatCi, round } from '../stats/bootstrap.js';
import { banditChart } from './charts.js';
import { counted, stages, ticker } from './progress.js';
import { type BanditRun, SIM_ACTIONS, SIM_FEATURES, runBanditSimulation, trueProbabilities } from './bandit-sim.js';

const ci = (x: { low: number; high: number }): [number, number] => [round(x.low), round(x.high)];

/**
 * |x| with the interval its signed interval implies: from 0 when that interval holds 0, else from
 * the end nearer 0; up to the end farther from 0.
 *
 * @example
 * absolute({ value: 0.002, low: -0.007, high: 0.011 }); // { value: 0.002, low: 0, high: 0.011 }
 */
export function absolute(x: { value: number; low: number; high: number }): { value: number; low: number; high: number } {
  const low = x.low <= 0 && x.high >= 0 ? 0 : Math.min(Math.abs(x.low), Math.abs(x.high));
  return { value: Math.abs(x.value), low, high: Math.max(Math.abs(x.low), Math.abs(x.high)) };
}

interface FrozenCheck {
  ips: Float64Array;
  realised: Float64Array;
  weight: Float64Array;
}

/** IPS terms, realised values and importance weights of a frozen policy over the logged window. */
function frozenCheck(sim: BanditRun, policy: BanditState, progress?: (done: number, total: number) => void): FrozenCheck {
  const n = sim.window;
  const out: FrozenCheck = { ips: new Float64Array(n), realised: new Float64Array(n), weight: new Float64Array(n) };
  const p = new Float64Array(SIM_ACTIONS);
  for (let i = 0; i < n; i++) {
    const x = sim.contexts.subarray(i * SIM_FEATURES, (i + 1) * SIM_FEATURES);
    trueProbabilities(sim.theta, x, p);
    const logged = `a${sim.chosen[i]}`;
    const clickers: string[] = [];
    for (let j = 0; j < SIM_ACTIONS; j++) if (sim.u[i] < p[j]) clickers.push(`a${j}`);
    const probs = actionProbabilities(policy, x, { only: [logged, ...clickers] });
    out.weight[i] = probs[logged] / sim.propensity[i];
    out.ips[i] = out.weight[i] * sim.click[i];
    for (const id of clickers) out.realised[i] += probs[id];
    if (progress && ((i + 1) % 1000 === 0 || i + 1 === n)) progress(i + 1, n);
  }
  return out;
}

const mean = (xs: ArrayLike<number>, w: Float64Array): number => {
  let s = 0;
  let t = 0;
  for (let i = 0; i < xs.length; i++) {
    s += w[i] * xs[i];
    t += w[i];
  }
  return s / t;
};

async function run(ctx: EvaluationContext) {
  const rounds = ctx.quick ? 6_000 : 100_000;
  const window = ctx.quick ? 1_000 : 10_000;
  ctx.log(`bandit: ${SIM_ACTIONS} actions, x ∈ R^${SIM_FEATURES} ~ N(0, I), θ_j ~ N(0, I/10), p = σ(x·θ_j − 3), ${rounds} rounds, seed 0`);
  // The bar's shares: seconds of each stage in a full run.
  const bar = stages(ctx.progress, { simulation: 13.5, 'frozen-policy check': 2.3, 'final-policy check': 2.2, intervals: 2.9 });
  const sim = runBanditSimulation({ seed: 0, rounds, window, progress: bar.stage('simulation') });
  ctx.log(`simulation: ${sim.seconds.toFixed(1)} s`);
  const n = sim.window;
  const oracle = new Float64Array(n);
  const uniform = new Float64Array(n);
  const p = new Float64Array(SIM_ACTIONS);
  let maxError = 0;
  for (let i = 0; i < n; i++) {
    trueProbabilities(sim.theta, sim.contexts.subarray(i * SIM_FEATURES, (i + 1) * SIM_FEATURES), p);
    let best = 0;
    let clicksUniform = 0;
    for (let j = 0; j < SIM_ACTIONS; j++) {
      best = Math.max(best, p[j]);
      if (sim.u[i] < p[j]) clicksUniform += 1;
    }
    oracle[i] = sim.u[i] < best ? 1 : 0;
    uniform[i] = clicksUniform / SIM_ACTIONS;
    maxError = Math.max(maxError, sim.propensityError[i]);
  }
  const start = frozenCheck(sim, sim.atWindowStart, bar.stage('frozen-policy check'));
  const final = frozenCheck(sim, sim.final, bar.stage('final-policy check'));
  const clicks = Float64Array.from(sim.click);
  // Rounds follow each other under a policy that learns: they are resampled in blocks of
  // consecutive rounds, as long as the learner's clicks' own dependence asks for (1 when none).
  const block = circularBlockLength(clicks);
  const tick = ticker(10 * 1001, bar.stage('intervals')); // ten bootstraps of 1,000 resamples
  const boot = (stat: (w: Float64Array) => number, seed: number) => bootstrap(n, counted(stat, tick), { seed, reps: 1000, block });
  // Signed: a percentile interval of |·| is folded at 0 — it can never hold 0, and its upper end
  // is the wrong tail's (until 2026-12-06: 0.002 [0.0001, 0.0097] where the signed error's
  // interval reached −0.007 and +0.011; QA). The absolute error's interval is read from it.
  const relError = (c: FrozenCheck) => (w: Float64Array) => (mean(c.ips, w) - mean(c.realised, w)) / mean(c.realised, w);
  const ctr = boot((w) => mean(clicks, w), 1);
  const oracleCtr = boot((w) => mean(oracle, w), 2);
  const uniformCtr = boot((w) => mean(uniform, w), 3);
  const share = boot((w) => mean(clicks, w) / mean(oracle, w), 4);
  const ipsStart = boot((w) => mean(start.ips, w), 5);
  const realisedStart = boot((w) => mean(start.realised, w), 6);
  const selfCheck = boot(relError(start), 7);
  const weightStart = boot((w) => mean(start.weight, w), 8);
  const selfCheckFinal = boot(relError(final), 9);
  const weightFinal = boot((w) => mean(final.weight, w), 10);
  bar.finish();
  const largest = [...start.weight].sort((a, b) => b - a).slice(0, 2);
  const excess = largest.reduce((t, w) => t + (w - 1), 0) / n;
  ctx.log(`intervals: bootstrap over blocks of ${block} consecutive round(s) (Politis & White's rule on the learner's clicks)`);
  ctx.log(`learner CTR (last ${n}):      ${formatCi(ctr)}`);
  ctx.log(`oracle CTR (same rounds):    ${formatCi(oracleCtr)}`);
  ctx.log(`uniform CTR (same rounds):   ${formatCi(uniformCtr)}`);
  ctx.log(`share of oracle:             ${formatCi(share)}   (goal ≥ 0.93)`);
  ctx.chart?.((g) => banditChart({ rounds, clicks, oracle, uniform }, { ctr, oracle: oracleCtr, uniform: uniformCtr }, g));
  ctx.log(`policy frozen at the window start: IPS from the log ${formatCi(ipsStart)}, realised ${formatCi(realisedStart)}`);
  const absCheck = absolute(selfCheck);
  const absCheckFinal = absolute(selfCheckFinal);
  ctx.log(`IPS self-check (IPS − realised)/realised: ${formatCi(selfCheck)}, so |error| ${absCheck.value.toFixed(4)}, at most ${absCheck.high.toFixed(4)} (goal ≤ 0.02); mean weight ${formatCi(weightStart)}`);
  ctx.log(`(the mean weight's CI resamples this window's weights, which are heavy-tailed: the largest two, ${largest.map((w) => w.toFixed(1)).join(' and ')}, add ${excess.toFixed(4)} to the mean; it is no test of the propensities, which an independent quadrature checks: docs/models.md)`);
  ctx.log(`(final policy, trained on these very rounds: self-check ${formatCi(selfCheckFinal)}, mean weight ${formatCi(weightFinal)} — optimistic by construction)`);
  ctx.log(`max logged propensity error bound: ${maxError.toExponential(2)}; non-greedy choices in the window: ${(sim.explored / n).toFixed(3)}`);
  return {
    evaluation: 'bandit',
    ctr_last10k: round(ctr.value),
    oracle_ctr: round(oracleCtr.value),
    uniform_ctr: round(uniformCtr.value),
    ips_self_check_error: round(absCheck.value),
    ctr_last10k_ci: ci(ctr),
    oracle_ctr_ci: ci(oracleCtr),
    uniform_ctr_ci: ci(uniformCtr),
    share_of_oracle: round(share.value),
    share_of_oracle_ci: ci(share),
    ips_self_check_error_ci: ci(absCheck),
    ips_self_check_signed_error: round(selfCheck.value),
    ips_self_check_signed_error_ci: ci(selfCheck),
    frozen_policy_ips: round(ipsStart.value),
    frozen_policy_ips_ci: ci(ipsStart),
    frozen_policy_realised: round(realisedStart.value),
    frozen_policy_realised_ci: ci(realisedStart),
    mean_importance_weight: round(weightStart.value),
    mean_importance_weight_ci: ci(weightStart),
    largest_importance_weights: largest.map((w) => round(w)),
    final_policy_self_check_error: round(absCheckFinal.value),
    final_policy_self_check_error_ci: ci(absCheckFinal),
    max_propensity_error: maxError,
    non_greedy_share: round(sim.explored / n),
    rounds,
    window: n,
  };
}

/** The `bandit` evaluation (simulator with known truth, seed 0). */
export const banditEvaluation: Evaluation = {
  name: 'bandit',
  fields: withIntervals({
    evaluation: '"bandit"',
    ctr_last10k: 'the learner\'s click rate over the last `window` rounds',
    oracle_ctr: 'the click rate of always choosing the best action (known truth), same rounds',
    uniform_ctr: 'the click rate of choosing uniformly at random, same rounds',
    ips_self_check_error: '|IPS − realised| ÷ realised of the policy frozen at the window start: how far the logged propensities misestimate it (goal ≤ 0.02)',
    share_of_oracle: '`ctr_last10k` ÷ `oracle_ctr` (goal ≥ 0.93)',
    ips_self_check_signed_error: 'the same self-check, signed (IPS − realised) ÷ realised',
    frozen_policy_ips: 'the frozen policy\'s click rate estimated by IPS from the log',
    frozen_policy_realised: 'the frozen policy\'s click rate realised on the same rounds',
    mean_importance_weight: 'mean importance weight of the frozen policy on the log (1 in expectation)',
    largest_importance_weights: 'the two largest of those weights',
    final_policy_self_check_error: 'the self-check of the final policy, trained on these very rounds (optimistic by construction)',
    max_propensity_error: 'the largest error bound of a logged propensity',
    non_greedy_share: 'share of the window\'s choices that were not the greedy one',
    rounds: 'rounds simulated',
    window: 'the last rounds the figures are over',
  }, ['ctr_last10k', 'oracle_ctr', 'uniform_ctr', 'ips_self_check_error', 'share_of_oracle', 'ips_self_check_signed_error', 'frozen_policy_ips', 'frozen_policy_realised', 'mean_importance_weight', 'final_policy_self_check_error']),
  description: 'Contextual Thompson sampling on the fixed 50-action simulator: CTR of the last 10k rounds vs oracle and uniform, and an IPS self-check of the logged propensities.',
  run,
};
