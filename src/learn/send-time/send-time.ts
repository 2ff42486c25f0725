/**
 * Send time: per-subject engagement by hour of week (168 slots: Monday 00:00 = 0), shrunk to the
 * population by a Dirichlet prior: posterior Dirichlet(A·p_pop + c_subject), where p_pop is the
 * population's (smoothed) engagement share per slot and A the prior strength in pseudo-events.
 * The best slot is read out as an Estimate of its engagement share; while the subject's own events
 * carry less than half the posterior (n < A) or number fewer than `minEvents`, the answer is the
 * population's best slot, labelled as such. A personal slot is established once its share's
 * interval is narrow relative to the share (`establishedWhen`, default no wider than the share).
 */
import type { Estimate } from '../estimate.js';
import { type EstablishedWhen, betaInterval, isEstablished } from '../rates/beta-binomial.js';

/**
 * When a personal send slot is established: its share's 90% interval no wider than the share
 * itself. An absolute width would run the wrong way here — a subject whose engagement is spread
 * thin over the week has a small best share with a narrow interval and a best slot that is noise,
 * one who always engages at the same hour a large share with a wide interval and a slot beyond
 * doubt; relative to the share, the width says how much of the best slot's own engagement there
 * is (about 10 events' worth for a small share at 90%).
 *
 * @example
 * bestSendSlot(prior, counts, { modelVersion, updatedAt, establishedWhen: SEND_TIME_ESTABLISHED });
 */
export const SEND_TIME_ESTABLISHED: EstablishedWhen = { maxWidth: 1, maxRelativeWidth: 1 };

/** Hours in a week: slots 0 (Monday 00:00) … 167 (Sunday 23:00). */
export const SLOTS = 168;

/** Population engagement profile and prior strength. */
export interface SendTimePrior {
  share: Float64Array;
  strength: number;
}

/**
 * Slot of a date in the subject's time zone offset (minutes east of UTC).
 *
 * @example
 * slotOf(new Date('2026-11-23T09:30:00Z'), 60); // Monday 10:00 local → 10
 */
export function slotOf(date: Date, tzOffsetMinutes = 0): number {
  const local = new Date(date.getTime() + tzOffsetMinutes * 60_000);
  const mondayBased = (local.getUTCDay() + 6) % 7;
  return mondayBased * 24 + local.getUTCHours();
}

/**
 * Circular smoothing of slot counts with weights [¼, ½, ¼] (an hour's engagement hints at its
 * neighbours); `passes` times.
 *
 * @example
 * smoothSlots(counts, 1);
 */
export function smoothSlots(counts: ArrayLike<number>, passes = 1): Float64Array {
  let cur = Float64Array.from(counts);
  for (let p = 0; p < passes; p++) {
    const next = new Float64Array(SLOTS);
    for (let s = 0; s < SLOTS; s++) next[s] = 0.25 * cur[(s + SLOTS - 1) % SLOTS] + 0.5 * cur[s] + 0.25 * cur[(s + 1) % SLOTS];
    cur = next;
  }
  return cur;
}

/**
 * Population prior from all subjects' slot counts (smoothed, plus one pseudo-event spread evenly).
 *
 * @example
 * const prior = populationSendTimePrior(allCounts, 24);
 */
export function populationSendTimePrior(subjects: ArrayLike<number>[], strength = 24, smoothingPasses = 2): SendTimePrior {
  const total = new Float64Array(SLOTS);
  for (const c of subjects) for (let s = 0; s < SLOTS; s++) total[s] += c[s];
  const smooth = smoothSlots(total, smoothingPasses);
  let sum = 0;
  for (let s = 0; s < SLOTS; s++) sum += smooth[s] + 1 / SLOTS;
  return { share: Float64Array.from(smooth, (v) => (v + 1 / SLOTS) / sum), strength };
}

/** The answer: a slot and the estimate of its engagement share. */
export interface SendSlot {
  slot: number;
  estimate: Estimate;
}

/**
 * The subject's best send slot (or the population's while learning). Among slots that tie, the
 * soonest from `fromSlot` (the subject's current local hour of week, default 0) wins: a flat week
 * (no population data yet) then answers the current hour — no hour is known to be better than
 * now — rather than whichever slot is numbered first (Monday 00:00). Established only when personal
 * and narrow enough (`establishedWhen`, default {@link SEND_TIME_ESTABLISHED}).
 *
 * The interval rests on what `evidence` says. Personal: the subject's share, the Beta marginal of
 * Dirichlet(A·p + counts), on the subject's events. Population: the population's own share, the
 * Beta marginal of the Dirichlet of the pooled (smoothed) counts plus the prior's one pseudo-event
 * (`populationSendTimePrior`: share·(E + 1)), on the E = `populationEvidence` events the prior was
 * fitted on — not on A, which says how far subjects stray from the population, not how well the
 * population is known (until 2026-12-05 it was Beta(A·p, A·(1 − p)): 24 times too narrow with A at
 * its search bound). Untrained (E = 0): the default prior's own, Dirichlet(A·p). Widened to hold the
 * mean, as rates' are, when a skewed Beta puts it beyond a quantile.
 *
 * @example
 * bestSendSlot(prior, subjectCounts, { minEvents: 5, modelVersion: 'send-time@1', updatedAt: now, fromSlot: 63 });
 */
export function bestSendSlot(
  prior: SendTimePrior,
  counts: ArrayLike<number>,
  opts: { minEvents?: number; level?: number; modelVersion: string; updatedAt: string | null; fromSlot?: number; establishedWhen?: EstablishedWhen; populationEvidence?: number },
): SendSlot {
  const level = opts.level ?? 0.9;
  let n = 0;
  for (let s = 0; s < SLOTS; s++) n += counts[s];
  const personal = n >= (opts.minEvents ?? 5) && n >= prior.strength;
  const alpha = Float64Array.from(prior.share, (p, s) => prior.strength * p + (personal ? counts[s] : 0));
  const total = alpha.reduce((a, b) => a + b, 0);
  const from = ((Math.floor(opts.fromSlot ?? 0) % SLOTS) + SLOTS) % SLOTS;
  let slot = from;
  for (let k = 1; k < SLOTS; k++) {
    const s = (from + k) % SLOTS;
    if (alpha[s] > alpha[slot]) slot = s;
  }
  const value = alpha[slot] / total;
  const populationEvidence = opts.populationEvidence ?? 0;
  const pooled = populationEvidence + 1;
  const [q0, q1] = betaInterval(personal || populationEvidence <= 0 ? { alpha: alpha[slot], beta: total - alpha[slot] } : { alpha: value * pooled, beta: (1 - value) * pooled }, level);
  const low = Math.min(q0, value);
  const high = Math.max(q1, value);
  return {
    slot,
    estimate: {
      value, low, high, level,
      evidence: personal ? n : populationEvidence,
      source: personal ? 'personal' : 'population',
      status: personal && isEstablished(value, low, high, opts.establishedWhen ?? SEND_TIME_ESTABLISHED) ? 'established' : 'learning',
      modelVersion: opts.modelVersion, updatedAt: opts.updatedAt,
    },
  };
}
