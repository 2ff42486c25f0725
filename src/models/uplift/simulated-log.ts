import { logit } from '../../learn/math/special.js';
import { seededTact } from '../../measure/simulation.js';
import { createRng } from '../../measure/stats/prng.js';
import { type LoggedDecision, readDecisionLog } from './uplift-log.js';
import type { UpliftState } from './uplift-model.js';

const DAY = 86_400_000;

/** A simulated shop's decision log as uplift training reads it, and the average reward it realised. */
export interface SimulatedLog {
  h: Awaited<ReturnType<typeof seededTact>>;
  rows: LoggedDecision[];
  realised: number;
}

/**
 * Makes `n` decisions at the shop's "home" placement (one a second, a new subject each) and
 * records a conversion for what was shown with probability `buys[action or "none"]`, then reads
 * the log as uplift training does. For tests of the training and the promotion check.
 *
 * @example
 * const { h, rows, realised } = await simulateLog(shop, { seed: 4, outcomes: 5 }, BUYS, 2000);
 */
export async function simulateLog(shop: Parameters<typeof seededTact>[0], seeds: { seed: number; outcomes: number }, buys: Record<string, number>, n: number): Promise<SimulatedLog> {
  const h = await seededTact(shop, { seed: seeds.seed });
  const rng = createRng(seeds.outcomes);
  let bought = 0;
  for (let i = 0; i < n; i++) {
    h.clock.now += 1000;
    const d = await h.tact.decide.decider.decide({ subject: `s${i}`, placement: 'home' });
    const c = d.choices[0];
    if (rng() < buys[c.kind === 'action' ? (c.action as string) : 'none']) {
      await h.tact.decide.outcomes.record([{ id: `${d.id}-buy`, at: d.at, type: 'conversion', value: 1, decisionId: d.id, source: 'api' }]);
      bought++;
    }
  }
  const rows = await readDecisionLog(h.tact.store, { now: h.clock.now + 7 * DAY, windowMs: 7 * DAY, sinceMs: 90 * DAY, max: 100_000 });
  return { h, rows, realised: bought / n };
}

// Known almost exactly: a logit variance of 1e-8 is what some 10⁹ rows give, and the rows bound the
// interval from below (src/learn/uplift/t-learner.ts rateVarianceFloor), so they say as many.
const arm = (p: number) => ({ coef: [logit(p)], covariance: [1e-8], rows: 1e9, positives: Math.round(1e9 * p) });

/**
 * An intercept-only uplift model, known almost exactly: "none" converts 1%, each listed action at its rate.
 *
 * @example
 * knownUplift({ shoes: 0.3 }).actions.shoes.goal; // 'conversion'
 */
export const knownUplift = (rates: Record<string, number>): UpliftState => ({
  features: [], none: { conversion: arm(0.01) }, windowMs: 7 * DAY,
  actions: Object.fromEntries(Object.entries(rates).map(([a, p]) => [a, { goal: 'conversion', model: arm(p) }])),
});
