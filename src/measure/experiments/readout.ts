/**
 * The experiment readout: for every metric and every arm against control, the fixed-horizon
 * and always-valid frequentist results, the Bayesian chance to win and risk, CUPED when a
 * pre-period exists, and one sample-ratio-mismatch check for the whole experiment.
 * Verdicts come from the always-valid interval, so a readout can be refreshed at any time; for a
 * proportion read from its counts it is the difference's, and the score interval must agree (see
 * `verdictOf`).
 */
import { type BayesianResult, bayesianTest } from './bayesian.js';
import { bayesianProportionTest } from './beta-binomial.js';
import { cupedAdjust, type CupedArmSums, cupedTheta } from './cuped.js';
import type { EffectType } from './effect.js';
import { type FrequentistResult, welchTest } from './frequentist.js';
import { type ScoreResult, scoreTest } from './score.js';
import { type SequentialResult, sequentialProportionTest, sequentialTest } from './sequential.js';
import { type SrmResult, sampleRatioMismatch } from './srm.js';
import { type ArmSummary, baselineMean, summarizeMean, summarizeProportion } from './summary.js';

/** One arm's aggregates for one metric (what a store can compute in SQL). */
export interface MetricSums {
  n: number;
  /** Σ value (for a proportion: the number of units that converted). */
  sum: number;
  /** Σ value² (continuous metrics only). */
  sumSquares?: number;
  /** Pre-period aggregates of the same metric, for CUPED. */
  pre?: { sum: number; sumSquares: number; sumProducts: number };
}

export interface MetricSpec {
  name: string;
  kind: 'mean' | 'proportion';
  /** Costs and negative outcomes (unsubscribes, complaints): a decrease is the good direction. */
  lowerIsBetter?: boolean;
  /** A guardrail is not optimised; a significant move in the bad direction is flagged as harm. */
  guardrail?: boolean;
}

export interface ReadoutInput {
  controlId: string;
  arms: ReadonlyArray<{ id: string; weight: number; units: number; metrics: Record<string, MetricSums> }>;
  metrics: readonly MetricSpec[];
  alpha?: number;
  effectType?: EffectType;
  /** Expected total units, tunes the always-valid interval (default 5000). */
  sequentialTuning?: number;
  srmThreshold?: number;
}

export type Verdict = 'better' | 'worse' | 'harm' | 'inconclusive' | 'not-enough-data';

export interface MetricReadout {
  metric: string;
  armId: string;
  control: { n: number; mean: number };
  treatment: { n: number; mean: number };
  cuped: { theta: number } | null;
  frequentist: FrequentistResult | null;
  sequential: SequentialResult | null;
  bayesian: BayesianResult | null;
  verdict: Verdict;
}

export interface ExperimentReadout {
  srm: SrmResult;
  metrics: MetricReadout[];
  /** Whole sentences for the console, e.g. the SRM warning. */
  warnings: string[];
}

/**
 * Builds the full readout.
 * @example
 * experimentReadout({ controlId: 'A', metrics: [{ name: 'conversion', kind: 'proportion' }],
 *   arms: [{ id: 'A', weight: 0.5, units: 1000, metrics: { conversion: { n: 1000, sum: 50 } } },
 *          { id: 'B', weight: 0.5, units: 1010, metrics: { conversion: { n: 1010, sum: 70 } } }] })
 */
export function experimentReadout(input: ReadoutInput): ExperimentReadout {
  const alpha = input.alpha ?? 0.05;
  const type = input.effectType ?? 'relative';
  const control = input.arms.find((a) => a.id === input.controlId);
  if (!control) throw new RangeError(`The control arm "${input.controlId}" is not among the experiment's arms.`);
  const srm = sampleRatioMismatch(input.arms.map((a) => a.units), input.arms.map((a) => a.weight), input.srmThreshold);
  const warnings: string[] = [];
  if (srm.mismatch) {
    warnings.push(
      `Sample ratio mismatch: the arms' unit counts are unlikely under the configured weights (p = ${srm.pValue.toExponential(2)}). Check assignment and logging before trusting any result.`,
    );
  }
  const metrics: MetricReadout[] = [];
  for (const spec of input.metrics) {
    const c = control.metrics[spec.name];
    for (const arm of input.arms) {
      if (arm.id === control.id) continue;
      const t = arm.metrics[spec.name];
      if (!c || !t) continue;
      const theta = c.pre && t.pre ? cupedTheta([toCuped(c), toCuped(t)]) : null;
      const [sa, sb] = theta === null ? [summarize(spec, c), summarize(spec, t)] : [cupedAdjust(toCuped(c), theta), cupedAdjust(toCuped(t), theta)];
      // A proportion's fixed-horizon interval is a score interval from its counts (Wald's collapses
      // at small counts); a CUPED-adjusted one is a regression-adjusted mean, so it stays Welch's.
      const counts = spec.kind === 'proportion' && theta === null;
      // A rate cannot fall by more than all of it: a relative interval from a standard error (Welch's
      // after CUPED, the always-valid one) can reach below −100% at small counts; the true lift
      // never does, so cutting the interval there loses no coverage.
      const floor = spec.kind === 'proportion' && type === 'relative' ? atLeastAllOf : <T,>(r: T) => r;
      const frequentist: FrequentistResult | null = counts ? scoreTest(toCounts(c), toCounts(t), { type, alpha }) : floor(welchTest(sa, sb, { type, alpha }));
      const guard = counts ? scoreTest(toCounts(c), toCounts(t), { type: 'absolute', alpha }) : null;
      // From the counts, the always-valid variance is Agresti–Caffo's and the posteriors are Beta:
      // Wald's p(1 − p)/n is 0 at 0 or n conversions (zero-width intervals, a chance of exactly 0 or 1).
      const always = (effect: EffectType) =>
        counts
          ? sequentialProportionTest(toCounts(c), toCounts(t), { type: effect, alpha, tuning: input.sequentialTuning })
          : sequentialTest(sa, sb, { type: effect, alpha, tuning: input.sequentialTuning });
      const sequential = floor(always(type));
      const bayesian = counts
        ? bayesianProportionTest(toCounts(c), toCounts(t), { type, alpha, lowerIsBetter: spec.lowerIsBetter })
        : floor(bayesianTest(sa, sb, { type, alpha, lowerIsBetter: spec.lowerIsBetter }));
      // The verdict's interval. A relative lift over a control mean of 0 is undefined, yet the arms
      // may differ clearly (a guardrail outcome only the treatment produced): the verdict then comes
      // from the absolute always-valid test, whose sign is the lift's. For a proportion read from
      // its counts it always does: the difference tests the same p_B = p_A as the lift, without the
      // delta method's ratio (too wide when the control has a few conversions: 20 of 10,000 against
      // 90 of 10,050), so the relative and absolute readouts give one verdict, as the score guard does.
      const zeroBaseline = !sequential && type === 'relative' && baselineMean(sa) === 0;
      const decider = type === 'relative' && (counts || zeroBaseline) ? always('absolute') : sequential;
      metrics.push({
        metric: spec.name,
        armId: arm.id,
        control: { n: c.n, mean: c.n > 0 ? c.sum / c.n : 0 },
        treatment: { n: t.n, mean: t.n > 0 ? t.sum / t.n : 0 },
        cuped: theta === null ? null : { theta },
        frequentist,
        sequential,
        bayesian,
        verdict: verdictOf(spec, decider, guard),
      });
      if (zeroBaseline && decider) {
        warnings.push(`The control arm "${control.id}" averages 0 on ${spec.name}, so "${arm.id}" has no relative lift on it; its verdict comes from the absolute difference (effect=absolute shows it).`);
      }
    }
  }
  return { srm, metrics, warnings };
}

function summarize(spec: MetricSpec, s: MetricSums): ArmSummary {
  return spec.kind === 'proportion' ? summarizeProportion(s.n, s.sum) : summarizeMean(s.n, s.sum, s.sumSquares ?? s.sum);
}

/**
 * The result with its interval's ends at −100% at least (a lift of a rate). Both ends: a
 * CUPED-adjusted lift can lie wholly below −1 (its estimate too), and then the interval is [−1, −1],
 * not an inverted [−1, hi].
 */
function atLeastAllOf<T extends { ci: [number, number] } | null>(r: T): T {
  return r && r.ci[0] < -1 ? { ...r, ci: [-1, Math.max(-1, r.ci[1])] } : r;
}

function toCounts(s: MetricSums) {
  return { n: s.n, successes: s.sum };
}

function toCuped(s: MetricSums): CupedArmSums {
  const pre = s.pre!;
  return {
    n: s.n,
    sumPost: s.sum,
    sumSquaresPost: s.sumSquares ?? s.sum,
    sumPre: pre.sum,
    sumSquaresPre: pre.sumSquares,
    sumProducts: pre.sumProducts,
  };
}

/**
 * The verdict from the always-valid interval. For a proportion read from its counts, `score` is
 * the score interval of the difference (which excludes 0 exactly when the lift's excludes it): the
 * always-valid interval is a normal approximation, too optimistic at small counts even with the
 * Agresti–Caffo variance, so a call also needs the score interval to exclude 0 on the same side —
 * no `harm` next to a 95% interval that holds 0.
 */
function verdictOf(spec: MetricSpec, r: SequentialResult | null, score: ScoreResult | null): Verdict {
  if (!r) return 'not-enough-data';
  const up = r.ci[0] > 0 && (!score || score.ci[0] > 0);
  const down = r.ci[1] < 0 && (!score || score.ci[1] < 0);
  if (!up && !down) return 'inconclusive';
  const good = spec.lowerIsBetter ? down : up;
  if (good) return 'better';
  return spec.guardrail ? 'harm' : 'worse';
}
