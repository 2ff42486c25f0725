import { type PopulationSample, addToPopulation } from '../../learn/baselines/population.js';
import { timeSlicer } from '../train/time-slice.js';
import type { Trainer } from '../train/trainer.js';
import type { StoredBaseline } from './baseline-step.js';
import { metricsKind } from './metrics-kind.js';

/** The stored `baselines` model: per metric, readings pooled across subjects. */
export interface BaselinesState {
  pools: Record<string, PopulationSample>;
}

/** Readings per metric in the pooled population. */
const POOL = 10_000;

/**
 * The population rung of every metric: up to 10,000 recent readings, an equal share from each
 * subject (so one busy subject does not become "everyone"). A new subject's range while it
 * learns is the split-conformal interval of this pool.
 *
 * @example
 * await trainModels(ctx, [baselinesTrainer], ['baselines'], 'cli');
 */
export const baselinesTrainer: Trainer = {
  name: 'baselines',
  description: 'Population ranges of each metric, pooled across subjects (the baseline of a subject still learning).',
  async train(ctx) {
    const metrics = ctx.settings.get(metricsKind);
    if (!metrics.length) return { skipped: 'no metrics are configured' };
    const pools: Record<string, PopulationSample> = {};
    const metricsOut: Record<string, unknown> = {};
    for (const m of metrics) {
      const perSubject: number[][] = [];
      const slice = timeSlicer();
      let after = '';
      for (;;) {
        await slice.pause();
        const rows = await ctx.store.estimates.scan('baseline', m.def.name, after, 1000);
        if (!rows.length) break;
        // With the readings held while the subject's zone is unknown (a pool has no hours).
        for (const r of rows) perSubject.push([...(r.state as StoredBaseline).population.values, ...((r.state as StoredBaseline).unzoned ?? []).map((x) => x[1])]);
        after = rows[rows.length - 1].subjectId;
      }
      if (!perSubject.length) continue;
      const pool = pooledReadings(perSubject);
      pools[m.def.name] = pool;
      metricsOut[m.def.name] = { subjects: perSubject.length, readings: pool.values.length };
    }
    if (!Object.keys(pools).length) return { skipped: 'no subject has a reading of any metric yet' };
    return { state: { pools } satisfies BaselinesState, metrics: metricsOut, dataFrom: null, dataTo: ctx.now };
  },
};

/**
 * The pool of one metric from each subject's readings (oldest first): up to 10,000, the latest
 * equal share from each subject.
 *
 * @example
 * pooledReadings([[310, 290, 305], [1200]]); // { values: [310, 290, 305, 1200], cap: 10000 }
 */
export function pooledReadings(perSubject: number[][]): PopulationSample {
  const share = Math.max(1, Math.floor(POOL / Math.max(1, perSubject.length)));
  const pool: PopulationSample = { values: [], cap: POOL };
  for (const values of perSubject) for (const v of values.slice(-share)) addToPopulation(pool, v);
  return pool;
}
