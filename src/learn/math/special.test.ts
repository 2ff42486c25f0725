import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FAST_NORMAL_CDF_ERROR, fastNormalCdf } from './normal-table.js';
import { erfc, lnBeta, lnGamma, logit, normalCdf, normalQuantile, sigmoid } from './special.js';

describe('lnGamma', () => {
  it('matches closed forms: Γ(½) = √π and Γ(n) = (n−1)!', () => {
    expect(lnGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 13);
    let f = 1;
    for (let n = 2; n <= 20; n++) {
      f *= n - 1;
      expect(lnGamma(n)).toBeCloseTo(Math.log(f), 10);
    }
    expect(lnBeta(2, 3)).toBeCloseTo(Math.log(1 / 12), 13); // B(2,3) = 1!·2!/4! = 1/12
  });
});

describe('erfc and the normal distribution', () => {
  it('matches tabulated values (Abramowitz & Stegun, Table 7.1; R pnorm/qnorm)', () => {
    expect(1 - erfc(0.5)).toBeCloseTo(0.520499877813047, 14);
    expect(1 - erfc(1)).toBeCloseTo(0.842700792949715, 14);
    expect(erfc(2)).toBeCloseTo(0.004677734981047266, 16);
    expect(erfc(5) / 1.537459794428035e-12).toBeCloseTo(1, 12);
    expect(erfc(-1)).toBeCloseTo(1.842700792949715, 14);
    expect(normalCdf(1.96)).toBeCloseTo(0.9750021048517795, 14);
    expect(normalCdf(-1)).toBeCloseTo(0.15865525393145707, 14);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 13);
    expect(normalQuantile(0.95)).toBeCloseTo(1.6448536269514722, 13);
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 10);
    expect(normalQuantile(0)).toBe(-Infinity);
  });

  it('quantile inverts the CDF (property)', () => {
    fc.assert(fc.property(fc.double({ min: 1e-12, max: 1 - 1e-12, noNaN: true }), (p) => Math.abs(normalCdf(normalQuantile(p)) - p) <= 1e-13 + 1e-12 * p));
  });

  it('the tabulated CDF stays within its stated error bound of Cody’s erfc on a dense grid', () => {
    let worst = 0;
    for (let z = -10; z <= 10; z += 0.000731) worst = Math.max(worst, Math.abs(fastNormalCdf(z) - normalCdf(z)));
    expect(worst).toBeLessThan(FAST_NORMAL_CDF_ERROR);
  });
});

describe('logistic helpers', () => {
  it('sigmoid and logit are inverse and stable', () => {
    expect(sigmoid(0)).toBe(0.5);
    expect(sigmoid(-800)).toBe(0);
    expect(sigmoid(800)).toBe(1);
    fc.assert(fc.property(fc.double({ min: -15, max: 15, noNaN: true }), (x) => Math.abs(logit(sigmoid(x)) - x) < 1e-8 * (1 + Math.abs(x))));
  });
});
