/**
 * `tact evaluate air-quality` — personal baselines that admit how little they know yet.
 *
 * Protocol (issue 4): each sensor column is one subject; missing (−200) readings are skipped;
 * walking forward one day at a time, the data up to day d give a 90% interval for each hourly
 * reading of day d+1. The interval shown is the personal one once the baseline is established and
 * the population one while it is learning (metric-baseline.ts). Figures:
 * - coverage90: share of day-ahead readings inside the interval shown (all streams, from day 2);
 *   also separately for the personal intervals and for the population-only comparator;
 * - days_to_established: median over streams of the days of data before the status turned
 *   "established", with the range over streams and the rule that sets it: the rule (`minDays`, 20
 *   scores per horizon bucket, weighing enough to bound the interval) reads only the readings'
 *   times, so every hourly stream with no gap in its first weeks is established on the same day
 *   whatever its values — a constant of the protocol, not a measurement, and given no interval
 *   (until 2026-12-06 a bootstrap over streams printed 15 [15, 15]);
 * - width_vs_population: once established, mean personal width ÷ mean population-only width on the
 *   same readings, averaged over streams (< 1 = narrower). The population-only interval is
 *   split-conformal on the stream's pooled past readings with no hour/weekday/recency structure
 *   (one device: no other households to pool).
 * 95% CIs: cluster bootstrap over calendar days (1,000 resamples, seeded).
 */
import { type Evaluation, type EvaluationContext, withIntervals } from '../../evaluate/evaluation.js';
import { baselineEstimate, checkReading } from '../baselines/baseline-estimate.js';
import { issueForecast, observeReading } from '../baselines/baseline-update.js';
import { learnReading } from '../baselines/learn-reading.js';
import { createBaseline, defaultBaselineConfig } from '../baselines/metric-baseline.js';
import { populationInterval } from '../baselines/population.js';
import { type AirStream, loadAirQuality } from '../data/air-quality.js';
import { coverageChart } from './charts.js';
import { counted, stages, ticker } from './progress.js';
import { bootstrapMany, formatCi, quantileSorted, round } from '../stats/bootstrap.js';

/** Per (day, stream) tallies. */
const F = { shown: 0, shownIn: 1, est: 2, estIn: 3, estWidth: 4, popWidthOnEst: 5, pop: 6, popIn: 7 } as const;
const NF = 8;

function walk(stream: AirStream, firstDay: number, days: number, tally: Float64Array, s: number, streams: number, dayDone: () => void): number | null {
  const state = createBaseline(defaultBaselineConfig);
  let p = 0;
  let establishedAfter: number | null = null;
  const when = '1970-01-01T00:00:00.000Z';
  for (let day = firstDay; day < firstDay + days; day++) {
    const start = p;
    while (p < stream.hours.length && Math.floor(stream.hours[p] / 24) === day) p++;
    if (state.readings > 0) {
      issueForecast(state, day * 24);
      const [popLow, popHigh] = populationInterval(state.population, 0.9);
      for (let i = start; i < p; i++) {
        const t = stream.hours[i];
        const y = stream.values[i];
        const e = baselineEstimate(state, t, when);
        const row = ((day - firstDay) * streams + s) * NF;
        tally[row + F.shown] += 1;
        if (y >= e.low && y <= e.high) tally[row + F.shownIn] += 1;
        tally[row + F.pop] += 1;
        if (y >= popLow && y <= popHigh) tally[row + F.popIn] += 1;
        if (e.status === 'established') {
          if (establishedAfter === null) establishedAfter = state.days;
          tally[row + F.est] += 1;
          if (y >= e.low && y <= e.high) tally[row + F.estIn] += 1;
          tally[row + F.estWidth] += e.high - e.low;
          tally[row + F.popWidthOnEst] += popHigh - popLow;
        }
      }
    }
    // Learned as the product learns each reading (models/baselines/baseline-step.ts): checked against
    // the 98% flag range first, a flagged one winsorised, a run of them on one side as a shift.
    for (let i = start; i < p; i++) {
      const t = stream.hours[i];
      const y = stream.values[i];
      if (state.readings === 0) observeReading(state, t, y);
      else learnReading(state, t, y, checkReading(state, t, y, when, 0.98));
    }
    dayDone();
  }
  return establishedAfter;
}

/**
 * Why `days_to_established` has no interval: the day is set by the establishing rule, which reads
 * only the readings' times (metric-baseline.ts `minDays`, `minScoresPerBucket`), not by the data.
 */
const DAYS_RULE = 'set by the rule (7 days and 20 scores in every horizon bucket, weighing enough to bound the 90% interval), which reads only the readings\' times: every hourly stream with no gap in its first weeks is established on the same day, whatever its values; only gaps move it';

/** A stream never established is null in the JSON (Infinity in the median and range). */
const finite = (d: number) => (Number.isFinite(d) ? d : null);

async function run(ctx: EvaluationContext) {
  let streams = loadAirQuality(ctx.datasetsDir);
  if (ctx.quick) streams = streams.slice(0, 3);
  const firstDay = Math.min(...streams.map((st) => Math.floor(st.hours[0] / 24)));
  const lastDay = Math.max(...streams.map((st) => Math.floor(st.hours[st.hours.length - 1] / 24)));
  const days = ctx.quick ? 60 : lastDay - firstDay + 1;
  ctx.log(`air-quality: ${streams.length} sensor streams, ${days} days, day-ahead 90% intervals (walk-forward)`);
  const S = streams.length;
  const tally = new Float64Array(days * S * NF);
  const reps = ctx.quick ? 100 : 1000;
  // The bar's shares: seconds of each stage in a full run.
  const bar = stages(ctx.progress, { 'walk-forward': 15.5, intervals: 0.3 });
  const dayDone = ticker(S * days, bar.stage('walk-forward'));
  const established = streams.map((st, s) => walk(st, firstDay, days, tally, s, S, dayDone));
  const tick = ticker(reps + 1, bar.stage('intervals'));
  const sums = (w: Float64Array, s: number | null) => {
    const out = new Float64Array(NF);
    for (let d = 0; d < days; d++) {
      if (w[d] === 0) continue;
      for (let k = 0; k < S; k++) {
        if (s !== null && k !== s) continue;
        for (let f = 0; f < NF; f++) out[f] += w[d] * tally[(d * S + k) * NF + f];
      }
    }
    return out;
  };
  const ratioOfStreams = (w: Float64Array) => {
    const ratios: number[] = [];
    for (let k = 0; k < S; k++) {
      const t = sums(w, k);
      if (t[F.est] > 0) ratios.push(t[F.estWidth] / t[F.popWidthOnEst]);
    }
    return ratios.reduce((a, b) => a + b, 0) / Math.max(ratios.length, 1);
  };
  const [coverage, coverageEst, coveragePop, widthRatio] = bootstrapMany(days, counted((w: Float64Array) => {
    const t = sums(w, null);
    return [t[F.shownIn] / t[F.shown], t[F.estIn] / t[F.est], t[F.popIn] / t[F.pop], ratioOfStreams(w)];
  }, tick), { seed: 40, reps });
  const estDays = established.map((d) => (d === null ? Infinity : d)).sort((a, b) => a - b);
  const median = quantileSorted(estDays, 0.5);
  const toEst = { median, range: [estDays[0], estDays[S - 1]], atMedian: estDays.filter((d) => d === median).length };
  bar.finish();
  const ones = new Float64Array(days).fill(1);
  const shown: { name: string; coverage: number }[] = [];
  streams.forEach((st, k) => {
    const t = sums(ones, k);
    shown.push({ name: st.name, coverage: t[F.shownIn] / t[F.shown] });
    ctx.log(`  ${st.name.padEnd(14)} readings ${String(st.values.length).padStart(5)}, established after ${established[k] ?? '—'} days, coverage shown ${(t[F.shownIn] / t[F.shown]).toFixed(3)}, personal ${(t[F.estIn] / t[F.est]).toFixed(3)}, population ${(t[F.popIn] / t[F.pop]).toFixed(3)}, width ratio ${(t[F.estWidth] / t[F.popWidthOnEst]).toFixed(3)}`);
  });
  ctx.log(`coverage90 (interval shown): ${formatCi(coverage)}   (goal 0.85–0.95)`);
  ctx.chart?.((g) => coverageChart(shown, coverage, g));
  ctx.log(`coverage of personal intervals once established: ${formatCi(coverageEst)}; population-only: ${formatCi(coveragePop)}`);
  ctx.log(`days to established (median over streams): ${toEst.median} (${toEst.atMedian} of ${S} streams; range ${toEst.range.join('–')}) — ${DAYS_RULE}`);
  ctx.log(`width vs population once established (mean over streams): ${formatCi(widthRatio)}   (goal < 1)`);
  const ci = (x: { low: number; high: number }, dg = 4) => [round(x.low, dg), round(x.high, dg)];
  return {
    evaluation: 'air-quality',
    coverage90: round(coverage.value),
    days_to_established: finite(toEst.median),
    width_vs_population: round(widthRatio.value),
    coverage90_ci: ci(coverage),
    days_to_established_range: toEst.range.map(finite),
    days_to_established_rule: DAYS_RULE,
    width_vs_population_ci: ci(widthRatio),
    coverage90_personal: round(coverageEst.value),
    coverage90_personal_ci: ci(coverageEst),
    coverage90_population_only: round(coveragePop.value),
    coverage90_population_only_ci: ci(coveragePop),
    streams: streams.map((st, k) => ({ name: st.name, readings: st.values.length, days_to_established: established[k] })),
  };
}

/** The `air-quality` evaluation (walk-forward day-ahead intervals per sensor stream). */
export const airQualityEvaluation: Evaluation = {
  name: 'air-quality',
  fields: withIntervals({
    evaluation: '"air-quality"',
    coverage90: 'share of day-ahead readings inside the 90% interval shown (personal once established, population before; goal 0.85–0.95)',
    days_to_established: 'median over streams of the days of data before "established" (no interval: set by the rule, see `days_to_established_rule`)',
    days_to_established_range: 'the fewest and most days over streams [min, max] (null for a stream never established)',
    days_to_established_rule: 'the rule that sets the day, in words: it reads only the readings\' times',
    width_vs_population: 'once established, personal width ÷ population-only width on the same readings, mean over streams (goal < 1)',
    coverage90_personal: 'coverage of the personal intervals, once established',
    coverage90_population_only: 'coverage of the population-only comparator (split-conformal on the stream\'s pooled past)',
    streams: 'per stream: `name`, `readings`, `days_to_established`',
  }, ['coverage90', 'width_vs_population', 'coverage90_personal', 'coverage90_population_only']),
  description: 'UCI Air Quality: day-ahead 90% personal intervals per sensor stream, walk-forward; coverage, days to established, width vs population-only.',
  run,
};
