import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DecisionRecord } from '../../decide/decision.js';
import type { MeasureStore } from '../measure-store.js';
import { measureShop, seededTact } from '../simulation.js';
import { createRng } from '../stats/prng.js';
import { evaluatePolicy } from './evaluate.js';

/**
 * The shop of src/measure/simulation.ts with a high-stakes loan that wins every decision (score
 * 0.05·300 = 15 against shoes 2.8, socks 0.5, newsletter 0.025, none 0) but is never shown: each
 * subject is new, so each time it is picked a review opens and the safe default (the newsletter)
 * stands in. With ε = 0.3 over K = 5 options the logger picks the loan with 0.76, every other
 * option with 0.06, so it shows the newsletter with 0.82.
 */
const base = measureShop({ exploration: 0.3, levers: [{ name: 'socks push', actions: ['socks'], weight: 1 }] });
const shop = { ...base, catalog: { ...base.catalog, actions: [...base.catalog.actions, { id: 'loan', name: 'Loan', channels: ['web'], value: 300, highStakes: true }] } };
/** Purchase probability × revenue of what was shown (the loan never is). */
const TRUTH: Record<string, { p: number; revenue: number }> = { shoes: { p: 0.05, revenue: 60 }, socks: { p: 0.3, revenue: 12 }, newsletter: { p: 0.02, revenue: 5 }, none: { p: 0, revenue: 0 } };
const mu = (a: string) => TRUTH[a].p * TRUTH[a].revenue;

/**
 * Every estimate within 4 of its bootstrap standard errors of the truth (a 95% interval would
 * miss it once in twenty seeds: this log's shoes sold 16 times against 9.2 expected).
 */
function expectNear(r: { report: { estimates: Record<string, { value: number; sd: number }> } }, truth: number): void {
  for (const k of ['ips', 'snips', 'dm', 'dr']) {
    const e = r.report.estimates[k];
    expect(Math.abs(e.value - truth), k).toBeLessThanOrEqual(4 * e.sd);
  }
}

describe('evaluate-policy on a log where a high-stakes action was held for review', () => {
  let h: Awaited<ReturnType<typeof seededTact>>;
  let realised = 0;
  const N = 3000;
  const post = (payload: object) => h.app.inject({ method: 'POST', url: '/v1/evaluate-policy', headers: h.auth, payload });
  beforeAll(async () => {
    h = await seededTact(shop, { seed: 4 });
    const rng = createRng(5);
    let total = 0;
    for (let i = 0; i < N; i++) {
      const d = await h.tact.decide.decider.decide({ subject: `s${i}`, placement: 'home' });
      const c = d.choices[0];
      const truth = TRUTH[c.kind === 'action' ? (c.action as string) : 'none'];
      if (rng() < truth.p) {
        await h.tact.decide.outcomes.record([{ id: `${d.id}-buy`, at: d.at, type: 'conversion', value: truth.revenue, decisionId: d.id, source: 'api' }]);
        total += truth.revenue;
      }
    }
    realised = total / N;
  }, 180_000);
  afterAll(async () => h.close());

  it('the simulated log holds the loan in about 76% of decisions (the shape the tests below rely on)', async () => {
    const page = await h.tact.store.measure.decisionsPage({ placement: 'home', limit: N });
    const held = page.filter((d) => d.choices[0].held?.action === 'loan').length;
    // Binomial(3000, 0.76): standard error 0.0078; 5 of them.
    expect(Math.abs(held / N - 0.76)).toBeLessThan(5 * Math.sqrt((0.76 * 0.24) / N));
  });

  it('counts the stand-in, not the held loan: the newsletter gets the trials and the credit, the loan neither', async () => {
    const page = await h.tact.store.measure.decisionsPage({ placement: 'home', limit: N });
    const shownNewsletter = page.filter((d) => d.choices[0].action === 'newsletter').length;
    const counts = h.tact.decide.state.counts;
    expect(counts.population('loan').trials).toBe(0);
    expect(counts.population('newsletter').trials).toBe(shownNewsletter);
    expect(counts.population('loan').successes).toBe(0);
    expect(counts.population('newsletter').successes).toBeGreaterThan(0); // its purchases, credited to the decisions it stood in for too
    // The counts rebuilt from the log at start agree.
    const logged = await h.tact.store.decisions.trialCounts();
    expect(logged.filter((r) => r.action === 'loan')).toEqual([]);
    expect(logged.filter((r) => r.action === 'newsletter').reduce((n, r) => n + r.n, 0)).toBe(shownNewsletter);
    // An outcome cannot name the held loan: it was never shown.
    const held = page.find((d) => d.choices[0].held)!;
    await expect(h.tact.decide.outcomes.record([{ id: 'x-loan', at: held.at, type: 'conversion', value: 1, decisionId: held.id, action: 'loan', source: 'api' }])).rejects.toThrow(/did not choose the `action` `loan`/);
  });

  it('gives the logging policy its realised average: every decision counts, the stand-in\'s exposure weighs it', async () => {
    // The candidate is the logger: IPS of its own value is the log's mean reward (Dudík, Langford & Li 2011, §2:
    // IPS is unbiased when the logged action is the one whose reward was observed, with its logging probability).
    const r = (await post({ placement: 'home', candidate: { exploration: 0.3 }, seed: 1 })).json();
    expect(r.read).toBe(N);
    expect(r.skipped).toEqual({});
    expect(r.replayMismatches).toBe(0);
    expect(r.loggedValue).toBeCloseTo(realised, 9);
    expect(r.report.diagnostics.maxWeight).toBeCloseTo(1, 9);
    expect(r.report.estimates.ips.value).toBeCloseTo(realised, 9);
    // …and the truth, Σ over what is shown of its probability × mean reward, is within sampling error of every estimate.
    expectNear(r, 0.82 * mu('newsletter') + 0.06 * (mu('shoes') + mu('socks') + mu('none')));
  });

  it('finds a candidate\'s true value when its own pick of the loan would also show the newsletter', async () => {
    // Socks ×100 scores 0.05·12·100 − 0.1 = 59.9 and leads: socks 0.76, loan 0.06 → newsletter 0.06 + 0.06.
    const r = (await post({ placement: 'home', candidate: { levers: { 'socks push': 100 } }, seed: 1 })).json();
    expect(r.replayMismatches).toBe(0);
    expectNear(r, 0.76 * mu('socks') + 0.12 * mu('newsletter') + 0.06 * (mu('shoes') + mu('none')));
  });

  it('reads a log written before exposures were logged the same way: the replay gives the stand-in\'s exposure back', async () => {
    const withExposure = await evaluatePolicy(h.tact.store.measure, h.tact.store.documents, { placement: 'home', candidate: { levers: { 'socks push': 100 } }, seed: 1 });
    const strip = (d: DecisionRecord): DecisionRecord => ({ ...d, choices: d.choices.map(({ exposurePropensity: _, ...c }) => c) });
    const m = h.tact.store.measure;
    const old: MeasureStore = {
      decisionsPage: async (q) => (await m.decisionsPage(q)).map(strip),
      outcomesOfDecisions: (ids) => m.outcomesOfDecisions(ids),
      outcomesOfSubjects: (keys, since) => m.outcomesOfSubjects(keys, since),
    };
    const before = await evaluatePolicy(old, h.tact.store.documents, { placement: 'home', candidate: { levers: { 'socks push': 100 } }, seed: 1 });
    expect(before.replayMismatches).toBe(0);
    expect(before.report.estimates).toEqual(withExposure.report.estimates);
  });
});
