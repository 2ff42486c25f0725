import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, bearer, get, harness, type Harness } from '../../../test/harness.js';
import { measureShop } from '../simulation.js';

/** Waits for the clock's next millisecond, so a configuration change and a decision never share one. */
const nextMs = async () => {
  const t = Date.now();
  while (Date.now() <= t) await new Promise((r) => setTimeout(r, 1));
};

const policy = (holdout: { share: number; salt?: string } | undefined) => {
  const p: Record<string, unknown> = { ...measureShop().policy };
  if (holdout) p.holdout = holdout;
  return p;
};

describe('the global holdout whose share or salt changed inside the window', () => {
  let h: Harness | undefined;
  afterEach(async () => h?.close());

  const put = async (document: unknown, reason: string) => {
    await nextMs();
    const r = await h!.app.inject({ method: 'PUT', url: '/v1/config/policy', headers: { authorization: bearer(KEYS.admin) }, payload: { document, reason } });
    expect(r.statusCode, r.body).toBe(200);
    await nextMs();
    return r.json().createdAt as string;
  };
  const decide = async (prefix: string, n: number) => {
    for (let i = 0; i < n; i++) await h!.tact.decide.decider.decide({ subject: `${prefix}${i}`, placement: 'home' });
  };

  // The groups are drawn by hashing (src/measure's bucketHash of the salt and the unit), so the counts
  // below are fixed by the subject ids: 300 subjects at a 20% share, then 300 at 5%.
  // Reference values: scipy 1.17.1 —
  //   scipy.stats.chisquare([71, 529], f_exp=[0.05 * 600, 0.95 * 600])                        → (58.98245614035088, 1.5908405051634422e-14)
  //   scipy.stats.chisquare([71, 529], f_exp=[0.2 * 300 + 0.05 * 300, 0.8 * 300 + 0.95 * 300]) → (0.2438095238095238, 0.6214681139580822)
  it.each(['sqlite', 'postgres'] as const)('expects each subject under the share in force at its first decision, lists the periods and warns of the change (%s)', async (kind) => {
    h = await harness(kind, { config: measureShop({ holdout: 0.2 }) });
    await decide('early-', 300);
    const changed = await put(policy({ share: 0.05, salt: 'global' }), 'smaller holdout');
    await decide('late-', 300);
    const r = (await get(h.app, '/v1/holdout/results')).json();
    expect(r.units).toEqual({ holdout: 71, personalized: 529 });
    expect(r.holdout).toEqual({ share: 0.05, salt: 'global' });
    // Against 5% alone, χ² = 59.0 (p = 1.6e−14): a false mismatch. Against each period's share it fits.
    expect(r.readout.srm.expected[0]).toBeCloseTo(0.2 * 300 + 0.05 * 300, 9);
    expect(r.readout.srm.chiSquare).toBeCloseTo(0.2438095238095238, 10);
    expect(r.readout.srm.pValue).toBeCloseTo(0.6214681139580822, 10);
    expect(r.readout.srm.mismatch).toBe(false);
    expect(r.readout.warnings.filter((w: string) => w.startsWith('Sample ratio mismatch'))).toEqual([]);
    expect(r.periods.map((p: { share: number; salt: string; to: string | null; units: Record<string, number> }) => [p.share, p.salt, p.units.holdout + p.units.personalized])).toEqual([
      [0.2, 'global', 300],
      [0.05, 'global', 300],
    ]);
    expect(r.periods[1].from).toBe(changed);
    expect(r.periods[0].to).toBe(changed);
    expect(r.periods[1].to).toBeNull();
    const note = r.readout.warnings.find((w: string) => w.includes('share of the global holdout changed'));
    expect(note, r.readout.warnings.join('\n')).toMatch(/20% from .* then 5% from/);
    expect(note).toContain(`&to=${changed}`);
    expect(note).toContain(`from=${changed}`);
  });

  it('warns of a salt change (everyone re-drawn) and of a holdout set up inside the window', async () => {
    h = await harness('sqlite', { config: measureShop() });
    await decide('a-', 50);
    const started = await put(policy({ share: 0.2, salt: 'global' }), 'holdout on');
    await decide('b-', 50);
    const resalted = await put(policy({ share: 0.2, salt: 'again' }), 'new salt');
    await decide('c-', 50);
    const r = (await get(h.app, '/v1/holdout/results')).json();
    expect(r.periods.map((p: { share: number; salt: string | null; from: string }) => [p.share, p.salt, p.from])).toEqual([
      [0, null, expect.any(String)],
      [0.2, 'global', started],
      [0.2, 'again', resalted],
    ]);
    expect(r.periods[0].units).toEqual({ holdout: 0, personalized: 50 });
    // Expected: 50 × 0 + 100 × 0.2 held out.
    expect(r.readout.srm.expected[0]).toBeCloseTo(20, 9);
    const text = r.readout.warnings.join('\n');
    expect(text).toMatch(/The salt of the global holdout changed/);
    expect(text).toMatch(/no global holdout from .* then 20% from/);
    expect(text).toContain(`from=${resalted}`);
  });

  it('reads a holdout ended since (share 0) for the window it ran in; a window without one is a 409 (until 2026-12-05 every read was)', async () => {
    h = await harness('sqlite', { config: measureShop({ holdout: 0.2 }) });
    await decide('a-', 60);
    const ended = await put(policy({ share: 0, salt: 'global' }), 'holdout ended');
    const before = await get(h.app, `/v1/holdout/results?to=${encodeURIComponent(ended)}`);
    expect(before.statusCode, before.body).toBe(200);
    expect(before.json().units.holdout + before.json().units.personalized).toBe(60);
    await decide('b-', 10);
    const after = await get(h.app, `/v1/holdout/results?from=${encodeURIComponent(new Date(Date.parse(ended) + 1).toISOString())}`);
    expect(after.statusCode, after.body).toBe(409);
    expect(after.json().message).toContain('holds no one out');
  });

  it('says nothing of a holdout that did not change', async () => {
    h = await harness('sqlite', { config: measureShop({ holdout: 0.2 }) });
    await decide('a-', 30);
    const r = (await get(h.app, '/v1/holdout/results')).json();
    expect(r.periods).toHaveLength(1);
    expect(r.readout.warnings.filter((w: string) => /share|salt/.test(w))).toEqual([]);
  });
});
