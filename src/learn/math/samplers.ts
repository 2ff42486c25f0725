/**
 * Random variates drawn from a seeded {@link Rng}: normal (Box–Muller), gamma
 * (Marsaglia & Tsang 2000), beta (ratio of gammas), Dirichlet, categorical.
 */
import type { Rng } from './prng.js';

/**
 * Standard normal deviate by the Box–Muller transform; the second deviate of each pair is kept
 * in the generator's state so that a stored generator resumes exactly.
 *
 * @example
 * const z = normal(new Rng(1)); // ~ N(0, 1)
 */
export function normal(rng: Rng): number {
  if (rng.spare !== null) {
    const z = rng.spare;
    rng.spare = null;
    return z;
  }
  const u = rng.floatOpen();
  const v = rng.float();
  const r = Math.sqrt(-2 * Math.log(u));
  rng.spare = r * Math.sin(2 * Math.PI * v);
  return r * Math.cos(2 * Math.PI * v);
}

/**
 * Gamma(shape, 1) deviate by Marsaglia & Tsang's squeeze method ("A simple method for generating
 * gamma variables", ACM TOMS 26(3), 2000); shape < 1 uses the boost Gamma(a+1)·U^(1/a).
 *
 * @example
 * gamma(new Rng(2), 3); // mean 3, variance 3
 */
export function gamma(rng: Rng, shape: number): number {
  if (!(shape > 0)) throw new RangeError(`gamma shape must be > 0, got ${shape}.`);
  if (shape < 1) return gamma(rng, shape + 1) * Math.pow(rng.floatOpen(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.floatOpen();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/**
 * Beta(a, b) deviate as X/(X+Y) with X ~ Gamma(a), Y ~ Gamma(b).
 *
 * @example
 * beta(new Rng(3), 2, 8); // mean 0.2
 */
export function beta(rng: Rng, a: number, b: number): number {
  const x = gamma(rng, a);
  const y = gamma(rng, b);
  return x / (x + y);
}

/**
 * Dirichlet(alpha) deviate: normalised independent gammas.
 *
 * @example
 * dirichlet(new Rng(4), [1, 1, 1]); // uniform on the 2-simplex
 */
export function dirichlet(rng: Rng, alpha: ArrayLike<number>): Float64Array {
  const out = new Float64Array(alpha.length);
  let sum = 0;
  for (let i = 0; i < alpha.length; i++) {
    out[i] = gamma(rng, alpha[i]);
    sum += out[i];
  }
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
}

/**
 * Index drawn with probability proportional to `weights` (non-negative, not all zero).
 *
 * @example
 * categorical(new Rng(5), [0.2, 0.8]); // 1 about 80% of the time
 */
export function categorical(rng: Rng, weights: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < weights.length; i++) total += weights[i];
  let u = rng.float() * total;
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i];
    if (u < 0) return i;
  }
  for (let i = weights.length - 1; i >= 0; i--) if (weights[i] > 0) return i;
  throw new RangeError('categorical needs at least one positive weight.');
}
