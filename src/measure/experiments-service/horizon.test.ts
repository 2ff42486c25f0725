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

  it('without a plan, says there is none', async () => {
    h = await harness('sqlite', { config: measureShop({ experiments: experiment() }) });
    await decide(4);
    const r = (await get(h.app, '/v1/experiments/hero-test/results')).json();
    expect(r.horizon).toEqual({ plannedUnits: null, units: 4, reached: null });
  });
});
