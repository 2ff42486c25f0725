/**
 * An Estimate is how Tact speaks of every inferred number: never a bare value, always with its
 * interval, the evidence behind it and the level of the granularity ladder it comes from.
 *
 * @example
 * const e: Estimate = {
 *   value: 0.031, low: 0.022, high: 0.042, level: 0.9, evidence: 412,
 *   source: 'segment', status: 'established', modelVersion: 'rates@3', updatedAt: '2026-11-23T10:00:00.000Z',
 * };
 */
export interface Estimate {
  /** Point estimate (posterior mean, or the model's central value). */
  value: number;
  /** Lower end of the credible/confidence interval at `level`. */
  low: number;
  /** Upper end of the interval at `level`. */
  high: number;
  /** Interval level, e.g. 0.9 for a 90% interval. */
  level: number;
  /**
   * The n the shown interval rests on (trials, events, readings): the subject's own when `source` is
   * personal, the population's (or segment's) when the interval comes from there. A rate's
   * interval below the personal rung is the subject's own rate centred on the group
   * (src/learn/rates/ladder.ts, subjectBelief): its n is the group's trials plus the subject's own
   * (since 2026-12-06); other models give the subject's own count apart, e.g. in a `detail`.
   */
  evidence: number;
  /** The rung of the granularity ladder the estimate comes from. */
  source: EstimateSource;
  /** "learning" while the interval is wider than the policy's threshold — not enough data yet. */
  status: EstimateStatus;
  /** Which model (and version) produced it. */
  modelVersion: string;
  /**
   * When the evidence the estimate rests on last changed (ISO-8601): the latest write of the stored
   * rows it is computed from — the subject's own, and the population's or group's when the interval
   * comes from them — or the end of the data window of the trained model it reads. Null when it
   * rests on nothing observed yet (a model's defaults). Not the time it was read.
   */
  updatedAt: string | null;
  /**
   * Why a "learning" estimate is learning when it is not the usual "not enough data yet": "stale" — a
   * baseline whose subject sent no reading for its `staleAfterDays` (until fresh readings re-establish it);
   * "extrapolated" — a bandit's estimate at a context beyond the features it learned from (held at
   * the nearest one it learned from, src/learn/bandit/feature-range.ts); "shift" — a baseline that
   * took a run of flagged readings as a shift of its level and re-learns it, until the shift has
   * held a day (src/learn/baselines/learn-reading.ts): its interval is its own, moved to the new
   * level, and no reading is flagged meanwhile; "pending" — an action's rate whose trials include
   * choices still inside their attribution windows, too many to call it established: its interval
   * reaches up to the rate without them (src/decide/open-windows.ts, ADR 0007).
   */
  reason?: EstimateReason;
  /**
   * An action's rate whose evidence holds choices still inside their attribution windows (ADR 0007):
   * how many, at the rung it is centred on, and — once the delay from choice to success is learned —
   * the trials they count as in the value (each the share of its conversions due by now, summed).
   * Without `exposure` the value counts them as failures (the lowest reading).
   */
  open?: { choices: number; exposure?: number };
  /** A rate's Beta posterior (α, β pseudo-counts), when it is one: what a calibration report replays. */
  posterior?: { alpha: number; beta: number };
}

export type EstimateSource = 'population' | 'segment' | 'micro-segment' | 'personal';
export type EstimateStatus = 'learning' | 'established';
export type EstimateReason = 'stale' | 'extrapolated' | 'shift' | 'pending';

/**
 * An estimate's status in words, with why it is learning: the one wording every reading uses (the
 * API's `reading`, the decision's factors, the CLI). A baseline is stale while a gap in its
 * readings of `staleAfterDays` or more has not been made good — the gap still open, or readings
 * resumed but too few since (until 2026-12-05 both read "no recent readings", the second wrongly).
 *
 * @example
 * statusWords('learning', 'extrapolated'); // 'learning, beyond the contexts it learned from'
 */
export function statusWords(status: EstimateStatus, reason?: EstimateReason): string {
  if (status === 'established') return 'established';
  if (reason === 'stale') return 'learning, stale after a gap in its readings';
  if (reason === 'extrapolated') return 'learning, beyond the contexts it learned from';
  if (reason === 'shift') return 'learning, re-learning its level after a shift';
  if (reason === 'pending') return 'learning, outcomes of recent choices still to come';
  return 'learning, not enough data yet';
}

/**
 * The open choices among an estimate's evidence, in words (Estimate.open): converted or not, their
 * attribution windows are still open — and once the delay to a conversion is learned, how much they
 * weigh by it. In brackets by default (a reading's), or after a comma inside a sentence's own.
 *
 * @example
 * openWords({ choices: 190, exposure: 57.31 }); // ', 190 inside their windows (weighed as 57.3 by the delay learned)'
 * openWords({ choices: 190, exposure: 57.31 }, false); // ', 190 inside their windows, weighed as 57.3 by the delay learned'
 */
export function openWords(open: Estimate['open'], bracketed = true): string {
  if (!open?.choices) return '';
  if (open.exposure === undefined) return `, ${open.choices} inside their windows`;
  const weighed = `weighed as ${Number(open.exposure.toPrecision(3))} by the delay learned`;
  return `, ${open.choices} inside their windows${bracketed ? ` (${weighed})` : `, ${weighed}`}`;
}

/** A one-line human reading of an estimate, e.g. "3.1% (90% 2.2–4.2%, n=412, segment, established)". */
export function describeEstimate(e: Estimate, asPercent = true): string {
  const f = (x: number) => (asPercent ? `${(x * 100).toFixed(1)}%` : x.toPrecision(3));
  const status = statusWords(e.status, e.reason);
  return `${f(e.value)} (${Math.round(e.level * 100)}% ${f(e.low)}–${f(e.high)}, n=${e.evidence}, ${e.source}, ${status})`;
}
