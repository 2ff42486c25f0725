import { describe, expect, it } from 'vitest';
import { nelderMead } from './optimize.js';
import { integrate } from './quadrature.js';

describe('Gauss–Kronrod quadrature', () => {
  it('is exact for polynomials up to degree 22 on one 15-point panel (Kronrod degree of exactness 23)', () => {
    const r = integrate((x) => Math.pow(x, 22), 0, 1, 1e-300, 1);
    expect(r.value).toBeCloseTo(1 / 23, 15);
  });

  it('integrates a Gaussian to √π and a kink to its closed form, with an honest error estimate', () => {
    expect(integrate((x) => Math.exp(-x * x), -10, 10).value).toBeCloseTo(Math.sqrt(Math.PI), 12);
    const kink = integrate((x) => Math.abs(x - 0.3), 0, 1, 1e-10);
    const exact = (0.3 * 0.3 + 0.7 * 0.7) / 2;
    expect(Math.abs(kink.value - exact)).toBeLessThanOrEqual(Math.max(kink.errorEstimate, 1e-14));
    expect(kink.errorEstimate).toBeLessThan(1e-9);
  });

  it('stops at a tolerance relative to the value when that is looser (QUADPACK\'s epsrel): a tiny integral to its own digits', () => {
    // ∫₀¹ 10⁻³⁰·|x − 0.3| dx = 2.9·10⁻³¹: an absolute 10⁻³⁰⁰ alone asks for digits past the rules' own rounding.
    const exact = 1e-30 * (0.3 * 0.3 + 0.7 * 0.7) / 2;
    const rel = integrate((x) => 1e-30 * Math.abs(x - 0.3), 0, 1, 1e-300, 200, 1e-8);
    expect(Math.abs(rel.value - exact) / exact).toBeLessThan(1e-8);
    expect(rel.errorEstimate).toBeLessThanOrEqual(1e-8 * rel.value);
    const abs = integrate((x) => 1e-30 * Math.abs(x - 0.3), 0, 1, 1e-300, 200);
    expect(rel.evaluations).toBeLessThan(abs.evaluations);
  });
});

describe('Nelder–Mead', () => {
  it('finds the Rosenbrock minimum (1, 1)', () => {
    const r = nelderMead(([x, y]) => 100 * (y - x * x) ** 2 + (1 - x) ** 2, [-1.2, 1], 0.5, 1e-14, 5000);
    expect(r.x[0]).toBeCloseTo(1, 4);
    expect(r.x[1]).toBeCloseTo(1, 4);
  });
});
