import { describe, expect, it } from 'vitest';
import { calibrationCheck, rateCheck, volumeCheck } from './checks.js';
import { logGamma } from '../../maths/special.js';

/**
 * Closed-form bounds on a negative binomial's upper tail P(X ≥ k) (failures before the r-th success,
 * success probability p), in natural logs: P(X = k) ≤ P(X ≥ k) ≤ P(X = k) / (1 − ρ), where
 * ρ = (k + r)(1 − p) / (k + 1) is the ratio P(X = k + 1) / P(X = k), which falls with k for r > 1, so
 * the tail is below a geometric series (the pmf recurrence: Johnson, Kemp & Kotz, Univariate Discrete
 * Distributions, 3rd ed., §5.1). Checkable by hand.
 */
function nbTailLogBounds(k: number, r: number, p: number): [number, number] {
  const logPmf = logGamma(k + r) - logGamma(k + 1) - logGamma(r) + r * Math.log(p) + k * Math.log(1 - p);
  const rho = ((k + r) * (1 - p)) / (k + 1);
  return [logPmf, logPmf - Math.log(1 - rho)];
}

describe('monitor checks', () => {
  it('rate: a tripled unsubscribe rate on 1000 exposures is far outside the band; thin data is not enough evidence', () => {
    const r = rateCheck({ events: 30, trials: 1000 }, { events: 100, trials: 10_000 }, 0.001);
    expect(r.enoughEvidence).toBe(true);
    expect(r.pHigh).toBeLessThan(1e-5);
    expect(r.observed).toBeGreaterThan(r.expected.high);
    expect(rateCheck({ events: 3, trials: 20 }, { events: 100, trials: 10_000 }, 0.001).enoughEvidence).toBe(false);
  });
  it('rate: the band widens when the baseline is thin (its own uncertainty counts)', () => {
    const wide = rateCheck({ events: 10, trials: 1000 }, { events: 5, trials: 500 }, 0.001);
    const narrow = rateCheck({ events: 10, trials: 1000 }, { events: 1000, trials: 100_000 }, 0.001);
    expect(wide.expected.high - wide.expected.low).toBeGreaterThan(narrow.expected.high - narrow.expected.low);
  });
  it('volume: five times the usual hourly volume', () => {
    const v = volumeCheck(500, 168 * 100, 168, 0.001);
    expect(v.pHigh).toBeLessThan(1e-10);
    expect(v.expected.low).toBeLessThan(100);
    expect(v.expected.high).toBeGreaterThan(100);
  });
  it('volume: a far tail lies within its closed-form bounds, and an extreme one is below 1e-300', () => {
    // 400 against 100 an hour over 168 hours (r = 16800.5, p = 168/169): log P(X ≥ 400) within its bounds.
    const [lo, hi] = nbTailLogBounds(400, 16800.5, 168 / 169);
    const logP = Math.log(volumeCheck(400, 16800, 168, 0.001).pHigh);
    expect(logP).toBeGreaterThanOrEqual(lo - 1e-9);
    expect(logP).toBeLessThanOrEqual(hi + 1e-9);
    // 5,000 against 100 an hour over a day (r = 2400.5, p = 24/25): the true tail is below e^-6900, so a
    // report of "at most 1e-300" (monitor.ts's floor) is a true bound.
    expect(nbTailLogBounds(5000, 2400.5, 24 / 25)[1]).toBeLessThan(Math.log(1e-300));
  });
  it('calibration: a far upper tail keeps its precision (no 1 − Φ(z) cancellation)', () => {
    // 200 observed against Σp̂ = 100 with Σp̂(1 − p̂) = 100: z = 10. Mills-ratio bounds (Feller, An
    // Introduction to Probability Theory, vol. I, ch. VII, lemma 2): φ(z)(1/z − 1/z³) < 1 − Φ(z) < φ(z)/z,
    // with φ(10) = e^-50 / √(2π): 7.6177e-24 < pHigh < 7.6946e-24. Before: 1 − Φ(10) rounded to 0.
    const phi = Math.exp(-50) / Math.sqrt(2 * Math.PI);
    const r = calibrationCheck(200, 100, 0, 0.001);
    expect(r.pHigh).toBeGreaterThan(phi * (1 / 10 - 1 / 1000));
    expect(r.pHigh).toBeLessThan(phi / 10);
    // Symmetry: the lower tail at z = −10 is the same number.
    expect(calibrationCheck(0, 100, 0, 0.001).pLow / r.pHigh).toBeCloseTo(1, 12);
  });
  it('calibration: 60 observed against 100 predicted is a drift; 97 is not', () => {
    expect(calibrationCheck(60, 100, 5, 0.001).pLow).toBeLessThan(0.001);
    expect(calibrationCheck(97, 100, 5, 0.001).pLow).toBeGreaterThan(0.1);
  });
});

describe('a check fires exactly when its value leaves the band it prints', () => {
  // Each side fires at alpha (docs/monitors.md: alpha applies to each direction), so each side's
  // bound is its own 1 − alpha quantile. Until 2026-12-05 the band was the central 1 − alpha range:
  // QA's alert — 16 unsubscribes in 225 exposures against 14 in 628, p = 0.000986 (scipy
  // betabinom(225, 14.5, 614.5).sf(15)) — fired "above its expected band: 7.11% … expected
  // 0.00%–7.11%", the value on the band's top.
  it('a rate: the QA alert lies above its band, and over every count a high alert is a count above the band', () => {
    const qa = rateCheck({ events: 16, trials: 225 }, { events: 14, trials: 628 }, 0.001);
    expect(qa.pHigh).toBeCloseTo(0.000986, 5);
    expect(qa.observed).toBeGreaterThan(qa.expected.high);
    for (const alpha of [0.001, 0.01, 0.05]) {
      for (let x = 0; x <= 60; x++) {
        const c = rateCheck({ events: x, trials: 225 }, { events: 14, trials: 628 }, alpha);
        expect(c.pHigh < alpha, `x=${x} alpha=${alpha}`).toBe(c.observed > c.expected.high);
        expect(c.pLow < alpha, `x=${x} alpha=${alpha}`).toBe(c.observed < c.expected.low);
      }
    }
  });

  it('a volume and a calibration check the same way', () => {
    for (const alpha of [0.001, 0.05]) {
      for (let x = 0; x <= 400; x += 3) {
        const v = volumeCheck(x, 1200, 12, alpha);
        expect(v.pHigh < alpha, `volume x=${x}`).toBe(v.observed > v.expected.high);
        expect(v.pLow < alpha, `volume x=${x}`).toBe(v.observed < v.expected.low);
        const c = calibrationCheck(x / 2, 100, 5, alpha);
        expect(c.pHigh < alpha, `calibration x=${x / 2}`).toBe(c.observed > c.expected.high);
      }
    }
  });
});
