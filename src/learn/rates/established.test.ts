import { describe, expect, it } from 'vitest';
import { betaMean, minEvidenceFor } from './beta-binomial.js';
import { MIN_CONCENTRATION, fitConcentration } from './concentration.js';
import { type LadderModel, ladderEstimate } from './ladder.js';

// The rates' defaults (src/models/rates): 90% intervals, established at width ≤ 0.1, personal κ = 30.
const model: LadderModel = {
  populationPrior: { alpha: 1, beta: 1 },
  concentration: { segment: 100, 'micro-segment': 100, personal: 30 },
  minDataWeight: 0.2,
  establishedWhen: { maxWidth: 0.1 },
  level: 0.9,
  modelVersion: 'rates@test',
};
const now = '2026-01-01T00:00:00.000Z';
// Population 40 of 1000 under Beta(1, 1): posterior Beta(41, 961), mean m = 41/1002.
const population = { successes: 40, trials: 1000 };
const m = 41 / 1002;
/** A model trained before the κ floor was raised stored κ = 0.01 (the old lower bound of fitConcentration). */
const tiny = { ...model, concentration: { segment: 0.01, 'micro-segment': 0.01, personal: 0.01 } };

describe('an estimate is established only on evidence that can support it', () => {
  it('minimum evidence: the fewest trials whose narrowest exact interval fits maxWidth (Clopper & Pearson 1934, x = 0)', () => {
    // With 0 successes in n trials the equal-tailed Clopper–Pearson interval at level 1 − 2t is
    // [0, 1 − t^(1/n)]; n_min is the least n with 1 − t^(1/n) ≤ w, i.e. n ≥ ln t / ln(1 − w).
    // w = 0.1, t = 0.05: ln 0.05 / ln 0.9 = 28.43 → 29; w = 0.05: ln 0.05 / ln 0.95 = 58.40 → 59.
    expect(minEvidenceFor(0.1, 0.9)).toBe(29);
    expect(1 - Math.pow(0.05, 1 / 29)).toBeLessThanOrEqual(0.1);
    expect(1 - Math.pow(0.05, 1 / 28)).toBeGreaterThan(0.1);
    expect(minEvidenceFor(0.05, 0.9)).toBe(59);
    expect(minEvidenceFor(0, 0.9)).toBe(Infinity);
  });

  it('one personal trial is "learning" even when a tiny κ makes its interval narrower than maxWidth', () => {
    // κ_eff = 0.01: one failure gives Beta(0.01·m, 0.01·(1 − m) + 1) = Beta(0.000409, 1.00959).
    // scipy 1.17.1 beta.ppf([0.05, 0.95], 0.0004091816367265469, 1.0095908183632734) =
    // [2.2e-308, 3.563e-55]: the mean lies above the 95% quantile, so the interval is [≈0, mean]
    // and its width is the mean a/(a + b) = 0.000405 — far below maxWidth 0.1.
    const a = 0.01 * m;
    const b = 0.01 * (1 - m) + 1;
    const fail = ladderEstimate(tiny, { population, personal: { successes: 0, trials: 1 } }, now).estimate;
    expect(fail.source).toBe('personal');
    expect(fail.high - fail.low).toBeCloseTo(a / (a + b), 12);
    expect(fail.high - fail.low).toBeLessThan(model.establishedWhen.maxWidth);
    expect(fail.status).toBe('learning');
    // One success: Beta(a', b') = Beta(1.000409, 0.009591); scipy beta.ppf([0.05, 0.95], …) =
    // [0.9952463040421734, 1.0]: the mean a'/(a' + b') = 0.99050 lies below the 5% quantile, so the
    // interval is [mean, 1] and its width b'/(a' + b') = 0.0095.
    const a1 = 0.01 * m + 1;
    const b1 = 0.01 * (1 - m);
    const hit = ladderEstimate(tiny, { population, personal: { successes: 1, trials: 1 } }, now).estimate;
    expect(hit.low).toBeCloseTo(a1 / (a1 + b1), 12);
    expect(hit.high).toBeCloseTo(1, 12);
    expect(hit.high - hit.low).toBeLessThan(model.establishedWhen.maxWidth);
    expect(hit.status).toBe('learning');
  });

  it('a handful of trials (2–10, at the personal or the segment rung) stays "learning"', () => {
    for (const n of [2, 3, 5, 10]) {
      for (const s of [0, n]) {
        const personal = ladderEstimate(tiny, { population, personal: { successes: s, trials: n } }, now).estimate;
        expect(personal.source).toBe('personal');
        expect(personal.status).toBe('learning');
        const segment = ladderEstimate(tiny, { population, segment: { successes: s, trials: n } }, now).estimate;
        expect(segment.source).toBe('segment');
        expect(segment.status).toBe('learning');
      }
    }
  });

  it('even at the κ floor, one trial at a low base rate has a narrow interval but stays "learning"', () => {
    // Population 10 of 1000 → m = 11/1002; κ = 2: one failure gives Beta(0.021956, 2.978044);
    // scipy 1.17.1 beta.ppf([0.05, 0.95], …) = [1.27e-60, 0.0230623194]: width 0.023 < 0.1.
    const floor = { ...model, concentration: { ...model.concentration, personal: MIN_CONCENTRATION } };
    const e = ladderEstimate(floor, { population: { successes: 10, trials: 1000 }, personal: { successes: 0, trials: 1 } }, now).estimate;
    expect(e.high).toBeCloseTo(0.0230623194, 6);
    expect(e.status).toBe('learning');
  });

  it('a realistic amount is "established": 2 of 40 and 6 of 60 personal trials against κ = 30', () => {
    // Posterior Beta(30m + s, 30(1 − m) + n − s). scipy 1.17.1 beta.ppf([0.05, 0.95], a, b):
    // 2/40: a = 3.227544910179641, b = 66.77245508982037 → [0.013700837601465602, 0.09311892274106069], width 0.0794;
    // 6/60: a = 7.227544910179641, b = 82.77245508982037 → [0.0392964597280917, 0.13191658138930704], width 0.0926.
    const cases = [
      { s: 2, n: 40, low: 0.013700837601465602, high: 0.09311892274106069 },
      { s: 6, n: 60, low: 0.0392964597280917, high: 0.13191658138930704 },
    ];
    for (const c of cases) {
      const e = ladderEstimate(model, { population, personal: { successes: c.s, trials: c.n } }, now).estimate;
      expect(e.source).toBe('personal');
      expect(e.value).toBeCloseTo(betaMean({ alpha: 30 * m + c.s, beta: 30 * (1 - m) + c.n - c.s }), 12);
      expect(e.low).toBeCloseTo(c.low, 9);
      expect(e.high).toBeCloseTo(c.high, 9);
      expect(e.evidence).toBeGreaterThanOrEqual(minEvidenceFor(0.1, 0.9));
      expect(e.status).toBe('established');
    }
  });

  it('fits κ no lower than the floor of 2 when the data favour no pooling at all', () => {
    // 100 people with two e-mails each: 10 opened both, 90 neither. The marginal likelihood grows as
    // κ → 0 (each person "always" or "never"), which would let one trial pin a rate at 0% or 100%.
    const groups = Array.from({ length: 100 }, (_, i) => ({ successes: i < 10 ? 2 : 0, trials: 2, parentMean: 0.1 }));
    expect(MIN_CONCENTRATION).toBe(2);
    expect(fitConcentration(groups)).toBeCloseTo(MIN_CONCENTRATION, 3);
  });
});
