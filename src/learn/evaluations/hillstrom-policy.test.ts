import { describe, expect, it } from 'vitest';
import { BUDGETS, curve, unseenGaps, zeroEventUpper } from './hillstrom-policy.js';

describe('zeroEventUpper: the exact bound of a rate after no event', () => {
  it('is the Clopper–Pearson limit at x = 0, and about 3/m at 95% one-sided', () => {
    // Clopper & Pearson (1934): 0 of 10 has the 95% two-sided interval [0, 0.3085] (one-sided 0.025 above).
    expect(zeroEventUpper(10, 0.025)).toBeCloseTo(0.3085, 4);
    // The rule of three (Hanley & Lippman-Hand 1983, JAMA 249:1743): 0 of m, 95% one-sided, ≈ 3/m.
    expect(zeroEventUpper(300, 0.05)).toBeCloseTo(3 / 300, 3);
    expect(zeroEventUpper(0, 0.05)).toBe(1);
  });
});

describe('unseenGaps: what the bootstrap cannot resample between a policy and the best single arm', () => {
  // 900 customers, logged arms 0/1/2 in turn; the men's e-mail only (arm 1), its uplift falling
  // with the row, so a budget b e-mails the first b·900 rows. Conversions on every 7th row, none
  // past row 810: the 90% policy differs from e-mailing everyone only where nobody converted.
  const n = 900;
  const arm = Int32Array.from({ length: n }, (_, i) => i % 3);
  const y = Float64Array.from({ length: n }, (_, i) => (i < 810 && i % 7 === 0 ? 1 : 0));
  const uplifts = new Float64Array(n * 3);
  for (let i = 0; i < n; i++) uplifts.set([0, (n - i) / n, -Infinity], i * 3);
  const c = curve(uplifts, arm, y, 1);

  it('bounds both sides of the 90% gap exactly (0 of 30 on each), and leaves the budgets with conversions to the bootstrap', () => {
    const gaps = unseenGaps(c, arm, y, 1, 1);
    expect(BUDGETS[8]).toBe(0.9);
    // The sample itself says the 90% policy and the best arm are worth the same: what made the interval a point.
    expect(c.policies[8]).toEqual(c.best);
    // Rows 810–899 (a tenth of the customers); 30 of them logged with arm 1, 30 with arm 0; each side at α/4.
    const bound = 0.1 * zeroEventUpper(30, 0.0125);
    expect(gaps[8].up).toBeCloseTo(bound, 12);
    expect(gaps[8].down).toBeCloseTo(bound, 12);
    expect(bound).toBeGreaterThan(0.01);
    for (let j = 0; j < 8; j++) expect(gaps[j]).toEqual({ up: 0, down: 0 });
    // The outcome's ceiling scales the bound (spend: its largest amount).
    expect(unseenGaps(c, arm, y, 1, 250)[8].up).toBeCloseTo(250 * bound, 9);
  });
});
