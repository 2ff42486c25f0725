import { describe, expect, it } from 'vitest';
import { integrate } from '../math/quadrature.js';
import { normalPdf, normalQuantile, sigmoid } from '../math/special.js';
import { actionEstimate } from './action-estimate.js';
import { createPosterior, predictiveMean } from './logistic-posterior.js';
import { type BanditState, defaultBanditConfig } from './thompson.js';

/**
 * E[σ(Z)], Z ~ N(μ, s²): the posterior mean of a click probability, the `value` an action's
 * estimate reports and the reward its greedy choice expects. Reference: SciPy 1.17.1,
 *   scipy.integrate.quad(lambda u: expit(mu + s*u) * norm.pdf(u), -inf, inf, epsabs=1e-16, epsrel=1e-13, limit=200)
 * (quad's error estimates ≤ 5·10⁻¹⁴; epsabs=1e-300 for the two smallest). The probit approximation σ(μ/√(1 + πs²/8)) (MacKay 1992),
 * used until 2026-12-04, is good near 1/2 but not for the rare rates clicks have: it gave 0.0326
 * for 0.0281 (μ = −4, s = 1, +16%), 0.0026 for 0.0015 (μ = −7, +77%), 0.0090 for 0.0025 (μ = −10, s = 3).
 */
const SCIPY: [mu: number, s: number, mean: number][] = [
  [-4, 1, 0.028103984301848718],
  [-3, 0.5, 0.05266995398111069],
  [-6, 0.8, 0.0033917251775794914],
  [-45, 1, 4.719495271526124e-20],
  [0.3, 0.2, 0.5737282993475499],
  [-7, 1, 0.0014973613183915063],
  [-5, 1.5, 0.018352966484975412],
  [-10, 3, 0.002506201936674538],
  [-30, 2, 6.914400106678556e-13],
  [1, 3, 0.6132473945292238],
  [2, 4, 0.6761722188507465],
  [1.2, 0.3, 0.7643328154566619],
  [3, 0.5, 0.9473300460188895],
  [0, 40, 0.5],
  [25, 40, 0.7338040052039702],
  // Extremes (quad over [−40, 40] with points=[−μ/s, s]: the steep turn, and the peak of a rare rate).
  [-300, 40, 3.3860227153363146e-14],
  [-300, 1.5, 1.585757306667695e-130],
  // s = 10⁴: quad's values (0.4207402905608969, 0.5001994711318895) fell short by 1.3·10⁻⁹ and 3.3·10⁻¹²:
  // the integrand turns within 10⁻⁴ of u. mpmath 1.3.0 at 40 digits instead, split around the turn:
  //   mp.quad(lambda u: mp.npdf(u) / (1 + mp.exp(-(mu + s*u))), [-40] + [-mu/s + k/s for k in (-60,-20,-5,-1,0,1,5,20,60)] + [40], maxdegree=12)
  // (with s − 12 … s + 12 among the points; it agrees with quad's values above to 10⁻¹⁴ except at
  // μ = −300, s = 1.5, where its 1.5857574436e−130 passes the bound e^(μ + s²/2) = 1.5857573067e−130 that σ(z) < e^z sets).
  [-2000, 1e4, 0.42074029184737583094],
  [5, 1e4, 0.50019947112860825093],
];

describe('predictive mean E[σ(Z)]', () => {
  it('matches the reference integrals to 10⁻¹⁰ relative (of the mean, and of 1 − the mean)', () => {
    for (const [mu, s, mean] of SCIPY) {
      const got = predictiveMean(mu, s * s);
      expect(Math.abs(got - mean) / Math.min(mean, 1 - mean), `μ = ${mu}, s = ${s}`).toBeLessThan(1e-10);
    }
    expect(predictiveMean(-4, 0)).toBe(sigmoid(-4));
  });

  it('agrees with the integral over u, split where it turns, within 10⁻¹³ of the value for s > 1 (m from −60 to 0, s from 1 to 200)', () => {
    // The form used until 2026-12-07: ∫ φ(u)·σ(m + s·u) du over [−12, 40] split at the turn u = −m/s and
    // the rare-rate peak u = s, here with panels of width 1/s around the turn and to 10⁻¹⁴ of a first pass.
    const overU = (m: number, s: number) => {
      const turn = -m / s;
      const cuts = [...new Set([-12, 40, turn - 1 / s, turn, turn + 1 / s, s - 1, s, s + 1])].filter((u) => u >= -12 && u <= 40).sort((a, b) => a - b);
      const f = (u: number) => normalPdf(u) * sigmoid(m + s * u);
      const pass = (tol: number) => cuts.slice(1).reduce((sum, b, i) => sum + integrate(f, cuts[i], b, tol, 400).value, 0);
      return pass(Math.max(1e-14 * pass(1e-300), 1e-300) / cuts.length);
    };
    let worst = 0;
    for (const s of [1.0001, 1.5, 3, 8, 35, 200]) {
      for (let m = -60; m < 0; m += 4.7) {
        const want = overU(m, s);
        worst = Math.max(worst, Math.abs(predictiveMean(m, s * s) - want) / want);
      }
    }
    expect(worst).toBeLessThan(1e-13);
  });

  it('is e^(μ + s²/2) far in the lower tail, down to the double\'s underflow (σ(z) = e^z·(1 − e^z + …) where the mass lies)', () => {
    // Z ~ N(μ, s²) has E[e^Z] = e^(μ + s²/2) (the lognormal mean); with μ + s² ≪ 0 the correction e^z is below 10⁻¹⁰⁰.
    for (const [mu, s] of [[-600, 1.0001], [-700, 1.2], [-400, 3], [-500, 2], [-200, 10]]) {
      const want = Math.exp(mu + (s * s) / 2);
      expect(Math.abs(predictiveMean(mu, s * s) - want) / want, `μ = ${mu}, s = ${s}`).toBeLessThan(1e-12);
    }
  });

  it('is the value an action estimate reports', () => {
    const state: BanditState = { config: defaultBanditConfig(1), updates: 0, actions: [{ id: 'rare', ...createPosterior([-4, 0], [1, 1]) }] };
    const e = actionEstimate(state, 'rare', [0], { establishedWhen: { maxWidth: 1 }, updatedAt: '' });
    expect(Math.abs(e.value - 0.028103984301848718) / 0.028103984301848718).toBeLessThan(1e-8);
  });

  it('lies inside the estimate\'s interval, widened to hold it when the lognormal-like tail puts it above σ(μ + 1.645s) (s > 3.29)', () => {
    const state: BanditState = { config: defaultBanditConfig(0), updates: 0, actions: [{ id: 'rare', ...createPosterior([-20], [16]) }] };
    const e = actionEstimate(state, 'rare', [], { establishedWhen: { maxWidth: 1 } });
    expect(e.value).toBeCloseTo(predictiveMean(-20, 16), 18); // ≈ 5.0e−6, above σ(−20 + 6.58) = 1.5e−6
    expect(e.high).toBe(e.value);
    expect(e.low).toBe(sigmoid(-20 - normalQuantile(0.95) * 4)); // the lower end stays equal-tailed
    expect(e.updatedAt).toBeNull(); // the configured prior, nothing observed
  });
});
