import { describe, expect, it } from 'vitest';
import { Rng } from '../math/prng.js';
import { normal } from '../math/samplers.js';
import { pairedDifference } from './paired.js';

// Student's sleep data (Cushny & Peebles 1905, as analysed by Student 1908; R's `sleep`): extra
// hours of sleep under two drugs, ten patients. R: t.test(extra ~ group, data = sleep, paired = TRUE)
// → mean of the differences −1.58, 95 percent confidence interval −2.4598858 −0.7001142 (t = −4.0621,
// df = 9); scipy.stats.ttest_rel(g1, g2).confidence_interval() gives the same (−2.459885763276983,
// −0.7001142367230175).
const SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
const SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

describe('paired difference', () => {
  it("is Student's t-interval of the mean difference (R's t.test(paired = TRUE) on the sleep data)", () => {
    const d = pairedDifference(SLEEP_1, SLEEP_2);
    expect(d.n).toBe(10);
    expect(d.mean).toBeCloseTo(-1.58, 12);
    expect(d.low).toBeCloseTo(-2.459885763276983, 9);
    expect(d.high).toBeCloseTo(-0.7001142367230175, 9);
    expect(d.constant).toBe(false);
  });

  it('uses t with n − 1 degrees of freedom, not 1.96: four pairs (scipy: qt(0.975, 3) = 3.1824463)', () => {
    // d = [1, 0, 0, 1]: mean 0.5, s.e. √(1/3)/2 = 0.288675; scipy.stats.ttest_1samp(d, 0).confidence_interval()
    // = (−0.41869311551853927, 1.4186931155185394). The normal approximation gave [−0.066, 1.066].
    const d = pairedDifference([1, 0, 1, 1], [0, 0, 1, 0]);
    expect(d.low).toBeCloseTo(-0.41869311551853927, 9);
    expect(d.high).toBeCloseTo(1.4186931155185394, 9);
  });

  it('holds the true mean 95% of the time with five normal pairs (the normal approximation: P(|T₄| < 1.96) = 0.878)', () => {
    // Student (1908): with n = 5 the interval mean ± 1.96·s/√n covers P(|T₄| < 1.96) = 0.87845
    // (scipy: 1 − 2·t.cdf(−1.96, 4)); mean ± t₀.₉₇₅,₄·s/√n covers 0.95. 20,000 replications: the
    // coverage's standard error is 0.0015, so 0.95 ± 0.007 (4.5 s.e.) tells the two apart.
    const rng = new Rng(11);
    const reps = 20_000;
    let inside = 0;
    for (let r = 0; r < reps; r++) {
      const a = Array.from({ length: 5 }, () => 0.3 + 2 * normal(rng));
      const d = pairedDifference(a, [0, 0, 0, 0, 0]);
      if (d.low <= 0.3 && 0.3 <= d.high) inside++;
    }
    expect(Math.abs(inside / reps - 0.95)).toBeLessThan(0.007);
  });

  it('is unbounded when every difference is the same: no spread, no interval of the mean (R: "data are essentially constant")', () => {
    // s = 0 would make any t-interval a point, a certainty 40 subjects cannot give: a difference
    // unlike the others' may be rare and large (Bahadur & Savage 1956: no bounded interval for a
    // mean holds without some bound on the spread). R's t.test stops; scipy answers the point.
    const same = pairedDifference(new Array<number>(40).fill(50), new Array<number>(40).fill(30));
    expect(same).toMatchObject({ n: 40, mean: 20, low: -Infinity, high: Infinity, constant: true });
    // Equal up to rounding counts as equal (R's rule: s.e. below 10 ε of the values' size).
    const rounded = pairedDifference(Array.from({ length: 50 }, (_, i) => -5 - (i % 5) * 0.1), Array.from({ length: 50 }, (_, i) => -3 - (i % 5) * 0.1));
    expect(rounded.constant).toBe(true);
    expect(pairedDifference([1, 2, 3], [1, 2, 3])).toMatchObject({ mean: 0, low: -Infinity, high: Infinity, constant: true });
  });

  it('has no bounded interval with fewer than two pairs', () => {
    expect(pairedDifference([3], [1])).toMatchObject({ n: 1, mean: 2, low: -Infinity, high: Infinity });
    expect(pairedDifference([], []).n).toBe(0);
  });
});
