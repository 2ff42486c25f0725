import { describe, expect, it } from 'vitest';
import {
  betaBinomialCdf,
  betaBinomialQuantile,
  betaBinomialSf,
  negativeBinomialCdf,
  negativeBinomialSf,
} from './predictive.js';

// Reference values: scipy 1.17.1 (scipy.stats.betabinom, scipy.stats.nbinom); the two far Beta-binomial
// tails from mpmath at 40 digits (scipy's betabinom.sf(9, 200, 20.5, 9980.5) = 1.2054e-10 is off by 2%;
// the direct sum of its own pmf gives 1.1826e-10, as mpmath does).
describe('predictive count distributions (scipy.stats.betabinom / nbinom)', () => {
  it('Beta-binomial CDF, far tails and quantiles', () => {
    expect(betaBinomialCdf(3, 50, 2.5, 97.5)).toBeCloseTo(0.9319971568159666, 11);
    const sf = betaBinomialSf(10, 200, 20.5, 9980.5);
    expect(Math.abs(sf - 1.1826048282971815e-10) / 1.1826048282971815e-10).toBeLessThan(1e-8);
    const lo = betaBinomialCdf(0, 1000, 300.5, 9700.5);
    expect(Math.abs(lo - 2.4008568679949685e-13) / 2.4008568679949685e-13).toBeLessThan(1e-8);
    expect(betaBinomialQuantile(0.0005, 1000, 300.5, 9700.5)).toBe(13);
    expect(betaBinomialQuantile(0.9995, 1000, 300.5, 9700.5)).toBe(50);
  });
  it('negative binomial CDF and survival', () => {
    expect(negativeBinomialCdf(80, 1200.5, 12 / 13)).toBeCloseTo(0.02682785757322923, 11);
    const sf = negativeBinomialSf(200, 1200.5, 12 / 13);
    expect(Math.abs(sf - 4.134997228410591e-17) / 4.134997228410591e-17).toBeLessThan(1e-7);
  });
});
