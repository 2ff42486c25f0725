import { describe, expect, it } from 'vitest';
import { fitLoggedArms, ipsWeights, upliftOf } from './logged-uplift.js';

/**
 * A confounded log built by hand: subjects with x = 1 got the action with probability 0.8, those
 * with x = 0 with 0.2. The true goal rates: none 0.1 for everyone; the action 0.3 where x = 1 and
 * 0.1 where x = 0 — so over the (equal-sized) population the action's rate is 0.2 and its uplift
 * 0.1, while the naive treated mean is 0.26. An intercept-only logistic model's score equation
 * Σ wᵢ(yᵢ − p) = 0 gives p = Σ wᵢyᵢ / Σ wᵢ: with weights 1/propensity that is the Horvitz–Thompson
 * (Hájek) mean of the arm (Horvitz & Thompson 1952; Hájek 1971), i.e. exactly the population rate.
 */
function confounded(withFeature: boolean) {
  const rows: { x: number; arm: number; y: number; p: number }[] = [];
  const add = (n: number, x: number, arm: number, positives: number, p: number) => {
    for (let i = 0; i < n; i++) rows.push({ x, arm, y: i < positives ? 1 : 0, p });
  };
  add(800, 1, 1, 240, 0.8); // treated, x = 1: 30%
  add(200, 0, 1, 20, 0.2); // treated, x = 0: 10%
  add(200, 1, 0, 20, 0.2); // none, x = 1: 10%
  add(800, 0, 0, 80, 0.8); // none, x = 0: 10%
  const d = withFeature ? 2 : 1;
  return {
    X: Float64Array.from(rows.flatMap((r) => (withFeature ? [1, r.x] : [1]))),
    d,
    arm: Int32Array.from(rows.map((r) => r.arm)),
    y: Float64Array.from(rows.map((r) => r.y)),
    propensity: Float64Array.from(rows.map((r) => r.p)),
    arms: 2,
  };
}

describe('uplift from a logged (confounded) decision log', () => {
  it('weights by inverse propensity, normalised to mean 1 within the rows, clipped', () => {
    const w = ipsWeights([0.5, 0.25, 0.01], [0, 1, 2], 10);
    expect([...w]).toEqual([2 * (3 / 16), 4 * (3 / 16), 10 * (3 / 16)]);
  });

  it('recovers the population uplift (0.1) where the naive treated-vs-none difference says 0.16', () => {
    const arms = fitLoggedArms(confounded(false), { lambda: 0, maxWeight: 100, minRows: 10 });
    const m = upliftOf(arms[0]!, arms[1]!);
    expect(m.outcomes([1])[1]).toBeCloseTo(0.2, 8);
    expect(m.outcomes([1])[0]).toBeCloseTo(0.1, 8);
    expect(m.uplift([1])[1]).toBeCloseTo(0.1, 8);
    expect(arms[1]).toMatchObject({ rows: 1000, positives: 260 });
  });

  it('with the confounder as a feature, gives each group its own uplift (0.2 where x = 1, 0 where x = 0)', () => {
    const arms = fitLoggedArms(confounded(true), { lambda: 0, maxWeight: 100, minRows: 10 });
    const m = upliftOf(arms[0]!, arms[1]!);
    expect(m.uplift([1, 1])[1]).toBeCloseTo(0.2, 6);
    expect(m.uplift([1, 0])[1]).toBeCloseTo(0, 6);
    expect(m.upliftStandardError([1, 1])[1]).toBeGreaterThan(0);
  });

  it('leaves out an arm with too few rows', () => {
    expect(fitLoggedArms(confounded(false), { minRows: 1001 })).toEqual([null, null]);
  });
});
