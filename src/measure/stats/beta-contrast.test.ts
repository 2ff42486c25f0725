import { describe, expect, it } from 'vitest';
import { betaContrastQuantiles } from './beta-contrast.js';

describe('betaContrastQuantiles', () => {
  const uniform = { alpha: 1, beta: 1 };
  it('difference of two uniforms: the triangular law, P(Y − X ≤ d) = (1 + d)²/2 for d ≤ 0', () => {
    // (1 + d)²/2 = 0.125 at d = −0.5, = 0.02 at d = −0.8; symmetric about 0.
    const [q02, q125, q5, q875] = betaContrastQuantiles(uniform, uniform, 'difference', [0.02, 0.125, 0.5, 0.875]);
    expect(q02).toBeCloseTo(-0.8, 4);
    expect(q125).toBeCloseTo(-0.5, 4);
    expect(q5).toBeCloseTo(0, 6);
    expect(q875).toBeCloseTo(0.5, 4);
  });
  it('ratio of two uniforms: P(Y/X ≤ t) = t/2 for t ≤ 1 and 1 − 1/(2t) beyond', () => {
    const [q25, q75] = betaContrastQuantiles(uniform, uniform, 'ratio', [0.25, 0.75]);
    expect(q25).toBeCloseTo(0.5, 4);
    expect(q75).toBeCloseTo(2, 3);
  });
});
