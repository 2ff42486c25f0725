/**
 * The experiment readout: for every metric and every arm against control, the fixed-horizon
 * and always-valid frequentist results, the Bayesian chance to win and risk, CUPED when a
 * pre-period exists, and one sample-ratio-mismatch check for the whole experiment.
 * Verdicts come from the always-valid interval of the difference, so a readout can be refreshed at
 * any time and says the same whether effects are stated relative or absolute; for a proportion read
 * from its counts the score interval must agree too (see `verdictOf`). With k > 1 arms against the
 * control, verdicts are called at alpha / k (Bonferroni: `verdictAlpha`); across an arm's primary
 * metrics (not guardrails) at Holm's step-down levels from there (`MetricReadout.verdictAlpha`).
 */
import { type BayesianResult, bayesianTest } from './bayesian.js';
import { bayesianProportionTest } from './beta-binomial.js';
import { cupedAdjust, type CupedArmSums, cupedTheta } from './cuped.js';
import type { EffectType } from './effect.js';
import { type FrequentistResult, welchTest } from './frequentist.js';
import { type ScoreResult, scoreTest } from './score.js';
import { coverScore, type SequentialResult, sequentialProportionTest, sequentialTest } from './sequential.js';
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
  /**
   * The metric cannot be negative (proportions never are): its lift is at least −100%, and no
   * estimate, interval end or posterior mean of it is stated below (a CUPED-adjusted one can fall there).
   */
  nonNegative?: boolean;
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
  /**
   * The total units the fixed-horizon test was planned for (an experiment's `plannedUnits`), if any.
   * From the plan to `PLANNED_LOOK_TOLERANCE` past it a reading is the planned look, at which the
   * fixed-horizon p holds; before it, or further past it, it is another look, and the readout warns.
   */
  plannedUnits?: number;
}

/**
 * How far past the planned units a reading still counts as the planned look: 10%. Units arrive between
 * refreshes, so the first reading after the plan is reached is usually a little past it; one look there is
 * still a single test at a sample size fixed before any data (its error stays at alpha). Much further on,
 * the plan has most likely been read already, and this reading is a second look at the same test.
 */
export const PLANNED_LOOK_TOLERANCE = 0.1;

export type Verdict = 'better' | 'worse' | 'harm' | 'inconclusive' | 'not-enough-data';

export interface MetricReadout {
  metric: string;
  armId: string;
  /** An arm's units and its mean; null with no unit (inestimable, not 0 — until 2026-12-05 it read 0). */
  control: { n: number; mean: number | null };
  treatment: { n: number; mean: number | null };
  cuped: { theta: number } | null;
  frequentist: FrequentistResult | null;
  sequential: SequentialResult | null;
  bayesian: BayesianResult | null;
  verdict: Verdict;
  /**
   * The level this verdict was called at. A guardrail: the readout's `verdictAlpha` (a harm check is
   * never loosened by the number of metrics). A primary metric (not a guardrail), one of m with a test
   * for this arm: its Holm step's `verdictAlpha / (m − i)`, i its rank by always-valid p (smallest
   * first) — and it is called only when every primary metric ranked before it was.
   */
  verdictAlpha: number;
}

export interface ExperimentReadout {
  srm: SrmResult;
  /** The level of every interval shown: 1 − alpha (the fixed-horizon, always-valid and credible ones). */
  alpha: number;
  /**
   * The level verdicts are called at: alpha over the number of arms compared with control
   * (Bonferroni), so the chance of any false call among them stays within alpha. The intervals
   * shown are each at 1 − alpha.
   */
  verdictAlpha: number;
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
  // k arms against control make k calls a metric: each at alpha / k keeps the chance of any false one within
  // alpha (Bonferroni's inequality; it holds over every look, the always-valid tests being valid at all of them).
  const compared = input.arms.length - 1;
  const verdictAlpha = alpha / Math.max(1, compared);
  if (compared > 1) {
    warnings.push(
      `${compared} arms against the control: each verdict calls a difference at ${Number(verdictAlpha.toPrecision(3))} (alpha ${alpha} / ${compared}, Bonferroni), so the chance of any false call among them stays within ${alpha}; the intervals shown are each at ${Number(((1 - alpha) * 100).toPrecision(3))}%.`,
    );
  }
  const look = lookAt(input);
  const metrics: MetricReadout[] = [];
  // The primary metrics' tests, per arm, for Holm's step-down once every metric is read.
  const primaries = new Map<string, Primary[]>();
  for (const spec of input.metrics) {
    const c = control.metrics[spec.name];
    for (const arm of input.arms) {
      if (arm.id === control.id) continue;
      const t = arm.metrics[spec.name];
      if (!c || !t) continue;
      // CUPED for a proportion only where the normal approximation holds (see `normalApproximates`): below
      // it, the counts' score interval and Beta posteriors are honest and a regression-adjusted Wald is not.
      const adjust = !!(c.pre && t.pre) && (spec.kind !== 'proportion' || (normalApproximates(c) && normalApproximates(t)));
      const theta = adjust ? cupedTheta([toCuped(c), toCuped(t)]) : null;
      const [sa, sb] = theta === null ? [summarize(spec, c), summarize(spec, t)] : [cupedAdjust(toCuped(c), theta), cupedAdjust(toCuped(t), theta)];
      // A proportion's fixed-horizon interval is a score interval from its counts (Wald's collapses
      // at small counts); a CUPED-adjusted one is a regression-adjusted mean, so it stays Welch's.
      const counts = spec.kind === 'proportion' && theta === null;
      // What the effect can be: a lift of a metric that cannot be negative is ≥ −100%, a difference
      // of rates within ±100%. An interval from a standard error (Welch's after CUPED, the always-valid
      // one) can reach beyond at small counts, and a CUPED-adjusted lift can lie wholly below −100%
      // (Deng et al. 2013's estimator subtracts θ·(pre-period difference), which can exceed the
      // treatment's own mean); the true effect never does, so each is projected onto its range — an
      // estimate nearer the truth, no coverage lost — and the Gaussian posterior is censored there.
      const range = effectRange(spec, type);
      const welch = counts ? null : welchTest(sa, sb, { type, alpha });
      const frequentist: FrequentistResult | null = counts ? scoreTest(toCounts(c), toCounts(t), { type, alpha }) : within(range, welch);
      const guardAt = (level: number) => (counts ? scoreTest(toCounts(c), toCounts(t), { type: 'absolute', alpha: level }) : null);
      // From the counts, the always-valid variance is Agresti–Caffo's and the posteriors are Beta:
      // Wald's p(1 − p)/n is 0 at 0 or n conversions (zero-width intervals, a chance of exactly 0 or 1).
      // A proportion's is never narrower than its score interval at the same level (coverScore).
      const always = (effect: EffectType, level = alpha) =>
        counts
          ? coverScore(sequentialProportionTest(toCounts(c), toCounts(t), { type: effect, alpha: level, tuning: input.sequentialTuning }), effect === type && level === alpha ? frequentist : scoreTest(toCounts(c), toCounts(t), { type: effect, alpha: level }))
          : sequentialTest(sa, sb, { type: effect, alpha: level, tuning: input.sequentialTuning });
      const sequential = within(range, always(type));
      const bayesian = counts
        ? bayesianProportionTest(toCounts(c), toCounts(t), { type, alpha, lowerIsBetter: spec.lowerIsBetter })
        : bayesianTest(sa, sb, { type, alpha, lowerIsBetter: spec.lowerIsBetter, range });
      // The verdict's interval is the difference's always-valid one for either effect type: the lift
      // and the difference test the same B = A, but the lift's delta-method interval approximates a
      // ratio's — too narrow over a noisy control (it weighs the control's variance by (B/A)²), too
      // wide over a control with a few conversions (20 of 10,000 against 90 of 10,050), none over a
      // control mean of 0 — so the two readouts gave different verdicts on the same data. For a
      // proportion read from its counts the score interval must agree too, as `guard`.
      const decider = type === 'relative' || compared > 1 ? always('absolute', verdictAlpha) : sequential;
      metrics.push({
        metric: spec.name,
        armId: arm.id,
        control: { n: c.n, mean: c.n > 0 ? c.sum / c.n : null },
        treatment: { n: t.n, mean: t.n > 0 ? t.sum / t.n : null },
        cuped: theta === null ? null : { theta },
        frequentist,
        sequential,
        bayesian,
        verdict: verdictOf(spec, decider, guardAt(verdictAlpha)),
        verdictAlpha,
      });
      // The fixed-horizon p is valid at one look at a sample size fixed in advance; refreshed as data come
      // in, it crosses alpha far more often than alpha under no effect (Armitage, McPherson & Rowe, JRSS A
      // 132 (1969) 235–244: 5 looks at 0.05 err 14% of the time). Say so where it alone would call it.
      if (frequentist && frequentist.pValue < alpha && verdictOf(spec, type === 'relative' ? always('absolute') : sequential, guardAt(alpha)) === 'inconclusive') {
        warnings.push(peekingNote(`"${arm.id}" on ${spec.name}`, frequentist.pValue, alpha, look));
      }
      const floor = [decider?.floor, sequential?.floor].find((f) => f?.method === 'welch-t');
      if (floor?.method === 'welch-t') warnings.push(welchFloorNote(`"${arm.id}" on ${spec.name}`, { arm: arm.id, n: t.n }, { arm: control.id, n: c.n }, floor.df));
      if (!spec.guardrail && decider) primaries.set(arm.id, [...(primaries.get(arm.id) ?? []), { readout: metrics.at(-1)!, spec, decider, guardAt }]);
      if (type === 'relative') {
        warnings.push(...liftNotes({ control: control.id, arm: arm.id, metric: spec.name }, baselineMean(sa), { sequential, decider, bayesian }, range && welch && theta !== null ? welch.estimate : null));
      }
    }
  }
  for (const [armId, tests] of primaries) warnings.push(...holm(armId, tests, verdictAlpha));
  warnings.push(...noResultReasons(input, metrics));
  return { srm, alpha, verdictAlpha, metrics, warnings };
}

/** Where a reading stands against the plan: no plan (or not reached yet), the planned look, or a later one. */
type Look = { at: 'unplanned' } | { at: 'planned' | 'later'; units: number; planned: number };

function lookAt(input: ReadoutInput): Look {
  const planned = input.plannedUnits;
  const units = input.arms.reduce((s, a) => s + a.units, 0);
  if (planned === undefined || !(planned > 0) || units < planned) return { at: 'unplanned' };
  return { at: units <= planned * (1 + PLANNED_LOOK_TOLERANCE) ? 'planned' : 'later', units, planned };
}

/**
 * The sentence on a fixed-horizon p below alpha whose always-valid interval still holds 0. Read before
 * the plan (or without one) it is a peek; at the planned look it is the test the plan called for; well
 * past the plan it is a later look, a peek again.
 */
function peekingNote(what: string, pValue: number, alpha: number, look: Look): string {
  const p = Number(pValue.toPrecision(2));
  if (look.at === 'planned') {
    return `${what}: this is the planned look (${look.units} units, the plan ${look.planned}): the fixed-horizon p = ${p} below ${alpha} is the test the plan called for, valid at this one look (a reading more than ${PLANNED_LOOK_TOLERANCE * 100}% past the plan is a later look, where it no longer holds). The verdict comes from the always-valid interval, valid at any look, which still holds 0, so it stays inconclusive.`;
  }
  if (look.at === 'later') {
    const past = `${Math.round(((look.units - look.planned) / look.planned) * 100)}%`;
    return `${what}: the fixed-horizon p = ${p} is below ${alpha}, but this look, at ${look.units} units, is ${past} past the planned ${look.planned}: it is a later look than the planned one, and the fixed-horizon p holds only at that one; read again it calls a difference far more often than ${alpha}. Read the planned look with a \`to\` at when the plan was reached; the always-valid interval of the difference, valid at any look, still holds 0, so the verdict is inconclusive at this look.`;
  }
  return `${what}: the fixed-horizon p = ${p} is below ${alpha}, but it holds only at one look at a sample size fixed in advance; read at every refresh it calls a difference far more often than ${alpha}. The always-valid interval of the difference at the same level, valid at any look, still holds 0, so the verdict is inconclusive at this look.`;
}

/**
 * The sentence on an always-valid interval widened to Welch's (src/measure/experiments/sequential.ts):
 * the mixture's normal approximation has no small-sample correction.
 */
function welchFloorNote(what: string, arm: { arm: string; n: number }, control: { arm: string; n: number }, df: number): string {
  return `${what}: with ${arm.n} units in "${arm.arm}" and ${control.n} in "${control.arm}", the always-valid interval (a normal approximation) would be narrower than Welch's fixed-horizon t interval at the same level (df ${Number(df.toPrecision(3))}); an interval valid at every look is never narrower than one valid at a single look, so Welch's interval and p are shown as the always-valid ones, and the verdict is read from them.`;
}

/**
 * Why metrics are `not-enough-data`, in sentences: no unit at all; an arm with none, or with one (a
 * variance needs two, so its means have no interval; a proportion is still read from its counts);
 * a mean metric with no spread in either arm (every unit the same, e.g. 0 where the metric had no events).
 */
function noResultReasons(input: ReadoutInput, metrics: readonly MetricReadout[]): string[] {
  if (input.arms.every((a) => a.units === 0)) {
    return ['No unit was read: no subject was first exposed to its arms in the window (the experiment\'s, or the holdout\'s at the placement), so every metric is not-enough-data (check the window and that decisions are logged at the placement).'];
  }
  const notes: string[] = [];
  const small = new Set<string>();
  for (const a of [...input.arms].sort((x, y) => Number(y.id === input.controlId) - Number(x.id === input.controlId))) {
    if (a.units >= 2) continue;
    small.add(a.id);
    const name = a.id === input.controlId ? `The control arm "${a.id}"` : `The arm "${a.id}"`;
    notes.push(
      a.units === 0
        ? `${name} has no unit in the window: ${a.id === input.controlId ? 'no arm can be compared with it' : 'it cannot be compared with the control'}, and its metrics are not-enough-data.`
        : `${name} has 1 unit; a mean's variance needs at least 2 in each arm, so its mean metrics are not-enough-data (a proportion is read from its counts).`,
    );
  }
  for (const m of metrics) {
    if (m.verdict !== 'not-enough-data' || small.has(m.armId) || small.has(input.controlId)) continue;
    // (Arms with fewer than 2 units were said above: these have means.)
    const value = (x: number | null) => (x === null ? 'none' : signed(Number(x.toPrecision(6))));
    notes.push(
      m.control.mean === m.treatment.mean
        ? `Every unit of "${input.controlId}" and "${m.armId}" has the value ${value(m.control.mean)} on ${m.metric}: with no spread there is no interval, so it is not-enough-data.`
        : `Every unit of "${input.controlId}" has the value ${value(m.control.mean)} on ${m.metric} and every unit of "${m.armId}" ${value(m.treatment.mean)}: with no spread within the arms there is no interval, so it is not-enough-data.`,
    );
  }
  return notes;
}

/** A primary metric's test for one arm: its readout (whose verdict Holm sets), its always-valid test and score guard. */
interface Primary {
  readout: MetricReadout;
  spec: MetricSpec;
  decider: SequentialResult;
  guardAt: (level: number) => ScoreResult | null;
}

/**
 * Holm's step-down (Scand J Statist 6 (1979) 65–70) across one arm's primary metrics: sorted by
 * always-valid p, the i-th (from 0) of m is called at `level / (m − i)`, and only while every one
 * before it was; the chance of any false call among them stays within `level`. Always-valid
 * p-values keep that at every look (each true null's p stays above its level with the stated chance,
 * Ville's inequality, so Holm's union bound holds over time too). Sets each readout's verdict and
 * level; returns a sentence for each call the arm's level alone would have made and Holm withheld.
 */
function holm(armId: string, tests: Primary[], level: number): string[] {
  const m = tests.length;
  const order = [...tests].sort((a, b) => a.decider.pValue - b.decider.pValue);
  const notes: string[] = [];
  let open = true;
  order.forEach((x, i) => {
    const at = level / (m - i);
    const verdict = open ? verdictOf(x.spec, x.decider, x.guardAt(at), at) : 'inconclusive';
    open &&= verdict !== 'inconclusive';
    if (verdict !== x.readout.verdict) {
      notes.push(
        `"${armId}" on ${x.spec.name} would be called ${x.readout.verdict} at ${Number(level.toPrecision(3))} alone (always-valid p = ${Number(x.decider.pValue.toPrecision(2))}), but not across the ${m} primary metrics (Holm's step-down, at ${Number(at.toPrecision(3))} for this one${i > 0 ? ', and only after every metric with a smaller p is called' : ''}); it stays inconclusive at this look.`,
      );
    }
    Object.assign(x.readout, { verdict, verdictAlpha: at });
  });
  return notes;
}

/**
 * Sentences on a relative readout: why it has no lift (a control mean of 0, or a treatment at 0 on
 * every unit) while the difference exists, that the lift over a negative control mean is over its
 * size, and that a CUPED-adjusted lift (`cupedLift`, of a metric that cannot be negative) below −100%
 * is shown as −100%.
 */
function liftNotes(
  ids: { control: string; arm: string; metric: string },
  baseline: number,
  r: { sequential: SequentialResult | null; decider: SequentialResult | null; bayesian: BayesianResult | null },
  cupedLift: number | null,
): string[] {
  const { control, arm, metric } = ids;
  const notes: string[] = [];
  if (!r.sequential && r.decider) {
    notes.push(
      baseline === 0
        ? `The control arm "${control}" averages 0 on ${metric}, so "${arm}" has no relative lift estimate on it: its verdict comes from the absolute difference (effect=absolute shows it)${r.bayesian ? ", and the Bayesian readout gives the lift's credible interval and chance to win, not its mean (infinite)." : '.'}`
        : `"${arm}" is 0 on ${metric} for every unit, so its lift has no interval (the delta method would give −100% ± 0): its verdict comes from the absolute difference (effect=absolute shows it).`,
    );
  } else if (r.sequential && baseline < 0) {
    notes.push(`The control arm "${control}" averages ${signed(baseline)} on ${metric}, below 0, so "${arm}"'s lift is its difference over the size of that mean (effect=absolute states the difference itself).`);
  }
  if (cupedLift !== null && cupedLift < -1) {
    notes.push(
      `The CUPED-adjusted lift of "${arm}" on ${metric} is ${signed(cupedLift * 100, 1)}%, below the −100% a metric that cannot be negative can lose (the pre-period correction outweighs the treatment's own mean: the arms differed before exposure); it is shown as −100%.`,
    );
  }
  return notes;
}

/**
 * The success–failure condition for the normal approximation to two proportions: at least 10 units
 * with and 10 without (Moore, McCabe & Craig, Introduction to the Practice of Statistics, §8.2). Below
 * it a CUPED-adjusted (Wald) variance can all but vanish: 0 of 200 against 3 of 200 read a lift of
 * −100% [−100%, −90.9%], p = 1e−54, where Fisher's exact p is 0.248.
 */
function normalApproximates(s: MetricSums): boolean {
  return s.sum >= 10 && s.n - s.sum >= 10;
}

function summarize(spec: MetricSpec, s: MetricSums): ArmSummary {
  return spec.kind === 'proportion' ? summarizeProportion(s.n, s.sum) : summarizeMean(s.n, s.sum, s.sumSquares ?? s.sum);
}

/** The values the effect can take, when bounded: see `MetricSpec.nonNegative`. */
function effectRange(spec: MetricSpec, type: EffectType): [number, number] | undefined {
  if (type === 'relative') return spec.kind === 'proportion' || spec.nonNegative ? [-1, Infinity] : undefined;
  return spec.kind === 'proportion' ? [-1, 1] : undefined;
}

/** The result with its estimate and interval ends inside `range` (unchanged without one). */
function within<T extends { estimate: number; ci: [number, number] } | null>(range: [number, number] | undefined, r: T): T {
  return range && r ? { ...r, estimate: clamp(r.estimate, range), ci: [clamp(r.ci[0], range), clamp(r.ci[1], range)] } : r;
}

function clamp(x: number, [lo, hi]: [number, number]): number {
  return Math.min(hi, Math.max(lo, x));
}

/** A number for a sentence, with a true minus sign: signed(-0.01503) → "−0.015", signed(-165.71, 1) → "−165.7". */
function signed(x: number, decimals?: number): string {
  const s = decimals === undefined ? String(Number(x.toPrecision(2))) : x.toFixed(decimals);
  return s.replace('-', '−');
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
function verdictOf(spec: MetricSpec, r: SequentialResult | null, score: ScoreResult | null, level?: number): Verdict {
  if (!r) return 'not-enough-data';
  // Below the level the interval was built at, the always-valid p decides (valid at any level: 1/p is an e-value).
  if (level !== undefined && level < r.alpha && !(r.pValue < level)) return 'inconclusive';
  const up = r.ci[0] > 0 && (!score || score.ci[0] > 0);
  const down = r.ci[1] < 0 && (!score || score.ci[1] < 0);
  if (!up && !down) return 'inconclusive';
  const good = spec.lowerIsBetter ? down : up;
  if (good) return 'better';
  return spec.guardrail ? 'harm' : 'worse';
}
