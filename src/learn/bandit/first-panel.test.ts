import { describe, expect, it } from 'vitest';
import { winProbability } from './propensity.js';

/**
 * A 20-action posterior met by a learner (seed 3, round 2024 of rare-choices.test.ts's loop):
 * action 0's win probability ∫φ(u)·Π_j Φ((μ₀ + σ₀u − μ_j)/σ_j) du. Reference: scipy 1.17.1,
 * integrate.quad(f, -12, 12, epsabs=1e-14, epsrel=1e-13, limit=500) = 0.022920026081534442
 * (its error 2.6e-16). Until 2026-12-05 the first panel's two rules agreed by chance and it was
 * accepted: 0.020279442115408743 with a stated bound of 5.5e-10, at every tolerance down to 1e-9.
 */
const dist = {
  means: [-1.6371348050267847, -4.619631613832935, -1.5852931507273118, -2.1667889273744994, -0.780686969205522, -3.642161699956346, -3.1606328468709286, -1.8249151660838803, -3.0113879889890725, -0.763172300988346, -4.019274854621428, -0.8756903210749454, -0.5253535118275661, -1.9765833969172852, -2.105636482405765, -1.8941732070582213, -3.0108040692349833, -2.307302804079907, -3.867014991599349, -2.1038852534248287],
  sds: [0.6359565024152037, 0.9858819234924323, 0.5795045700979042, 0.8806196607844927, 0.4973938788544321, 0.6518617549421603, 1.103059338392512, 0.5233820724086347, 0.837563800435714, 0.4644713697786159, 0.8545342196437038, 0.40805807843583497, 0.35829972808055716, 0.6216375973553778, 0.7658828242668396, 0.6219161842803306, 0.9546470988540383, 0.6978256977318114, 0.7666694093208178, 0.4967851016571501],
};
const REFERENCE = 0.022920026081534442;

describe('a win probability whose first panel looks converged', () => {
  it.each([1e-7, 1e-9, 1e-12])('is within its stated bound of the reference at tolerance %s', (tol) => {
    const p = winProbability(dist, 0, undefined, tol);
    expect(Math.abs(p.probability - REFERENCE)).toBeLessThanOrEqual(p.errorBound);
  });
});
