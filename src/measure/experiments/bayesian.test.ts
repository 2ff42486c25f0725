import { describe, expect, it } from 'vitest';
import { normalCdf } from '../../maths/distributions.js';
import { bayesianTest } from './bayesian.js';
import { bayesianProportionTest, betaBinomialTest, probabilityBBeatsA } from './beta-binomial.js';
import { summarizeMean, summarizeProportion } from './summary.js';

const r5 = (x: number | null) => (x === null ? null : Math.round(x * 1e5) / 1e5);

// Source: GrowthBook gbstats, packages/stats/tests/bayesian/test_tests.py (GaussianEffectABTest, flat prior).
describe('Gaussian effect posterior — GrowthBook gbstats expectations', () => {
  it('proportions 49/100 vs 51/100', () => {
    const r = bayesianTest(summarizeProportion(100, 49), summarizeProportion(100, 51))!;
    expect(r5(r.expected)).toBe(0.04082);
    expect(r.ci.map(r5)).toEqual([-0.24779, 0.32943]);
    expect(r5(r.sd)).toBe(0.14725);
    // gbstats reads the chance from the lift's normal approximation, 0.60918; here it is P(Δ > 0) of the
    // difference (bayesian.ts, chanceToWin): Φ(0.02 / √(2 · 0.49 · 0.51 / 100)) = Φ(0.28290) = 0.61137.
    expect(r5(r.chanceToWin)).toBe(0.61137);
    expect([r5(r.risk.control), r5(r.risk.treatment)]).toEqual([0.0814, 0.04058]);
  });

  it('means 10 ± 0.5 vs 10.5 ± 1 (n = 10)', () => {
    const r = bayesianTest(summarizeMean(10, 100, 1002.25), summarizeMean(10, 105, 1111.5))!;
    expect(r5(r.expected)).toBe(0.05);
    expect(r.ci.map(r5)).toEqual([-0.02, 0.12]);
    expect(r5(r.sd)).toBe(0.03572);
    // gbstats (from the lift): 0.91923; from the difference: Φ(0.5 / √(0.25/10 + 1/10)) = Φ(1.41421) = 0.92135.
    expect(r5(r.chanceToWin)).toBe(0.92135);
    expect(r5(bayesianTest(summarizeMean(10, 100, 1002.25), summarizeMean(10, 105, 1111.5), { type: 'absolute' })!.chanceToWin)).toBe(0.92135);
    expect([r5(r.risk.control), r5(r.risk.treatment)]).toEqual([0.05131, 0.00131]);
  });

  it('a range censors the posterior: mean, sd, interval and losses of min(max(Δ, −1), 1)', () => {
    // Δ ~ N(−0.8, 0.2) (means 1 and 0.2, variance 1, 10 units each). Reference: scipy 1.17.1
    // integrate.quad of g(min(max(x, −1), 1))·φ over (−∞, −1), (−1, 1), (1, ∞) for g = x, x², x⁺, (−x)⁺.
    const a = summarizeMean(10, 10, 19);
    const b = summarizeMean(10, 2, 9.4);
    const open = bayesianTest(a, b, { type: 'absolute' })!;
    const r = bayesianTest(a, b, { type: 'absolute', range: [-1, 1] })!;
    expect(open.expected!).toBeCloseTo(-0.8, 12);
    expect(open.sd!).toBeCloseTo(Math.sqrt(0.2), 12);
    expect(r.expected!).toBeCloseTo(-0.7040407191753559, 10);
    expect(r.sd!).toBeCloseTo(0.325755207717603, 10);
    expect(r.risk.control!).toBeCloseTo(0.006562676178998312, 10);
    expect(r.risk.treatment!).toBeCloseTo(0.7106033953543542, 10);
    expect(r.ci).toEqual([-1, open.ci[1]]);
    expect(r.chanceToWin).toBe(open.chanceToWin);
  });

  it('a lift and a difference of one metric give one chance to win, however uncertain the control mean', () => {
    // Control 0.05 ± 1 (n 300), treatment 3.3 ± 4 (n 5,700): the lift's delta-method sd is huge
    // (its normal gave 0.70), yet Δ = 3.25 with se ≈ 0.08 is certain; P(lift > 0) = P(Δ > 0).
    const a = summarizeMean(300, 15, 300 * (1 + 0.05 ** 2) - 0.05 ** 2);
    const b = summarizeMean(5700, 5700 * 3.3, 5699 * 16 + 5700 * 3.3 ** 2);
    const rel = bayesianTest(a, b)!;
    const abs = bayesianTest(a, b, { type: 'absolute' })!;
    expect(abs.chanceToWin).toBeGreaterThan(0.999999);
    expect(rel.chanceToWin).toBe(abs.chanceToWin);
    expect(bayesianTest(a, b, { lowerIsBetter: true })!.chanceToWin).toBe(bayesianTest(a, b, { type: 'absolute', lowerIsBetter: true })!.chanceToWin);
    // With a prior on the lift, the chance is the lift posterior's.
    const prior = bayesianTest(a, b, { prior: { mean: 0, variance: 1 } })!;
    expect(prior.chanceToWin).toBeCloseTo(normalCdf(prior.expected! / prior.sd!), 12);
    expect(prior.chanceToWin).toBeLessThan(0.999);
  });

  it('an informative prior shrinks toward its mean; lower-is-better flips the win', () => {
    const a = summarizeProportion(100, 49);
    const b = summarizeProportion(100, 51);
    const flat = bayesianTest(a, b)!;
    const shrunk = bayesianTest(a, b, { prior: { mean: 0, variance: 0.01 } })!;
    expect(Math.abs(shrunk.expected!)).toBeLessThan(Math.abs(flat.expected!));
    expect(shrunk.sd!).toBeLessThan(flat.sd!);
    expect(bayesianTest(a, b, { lowerIsBetter: true })!.chanceToWin).toBeCloseTo(1 - flat.chanceToWin, 12);
  });
});

// Reference values: numerical integration with scipy 1.17.1 (integrate.quad over stats.beta);
// the 49/100 vs 51/100 losses also match GrowthBook's former BinomialBayesianABTest risk [0.03872, 0.01912].
describe('exact Beta-Binomial (Evan Miller / Stucchio closed forms)', () => {
  it('P(B > A) for Beta(2,1) vs Beta(1,1) is 1/3 (analytic)', () => {
    expect(probabilityBBeatsA(2, 1, 1, 1)).toBeCloseTo(1 / 3, 14);
  });
  it('49/100 vs 51/100, uniform prior', () => {
    const r = betaBinomialTest({ successes: 49, failures: 51 }, { successes: 51, failures: 49 });
    expect(r.probabilityBBeatsA).toBeCloseTo(0.6107705226878396, 10);
    expect(r.lossOfChoosingA).toBeCloseTo(0.038724304339343533, 9);
    expect(r.lossOfChoosingB).toBeCloseTo(0.01911646120208925, 9);
  });
  it('20/1000 vs 35/1000, uniform prior', () => {
    const r = betaBinomialTest({ successes: 20, failures: 980 }, { successes: 35, failures: 965 });
    expect(r.probabilityBBeatsA).toBeCloseTo(0.9794360287033517, 10);
    expect(r.lossOfChoosingA).toBeCloseTo(0.01502662519327245, 9);
    expect(r.lossOfChoosingB).toBeCloseTo(5.65653130329492e-5, 9);
  });
  it('rejects a non-integer alpha for B with a sentence', () => {
    expect(() => probabilityBBeatsA(1, 1, 1.5, 1)).toThrow(/integer/);
  });
  it('ten million trials an arm (500,000 against 500,500 conversions): accurate', () => {
    // Reference: Miller's sum itself in 30-digit arithmetic (mpmath, mp.dps = 30): the first term
    // exp(log B(aA, bA + bB) − log bB − log B(1, bB) − log B(aA, bA)), each next one times
    // (aA + i)(bB + i)/((aA + bA + bB + i)(1 + i)), all 500,501 summed: 0.69597797897560408.
    // (A normal approximation of the two posteriors gives 0.69597791, 6e-8 off.)
    const args = [500_001, 9_500_001, 500_501, 9_499_501] as const;
    expect(probabilityBBeatsA(...args)).toBeCloseTo(0.69597797897560408, 7);
  });
  it('a chance below 1e-17 is 0, and its complement 1 (510,000 against 500,000 of ten million: z ≈ 10.2)', () => {
    // Normal approximation: Δ = 0.001, sd = √(2 · 0.0505 · 0.9495 / 10⁷) ≈ 9.8e-5, Φ(−10.2) ≈ 1e-24.
    expect(probabilityBBeatsA(510_001, 9_490_001, 500_001, 9_500_001)).toBe(0);
    expect(probabilityBBeatsA(500_001, 9_500_001, 510_001, 9_490_001)).toBe(1);
  });
});

/**
 * Independent reference for the Beta posteriors of two arms read from counts: a direct double
 * integral on a uniform grid over [0, hi] (midpoint rule, N cells; the densities are normalised on
 * the grid, so no Beta function is used), with half weight on the diagonal cells of P(p_B > p_A).
 */
function gridPosterior(aA: number, bA: number, aB: number, bB: number, hi: number, N: number) {
  const h = hi / N;
  const x = Array.from({ length: N }, (_, i) => (i + 0.5) * h);
  const dens = (a: number, b: number) => {
    const f = x.map((v) => Math.exp((a - 1) * Math.log(v) + (b - 1) * Math.log1p(-v)));
    const total = f.reduce((s, v) => s + v, 0) * h;
    return f.map((v) => v / total);
  };
  const fA = dens(aA, bA);
  const fB = dens(aB, bB);
  let win = 0;
  let upAbs = 0;
  let downAbs = 0;
  let upRel = 0;
  let downRel = 0;
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) {
      const w = fA[i] * fB[j] * h * h;
      if (j > i) win += w;
      else if (j === i) win += w / 2;
      upAbs += w * Math.max(x[j] - x[i], 0);
      downAbs += w * Math.max(x[i] - x[j], 0);
      upRel += w * Math.max(x[j] / x[i] - 1, 0);
      downRel += w * Math.max(1 - x[j] / x[i], 0);
    }
  }
  // P(p_B − p_A ≤ d) and P(p_B / p_A − 1 ≤ r) = Σ_i f_A(x_i) F_B(·) h, F_B by the cumulative
  // midpoint sum, linearly interpolated.
  const FB = new Array<number>(N + 1).fill(0);
  for (let j = 0; j < N; j++) FB[j + 1] = FB[j] + fB[j] * h;
  const cdfB = (y: number) => {
    if (y <= 0) return 0;
    if (y >= hi) return 1;
    const k = Math.min(N - 1, Math.floor(y / h));
    return FB[k] + (FB[k + 1] - FB[k]) * (y / h - k);
  };
  const cdf = (g: (xa: number) => number) => x.reduce((s, v, i) => s + fA[i] * cdfB(g(v)) * h, 0);
  return {
    win,
    upAbs,
    downAbs,
    upRel,
    downRel,
    cdfAbs: (d: number) => cdf((v) => v + d),
    cdfRel: (r: number) => cdf((v) => (1 + r) * v),
  };
}

describe('Beta posteriors for a proportion read from its counts (bayesianProportionTest)', () => {
  it('ten million units an arm: the interval where the normal one is, the chance as Miller\'s sum', () => {
    // 500,000 against 500,500 conversions. At these counts the posteriors are normal but for a
    // skewness of ~0.003, whose Cornish–Fisher term moves a 95% limit by (γ/6)(z² − 1)·sd < 0.002 sd:
    // the limits are mean ± 1.959964·sd within 1e-7 (sd 9.75e-5), mean and sd the Beta moments.
    const control = { n: 10_000_000, successes: 500_000 };
    const treatment = { n: 10_000_000, successes: 500_500 };
    const [aA, bA, aB, bB] = [500_001, 9_500_001, 500_501, 9_499_501];
    const mean = aB / (aB + bB) - aA / (aA + bA);
    const sd = Math.sqrt((aA * bA) / ((aA + bA) ** 2 * (aA + bA + 1)) + (aB * bB) / ((aB + bB) ** 2 * (aB + bB + 1)));
    const r = bayesianProportionTest(control, treatment, { type: 'absolute' })!;
    expect(r.ci[0]).toBeCloseTo(mean - 1.959964 * sd, 7);
    expect(r.ci[1]).toBeCloseTo(mean + 1.959964 * sd, 7);
    // Miller's sum at 30 digits (see above): 0.695977979.
    expect(r.chanceToWin).toBeCloseTo(0.695977979, 7);
  });

  // Uniform prior: p ~ Beta(1 + successes, 1 + failures) per arm.
  const cases = [
    // [control n, successes, treatment n, successes, grid upper end]
    [200, 3, 200, 0, 0.12],
    [20, 3, 20, 6, 1],
    [50, 4, 40, 1, 0.6],
  ] as const;

  it.each(cases)('n %i, x %i → n %i, x %i: chance to win, risk and credible interval agree with a grid double integral', (na, xa, nb, xb, hi) => {
    const g = gridPosterior(1 + xa, 1 + na - xa, 1 + xb, 1 + nb - xb, hi, 2000);
    const abs = bayesianProportionTest({ n: na, successes: xa }, { n: nb, successes: xb }, { type: 'absolute' })!;
    expect(abs.method).toBe('beta-binomial');
    expect(abs.chanceToWin).toBeCloseTo(g.win, 4);
    expect(abs.risk.control).toBeCloseTo(g.upAbs, 5);
    expect(abs.risk.treatment).toBeCloseTo(g.downAbs, 5);
    // Posterior mean and sd of p_B − p_A from the Beta moments a/(a+b), ab/((a+b)²(a+b+1)).
    const mean = (a: number, b: number) => a / (a + b);
    const vari = (a: number, b: number) => (a * b) / ((a + b) ** 2 * (a + b + 1));
    expect(abs.expected).toBeCloseTo(mean(1 + xb, 1 + nb - xb) - mean(1 + xa, 1 + na - xa), 12);
    expect(abs.sd).toBeCloseTo(Math.sqrt(vari(1 + xb, 1 + nb - xb) + vari(1 + xa, 1 + na - xa)), 12);
    // An equal-tailed 95% credible interval: 2.5% of the posterior below, 2.5% above.
    expect(g.cdfAbs(abs.ci[0])).toBeCloseTo(0.025, 3);
    expect(g.cdfAbs(abs.ci[1])).toBeCloseTo(0.975, 3);

    const rel = bayesianProportionTest({ n: na, successes: xa }, { n: nb, successes: xb })!;
    expect(rel.chanceToWin).toBeCloseTo(g.win, 4);
    expect(rel.risk.control).toBeCloseTo(g.upRel, 3);
    expect(rel.risk.treatment).toBeCloseTo(g.downRel, 4);
    // E[p_B / p_A] − 1 = E[p_B]·E[1/p_A] − 1, E[1/p_A] = (a + b − 1)/(a − 1): the same as up − down.
    expect(rel.expected).toBeCloseTo(g.upRel - g.downRel, 3);
    expect(g.cdfRel(rel.ci[0])).toBeCloseTo(0.025, 3);
    expect(g.cdfRel(rel.ci[1])).toBeCloseTo(0.975, 3);

    // Lower is better: the win and the two risks swap sides.
    const low = bayesianProportionTest({ n: na, successes: xa }, { n: nb, successes: xb }, { type: 'absolute', lowerIsBetter: true })!;
    expect(low.chanceToWin).toBeCloseTo(1 - abs.chanceToWin, 12);
    expect(low.risk).toEqual({ control: abs.risk.treatment, treatment: abs.risk.control });
  });

  it('3/200 against 0/200: neither 0 nor 1, but the exact P(p_B > p_A) = E[(1 − p_A)^201]', () => {
    // p_B ~ Beta(1, 201) has P(p_B > x) = (1 − x)^201, so P(p_B > p_A) = B(4, 399)/B(4, 198)
    // = (198·199·200·201)/(399·400·401·402) for p_A ~ Beta(4, 198).
    const exact = (198 * 199 * 200 * 201) / (399 * 400 * 401 * 402);
    const r = bayesianProportionTest({ n: 200, successes: 3 }, { n: 200, successes: 0 }, { type: 'absolute' })!;
    // 12 digits: the sum's terms come through Lanczos log-gamma (≈1e-14 relative each).
    expect(r.chanceToWin).toBeCloseTo(exact, 12);
    expect(r.ci[1] - r.ci[0]).toBeGreaterThan(0.01);
    expect(r.risk.treatment).toBeGreaterThan(0.005);
  });

  it('published values: John D. Cook (0.713) and the Evan Miller formula notebook (0.906704245199)', () => {
    // John D. Cook, "A Bayesian view of Amazon resellers" (2011), quoted on math.stackexchange
    // ("Evaluate the Beta(3,1) and Beta(91,11) probabilities"): 90 positive reviews of 100 against
    // 2 of 2, P(θ_A > θ_B) = 0.713 for θ_A ~ Beta(91, 11), θ_B ~ Beta(3, 1).
    const cook = bayesianProportionTest({ n: 2, successes: 2 }, { n: 100, successes: 90 }, { type: 'absolute' })!;
    expect(cook.chanceToWin.toFixed(3)).toBe('0.713');
    // sharnett/AB-testing, evan_miller_formula notebook: Beta(21, 200) against Beta(31, 200) gives
    // 0.906704245199 (scipy.integrate.quad over scipy.stats.beta gives 0.9067042451992948).
    const nb = bayesianProportionTest({ n: 219, successes: 20 }, { n: 229, successes: 30 }, { type: 'absolute' })!;
    expect(nb.chanceToWin).toBeCloseTo(0.906704245199, 11);
  });

  it('0/n against 0/n is a coin toss (symmetry); an empty arm has no posterior to compare', () => {
    const r = bayesianProportionTest({ n: 500, successes: 0 }, { n: 500, successes: 0 }, { type: 'absolute' })!;
    expect(r.chanceToWin).toBeCloseTo(0.5, 10);
    expect(r.risk.control!).toBeCloseTo(r.risk.treatment!, 10);
    expect(bayesianProportionTest({ n: 0, successes: 0 }, { n: 500, successes: 5 }, { type: 'absolute' })).toBeNull();
  });

  // References for a control without conversions, p_A ~ Beta(1, n_A + 1): scipy 1.17.1,
  // P(p_B/p_A ≤ t) = ∫ f_A(x)·I_tx(a_B, b_B) dx (integrate.quad, limit 1000, breakpoints at A's
  // quantiles) solved by brentq; P(p_B > p_A) by quad; the loss E[max(1 − p_B/p_A, 0)] = ∫₀¹ P(p_B/p_A ≤ t) dt
  // by quad. Cross-checked by Monte Carlo (numpy default_rng(1), 2·10⁷ draws) for 0/200 against 3/200:
  // interval [−0.33345, 155.880], chance 0.938410, loss 0.0186717.
  it('a lift over a control without conversions: the credible interval and the chance to win exist, and a note says why the mean does not', () => {
    const r = bayesianProportionTest({ n: 200, successes: 0 }, { n: 200, successes: 3 })!;
    expect(r).not.toBeNull();
    expect(r.method).toBe('beta-binomial');
    expect(r.ci[0]).toBeCloseTo(-0.33323017557774526, 4);
    expect(r.ci[1] / 155.73684428411116).toBeCloseTo(1, 3);
    expect(r.chanceToWin).toBeCloseTo(0.9384339902124388, 10);
    // E[1/p_A] = ∞ for p_A ~ Beta(1, ·): no posterior mean or sd of the lift, and keeping control
    // risks an unbounded lift; shipping the treatment risks at most all of the rate.
    expect(r.expected).toBeNull();
    expect(r.sd).toBeNull();
    expect(r.risk.control).toBeNull();
    expect(r.risk.treatment!).toBeCloseTo(0.018673337004957942, 5);
    expect(r.note).toMatch(/Beta\(1, 201\) \(0 conversions of 200\).*infinite/);
    // Lower is better: the win and the risks swap sides.
    const low = bayesianProportionTest({ n: 200, successes: 0 }, { n: 200, successes: 3 }, { lowerIsBetter: true })!;
    expect(low.chanceToWin).toBeCloseTo(1 - r.chanceToWin, 12);
    expect(low.risk).toEqual({ control: r.risk.treatment, treatment: null });
    // Nothing in either arm: p_B/p_A and p_A/p_B have one law, so (1 + lo)(1 + hi) = 1; scipy hi = 37.81652.
    const none = bayesianProportionTest({ n: 200, successes: 0 }, { n: 200, successes: 0 })!;
    expect((1 + none.ci[0]) * (1 + none.ci[1])).toBeCloseTo(1, 3);
    expect(none.ci[1] / 37.81651746489267).toBeCloseTo(1, 3);
    expect(none.chanceToWin).toBeCloseTo(0.5, 10);
    expect(none.risk.treatment!).toBeCloseTo(0.30656983051059106, 5);
    const few = bayesianProportionTest({ n: 20, successes: 0 }, { n: 20, successes: 5 })!;
    expect(few.ci[0]).toBeCloseTo(0.31094598774856586, 4);
    expect(few.ci[1] / 225.03488696745146).toBeCloseTo(1, 3);
    expect(few.risk.treatment!).toBeCloseTo(0.0021453595059057144, 6);
  });

  it('one control conversion: the lift has a mean but no sd, stated as null with a note, never Infinity (JSON would print null silently)', () => {
    // p_A ~ Beta(2, 200): E[1/p_A] = 201, E[1/p_A²] = ∞. Interval: scipy as above, [−0.262446, 25.03184].
    const r = bayesianProportionTest({ n: 200, successes: 1 }, { n: 200, successes: 5 })!;
    expect(r.expected!).toBeCloseTo((6 / 202) * 201 - 1, 12);
    expect(r.sd).toBeNull();
    expect(r.note).toMatch(/Beta\(2, 200\) \(1 conversion of 200\).*no posterior sd/);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
    expect(r.ci[0]).toBeCloseTo(-0.2624455743368327, 4);
    expect(r.ci[1] / 25.03184103417005).toBeCloseTo(1, 3);
  });

  it('large counts: close to the Gaussian effect posterior (5,000/100,000 against 5,300/100,000)', () => {
    const exact = bayesianProportionTest({ n: 100_000, successes: 5000 }, { n: 100_000, successes: 5300 }, { type: 'absolute' })!;
    const gauss = bayesianTest(summarizeProportion(100_000, 5000), summarizeProportion(100_000, 5300), { type: 'absolute' })!;
    expect(exact.chanceToWin).toBeCloseTo(gauss.chanceToWin, 4);
    expect(exact.ci[0]).toBeCloseTo(gauss.ci[0], 4);
    expect(exact.ci[1]).toBeCloseTo(gauss.ci[1], 4);
  });
});
