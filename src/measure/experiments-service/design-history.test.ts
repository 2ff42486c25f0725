import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, bearer, get, harness, type Harness } from '../../../test/harness.js';
import { measureShop } from '../simulation.js';
import { type DesignPeriod, designWarnings } from './design-history.js';

const experiment = (weights: [number, number], extra: Record<string, unknown> = {}) => ({
  'hero-test': { placement: 'home', arms: [{ id: 'control', weight: weights[0] }, { id: 'treat', weight: weights[1] }], ...extra },
});

/** Waits for the clock's next millisecond, so a configuration change and a decision never share one. */
const nextMs = async () => {
  const t = Date.now();
  while (Date.now() <= t) await new Promise((r) => setTimeout(r, 1));
};

describe('an experiment read over a window before it existed', () => {
  let h: Harness | undefined;
  afterEach(async () => h?.close());

  it('has no period and no unit, not a "running" period from the window\'s start', async () => {
    h = await harness('sqlite', { config: measureShop({ experiments: experiment([0.5, 0.5]) }) });
    for (let i = 0; i < 20; i++) await h.tact.decide.decider.decide({ subject: `s${i}`, placement: 'home' });
    const before = (await get(h.app, '/v1/experiments/hero-test/results?to=2020-01-01T00:00:00Z')).json();
    expect(before.periods).toEqual([]);
    expect(before.units).toEqual({ control: 0, treat: 0 });
    const now = (await get(h.app, '/v1/experiments/hero-test/results')).json();
    expect(now.periods).toHaveLength(1);
    expect(Date.parse(now.periods[0].from)).toBeGreaterThan(Date.parse('2026-01-01T00:00:00Z'));
  });
});

describe('an experiment whose design changed mid-flight', () => {
  let h: Harness | undefined;
  afterEach(async () => h?.close());

  const put = async (document: unknown, reason: string) => {
    await nextMs();
    const r = await h!.app.inject({ method: 'PUT', url: '/v1/config/experiments', headers: { authorization: bearer(KEYS.admin) }, payload: { document, reason } });
    expect(r.statusCode, r.body).toBe(200);
    await nextMs();
    return r.json().createdAt as string;
  };
  /** Decides for subjects `prefix0…`; a share `rate` of them convert after it (the same in both arms: no effect). */
  const decide = async (prefix: string, n: number, rate: number) => {
    for (let i = 0; i < n; i++) {
      const d = await h!.tact.decide.decider.decide({ subject: `${prefix}${i}`, placement: 'home' });
      if (i < n * rate) await h!.tact.decide.outcomes.record([{ id: `${prefix}${i}-buy`, at: Date.now(), type: 'conversion', value: 20, profileKey: d.profileKey ?? `anon:${prefix}${i}`, source: 'api' }]);
    }
  };

  it.each(['sqlite', 'postgres'] as const)('checks the sample ratio against the weights each unit was exposed under, and warns that pooling the periods can mislead (Simpson) (%s)', async (kind) => {
    h = await harness(kind, { config: measureShop({ experiments: experiment([0.9, 0.1]) }) });
    // 300 subjects at 90/10, then 300 more at 50/50: about 420 against 180 in all.
    await decide('early-', 300, 0.05);
    const changed = await put(experiment([0.5, 0.5]), 'ramp up');
    await decide('late-', 300, 0.3);
    const r = (await get(h.app, '/v1/experiments/hero-test/results')).json();
    expect(r.units.control + r.units.treat).toBe(600);
    // The arms are drawn by hashing the subject ids, so the split is fixed: 411 : 189. Reference values: scipy 1.17.1 —
    //   scipy.stats.chisquare([411, 189], f_exp=[300, 300])                                  → (82.14, 1.267806892506921e-19): a false alarm;
    //   scipy.stats.chisquare([411, 189], f_exp=[0.9 * 300 + 0.5 * 300, 0.1 * 300 + 0.5 * 300]) → (0.6428571428571429, 0.4226780741706353).
    expect(r.units).toEqual({ control: 411, treat: 189 });
    expect(r.readout.srm.chiSquare).toBeCloseTo(0.6428571428571429, 10);
    expect(r.readout.srm.pValue).toBeCloseTo(0.4226780741706353, 10);
    expect(r.readout.srm.mismatch, JSON.stringify(r.readout.srm)).toBe(false);
    const early = r.periods[0].units.control + r.periods[0].units.treat;
    expect(early).toBe(300);
    expect(r.readout.srm.expected[0]).toBeCloseTo(0.9 * early + 0.5 * (600 - early), 6);
    expect(r.periods.map((p: { from: string; status: string; arms: { weight: number }[] }) => [p.status, p.arms.map((a) => a.weight)])).toEqual([
      ['running', [0.9, 0.1]],
      ['running', [0.5, 0.5]],
    ]);
    expect(r.periods[1].from).toBe(changed);
    // No arm does anything, but conversion rose from 5% to 30% as treat's share rose: pooled, treat looks better.
    const conv = r.readout.metrics.find((m: { metric: string }) => m.metric === 'conversion');
    expect(conv.treatment.mean).toBeGreaterThan(conv.control.mean * 1.5);
    expect(r.readout.warnings.join('\n')).toMatch(/weights of "hero-test" changed .*Simpson/);
    expect(r.readout.warnings.join('\n')).toContain(`from=${changed}`);
  });

  it('warns when the experiment was stopped and restarted inside the window', async () => {
    h = await harness('sqlite', { config: measureShop({ experiments: experiment([0.5, 0.5]) }) });
    await decide('a-', 20, 0.1);
    const stopped = await put(experiment([0.5, 0.5], { status: 'stopped' }), 'pause');
    const restarted = await put(experiment([0.5, 0.5]), 'resume');
    await decide('b-', 20, 0.1);
    const r = (await get(h.app, '/v1/experiments/hero-test/results')).json();
    expect(r.periods.map((p: { status: string }) => p.status)).toEqual(['running', 'stopped', 'running']);
    expect(r.readout.warnings.join('\n')).toContain(`stopped from ${stopped} to ${restarted}`);
  });

  it('says the experiment was absent from the configuration for a while, not that its unchanged weights changed', async () => {
    h = await harness('sqlite', { config: measureShop({ experiments: experiment([0.5, 0.5]) }) });
    await decide('a-', 20, 0.1);
    const removed = await put({}, 'remove');
    await new Promise((r) => setTimeout(r, 25));
    const added = await put(experiment([0.5, 0.5]), 'add again');
    await decide('b-', 20, 0.1);
    const r = (await get(h.app, '/v1/experiments/hero-test/results')).json();
    expect(r.periods.map((p: { to: string | null; arms: { weight: number }[] }) => [p.to, p.arms.map((a) => a.weight)])).toEqual([[removed, [0.5, 0.5]], [null, [0.5, 0.5]]]);
    const warnings = r.readout.warnings.join('\n');
    expect(warnings).not.toMatch(/weights/);
    expect(warnings).toContain(`"hero-test" was absent from the experiments configuration from ${removed} to ${added}`);
    expect(warnings).toContain(`from=${added}`);
  });

  it('says nothing of a design that did not change', async () => {
    h = await harness('sqlite', { config: measureShop({ experiments: experiment([0.5, 0.5]) }) });
    await decide('a-', 20, 0.1);
    const r = (await get(h.app, '/v1/experiments/hero-test/results')).json();
    expect(r.periods).toHaveLength(1);
    expect(r.readout.warnings.filter((w: string) => /weights|stopped/.test(w))).toEqual([]);
  });
});

describe('designWarnings', () => {
  const t = (m: number) => Date.parse('2026-12-05T10:00:00.000Z') + m * 60_000;
  const period = (from: number, to: number | undefined, weights: [number, number]): DesignPeriod => ({
    from: t(from), ...(to === undefined ? {} : { to: t(to) }), status: 'running', salt: 'hero-test', arms: [{ id: 'control', weight: weights[0] }, { id: 'treat', weight: weights[1] }], units: {},
  });

  it('names a gap between two periods as an absence, with its times, and a weights change only when the weights differ', () => {
    const absent = designWarnings('hero-test', [period(0, 10, [0.5, 0.5]), period(12, undefined, [0.5, 0.5])]);
    expect(absent).toEqual([expect.stringMatching(/^"hero-test" was absent from the experiments configuration from 2026-12-05T10:10:00.000Z to 2026-12-05T10:12:00.000Z \(removed, then added again\): no unit was assigned to its arms then/)]);
    const reweighted = designWarnings('hero-test', [period(0, 10, [0.9, 0.1]), period(12, undefined, [0.5, 0.5])]);
    expect(reweighted).toEqual([expect.stringMatching(/^The arms' weights of "hero-test" changed/), expect.stringMatching(/was absent from the experiments configuration/)]);
    // Weights that differ past the third digit read differently too (it said "50% … then 50%").
    const slight = designWarnings('hero-test', [period(0, 10, [0.5, 0.5]), period(10, undefined, [0.5005, 0.4995])]);
    expect(slight).toEqual([expect.stringContaining('(control 50% / treat 50% from 2026-12-05T10:00:00.000Z; then control 50.05% / treat 49.95% from 2026-12-05T10:10:00.000Z)')]);
    // Back to back: a change of design, not an absence.
    expect(designWarnings('hero-test', [period(0, 10, [0.9, 0.1]), period(10, undefined, [0.5, 0.5])])).toEqual([expect.stringMatching(/^The arms' weights/)]);
  });
});
