/**
 * Calibration of a rate model on held-out outcomes: each point is a prediction made before its
 * outcome was known — the model's Beta belief Beta(α, β) about the subject's rate at the moment
 * of the exposure — and the outcome (0/1). Two checks:
 * - reliability of the point predictions p̂ = α/(α+β): equal-mass bins, ECE, MCE, Brier;
 * - coverage of 90% intervals: per subject, the belief at its middle exposure predicts how many
 *   of its remaining exposures succeed (Beta-Binomial posterior predictive, equal-tailed); the
 *   share of subjects whose count falls inside. Counts are discrete, so coverage ≥ the level when
 *   the model is right.
 */
import { betaBinomialInterval } from '../rates/beta-binomial-predictive.js';
import { type ReliabilityReport, reliabilityReport } from './reliability.js';

/** One held-out prediction and its outcome. */
export interface HeldOutPoint {
  subjectId: string;
  /** Order of the exposures of one subject (event sequence number). */
  seq: number;
  alpha: number;
  beta: number;
  outcome: number;
}

/** Reliability and interval coverage of a rate model. */
export interface HeldOutReport extends ReliabilityReport {
  coverage: { level: number; subjects: number; inside: number; coverage: number | null };
}

/**
 * The report over `points` (any order).
 *
 * @example
 * heldOutReport([{ subjectId: 'a', seq: 1, alpha: 1, beta: 9, outcome: 0 }, …]).ece;
 */
export function heldOutReport(points: HeldOutPoint[], opts: { bins?: number; level?: number } = {}): HeldOutReport {
  const level = opts.level ?? 0.9;
  const predicted = points.map((p) => p.alpha / (p.alpha + p.beta));
  const reliability = reliabilityReport(predicted, points.map((p) => p.outcome), { bins: opts.bins ?? 10 });
  const bySubject = new Map<string, HeldOutPoint[]>();
  for (const p of points) {
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
  return { ...reliability, coverage: { level, subjects, inside, coverage: subjects ? inside / subjects : null } };
}
