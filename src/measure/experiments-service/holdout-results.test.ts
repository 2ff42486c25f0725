import { afterEach, describe, expect, it } from 'vitest';
import { get, harness, type Harness } from '../../../test/harness.js';
import { measureShop, simulateExperiment } from '../simulation.js';

interface Metric { metric: string; armId: string; frequentist: { ci: [number, number] }; sequential: { ci: [number, number] }; cuped: unknown; bayesian: { chanceToWin: number } }
const metric = (r: { readout: { metrics: Metric[] } }, name: string) => r.readout.metrics.find((m) => m.metric === name)!;
/** Pearson's χ² goodness of fit of two counts against shares s : 1 − s (Pearson 1900; the statistic GrowthBook's check_srm computes). */
const pearson = (held: number, rest: number, s: number) => {
  const n = held + rest;
  return (held - s * n) ** 2 / (s * n) + (rest - (1 - s) * n) ** 2 / ((1 - s) * n);
};

describe('global holdout results', () => {
  let h: Harness | undefined;
  afterEach(async () => h?.close());

  it('compares the holdout with the personalized subjects: the true lift lies inside the CIs, CUPED used, no SRM', async () => {
    h = await harness('sqlite', { config: measureShop({ holdout: 0.2 }) });
    // Personalized subjects (logged arm "treatment") buy 1.5× as often as held-out ones: a true relative lift of 0.5
    // in conversion, and (every purchase is worth 20, rewarded at its value) in revenue and the value function.
    // (A 95% interval misses 1 time in 20: seeds 3 and 12 of 1–12 are such misses; the seed is fixed so the test is reproducible.)
    await simulateExperiment(h.tact, { subjects: 4000, seed: 1, treated: 'treatment', lift: 0.5 });
    const res = await get(h.app, '/v1/holdout/results?placement=home');
    expect(res.statusCode).toBe(200);
    const r = res.json();
    expect(r.holdout).toEqual({ share: 0.2, salt: 'global' });
    expect(r.units.holdout + r.units.personalized).toBe(4000);
    expect(r.decisions).toBe(4000);
    // Binomial(4000, 0.2): sd = √(4000·0.2·0.8) ≈ 25.3; 4 sd either side.
    expect(Math.abs(r.units.holdout - 800)).toBeLessThan(4 * 25.3);
    expect(r.crossovers).toBe(0);
    expect(r.readout.srm.expected[0]).toBeCloseTo(800, 9);
    expect(r.readout.srm.expected[1]).toBeCloseTo(3200, 9);
    expect(r.readout.srm.chiSquare).toBeCloseTo(pearson(r.units.holdout, r.units.personalized, 0.2), 10);
    expect(r.readout.srm.mismatch).toBe(false);
    for (const name of ['conversion', 'revenue', 'value']) {
      const m = metric(r, name);
      expect(m.armId).toBe('personalized');
      expect(m.cuped).not.toBeNull();
      expect(m.frequentist.ci[0]).toBeLessThan(0.5);
      expect(m.frequentist.ci[1]).toBeGreaterThan(0.5);
      expect(m.sequential.ci[0]).toBeLessThan(0.5);
      expect(m.sequential.ci[1]).toBeGreaterThan(0.5);
      expect(m.bayesian.chanceToWin).toBeGreaterThan(0.95);
    }
    // The same readout as absolute differences: held-out subjects buy with probability 0.3 × 0.24 + 0.7 × 0.08 = 0.128,
    // so personalization adds 0.5 × 0.128 = 0.064 conversions per subject, and 20 × 0.064 = 1.28 of revenue and value.
    const abs = (await get(h.app, '/v1/holdout/results?placement=home&effect=absolute')).json();
    expect(abs.effect).toBe('absolute');
    for (const [name, truth] of [['conversion', 0.064], ['revenue', 1.28], ['value', 1.28]] as const) {
      const m = metric(abs, name);
      expect(m.frequentist.ci[0]).toBeLessThan(truth);
      expect(m.frequentist.ci[1]).toBeGreaterThan(truth);
      expect(m.sequential.ci[0]).toBeLessThan(truth);
      expect(m.sequential.ci[1]).toBeGreaterThan(truth);
    }
    // The whole log (every placement) is the same subjects here; a window before the first decision reads nothing.
    expect((await get(h.app, '/v1/holdout/results')).json().units).toEqual(r.units);
    expect((await get(h.app, '/v1/holdout/results?to=2000-01-01T00:00:00Z')).json().units).toEqual({ holdout: 0, personalized: 0 });
  });

  it("flags a sample ratio mismatch when the observed holdout share is far from the policy's", async () => {
    h = await harness('sqlite', { config: measureShop({ holdout: 0.2 }) });
    // 40% of the holdout's decisions are lost before logging: about 12% of the subjects are held out, not 20%.
    await simulateExperiment(h.tact, { subjects: 2000, seed: 5, treated: 'treatment', lift: 0, keep: (arm, rng) => arm !== 'holdout' || rng() < 0.6 });
    const r = (await get(h.app, '/v1/holdout/results?placement=home')).json();
    expect(r.readout.srm.chiSquare).toBeCloseTo(pearson(r.units.holdout, r.units.personalized, 0.2), 10);
    expect(r.readout.srm.mismatch).toBe(true);
    expect(r.readout.warnings[0]).toMatch(/^Sample ratio mismatch/);
  });

  it('checks against the share in force at each subject\'s first decision, not the latest one (holdout-history.test.ts: a share changed mid-window)', async () => {
    h = await harness('sqlite', { config: measureShop({ holdout: 0.2 }) });
    await simulateExperiment(h.tact, { subjects: 1500, seed: 8, treated: 'treatment', lift: 0 });
    expect((await get(h.app, '/v1/holdout/results')).json().readout.srm.mismatch).toBe(false);
    const config = measureShop({ holdout: 0.05 });
    await h.tact.applyDocument('policy', config.policy, { author: 'test', reason: 'smaller holdout' });
    const r = (await get(h.app, '/v1/holdout/results')).json();
    expect(r.holdout.share).toBe(0.05);
    // Every subject was decided under 20%: until 2026-12-04 this expected 5% (75 : 1425) and called a mismatch.
    expect(r.readout.srm.expected[0]).toBeCloseTo(300, 9);
    expect(r.readout.srm.expected[1]).toBeCloseTo(1200, 9);
    expect(r.readout.srm.mismatch).toBe(false);
    // No subject was decided under the new share: nothing is pooled, nothing to warn of.
    expect(r.readout.warnings.filter((w: string) => /share|salt/.test(w))).toEqual([]);
  });

  it('leaves out recommendation placements, which never apply the holdout', async () => {
    const shop = measureShop({ holdout: 0.5 });
    const recsPlacement = { id: 'recs', name: 'Recommended for you', channel: 'web', kind: 'recommendation' };
    h = await harness('sqlite', { config: { ...shop, catalog: { ...shop.catalog, placements: [...shop.catalog.placements, recsPlacement] } } });
    for (let i = 0; i < 200; i++) {
      await h.tact.decide.decider.decide({ subject: `r${i}`, placement: 'recs' });
      await h.tact.decide.decider.decide({ subject: `r${i}`, placement: 'home' });
    }
    const r = (await get(h.app, '/v1/holdout/results')).json();
    expect(r.decisions).toBe(200);
    expect(r.crossovers).toBe(0);
    expect(r.units.holdout).toBeGreaterThan(0);
    expect(r.units.holdout + r.units.personalized).toBe(200);
    const recs = await get(h.app, '/v1/holdout/results?placement=recs');
    expect(recs.statusCode).toBe(400);
    expect(recs.json().problems[0].field).toBe('querystring.placement');
  });

  it('reads a placement since removed from the catalog: its log is kept', async () => {
    const shop = measureShop({ holdout: 0.5 });
    const side = { id: 'side', name: 'Side panel', channel: 'web', slots: 1, safeDefault: 'newsletter' };
    h = await harness('sqlite', { config: { ...shop, catalog: { ...shop.catalog, placements: [...shop.catalog.placements, side] } } });
    for (let i = 0; i < 40; i++) await h.tact.decide.decider.decide({ subject: `s${i}`, placement: 'side' });
    await h.tact.applyDocument('catalog', shop.catalog, { author: 'test', reason: 'side panel retired' });
    const r = await get(h.app, '/v1/holdout/results?placement=side');
    expect(r.statusCode).toBe(200);
    expect(r.json().decisions).toBe(40);
  });

  it('reads the same readout from PostgreSQL as from SQLite', async () => {
    const readouts = [];
    for (const kind of ['sqlite', 'postgres'] as const) {
      h = await harness(kind, { config: measureShop({ holdout: 0.2 }) });
      await simulateExperiment(h.tact, { subjects: 400, seed: 4, treated: 'treatment', lift: 0.5 });
      const r = (await get(h.app, '/v1/holdout/results')).json();
      readouts.push({ units: r.units, decisions: r.decisions, metrics: r.readout.metrics, srm: r.readout.srm });
      await h.close();
      h = undefined;
    }
    expect(readouts[0].decisions).toBe(400);
    expect(readouts[1]).toEqual(readouts[0]);
  });

  it('answers 409 without a holdout, 400 naming `placement` (with the closest name) for an unknown one, and is in /openapi.json', async () => {
    h = await harness('sqlite', { config: measureShop() });
    const none = await get(h.app, '/v1/holdout/results');
    expect(none.statusCode).toBe(409);
    expect(none.json().message).toContain('holds no one out');
    await h.tact.applyDocument('policy', measureShop({ holdout: 0.1 }).policy, { author: 'test', reason: 'holdout' });
    // As off-policy evaluation answers (src/measure/policy-eval/evaluate.ts): a 400 whose problem names the field.
    const unknown = await get(h.app, '/v1/holdout/results?placement=nope');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().problems[0].field).toBe('querystring.placement');
    const typo = await get(h.app, '/v1/holdout/results?placement=hme');
    expect(typo.statusCode).toBe(400);
    expect(typo.json().problems[0]).toMatchObject({ field: 'querystring.placement', message: expect.stringContaining('did you mean `home`?') });
    expect((await get(h.app, '/v1/holdout/results?from=yesterday')).statusCode).toBe(400);
    const spec = (await get(h.app, '/openapi.json')).json();
    expect(Object.keys(spec.paths)).toContain('/v1/holdout/results');
    expect(spec.paths['/v1/holdout/results'].get.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['placement', 'from', 'to', 'preDays', 'alpha']));
  });
});
