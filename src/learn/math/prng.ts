/**
 * Tact's own seeded pseudo-random generator: xoshiro128** (Blackman & Vigna, 2018), seeded
 * through a SplitMix32-style hash so that small integer seeds give well-mixed states.
 * Models and evaluations never call Math.random: every random draw is reproducible from a seed,
 * and the generator's state is plain JSON so a learner can be stored and resumed.
 */

/** The four 32-bit words of a xoshiro128** state, plus a cached spare normal deviate. */
export interface RngState {
  s: [number, number, number, number];
  spare: number | null;
}

const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k));

/** SplitMix32 mixing step: returns [next seed, output word]. */
function splitMix32(seed: number): [number, number] {
  const next = (seed + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  z ^= z >>> 15;
  return [next, z >>> 0];
}

/**
 * A seeded random generator.
 *
 * @example
 * const rng = new Rng(0);
 * rng.float();   // in [0, 1)
 * rng.int(50);   // in {0, …, 49}
 * const saved = rng.state();  // JSON-safe; new Rng(saved) resumes the stream
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  /** Spare deviate of the Box–Muller pair (kept so that resuming from state() is exact). */
  spare: number | null = null;

  constructor(seed: number | RngState = 0) {
    if (typeof seed === 'number') {
      let sm = seed | 0;
      const words: number[] = [];
      for (let i = 0; i < 4; i++) {
        const [next, out] = splitMix32(sm);
        sm = next;
        words.push(out);
      }
      if ((words[0] | words[1] | words[2] | words[3]) === 0) words[0] = 1;
      [this.s0, this.s1, this.s2, this.s3] = words as [number, number, number, number];
    } else {
      [this.s0, this.s1, this.s2, this.s3] = seed.s.map((w) => w >>> 0) as [number, number, number, number];
      this.spare = seed.spare;
    }
  }

  /** Creates a generator from raw state words (as in the reference C code's `s[4]`). */
  static fromWords(s: [number, number, number, number]): Rng {
    return new Rng({ s, spare: null });
  }

  /** Next 32-bit unsigned output of xoshiro128**. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  float(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Uniform double in (0, 1): never exactly 0, safe for logarithms. */
  floatOpen(): number {
    let u = this.float();
    while (u === 0) u = this.float();
    return u;
  }

  /** Uniform integer in {0, …, n−1} (rejection sampling, no modulo bias). */
  int(n: number): number {
    if (!(n >= 1) || n > 4294967296) throw new RangeError(`int(n) needs 1 ≤ n ≤ 2^32, got ${n}.`);
    const limit = 4294967296 - (4294967296 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /** An independent generator derived from this one (for parallel streams, e.g. per fold). */
  fork(): Rng {
    return new Rng(this.nextUint32() ^ 0x5bd1e995);
  }

  /** JSON-safe state; `new Rng(state)` continues the identical stream. */
  state(): RngState {
    return { s: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0], spare: this.spare };
  }
}
