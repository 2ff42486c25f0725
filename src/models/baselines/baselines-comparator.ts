import type { Settings } from '../../config/settings.js';
import { populationInterval, type PopulationSample } from '../../learn/baselines/population.js';
import { differenceWords, pairedAboveZero, pairedDifference } from '../../learn/stats/paired.js';
import type { Store } from '../../store/store.js';
import { type CompareVersions, type Comparison, unseenBy } from '../registry/registry.js';
import { forEachEvent } from '../train/subjects.js';
import { readingOf } from './baseline-step.js';
import { type BaselinesState, pooledReadings } from './baselines-trainer.js';
import { metricsKind } from './metrics-kind.js';

/** Held-out subjects a metric needs before its comparison counts. */
export const MIN_HELD_OUT = 30;

/**
 * The interval score of a central interval at `level` for an observation y (Gneiting & Raftery
 * 2007, eq. 43): its width, plus 2/α times the distance by which y falls outside. Lower is better;
 * it rewards narrow intervals only as long as they keep their coverage.
 *
 * @example
 * intervalScore([10, 20], 25, 0.9); // 10 + 20 × 5 = 110
 */
export function intervalScore([low, high]: [number, number], y: number, level: number): number {
  const alpha = 1 - level;
  return high - low + (2 / alpha) * Math.max(0, low - y) + (2 / alpha) * Math.max(0, y - high);
}

/** One metric's paired comparison: candidate − live interval score per held-out subject. */
export interface MetricComparison {
  metric: string;
  heldOut: number;
  candidateScore: number;
  liveScore: number;
  difference: number;
  /** Student's 95% t-interval of the mean difference; null when the difference is the same for every subject. */
  ci: [number, number] | null;
  /** The difference is the same for every held-out subject (no spread, so no interval: paired.ts). */
  sameForEvery?: true;
  /** The two versions' mean scores are equal (the differences sum to exactly 0): neither is better. */
  tie?: true;
  worse: boolean;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/**
 * Compares the held-out interval scores of one metric: the candidate is worse when the whole 95%
 * t-interval of the mean difference (candidate − live) is above 0 — or, the difference being the
 * same for every subject (every reading inside both ranges: the widths' difference), when it is
 * above 0 by the exact sign test. Equal mean scores (the differences sum to exactly 0) are a `tie`.
 *
 * @example
 * compareScores('session_length', [12, 14, …], [15, 15, …]).worse; // false
 */
export function compareScores(metric: string, candidate: readonly number[], live: readonly number[]): MetricComparison {
  const n = candidate.length;
  const d = pairedDifference(candidate, live);
  return {
    metric, heldOut: n,
    candidateScore: round(candidate.reduce((a, b) => a + b, 0) / n),
    liveScore: round(live.reduce((a, b) => a + b, 0) / n),
    difference: round(d.mean), ci: d.constant ? null : [round(d.low), round(d.high)],
    ...(d.constant ? { sameForEvery: true as const } : {}),
    ...(d.mean === 0 ? { tie: true as const } : {}),
    worse: pairedAboveZero(d),
  };
}

/** The verdict over the metrics that had enough held-out subjects: a tie on every metric is no reason to promote (better: false, "no difference"). */
export function baselinesVerdict(compared: MetricComparison[], skipped: string[], versions: { candidate: number; live: number }): Comparison {
  const figures = { metrics: compared, skipped };
  if (!compared.length) {
    return { better: false, inconclusive: true, summary: `no metric has ${MIN_HELD_OUT} subjects with a reading received after version ${versions.live} was trained (${skipped.join('; ') || 'no metrics'}); promote it by hand (\`tact models promote --force\`), or wait`, figures };
  }
  const words = compared.map((c) => `${c.metric}: mean interval score ${c.candidateScore} for version ${versions.candidate} against ${c.liveScore} for version ${versions.live} on ${c.heldOut} held-out readings (${differenceWords({ n: c.heldOut, difference: c.difference, ci: c.ci })})`).join('; ');
  const worse = compared.filter((c) => c.worse).map((c) => c.metric);
  if (worse.length) return { better: false, summary: `${words}: the candidate's ranges are worse for ${worse.join(', ')}`, figures };
  // Equal scores on every metric: nothing favours the candidate, so the live version stays.
  if (compared.every((c) => c.tie)) return { better: false, verdict: 'no difference', summary: `${words}: no difference between version ${versions.candidate} and version ${versions.live}`, figures };
  return { better: true, summary: `${words}: the candidate's ranges are not worse`, figures };
}

/**
 * Compares two `baselines` versions before the candidate replaces the live one. The trained pool is
 * the range shown to a subject still learning, so it is scored as a range forecast on readings the
 * live version never saw: per metric, every subject with a reading received after the live
 * version's data window has its latest such reading held out; the candidate's pool is rebuilt
 * from every other reading up to its own window (as the trainer builds it); both pools' intervals
 * at the metric's level get the interval score of each held-out reading, compared subject by
 * subject. A metric needs 30 held-out subjects and a bounded interval from both versions.
 *
 * @example
 * registry.setComparator('baselines', baselinesComparator({ store, settings }));
 */
export function baselinesComparator(o: { store: Store; settings: Settings }): CompareVersions {
  return async (candidate, live) => {
    const metrics = o.settings.get(metricsKind);
    // metric → subject → readings in the order received
    const readings = new Map<string, Map<string, { y: number; receivedAt: number }[]>>(metrics.map((m) => [m.def.name, new Map()]));
    await forEachEvent(o.store, async (e) => {
      if (e.message.receivedAt > candidate.dataTo) return;
      for (const m of metrics) {
        const y = readingOf(e.message, m);
        if (y === undefined) continue;
        const subject = (await e.subject())?.id;
        if (!subject) return;
        const bySubject = readings.get(m.def.name)!;
        const list = bySubject.get(subject) ?? bySubject.set(subject, []).get(subject)!;
        list.push({ y, receivedAt: e.message.receivedAt });
      }
    }, { mayMatch: (json) => metrics.some((m) => json.includes(m.def.event)) });
    const livePools = (live.state as BaselinesState).pools;
    const compared: MetricComparison[] = [];
    const skipped: string[] = [];
    for (const m of metrics) {
      const name = m.def.name;
      const rest: number[][] = [];
      const held: number[] = [];
      for (const list of readings.get(name)!.values()) {
        const k = list.length - 1;
        if (k >= 0 && unseenBy(live, list[k].receivedAt)) {
          held.push(list[k].y);
          rest.push(list.slice(0, k).map((x) => x.y));
        } else rest.push(list.map((x) => x.y));
      }
      const livePool: PopulationSample | undefined = livePools[name];
      if (!livePool) (skipped.push(`${name}: the live version has no pool`));
      else if (held.length < MIN_HELD_OUT) skipped.push(`${name}: ${held.length} held-out subjects`);
      else {
        const cand = populationInterval(pooledReadings(rest), m.config.level);
        const cur = populationInterval(livePool, m.config.level);
        if (![...cand, ...cur].every(Number.isFinite)) skipped.push(`${name}: a range is unbounded (too few pooled readings)`);
        else compared.push(compareScores(name, held.map((y) => intervalScore(cand, y, m.config.level)), held.map((y) => intervalScore(cur, y, m.config.level))));
      }
    }
    return baselinesVerdict(compared, skipped, { candidate: candidate.version, live: live.version });
  };
}
