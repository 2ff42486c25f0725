import { describe, expect, it } from 'vitest';
import { fitLoggedArms, ipsWeights, upliftOf } from './logged-uplift.js';
import { upliftEstimate } from './uplift-estimate.js';

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

/**
 * Intercept-only log of two arms, each `[rows, positives]`: "none" from the holdout (propensity
 * 1), the action shown with propensity ½.
 */
function counts(none: [number, number], action: [number, number]) {
  const rows: { arm: number; y: number; p: number }[] = [];
  for (const [arm, [n, k]] of [none, action].entries()) for (let i = 0; i < n; i++) rows.push({ arm, y: i < k ? 1 : 0, p: arm === 0 ? 1 : 0.5 });
  return { X: new Float64Array(rows.length).fill(1), d: 1, arm: Int32Array.from(rows, (r) => r.arm), y: Float64Array.from(rows, (r) => r.y), propensity: Float64Array.from(rows, (r) => r.p), arms: 2 };
}

/** The trainer's fit (λ = 10, weights clipped at 50, 30 rows an arm) and the 90% estimate a decision reads, established at width 0.05 (the policy's default). */
function estimated(none: [number, number], action: [number, number]) {
  const arms = fitLoggedArms(counts(none, action), { lambda: 10, maxWeight: 50, minRows: 30 });
  const model = upliftOf(arms[0]!, arms[1]!);
  return upliftEstimate(model, [1], 1, { level: 0.9, evidence: none[0] + action[0], establishedWhen: { maxWidth: 0.05 }, modelVersion: 'uplift@1', updatedAt: null });
}

/**
 * The references, computed here. Agresti & Caffo (2000): the variance of a rate of n rows with one
 * success and one failure added, q(1 − q)/(n + 2) with q = (k + 1)/(n + 2). Clopper & Pearson (1934)
 * exact two-sided interval at level 1 − α, in closed form at the edges: for k = n it is
 * [(α/2)^(1/n), 1], for k = 0 [0, 1 − (α/2)^(1/n)] (the Beta(k, n − k + 1) quantile with k = n, and
 * its mirror) — 43 of 43 gives [0.9327, 1], 0 of 40 [0, 0.0722].
 */
const agrestiCaffo = (n: number, k: number) => {
  const q = (k + 1) / (n + 2);
  return (q * (1 - q)) / (n + 2);
};
const exactWidth = (n: number) => 1 - 0.05 ** (1 / n);
const Z90 = 1.6448536269514722;

describe('the uplift\'s interval when an arm\'s rows all failed or all succeeded (separation)', () => {
  it('43 of 43 against 57 of 57: an interval as wide as two rates of that many rows, learning', () => {
    const e = estimated([57, 57], [43, 43]);
    // The fit separates (both rates → 1): the sandwich's meat Σ w²(y − p)²xxᵀ and the delta
    // method's (p(1 − p))² go to 0. Until 2026-12-05 the interval was [−2.3e-13, −2.1e-13], "established".
    expect(Math.abs(e.value)).toBeLessThan(1e-9);
    expect(e.high - e.low).toBeCloseTo(2 * Z90 * Math.sqrt(agrestiCaffo(43, 43) + agrestiCaffo(57, 57)), 6);
    expect(e.high - e.low).toBeCloseTo(0.0910, 4);
    // Wider than the exact 90% interval of either rate alone ([0.933, 1] for 43 of 43).
    expect(e.high - e.low).toBeGreaterThan(exactWidth(43));
    expect(e.status).toBe('learning');
  });

  it('no conversion in 40 rows against 10 in 1,000: not an established loss of 1%', () => {
    const e = estimated([1000, 10], [40, 0]);
    expect(e.value).toBeCloseTo(-0.01, 6);
    // The action's rate is known only to lie in [0, 0.072] (exact 90%); until 2026-12-05 its
    // interval was that of "none" alone, about ±0.5%, and it never beat "none" again.
    expect(e.high).toBeGreaterThan(0);
    expect(e.high - e.low).toBeGreaterThan(exactWidth(40));
    expect(e.status).toBe('learning');
  });

  it('leaves the interval of arms that did not separate as the delta method gives it', () => {
    // 100 of 400 against 200 of 400, unweighted within each arm: the Wald variances p(1 − p)/n.
    const e = estimated([400, 100], [400, 200]);
    expect(e.value).toBeCloseTo(0.25, 9);
    expect((e.high - e.low) / (2 * Z90)).toBeCloseTo(Math.sqrt(0.25 * 0.75 / 400 + 0.5 * 0.5 / 400), 9);
  });
});
