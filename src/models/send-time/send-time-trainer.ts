import { populationSendTimePrior } from '../../learn/send-time/send-time.js';
import { type SendTimeStrength, sendTimeStrength } from '../../learn/send-time/strength.js';
import { runOffThread } from '../train/off-thread.js';
import { timeSlicer } from '../train/time-slice.js';
import type { Trainer } from '../train/trainer.js';
import { type SendTimeModelState, type SlotCounts, zonedCounts } from './send-time-model.js';

/**
 * The population's engagement by hour of week (smoothed) and the Dirichlet prior strength A that
 * maximises the subjects' marginal likelihood (empirical Bayes): how many pseudo-events of
 * "everyone" a subject's own counts are weighed against.
 *
 * @example
 * await trainModels(ctx, [sendTimeTrainer], ['send-time'], 'cli');
 */
export const sendTimeTrainer: Trainer = {
  name: 'send-time',
  description: 'Population engagement by hour of week and the prior strength (Dirichlet-multinomial empirical Bayes).',
  async train(ctx) {
    const subjects: number[][] = [];
    const slice = timeSlicer();
    let after = '';
    for (;;) {
      await slice.pause();
      const rows = await ctx.store.estimates.scan('send-time', '', after, 1000);
      if (!rows.length) break;
      for (const r of rows) {
        await slice.pause();
        const s = r.state as SlotCounts;
        // Engagement held from before a zone was known: in the zone the profile names now (UTC without one).
        subjects.push(s.unzoned?.length ? zonedCounts(s, (await ctx.store.profiles.getProfile(r.subjectId))?.timezone) : s.counts);
      }
      after = rows[rows.length - 1].subjectId;
    }
    const events = subjects.reduce((s, c) => s + c.reduce((a, b) => a + b, 0), 0);
    if (subjects.length < 2 || events < 20) return { skipped: `too little engagement yet (${subjects.length} subjects, ${events} events; needs 2 subjects and 20 events)` };
    const { state, fit } = await fitSendTimeOffThread(subjects);
    let best = 0;
    for (let s = 1; s < state.share.length; s++) if (state.share[s] > state.share[best]) best = s;
    const metrics = {
      subjects: subjects.length, events, strength: round2(state.strength), populationBestSlot: best,
      // Whether the strength was fitted, or is the events for want of detectable between-subject variation.
      strengthIdentified: fit.identified, strengthLikelihoodRatio: round2(fit.likelihoodRatio),
    };
    return { state, metrics, dataFrom: null, dataTo: ctx.now };
  },
};

/**
 * The model from the subjects' slot counts: the population's smoothed share and the strength A
 * that maximises their Dirichlet-multinomial marginal likelihood — at most the events, and the
 * events when the data do not tell A from ∞ (`fit.identified` false: {@link sendTimeStrength}).
 *
 * @example
 * fitSendTime([[0, 3, …], [1, 0, …]]).state; // { share: [168 numbers], strength: 31.4 }
 */
export function fitSendTime(subjects: ArrayLike<number>[]): { state: SendTimeModelState; fit: SendTimeStrength } {
  const base = populationSendTimePrior(subjects);
  const fit = sendTimeStrength(base.share, subjects);
  return { state: { share: [...base.share], strength: fit.strength }, fit };
}

/**
 * {@link fitSendTime} in a worker thread (off-thread.ts): the strength's golden-section search over
 * the Dirichlet-multinomial likelihood takes seconds at 20,000 subjects, which on the server's
 * thread held every request. Same result as the call in-thread.
 *
 * @example
 * const { state } = await fitSendTimeOffThread(subjects);
 */
export function fitSendTimeOffThread(subjects: number[][]): Promise<{ state: SendTimeModelState; fit: SendTimeStrength }> {
  return runOffThread<typeof fitSendTime>(import.meta.url, 'fitSendTime', [subjects]);
}

const round2 = (x: number) => Math.round(x * 100) / 100;
