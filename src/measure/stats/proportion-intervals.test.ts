import { describe, expect, it } from 'vitest';
import { NEWCOMBE_TABLE_II } from './newcombe-table.js';
import { clopperPearsonInterval, moverRatio, newcombeDifference, wilsonInterval } from './proportion-intervals.js';

const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
// Newcombe's tables use z = 1.95996.
const Z = 1.95996;

// Wilson's score interval, E. B. Wilson, "Probable inference, the law of succession, and statistical
// inference", JASA 22 (1927) 209–212: (2np + z² ± z√(z² + 4npq)) / (2(n + z²)).
describe('Wilson score interval', () => {
  it('has the closed forms at 0 and n successes: [0, z²/(n + z²)] and [n/(n + z²), 1]', () => {
    expect(wilsonInterval(0, 20, Z)).toEqual([0, (Z * Z) / (20 + Z * Z)]);
    const [lo, hi] = wilsonInterval(10, 10, Z);
    expect(lo).toBeCloseTo(10 / (10 + Z * Z), 14);
    expect(hi).toBe(1);
  });

  it('9/10: (18 + z² ± z√(z² + 3.6)) / (2(10 + z²))', () => {
    const [lo, hi] = wilsonInterval(9, 10, Z);
    expect(lo).toBeCloseTo((18 + Z * Z - Z * Math.sqrt(Z * Z + 3.6)) / (2 * (10 + Z * Z)), 14);
    expect(hi).toBeCloseTo((18 + Z * Z + Z * Math.sqrt(Z * Z + 3.6)) / (2 * (10 + Z * Z)), 14);
  });
});

// R. G. Newcombe, "Interval estimation for the difference between independent proportions: comparison
// of eleven methods", Statistics in Medicine 17 (1998) 873–890, Table II, method 10 (hybrid score):
// L = Δ − √((p1 − l1)² + (u2 − p2)²), U = Δ + √((u1 − p1)² + (p2 − l2)²) with Wilson limits (l, u).
// Each row was recomputed from that formula; four values in the brief for this change were not
// method 10's (56/70 − 48/80 is 0.2000, upper 0.3339, not 0.1833 and 0.3032; 6/7 − 2/7 is
// 0.0582 to 0.8062, not 0.0531 to 0.8338; 10/10 − 0/20 has lower 0.6791 and 10/10 − 0/10 0.6075:
// 0.7225 is the Wilson lower limit of 10/10 alone).
describe("Newcombe's hybrid score interval for p1 − p2 (Newcombe 1998, Table II, method 10)", () => {
  it.each(NEWCOMBE_TABLE_II)('%i/%i − %i/%i: %f [%f, %f]', (x1, n1, x2, n2, d, lo, hi) => {
    const r = newcombeDifference(x1, n1, x2, n2, Z);
    expect(r4(r.estimate)).toBe(d);
    expect(r.ci.map(r4)).toEqual([lo, hi]);
  });

  it('is never zero-width at zero counts, unlike Wald (0/200 − 0/200: ±z²/(200 + z²))', () => {
    const half = (Z * Z) / (200 + Z * Z);
    const r = newcombeDifference(0, 200, 0, 200, Z);
    expect(r.ci[0]).toBeCloseTo(-half, 14);
    expect(r.ci[1]).toBeCloseTo(half, 14);
  });
});

// MOVER-R (Donner & Zou, Stat Methods Med Res 21 (2012) 347–359; Newcombe, Stat Methods Med Res 25 (2016)
// 1774–1778): the ratio θ1/θ2's lower limit L is the root with θ1 − Lθ2 ≥ 0 of
// (θ1 − Lθ2)² = (θ1 − l1)² + L²(u2 − θ2)², the upper U the root with Uθ2 − θ1 ≥ 0 of
// (Uθ2 − θ1)² = (u1 − θ1)² + U²(θ2 − l2)² — method 10 applied to θ1 − Rθ2 = 0.
describe('MOVER-R interval for p1 / p2 from Wilson limits', () => {
  it.each([
    [56, 70, 48, 80],
    [16, 30, 14, 28],
    [3, 200, 1, 200],
    [0, 50, 4, 40],
    [60, 5000, 25, 5000],
  ])('%i/%i over %i/%i solves the defining equations', (x1, n1, x2, n2) => {
    const [t1, t2] = [x1 / n1, x2 / n2];
    const [l1, u1] = wilsonInterval(x1, n1, Z);
    const [l2, u2] = wilsonInterval(x2, n2, Z);
    const r = moverRatio(x1, n1, x2, n2, Z)!;
    expect(r.estimate).toBeCloseTo(t1 / t2, 12);
    const [L, U] = r.ci;
    expect(t1 - L * t2).toBeGreaterThanOrEqual(0);
    expect(U * t2 - t1).toBeGreaterThanOrEqual(0);
    expect((t1 - L * t2) ** 2).toBeCloseTo((t1 - l1) ** 2 + L * L * (u2 - t2) ** 2, 12);
    expect((U * t2 - t1) ** 2).toBeCloseTo((u1 - t1) ** 2 + U * U * (t2 - l2) ** 2, 12);
  });

  it('excludes 1 exactly when the difference interval excludes 0 (both from the same Wilson limits)', () => {
    for (const [x1, n1, x2, n2] of [[56, 70, 48, 80], [16, 30, 14, 28], [9, 100, 2, 100], [8, 100, 2, 100], [2, 100, 9, 100], [1, 5000, 12, 5000]]) {
      const ratio = moverRatio(x1, n1, x2, n2, Z)!.ci;
      const diff = newcombeDifference(x1, n1, x2, n2, Z).ci;
      expect(ratio[0] > 1, `${x1}/${n1} over ${x2}/${n2}`).toBe(diff[0] > 0);
      expect(ratio[1] < 1, `${x1}/${n1} over ${x2}/${n2}`).toBe(diff[1] < 0);
    }
  });

  it('is undefined over a zero denominator', () => {
    expect(moverRatio(3, 200, 0, 200, Z)).toBeNull();
  });
});

describe('clopperPearsonInterval', () => {
  it('gives the exact Beta-quantile limits (scipy.stats.beta.ppf, as R\'s binom.test)', () => {
    // scipy 1.x: beta.ppf(0.025, x, n − x + 1), beta.ppf(0.975, x + 1, n − x)
    const cases: [number, number, number, number][] = [
      [46, 10000, 0.003369687674692381, 0.00613104108261875],
      [69, 10000, 0.005372462839434917, 0.008724382584468312],
      [0, 20, 0, 0.1684334709830853],
      [20, 20, 0.8315665290169146, 1],
      [7, 30, 0.09933786495801974, 0.4228365229782195],
    ];
    for (const [x, n, lo, hi] of cases) {
      const [l, h] = clopperPearsonInterval(x, n, 0.95);
      expect(l, `${x}/${n}`).toBeCloseTo(lo, 10);
      expect(h, `${x}/${n}`).toBeCloseTo(hi, 10);
    }
  });
});
