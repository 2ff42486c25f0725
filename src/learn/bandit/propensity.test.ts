import { describe, expect, it } from 'vitest';
import { Rng } from '../math/prng.js';
import { normal } from '../math/samplers.js';
import { normalCdf, sigmoid } from '../math/special.js';
import { sampleWinner } from './exploration.js';
import { contenders, winProbabilities, winProbability } from './propensity.js';

function monteCarlo(means: number[], sds: number[], n: number, values?: number[], offsets?: number[]): number[] {
  const rng = new Rng(21);
  const wins = new Array<number>(means.length).fill(0);
  for (let r = 0; r < n; r++) {
    let best = -Infinity;
    let arg = 0;
    means.forEach((m, j) => {
      const z = m + sds[j] * normal(rng);
      const s = values ? values[j] * sigmoid(z) - (offsets?.[j] ?? 0) : z;
      if (s > best) {
        best = s;
        arg = j;
      }
    });
    wins[arg]++;
  }
  return wins.map((w) => w / n);
}

describe('exact Thompson propensities', () => {
  it('two actions: P(Z₁ > Z₂) = Φ((μ₁ − μ₂)/√(σ₁² + σ₂²)) (closed form)', () => {
    const d = { means: [0.3, -0.2], sds: [0.7, 1.4] };
    const p = winProbability(d, 0);
    expect(p.probability).toBeCloseTo(normalCdf(0.5 / Math.sqrt(0.49 + 1.96)), 9);
    expect(p.errorBound).toBeLessThan(1e-8);
  });

  it('a fixed rival (σ = 0): P = Φ((μ − c)/σ)', () => {
    expect(winProbability({ means: [0.5, 0], sds: [2, 0] }, 0).probability).toBeCloseTo(normalCdf(0.25), 9);
  });

  it('many actions: probabilities sum to 1 and agree with Monte Carlo (5 standard errors)', () => {
    const rng = new Rng(4);
    const means = Array.from({ length: 12 }, () => normal(rng));
    const sds = Array.from({ length: 12 }, () => 0.2 + rng.float());
    const { probabilities, errorBound } = winProbabilities({ means, sds });
    expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 8);
    expect(errorBound).toBeLessThan(1e-7);
    const mc = monteCarlo(means, sds, 200_000);
    probabilities.forEach((p, j) => expect(Math.abs(mc[j] - p)).toBeLessThanOrEqual(5 * Math.sqrt((p * (1 - p)) / 200_000) + 1e-9));
  });

  it('with values per action (score v·σ(z)) the probabilities still match Monte Carlo', () => {
    const means = [-1, -0.5, 0.2, -2];
    const sds = [0.5, 0.3, 0.8, 1.2];
    const values = [3, 1.5, 1, 6];
    const { probabilities } = winProbabilities({ means, sds, values });
    expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 8);
    const mc = monteCarlo(means, sds, 200_000, values);
    probabilities.forEach((p, j) => expect(Math.abs(mc[j] - p)).toBeLessThanOrEqual(5 * Math.sqrt((p * (1 - p)) / 200_000) + 1e-9));
  });

  it('with contact costs and a fixed "none" option (v = 0, score −c) the probabilities match Monte Carlo', () => {
    // Scores v·σ(z) − c; the last option is "none" with the fixed score 0.8 (v = 0, c = −0.8).
    const means = [-1, -0.2, 0.5, 0];
    const sds = [0.6, 0.4, 1.1, 0];
    const values = [4, 2, 1.5, 0];
    const offsets = [0.5, 0.2, 0.1, -0.8];
    const { probabilities, errorBound } = winProbabilities({ means, sds, values, offsets });
    expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 8);
    expect(errorBound).toBeLessThan(1e-7);
    expect(probabilities[3]).toBeGreaterThan(0.05);
    const mc = monteCarlo(means, sds, 200_000, values, offsets);
    probabilities.forEach((p, j) => expect(Math.abs(mc[j] - p)).toBeLessThanOrEqual(5 * Math.sqrt((p * (1 - p)) / 200_000) + 1e-9));
  });
  it('gives a tie between fixed scores to the lower index, as the samplers do, so the probabilities still sum to 1', () => {
    // Both samplers (exploration.ts, decide/bandit/bandit-select.ts) keep the first of equal scores
    // (strict >). Equal fixed scores happen: an action whose value × levers is 0 scores −contactCost
    // (0 by default), as "none" scores noneScore (0 by default). Until 2026-12 such a tie gave every
    // tied option probability 0, so the option always chosen was logged with propensity ε/K.
    const tied = { means: [0, -1, 0], sds: [1, 0.5, 0], values: [0, 1, 0], offsets: [0, 1, 0] }; // scores 0, σ(z) − 1 < 0, 0
    expect([...winProbabilities(tied).probabilities]).toEqual([1, 0, 0]);
    expect([...winProbabilities({ means: [0.3, 0.3], sds: [0, 0] }).probabilities]).toEqual([1, 0]);
    // A tie below a random rival: the first of the tied pair takes P(rival < 0.3), the second nothing.
    const three = winProbabilities({ means: [0.1, 0.3, 0.3], sds: [1, 0, 0] }).probabilities;
    expect(three[1]).toBeCloseTo(normalCdf(0.2), 9);
    expect(three[2]).toBe(0);
    expect(three[0] + three[1] + three[2]).toBeCloseTo(1, 9);
    // And what the sampler does: 2,000 draws of the first case all pick option 0.
    const rng = new Rng(3);
    for (let i = 0; i < 2000; i++) expect(sampleWinner(tied, rng)).toBe(0);
  });

  it('gives a tie at the top of the score, where σ(z) rounds to 1, to the lower index, as the samplers do', () => {
    // v·σ(z) − c is a step function in floating point: σ(z) === 1 for z ≥ 36.74, and the doubles
    // just below 1 are 2⁻⁵³ apart, so near the top two actions of equal value and cost score exactly
    // alike with positive probability. It happens: a fresh action (prior variance 1 per coefficient)
    // at a raw feature of 40 (say 40 orders) has a linear predictor of sd ≈ 40, above 36.74 with
    // probability 0.18. Until 2026-12-04 the integral gave the tie to both (P(Z₀, Z₁ ≥ 36.74) ≈ 0.032
    // counted twice: the probabilities summed to 1.032 and the second action was logged with 0.516
    // where the sampler chose it 48.5% of the time). Checked here against the sampler itself
    // (exploration.ts sampleWinner): each count is Binomial(n, P), so within 5 standard errors (plus
    // the logged error bound); and the probabilities sum to 1 within the sum of their bounds.
    const cases = [
      // Bounds: QUADPACK's QK15 error estimate (since 2026-12-05, quadrature.ts) is conservative at
      // the step the tie makes (1.2·10⁻⁶ here; the raw |K15 − G7| said below 10⁻⁷).
      { means: [0, 0], sds: [40, 40], values: [1, 1], bound: 1e-5 },
      { means: [0, 0, 0], sds: [40, 40, 0], values: [2, 2, 0], offsets: [0.5, 0.5, -1], bound: 1e-5 }, // last: "none", score 1
      // Ties on the steps below the top as well (click probabilities 1 − 10⁻¹³): many small jumps
      // in the integrand, which the quadrature's bound covers, loosely.
      { means: [30, 31.5, 0], sds: [3, 2, 1], values: [1, 1, 1], bound: 1e-3 },
    ];
    for (const d of cases) {
      const each = d.means.map((_, a) => winProbability(d, a));
      const total = each.reduce((s, p) => s + p.probability, 0);
      expect(Math.abs(total - 1)).toBeLessThanOrEqual(each.reduce((s, p) => s + p.errorBound, 0));
      for (const p of each) expect(p.errorBound).toBeLessThan(d.bound);
      const rng = new Rng(17);
      const n = 200_000;
      const wins = new Array<number>(d.means.length).fill(0);
      for (let i = 0; i < n; i++) wins[sampleWinner(d, rng)]++;
      each.forEach(({ probability: p, errorBound }, j) => expect(Math.abs(wins[j] / n - p), `case ${cases.indexOf(d)}, action ${j}`).toBeLessThanOrEqual(5 * Math.sqrt((p * (1 - p)) / n) + errorBound + 1e-9));
    }
  });

  it('small propensities are right in relative terms, as importance weights need (SciPy reference)', () => {
    // A logged π_t that is 1% low makes that choice's importance weight π/π_t 1% high. The bound is
    // absolute (quadrature tolerance 10⁻⁹), so the relative error is checked where the weights are
    // large. Reference: scipy.integrate.quad (SciPy 1.17.1, epsrel 10⁻¹³ on 96 panels of [−12, 12])
    // of φ(u)·exp(Σ_j log Φ((μ_a + σ_a·u − μ_j)/σ_j)), with scipy.stats.norm.logcdf.
    const rivals = { means: [0, 0.1, -0.2, 0.3, -0.1, 0.2, 0.05, -0.3], sds: [0.3, 0.25, 0.4, 0.2, 0.35, 0.3, 0.5, 0.45] };
    const cases: [number, number][] = [
      [-0.3, 0.0007668718711502324],
      [-0.45, 8.140641127708072e-5],
      [-0.6, 5.9741048034704614e-6],
      [-0.75, 3.0033618138095616e-7],
    ];
    for (const [mu, scipy] of cases) {
      const p = winProbability({ means: [mu, ...rivals.means], sds: [0.2, ...rivals.sds] }, 0);
      expect(Math.abs(p.probability / scipy - 1), `μ = ${mu}`).toBeLessThan(1e-8);
      expect(Math.abs(p.probability - scipy)).toBeLessThanOrEqual(p.errorBound);
    }
    // Below ~10⁻⁷ only the absolute bound holds: 1.7% relative at 1.03·10⁻⁸ (μ = −0.9).
    const tiny = winProbability({ means: [-0.9, ...rivals.means], sds: [0.2, ...rivals.sds] }, 0);
    expect(Math.abs(tiny.probability - 1.0267642382271622e-8)).toBeLessThanOrEqual(tiny.errorBound);
    // A posterior the `bandit` evaluation logged (seed 0, window round 9,654, 50 actions, rounded to
    // 4 decimals): action 29, chosen there with π_t = 0.0014 where the frozen policy gives 0.038.
    const means = [-1.7417, -2.0212, -3.3942, -1.715, -4.54, -3.9429, -3.6593, -4.2761, -4.0408, -1.784, -3.5033, -3.2543, -1.8512, -3.4132, -2.3801, -1.4586, -2.9738, -2.7897, -1.6122, -2.273, -3.8482, -2.5134, -5.3578, -2.7197, -0.9428, -1.1175, -3.4334, -2.2489, -3.9001, -0.9047, -3.3348, -2.8199, -2.0781, -2.9155, -3.788, -5.1296, -3.161, -2.773, -3.8642, -2.6571, -3.8604, -3.0185, -5.3394, -1.8573, -1.9174, -0.1806, -1.1, -3.1255, -2.5045, -2.0745];
    const sds = [0.425, 0.2124, 0.3618, 0.5493, 0.1921, 0.3476, 0.5302, 0.7021, 0.4662, 0.3659, 0.564, 0.5958, 0.221, 0.3341, 0.6597, 0.3496, 0.2098, 0.4956, 0.4014, 0.4699, 0.5321, 0.2451, 0.3766, 0.5237, 0.1499, 0.1161, 0.3808, 0.4041, 0.7189, 0.2282, 0.2364, 0.5908, 0.1658, 0.4189, 0.6358, 0.218, 0.4597, 0.3109, 0.3276, 0.3524, 0.2496, 0.439, 0.7188, 0.2749, 0.2279, 0.0804, 0.1839, 0.535, 0.3546, 0.5031];
    expect(Math.abs(winProbability({ means, sds }, 29).probability / 0.0013757717337917008 - 1)).toBeLessThan(1e-8);
  });

  it('prunes only actions that cannot win beyond 8.5 σ', () => {
    expect(contenders({ means: [0, 10, 9], sds: [1, 0.1, 1] })).toEqual([1, 2]);
    expect(winProbabilities({ means: [0, 10], sds: [1, 0.1] }).probabilities[0]).toBe(0);
  });
});
