import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policyEvaluationSchema } from '../evaluation-schema.js';
import { formatEvaluation } from '../format.js';
import { measureShop, seededTact, SHOP_TRUTH } from '../simulation.js';
import { createRng } from '../stats/prng.js';
import { rewardModelWarning } from './reward-model-check.js';

const est = (value: number, lo: number, hi: number) => ({ value, ci: [lo, hi] as [number, number], sd: (hi - lo) / 4, dropped: 0 });

describe('reward-model-disagrees', () => {
  it('cautions when DM lies outside the intervals of IPS and SNIPS, naming the figures (the QA case)', () => {
    const w = rewardModelWarning({ ips: est(0.297, 0.227, 0.388), snips: est(0.27, 0.2, 0.35), dm: est(1.55, 1.31, 1.867) });
    expect(w).toMatchObject({ code: 'reward-model-disagrees', severity: 'caution', details: { dm: 1.55, dmLow: 1.31, dmHigh: 1.867, snips: 0.27, snipsLow: 0.2, snipsHigh: 0.35, ips: 0.297 } });
    expect(w!.message).toBe("The direct method gives 1.55 (95% interval 1.31 to 1.867), outside the intervals of SNIPS 0.27 (0.2 to 0.35) and IPS 0.297 (0.227 to 0.388), which need no reward model: the reward model (each option's smoothed mean logged reward) is misspecified for this candidate, so DM is off. Prefer the IPS-family estimates (SNIPS, IPS, or DR and SNDR, which correct the model with the logged propensities).");
  });

  it('says nothing when DM lies inside either interval, or a side is missing', () => {
    expect(rewardModelWarning({ ips: est(0.3, 0.2, 0.4), snips: est(0.27, 0.2, 0.35), dm: est(0.346, 0.26, 0.44) })).toBeUndefined();
    // inside IPS's (wider) interval only: still no caution
    expect(rewardModelWarning({ ips: est(0.3, 0.1, 0.5), snips: est(0.27, 0.2, 0.35), dm: est(0.45, 0.4, 0.5) })).toBeUndefined();
    expect(rewardModelWarning({ ips: est(0.3, 0.2, 0.4), snips: null, dm: null })).toBeUndefined();
    expect(rewardModelWarning({ ips: null, snips: null, dm: est(1, 0.9, 1.1) })).toBeUndefined();
    // SNIPS alone (IPS withheld): compared with it alone
    expect(rewardModelWarning({ ips: null, snips: est(0.27, 0.2, 0.35), dm: est(1, 0.9, 1.1) })?.message).toContain('outside the interval of SNIPS 0.27');
  });
});

describe('reward-model-disagrees in the evaluation on the decision log', () => {
  // A log whose options earn differently over time while the logger changes: the first 1,500 decisions
  // shoes-first (shoes buy at 10%), the next 1,500 socks-first (shoes 0%). Shoes' logged rows are mostly of
  // the first half, so their mean (≈ 5.5) is not what shoes earn across the log (3.0): a per-option model
  // (DM) overstates a shoes-first candidate, which IPS and SNIPS, reading each decision's own weight, do not.
  let h: Awaited<ReturnType<typeof seededTact>>;
  const post = (payload: object) => h.app.inject({ method: 'POST', url: '/v1/evaluate-policy', headers: h.auth, payload });
  const lever = (weight: number) => [{ name: 'socks push', actions: ['socks'], weight }];
  beforeAll(async () => {
    h = await seededTact(measureShop({ exploration: 0.3, levers: lever(1) }), { seed: 9 });
    const rng = createRng(5);
    for (let i = 0; i < 3000; i++) {
      if (i === 1500) await h.tact.applyDocument('policy', { ...measureShop({ exploration: 0.3, levers: lever(10) }).policy }, { author: 'test', reason: 'socks first' });
      h.clock.now += 60_000;
      const d = await h.tact.decide.decider.decide({ subject: `s${i}`, placement: 'home' });
      const c = d.choices[0];
      const option = c.kind === 'action' ? (c.action as string) : 'none';
      const p = option === 'shoes' ? (i < 1500 ? 0.1 : 0) : SHOP_TRUTH[option].p;
      if (rng() < p) await h.tact.decide.outcomes.record([{ id: `${d.id}-buy`, at: d.at, type: 'conversion', value: SHOP_TRUTH[option].revenue, decisionId: d.id, source: 'api' }]);
    }
  });
  afterAll(async () => h.close());

  it('cautions, in the answer and the printout, when DM lies outside the IPS family; not when it agrees', async () => {
    // The candidate: the first policy (shoes first) in every decision: shoes 0.775, each other 0.075.
    // Truth 0.775·(0.05·60) + 0.075·(0.3·12 + 0.02·5 + 0) = 2.6025 (shoes 10% half the time, 0% the other half).
    const res = await post({ placement: 'home', candidate: { policy: 1 }, seed: 1 });
    expect(res.statusCode).toBe(200);
    const r = res.json();
    expect(r.replayMismatches).toBe(0);
    const { dm, snips } = r.report.estimates;
    expect(snips.ci[0]).toBeLessThan(2.6025);
    expect(snips.ci[1]).toBeGreaterThan(2.6025);
    expect(dm.value).toBeGreaterThan(snips.ci[1]);
    const w = r.warnings.find((x: { code: string }) => x.code === 'reward-model-disagrees');
    expect(w).toMatchObject({ severity: 'caution', details: { dm: dm.value, snips: snips.value } });
    expect(r.report.warnings).toContainEqual(w);
    expect(formatEvaluation(r)).toContain('caution: The direct method gives');
    // The logging policy itself (each decision under its own version): DM weighs each option's mean as the log does, and agrees.
    const agrees = (await post({ placement: 'home', candidate: { model: 'rate' }, seed: 1 })).json();
    expect(agrees.report.diagnostics.maxWeight).toBeCloseTo(1, 12);
    expect(agrees.warnings.map((x: { code: string }) => x.code)).not.toContain('reward-model-disagrees');
  });

  it('is one of the warning codes /openapi.json declares', () => {
    expect(JSON.stringify(policyEvaluationSchema)).toContain('"reward-model-disagrees"');
  });
});
