/**
 * A small seeded pseudo-random generator for bootstraps and simulations: sfc32 (Chris
 * Doty-Humphrey's Small Fast Counter, PractRand-clean) seeded through splitmix32. Never
 * Math.random: every interval Tact prints must be reproducible from its seed.
 */

/** A source of uniform numbers in [0, 1). */
export type Rng = () => number;

/**
 * Creates a seeded generator; the same seed always gives the same stream.
 * @example const rng = createRng(42); const u = rng(); // 0 ≤ u < 1
 */
export function createRng(seed: number): Rng {
  let s = seed >>> 0;
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const next = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) next();
  return () => next() / 4294967296;
}

/**
 * Uniform integer in [0, n).
 * @example randomInt(createRng(1), 6) // one of 0..5
 */
export function randomInt(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}

/**
 * Standard normal draw (Box–Muller), for simulations in tests.
 * @example randomNormal(createRng(7)) // ≈ N(0, 1)
 */
export function randomNormal(rng: Rng): number {
  let u = rng();
  while (u === 0) u = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}
