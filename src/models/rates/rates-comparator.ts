import type { Settings } from '../../config/settings.js';
import { subjectBelief } from '../../learn/rates/ladder.js';
import { differenceWords, pairedAboveZero, pairedBelowZero, pairedDifference } from '../../learn/stats/paired.js';
import type { CalibrationPoint } from '../estimates/estimate-store.js';
import type { CompareVersions, Comparison } from '../registry/registry.js';
import type { Store } from '../../store/store.js';
import { timeSlicer } from '../train/time-slice.js';
import type { ModelVersion } from '../registry/model-store.js';
import { type RatesModelState, ladderFor } from './rate-model.js';
import { type CompiledRate, ratesKind } from './rates-kind.js';

/** Held-out subjects a rate needs before its comparison counts. */
export const MIN_HELD_OUT = 30;
/** Held-out points read per rate at most (the most recent are the ones after the live version). */
const MAX_POINTS = 200_000;

/** One rate's paired comparison: candidate − live mean log-likelihood per held-out subject. */
export interface RateComparison {
  rate: string;
  subjects: number;
  points: number;
  candidateLogLik: number;
  liveLogLik: number;
  difference: number;
  /** Student's 95% t-interval of the mean difference; null when the difference is the same for every subject. */
  ci: [number, number] | null;
  /** The difference is the same for every held-out subject (no spread, so no interval: paired.ts). */
  sameForEvery?: true;
  /** The two versions' mean scores are equal (the differences sum to exactly 0): neither is better. */
  tie?: true;
  /** The whole 95% interval is below 0 (every subject's difference the same: negative, by the exact sign test). */
  worse: boolean;
  /** The whole 95% interval is above 0 (mirrored): the candidate is shown better, not only not worse. */
  better: boolean;
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;

/**
 * Log-likelihood of a resolved trial under one version's ladder: the probability of success is
 * the mean of the subject's belief under that version ({@link subjectBelief}: centred on the
 * deepest rung the trial's counts earned, the subject's own trials in it) — what the version would
 * have shown when the exposure happened.
 *
 * @example
 * pointLogLik(ladderFor(rate, live), { population: { successes: 30, trials: 100 } }, 1); // ln(31/102)
 */
export function pointLogLik(ladder: ReturnType<typeof ladderFor>, inputs: NonNullable<CalibrationPoint['inputs']>, outcome: 0 | 1): number {
  const post = subjectBelief(ladder, inputs).posterior;
  const p = post.alpha / (post.alpha + post.beta);
  return Math.log(outcome ? p : 1 - p);
}

/**
 * A held-out point's outcome once its window is over: 1 for a success within it, else 0; undefined
 * while the window is open — a success inside it too, as a silence: taking early successes and
 * leaving early silences would tilt the points judged towards successes.
 *
 * @example
 * resolvedOutcome(point, Date.now()); // 0
 */
export function resolvedOutcome(p: CalibrationPoint, now: number): 0 | 1 | undefined {
  if (p.deadline > now) return undefined;
  return p.outcome === 1 ? 1 : 0;
}

/**
 * Pairs two versions on resolved held-out points: `score` gives each version's log-likelihood of
 * a point's outcome (or undefined to skip the point); per subject the mean of each; the candidate
 * is worse when the whole 95% t-interval of the mean per-subject difference (candidate − live) is
 * below 0 — or, the difference being the same for every subject (no interval: paired.ts), when
 * it is below 0 by the exact sign test. Equal mean scores (the differences sum to exactly 0) are a
 * `tie`. Fewer than MIN_HELD_OUT subjects: no comparison, just the count.
 *
 * @example
 * compareOnPoints('email_open', points, (p, y) => ({ candidate: …, live: … }), Date.now());
 */
export function compareOnPoints(rate: string, points: readonly CalibrationPoint[], score: PointScore, now: number): RateComparison | { rate: string; subjects: number } {
  const steps = pairSteps(rate, points, score, now);
  for (let s = steps.next(); ; s = steps.next()) if (s.done) return s.value;
}

/**
 * {@link compareOnPoints} giving the event loop a turn whenever a time slice has run out
 * (time-slice.ts): the same comparison, for the promotion on the server's thread — two ladder
 * climbs per point held it for the whole pass (≈ 40,000 points of a rate, QA 2026-12-06).
 *
 * @example
 * await compareOnPointsSliced('email_open', points, (p, y) => ({ candidate: …, live: … }), Date.now());
 */
export async function compareOnPointsSliced(rate: string, points: readonly CalibrationPoint[], score: PointScore, now: number): Promise<RateComparison | { rate: string; subjects: number }> {
  const slice = timeSlicer();
  const steps = pairSteps(rate, points, score, now);
  for (let s = steps.next(); ; s = steps.next()) {
    if (s.done) return s.value;
    if (slice.due()) await slice.pause();
  }
}

/** Each version's log-likelihood of a point's outcome, or undefined to skip the point. */
type PointScore = (p: CalibrationPoint, y: 0 | 1) => { candidate: number; live: number } | undefined;

/** The pairing of {@link compareOnPoints}, a step per point read (its callers run it whole or sliced). */
function* pairSteps(rate: string, points: readonly CalibrationPoint[], score: PointScore, now: number): Generator<void, RateComparison | { rate: string; subjects: number }> {
  const bySubject = new Map<string, { c: number; l: number; n: number }>();
  let n = 0;
  for (const p of points) {
    yield;
    const y = resolvedOutcome(p, now);
    if (y === undefined) continue;
    const v = score(p, y);
    if (!v) continue;
    const s = bySubject.get(p.subjectId) ?? bySubject.set(p.subjectId, { c: 0, l: 0, n: 0 }).get(p.subjectId)!;
    s.c += v.candidate;
    s.l += v.live;
    s.n += 1;
    n += 1;
  }
  const subjects = [...bySubject.values()];
  if (subjects.length < MIN_HELD_OUT) return { rate, subjects: subjects.length };
  const cand = subjects.map((s) => s.c / s.n);
  const liv = subjects.map((s) => s.l / s.n);
  const d = pairedDifference(cand, liv);
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    rate, subjects: subjects.length, points: n,
    candidateLogLik: round(avg(cand)), liveLogLik: round(avg(liv)),
    difference: round(d.mean), ci: d.constant ? null : [round(d.low), round(d.high)],
    ...(d.constant ? { sameForEvery: true as const } : {}),
    ...(d.mean === 0 ? { tie: true as const } : {}),
    worse: pairedBelowZero(d),
    better: pairedAboveZero(d),
  };
}

/**
 * Compares two `rates` versions on one rate's held-out points: each version's ladder replayed on
 * the counts the point kept.
 *
 * @example
 * compareRate(rate, points, candidate, live, Date.now());
 */
export function compareRate(rate: CompiledRate, points: readonly CalibrationPoint[], candidate: ModelVersion, live: ModelVersion, now: number): RateComparison | { rate: string; subjects: number } {
  return compareOnPoints(rate.def.name, points, ladderScore(rate, candidate, live), now);
}

/** {@link compareRate} with the event loop given a turn every time slice ({@link compareOnPointsSliced}). @example await compareRateSliced(rate, points, candidate, live, Date.now()); */
export function compareRateSliced(rate: CompiledRate, points: readonly CalibrationPoint[], candidate: ModelVersion, live: ModelVersion, now: number): Promise<RateComparison | { rate: string; subjects: number }> {
  return compareOnPointsSliced(rate.def.name, points, ladderScore(rate, candidate, live), now);
}

/** Each version's ladder replayed on the counts a point kept (none kept: the point is skipped). */
function ladderScore(rate: CompiledRate, candidate: ModelVersion, live: ModelVersion): PointScore {
  const c = ladderFor(rate, candidate as ModelVersion<RatesModelState>);
  const l = ladderFor(rate, live as ModelVersion<RatesModelState>);
  return (p, y) => (p.inputs ? { candidate: pointLogLik(c, p.inputs, y), live: pointLogLik(l, p.inputs, y) } : undefined);
}

/** The verdict over the rates that had enough held-out subjects: a tie on every rate is no reason to promote (better: false, "no difference"). */
export function ratesVerdict(compared: RateComparison[], skipped: string[], versions: { candidate: number; live: number }): Comparison {
  const figures = { rates: compared, skipped };
  if (!compared.length) {
    return { better: false, inconclusive: true, verdict: 'inconclusive', summary: `no rate has ${MIN_HELD_OUT} subjects with a resolved exposure recorded after version ${versions.live} was trained (${skipped.join('; ') || 'no rates'}); promote it by hand (\`tact models promote --force\`), or wait`, figures };
  }
  const words = compared.map((c) => `${c.rate}: mean log-likelihood of the held-out trials ${c.candidateLogLik} for version ${versions.candidate} against ${c.liveLogLik} for version ${versions.live} on ${c.points} trials of ${c.subjects} subjects (${differenceWords({ n: c.subjects, difference: c.difference, ci: c.ci }, 'difference per subject')})`).join('; ');
  const worse = compared.filter((c) => c.worse).map((c) => c.rate);
  if (worse.length) return { better: false, verdict: 'worse', summary: `${words}: the candidate predicts worse for ${worse.join(', ')}`, figures };
  // Equal scores on every rate: nothing favours the candidate, so the live version stays.
  if (compared.every((c) => c.tie)) return { better: false, verdict: 'no difference', summary: `${words}: no difference between version ${versions.candidate} and version ${versions.live}`, figures };
  // Passing asks only "not worse": `better` (the field) says it passes; the verdict and the sentence say which it is.
  if (compared.every((c) => c.better)) return { better: true, verdict: 'better', summary: `${words}: the candidate predicts better`, figures };
  return { better: true, verdict: 'not worse', summary: `${words}: the candidate predicts no worse (not shown worse: no rate's 95% interval lies wholly below 0)`, figures };
}

/**
 * Compares two `rates` versions before the candidate replaces the live one. A version is a set
 * of prior strengths, one per rung of the ladder; what it changes is the rate a subject is shown
 * at each exposure. Every exposure records its calibration point with the ladder's counts at that
 * moment (population, segment, micro-segment, the subject's own), so both versions can be replayed
 * on the same exposures: those recorded after the live version was trained, once resolved (a
 * success within the window, or the window over), scored by the log-likelihood of the outcome
 * (a proper scoring rule), averaged per subject and compared subject by subject.
 *
 * The candidate's prior strengths were fitted on counts that include these outcomes (the group
 * rows are running totals): three numbers fitted across every group. In-sample, k fitted numbers
 * flatter a log-likelihood by about k nats in all (Akaike 1973), here ≈ 3/N per point — far
 * inside the interval.
 *
 * @example
 * registry.setComparator('rates', ratesComparator({ store, settings }));
 */
export function ratesComparator(o: { store: Store; settings: Settings; now?: () => number }): CompareVersions {
  return async (candidate, live) => {
    const now = (o.now ?? Date.now)();
    const compared: RateComparison[] = [];
    const skipped: string[] = [];
    for (const rate of o.settings.get(ratesKind)) {
      const points = await o.store.estimates.heldOutPoints('rates', rate.def.name, live.dataTo, MAX_POINTS);
      const r = await compareRateSliced(rate, points, candidate, live, now);
      if ('worse' in r) compared.push(r);
      else skipped.push(`${rate.def.name}: ${r.subjects} subjects`);
    }
    return ratesVerdict(compared, skipped, { candidate: candidate.version, live: live.version });
  };
}
