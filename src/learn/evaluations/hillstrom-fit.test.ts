import { describe, expect, it } from 'vitest';
import { Rng } from '../math/prng.js';
import { sigmoid } from '../math/special.js';
import { fitLoggedArms, upliftOf } from '../uplift/logged-uplift.js';
import { chooseRidgeLambda } from '../uplift/ridge-choice.js';
import { rowsOfArm, type UpliftData } from '../uplift/uplift-data.js';
import { LEARNERS } from './hillstrom-fit.js';

/**
 * A randomised trial like Hillstrom's (three arms, p = 1/3 each) with a strong signal, so that the
 * cross-validated ridge λ is far from the fixed λ = 10 the evaluation used until 2026-12-06:
 * logit P(y) = −0.5 + 3x₁ − 2x₂ + (arm 1: +0.5x₁; arm 2: −0.4), x uniform on [−1, 1]².
 */
function trial(n: number, seed: number): UpliftData {
  const rng = new Rng(seed);
  const X = new Float64Array(n * 3);
  const arm = new Int32Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x1 = rng.float() * 2 - 1;
    const x2 = rng.float() * 2 - 1;
    X.set([1, x1, x2], i * 3);
    arm[i] = rng.int(3);
    const eta = -0.5 + 3 * x1 - 2 * x2 + (arm[i] === 1 ? 0.5 * x1 : arm[i] === 2 ? -0.4 : 0);
    y[i] = rng.float() < sigmoid(eta) ? 1 : 0;
  }
  return { X, d: 3, arm, y, arms: 3 };
}

describe('the Hillstrom evaluation fits the learner the product uses', () => {
  it("its T-learner on the train rows predicts what the product's decision-log learner (fitLoggedArms, λ by cross-validation) does on the same rows", () => {
    const data = trial(6000, 7);
    const train = Int32Array.from({ length: data.arm.length / 2 }, (_, r) => 2 * r);
    // The guard that makes the comparison able to fail: on these rows the cross-validated λ is not 10.
    const lambdas = [0, 1, 2].map((k) => chooseRidgeLambda(data.X, data.d, data.y, rowsOfArm(data, k, train)));
    expect(lambdas.every((l) => l < 10)).toBe(true);

    const evaluated = LEARNERS['t-learner'](data, train);
    // The product's learner on the same rows as a decision log of the trial: every propensity 1/3
    // (so every weight is 1 after the per-arm normalisation).
    const logged = {
      X: Float64Array.from([...train].flatMap((i) => [...data.X.subarray(i * 3, i * 3 + 3)])),
      d: 3,
      arm: Int32Array.from(train, (i) => data.arm[i]),
      y: Float64Array.from(train, (i) => data.y[i]),
      propensity: new Float64Array(train.length).fill(1 / 3),
      arms: 3,
    };
    const arms = fitLoggedArms(logged);
    expect(arms.map((a) => a?.lambda)).toEqual(lambdas);
    for (const x of [[1, 0, 0], [1, 0.8, -0.3], [1, -0.6, 0.9]]) {
      const o = evaluated.outcomes(x);
      for (const k of [1, 2]) {
        const product = upliftOf(arms[0]!, arms[k]!);
        expect(o[0]).toBeCloseTo(product.outcomes(x)[0], 8);
        expect(o[k]).toBeCloseTo(product.outcomes(x)[1], 8);
        expect(evaluated.uplift(x)[k]).toBeCloseTo(product.uplift(x)[1], 8);
      }
    }
  });
});
