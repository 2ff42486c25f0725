/**
 * Calibration of a rate model on held-out outcomes: each point is a prediction made before its
 * outcome was known — the model's Beta belief Beta(α, β) about the subject's rate at the moment
 * of the exposure — and the outcome (0/1). Two checks:
 * - reliability of the point predictions p̂ = α/(α+β): equal-mass bins, ECE, MCE, Brier;
 * - coverage of 90% intervals: per subject, the belief at its middle exposure predicts how many
 *   of its remaining exposures succeed (Beta-Binomial posterior predictive, equal-tailed); the
 *   share of subjects whose count falls inside. Counts are discrete, so coverage ≥ the level when
 *   the model is right.
 * Every figure carries its 95% interval: ECE, MCE and Brier by a bootstrap over subjects
 * (report-intervals.ts), coverage by Wilson's score interval (inside of subjects); and ECE and MCE
 * come with what a perfectly calibrated model with the same predictions shows
 * (calibrated-reference.ts), since a binned ECE reads above 0 even then; `eceDebiased` with
 * `intervals.eceDebiased` is the ECE less that bias and its interval, to read against 0.
 */
import { wilsonInterval } from '../../measure/stats/proportion-intervals.js';
import { betaBinomialInterval } from '../rates/beta-binomial-predictive.js';
import { type CalibratedReference, calibratedReference } from './calibrated-reference.js';
import { type ReliabilityReport, reliabilityReport } from './reliability.js';
import { type Interval, type ReportIntervals, reportIntervals } from './report-intervals.js';

/** One held-out prediction and its outcome. */
export interface HeldOutPoint {
  subjectId: string;
  /** Order of the exposures of one subject (event sequence number). */
  seq: number;
  alpha: number;
  beta: number;
  outcome: number;
}

/** Reliability and interval coverage of a rate model, with their uncertainty. */
export interface HeldOutReport extends ReliabilityReport {
  /** 95% intervals of `ece`, `mce` and `brier`, resampling subjects. */
  intervals: ReportIntervals;
  /** The ECE and MCE a perfectly calibrated model with these predictions would show. */
  calibratedReference: CalibratedReference;
  /** `interval`: the 95% Wilson interval of `coverage`. */
  coverage: { level: number; subjects: number; inside: number; coverage: number | null; interval: Interval & { level: number } };
}

/**
 * The report over `points`, in any order: they are sorted by subject and sequence first, so the
 * same points give the same figures and intervals (the resamples are seeded by position).
 *
 * @example
 * heldOutReport([{ subjectId: 'a', seq: 1, alpha: 1, beta: 9, outcome: 0 }, …]).ece;
 */
export function heldOutReport(points: HeldOutPoint[], opts: { bins?: number; level?: number } = {}): HeldOutReport {
  const level = opts.level ?? 0.9;
  const bins = opts.bins ?? 10;
  const sorted = [...points].sort((a, b) => (a.subjectId < b.subjectId ? -1 : a.subjectId > b.subjectId ? 1 : a.seq - b.seq || a.alpha - b.alpha || a.beta - b.beta || a.outcome - b.outcome));
  const predicted = Float64Array.from(sorted, (p) => p.alpha / (p.alpha + p.beta));
  const outcome = Float64Array.from(sorted, (p) => p.outcome);
  const subject = new Int32Array(sorted.length);
  for (let i = 1; i < sorted.length; i++) subject[i] = subject[i - 1] + (sorted[i].subjectId === sorted[i - 1].subjectId ? 0 : 1);
  const order = Array.from(predicted.keys()).sort((a, b) => predicted[a] - predicted[b]);
  const reliability = reliabilityReport(predicted, outcome, { bins, order });
  const reference = calibratedReference(predicted, { bins, order });
  const intervals = reportIntervals(predicted, outcome, { bins, order, clusters: subject, calibratedP95: reference.ece.p95 });
  const bySubject = new Map<string, HeldOutPoint[]>();
  for (const p of sorted) {
    const list = bySubject.get(p.subjectId);
    if (list) list.push(p);
    else bySubject.set(p.subjectId, [p]);
  }
  let subjects = 0;
  let inside = 0;
  for (const list of bySubject.values()) {
    if (list.length < 2) continue;
    list.sort((a, b) => a.seq - b.seq);
    const cut = Math.floor(list.length / 2);
    const rest = list.slice(cut);
    const successes = rest.reduce((s, p) => s + p.outcome, 0);
    const [lo, hi] = betaBinomialInterval({ alpha: list[cut].alpha, beta: list[cut].beta }, rest.length, level);
    subjects++;
    if (successes >= lo && successes <= hi) inside++;
  }
  const [low, high] = subjects ? wilsonInterval(inside, subjects, 1.959964) : [NaN, NaN];
  const coverage = { level, subjects, inside, coverage: subjects ? inside / subjects : null, interval: { level: 0.95, low, high } };
  return { ...reliability, intervals, calibratedReference: reference, coverage };
}
