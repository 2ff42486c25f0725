import { afterEach, describe, expect, it } from 'vitest';
import { get, harness, type Harness } from '../../../test/harness.js';
import { measureShop } from '../simulation.js';

const experiment = (extra: Record<string, unknown> = {}) => ({ 'hero-test': { placement: 'home', arms: [{ id: 'control', weight: 0.5 }, { id: 'treat', weight: 0.5 }], ...extra } });

describe('the planned horizon of an experiment', () => {
  let h: Harness | undefined;
  afterEach(async () => h?.close());
  const decide = async (n: number) => {
    for (let i = 0; i < n; i++) await h!.tact.decide.decider.decide({ subject: `s${i}`, placement: 'home' });
  };

  it.each(['sqlite', 'postgres'] as const)('says the fixed-horizon results are not valid yet when read before the planned units (%s)', async (kind) => {
    h = await harness(kind, { config: measureShop({ experiments: experiment({ plannedUnits: 50 }) }) });
    await decide(30);
    const early = (await get(h.app, '/v1/experiments/hero-test/results')).json();
    expect(early.horizon).toEqual({ plannedUnits: 50, units: 30, reached: false });
    expect(early.readout.warnings).toContainEqual(expect.stringMatching(/^"hero-test" has 30 of its planned 50 units: the fixed-horizon p-values and intervals \(`frequentist`\) are valid only once the plan is reached/));
    await decide(60);
    const done = (await get(h.app, '/v1/experiments/hero-test/results')).json();
    expect(done.horizon).toEqual({ plannedUnits: 50, units: 60, reached: true });
    expect(done.readout.warnings.filter((w: string) => w.includes('planned'))).toEqual([]);
  });

  // The arms are drawn by hashing the subject ids, so the split is fixed: 51 in control, 49 in treat; 2 of
  // control's and 12 of treat's first subjects convert. Reference values: scipy 1.17.1 — Newcombe's score
  // interval of the difference from scipy.stats.binomtest(x, n).proportion_ci(0.95, method='wilson') is
  // [0.0699789874026936, 0.3445807877763358] (p, where its lower limit is 0 by scipy.optimize.brentq:
  // 0.004327273166770281); the always-valid interval (arXiv 2103.06476 eq. 161, tuning 5000, Agresti–Caffo
  // variances, evaluated in numpy 2.4) is [−0.2548021861977713, 0.6661667320160987]: it holds 0.
  it.each(['sqlite', 'postgres'] as const)('at the planned look says so instead of warning of peeking; well past it, warns of a later look (%s)', async (kind) => {
    h = await harness(kind, { config: measureShop({ experiments: experiment({ plannedUnits: 100 }) }) });
    await decide(100);
    const logged = await h.tact.store.measure.decisionsPage({ placement: 'home', limit: 1000 });
    const byArm = (arm: string) => logged.filter((d) => d.experiment?.arm === arm).map((d) => d.profileKey);
    const [control, treat] = [byArm('control'), byArm('treat')];
    expect([control.length, treat.length]).toEqual([51, 49]);
    const buy = (keys: string[]) => h!.tact.decide.outcomes.record(keys.map((k) => ({ id: `${k}-buy`, at: Date.now(), type: 'conversion', value: 20, profileKey: k, source: 'api' as const })));
    await buy(control.slice(0, 2));
    await buy(treat.slice(0, 12));
    const conversion = (r: { readout: { warnings: string[] } }) => r.readout.warnings.filter((w) => w.startsWith('"treat" on conversion'));
    const at = (await get(h.app, '/v1/experiments/hero-test/results?effect=absolute')).json();
    expect(at.horizon).toEqual({ plannedUnits: 100, units: 100, reached: true });
    const conv = at.readout.metrics.find((m: { metric: string }) => m.metric === 'conversion');
    expect(conv.frequentist.ci[0]).toBeCloseTo(0.0699789874026936, 10);
    expect(conv.frequentist.pValue).toBeCloseTo(0.004327273166770281, 8);
    expect(conv.sequential.ci[0]).toBeCloseTo(-0.2548021861977713, 10);
    expect(conversion(at)).toEqual([expect.stringMatching(/^"treat" on conversion: this is the planned look \(100 units, the plan 100\)/)]);
    // The same data against a plan of 80 units: 25% past it, a later look.
    await h.tact.applyDocument('experiments', experiment({ plannedUnits: 80 }), { author: 'test', reason: 'smaller plan' });
    const later = (await get(h.app, '/v1/experiments/hero-test/results?effect=absolute')).json();
    expect(conversion(later)).toEqual([expect.stringContaining('is 25% past the planned 80: it is a later look than the planned one')]);
  });

  it('without a plan, says there is none', async () => {
    h = await harness('sqlite', { config: measureShop({ experiments: experiment() }) });
    await decide(4);
    const r = (await get(h.app, '/v1/experiments/hero-test/results')).json();
    expect(r.horizon).toEqual({ plannedUnits: null, units: 4, reached: null });
  });
});
