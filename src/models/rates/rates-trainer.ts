import type { RateCounts } from '../../learn/rates/beta-binomial.js';
import { type GroupAroundParent, fitConcentration } from '../../learn/rates/concentration.js';
import type { Rung } from '../../learn/rates/ladder.js';
import { type TrialState, countsAt } from '../../learn/rates/rate-trials.js';
import { calibrationReport } from '../calibration/calibration.js';
import type { Trainer } from '../train/trainer.js';
import type { RatesModelState } from './rate-model.js';
import { ratesKind } from './rates-kind.js';

/**
 * The ladder's hyper-parameters per rate, by empirical Bayes: each rung's prior strength κ is the
 * one that maximises the marginal likelihood of that rung's groups (segments, micro-segments of the
 * live micro-segment model, subjects) around the population rate. The population prior stays
 * Beta(1, 1): the population's own counts dwarf it.
 *
 * @example
 * await trainModels(ctx, [ratesTrainer], ['rates'], 'cli');
 */
export const ratesTrainer: Trainer = {
  name: 'rates',
  description: 'Prior strength of each rung of the rate ladder (segment, micro-segment, personal), fitted by maximum marginal likelihood.',
  async train(ctx) {
    const rates = ctx.settings.get(ratesKind);
    if (!rates.length) return { skipped: 'no rates are configured' };
    const micro = await ctx.registry.live('micro-segments');
    const microPrefix = micro ? `micro-segment:${micro.version}:` : null;
    const state: RatesModelState = { rates: {} };
    const metrics: Record<string, unknown> = {};
    for (const r of rates) {
      let population: RateCounts = { successes: 0, trials: 0 };
      const groups: Record<Rung, RateCounts[]> = { segment: [], 'micro-segment': [], personal: [] };
      let after = '';
      for (;;) {
        const rows = await ctx.store.estimates.scan('rate', r.def.name, after, 2000);
        if (!rows.length) break;
        for (const row of rows) {
          const id = row.subjectId;
          if (id === 'population') population = row.state as RateCounts;
          else if (id.startsWith('segment:')) groups.segment.push(row.state as RateCounts);
          else if (id.startsWith('micro-segment:')) {
            if (microPrefix && id.startsWith(microPrefix)) groups['micro-segment'].push(row.state as RateCounts);
          } else groups.personal.push(countsAt(row.state as TrialState, ctx.now, r.windowMs));
        }
        after = rows[rows.length - 1].subjectId;
      }
      if (population.trials === 0) continue;
      const mean = population.successes / population.trials;
      const around = (list: RateCounts[]): GroupAroundParent[] => list.map((c) => ({ ...c, parentMean: mean }));
      const concentration = { segment: fitConcentration(around(groups.segment)), 'micro-segment': fitConcentration(around(groups['micro-segment'])), personal: fitConcentration(around(groups.personal)) };
      state.rates[r.def.name] = { populationPrior: { alpha: 1, beta: 1 }, concentration };
      const calibration = await calibrationReport(ctx.store.estimates, 'rates', r.def.name, ctx.now);
      metrics[r.def.name] = {
        population: { ...population, rate: mean },
        groups: { segments: groups.segment.length, microSegments: groups['micro-segment'].length, subjects: groups.personal.length },
        concentration,
        // With their 95% intervals and the ECE a calibrated model would read at this n (held-out.ts).
        heldOut: {
          n: calibration.n, ece: calibration.ece, eceInterval: calibration.intervals.ece, eceCalibratedReference: calibration.calibratedReference.ece,
          coverage90: calibration.coverage.coverage, coverage90Interval: calibration.coverage.interval,
        },
      };
    }
    if (!Object.keys(state.rates).length) return { skipped: 'no exposure has been recorded for any rate yet' };
    return { state, metrics, dataFrom: null, dataTo: ctx.now };
  },
};
