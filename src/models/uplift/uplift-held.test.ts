import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureShop, seededTact } from '../../measure/simulation.js';
import { heldOutSubject } from './held-out.js';
import { compareUpliftOnLog, upliftComparator, type UpliftComparison } from './uplift-comparator.js';
import type { LoggedDecision } from './uplift-log.js';
import { UpliftScorer, type UpliftState } from './uplift-model.js';
import { knownUplift, simulateLog } from './simulated-log.js';
import { fitUplift } from './uplift-trainer.js';

/**
 * The shop of src/measure/simulation.ts with a high-stakes loan that wins every decision (score
 * 0.05·300 = 15) but is never shown: each subject is new, so each pick opens a review and the safe
 * default (the newsletter) stands in. With ε = 0.3 over K = 5 options the logger picks the loan
 * with 0.76 and every other option with 0.06, so it shows the newsletter with 0.82, the shoes with
 * 0.06 (each of its two variants 0.03: the arm is the action), the socks and "none" with 0.06 each.
 */
const base = measureShop({ exploration: 0.3 });
const shop = { ...base, catalog: { ...base.catalog, actions: [...base.catalog.actions, { id: 'loan', name: 'Loan', channels: ['web'], value: 300, highStakes: true }] } };
/** Purchase probability of what was shown (the loan never is). */
const BUYS: Record<string, number> = { shoes: 0.05, socks: 0.3, newsletter: 0.02, none: 0 };
/** The logging policy's probability of showing each arm (the shoes' two variants together). */
const SHOWN: Record<string, number> = { newsletter: 0.82, shoes: 0.06, socks: 0.06, none: 0.06 };
const DAY = 86_400_000;

const model = knownUplift;

describe('uplift learning and its promotion check on a log where a high-stakes action was held for review', () => {
  let h: Awaited<ReturnType<typeof seededTact>>;
  let rows: LoggedDecision[] = [];
  let realised = 0;
  const N = 2000;
  beforeAll(async () => {
    ({ h, rows, realised } = await simulateLog(shop, { seed: 4, outcomes: 5 }, BUYS, N));
  }, 180_000);
  afterAll(async () => h.close());

  it('the simulated log holds the loan in about 76% of decisions (the shape the tests below rely on)', async () => {
    const page = await h.tact.store.decisions.queryDecisions({ placement: 'home', limit: N });
    const held = page.filter((d) => d.choices[0].held?.action === 'loan').length;
    // Binomial(2000, 0.76): standard error 0.0095; 5 of them.
    expect(Math.abs(held / N - 0.76)).toBeLessThan(5 * Math.sqrt((0.76 * 0.24) / N));
  });

  it('reads every decision as what was shown, with the probability it was shown: IPS gives the logging policy its realised average', () => {
    // The logging policy's own value by IPS, (1/N) Σ r·π(shown)/p(shown), with π the policy's
    // probabilities worked out above, is its realised average when every decision is kept with the
    // probability of what was shown (Dudík, Langford & Li 2011, §2: IPS is unbiased when the logged
    // action is the one whose reward was observed, with its logging probability). Dropping the held
    // decisions estimated the value of the 24% where nothing was held, and weighed the newsletter
    // picked directly by its own pick's 0.06 instead of its exposure's 0.82; keeping the variant's
    // share in the shoes' 0.03 weighed them twice.
    const ips = rows.reduce((s, r) => s + (r.followed.has('conversion') ? 1 : 0) * (SHOWN[r.arm] / r.propensity), 0) / rows.length;
    expect(ips).toBeCloseTo(realised, 9);
    expect(rows.length).toBe(N);
    expect(rows.some((r) => r.arm === 'loan')).toBe(false);
    expect(rows.every((r) => r.standIn === 'newsletter')).toBe(true);
  });

  it('trains on every decision, the held ones in the stand-in\'s arm', () => {
    const { metrics } = fitUplift(rows, () => 'conversion', 7 * DAY);
    const newsletter = rows.filter((r) => r.arm === 'newsletter');
    expect(metrics).toMatchObject({ decisions: N, withoutPropensity: 0, actions: { newsletter: { rows: newsletter.length, positives: newsletter.filter((r) => r.followed.has('conversion')).length } } });
    expect((metrics.actions as Record<string, unknown>).loan).toBeUndefined();
  });

  it('credits a version that would pick the held loan with what the loan\'s pick would have shown: the newsletter', () => {
    // The candidate's uplift for the loan ((0.5 − 0.01) × 300) beats every logged score; the live
    // version's puts the loan at (0.011 − 0.01) × 300 = 0.3 and the socks at (0.5 − 0.01) × 12 − 0.1
    // = 5.78, above the shoes' logged 2.8. A deterministic
    // target's SNIPS is the mean reward of the logged rows where the log showed what it would, as
    // these rows' weights are equal (Swaminathan & Joachims 2015, self-normalised estimator).
    const c = compareUpliftOnLog(rows, new UpliftScorer(model({ loan: 0.5 }), 2), new UpliftScorer(model({ loan: 0.011, socks: 0.5 }), 1), { level: 0.9, maxWidth: 0.05, noneScore: 0 });
    const mean = (a: string) => {
      const shown = rows.filter((r) => r.arm === a);
      return shown.filter((r) => r.followed.has('conversion')).length / shown.length;
    };
    expect(c.figures.decisions).toBe(N);
    expect(c.figures.candidate.snips?.value).toBeCloseTo(mean('newsletter'), 4);
    expect(c.figures.live.snips?.value).toBeCloseTo(mean('socks'), 4);
    expect(c.better).toBe(false);
  });

  it('replays a held pick under the catalog version the decisions were made with, after the catalog changed its safe default', async () => {
    // Catalog v2 makes the socks the safe default; the log was made under v1, where the loan's pick
    // showed the newsletter. The comparator credits the version that picks the loan with the
    // newsletter's rows (SNIPS of a deterministic target: their mean reward, Swaminathan & Joachims
    // 2015) — with the current catalog's socks it credited it with the socks where nothing was held.
    await h.tact.settings.put('catalog', { ...shop.catalog, placements: [{ ...shop.catalog.placements[0], safeDefault: 'socks' }] }, { author: 'test', reason: 'socks as safe default' });
    const version = (v: number, state: UpliftState) => ({ name: 'uplift', version: v, trainedAt: 0, dataFrom: null, dataTo: 0, metrics: {}, trainedBy: 'test', state });
    const compare = upliftComparator({ store: h.tact.store, settings: h.tact.settings, now: () => h.clock.now + 7 * DAY });
    const c = (await compare(version(2, model({ loan: 0.5 })), version(1, model({ loan: 0.011, socks: 0.5 })))) as UpliftComparison;
    // Judged on the held-out subjects' decisions only (held-out.ts): neither version was trained on them.
    const held = rows.filter((r) => heldOutSubject(r.record.profileKey));
    expect(c.figures.decisions).toBe(held.length);
    const shown = held.filter((r) => r.arm === 'newsletter');
    expect(c.figures.candidate.snips?.value).toBeCloseTo(shown.filter((r) => r.followed.has('conversion')).length / shown.length, 4);
  });
});
