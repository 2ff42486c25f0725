/**
 * A covariance matrix stored as its upper triangle, exactly.
 *
 * A posterior's covariance is symmetric, so its upper triangle (d(d + 1)/2 numbers, row by row,
 * the diagonal included) says all of it — up to rounding: the online steps subtract k·vᵢ·vⱼ from
 * (i, j) and k·vⱼ·vᵢ from (j, i), which round differently, so about half the pairs of a learned
 * covariance differ by an ulp or two. So that a state reads back exactly as held in memory, each
 * entry below the diagonal is stored as its distance from its mirror in units in the last place
 * of that mirror (`skew`, absent when all are 0: a digit or two each instead of some 20), and —
 * where that does not give it back exactly (entries of opposite sign, or far apart) — as itself
 * (`lower`, by its index among the entries below the diagonal).
 */

/** A d×d covariance (row-major) as stored. */
export interface PackedCov {
  /** Row by row, the entries (i, j) with i ≤ j. */
  upper: number[];
  /** Per entry below the diagonal, in the order of its mirror (i < j) in `upper`: (cov[j][i] − cov[i][j]) / ulp(cov[i][j]). Absent: all 0. */
  skew?: number[];
  /** Entries below the diagonal the skew does not give exactly, by their index in `skew`'s order. */
  lower?: Record<string, number>;
}

const bits = new DataView(new ArrayBuffer(8));

/** The spacing of the doubles at x's binade (2⁻¹⁰⁷⁴ for 0 and subnormals). @example ulp(1) // 2.220446049250313e-16 */
export function ulp(x: number): number {
  bits.setFloat64(0, x);
  const exponent = (bits.getUint32(0) >>> 20) & 0x7ff;
  return 2 ** (Math.max(exponent, 1) - 1075);
}

/**
 * The upper triangle of a d×d covariance, with what gives the rest back exactly.
 *
 * @example
 * packCov([2, 0.5, 0.5, 3], 2); // { upper: [2, 0.5, 3] }
 */
export function packCov(cov: ArrayLike<number>, d: number): PackedCov {
  const upper: number[] = [];
  const skew: number[] = [];
  const lower: Record<string, number> = {};
  let skewed = false;
  let exceptions = false;
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      const u = cov[i * d + j];
      upper.push(u);
      if (j === i) continue;
      const l = cov[j * d + i];
      const k = (l - u) / ulp(u);
      if (Number.isFinite(k) && Math.abs(k) <= 2 ** 20 && u + k * ulp(u) === l) {
        skew.push(k);
        if (k !== 0) skewed = true;
      } else {
        lower[skew.length] = l;
        skew.push(0);
        exceptions = true;
      }
    }
  }
  return { upper, ...(skewed ? { skew } : {}), ...(exceptions ? { lower } : {}) };
}

/**
 * The d×d covariance back from {@link packCov}'s form; undefined when the arrays do not fit d.
 *
 * @example
 * unpackCov({ upper: [2, 0.5, 3] }, 2); // Float64Array [2, 0.5, 0.5, 3]
 */
export function unpackCov(p: PackedCov, d: number): Float64Array | undefined {
  const pairs = (d * (d - 1)) / 2;
  if (!Array.isArray(p.upper) || p.upper.length !== (d * (d + 1)) / 2) return undefined;
  if (p.skew !== undefined && (!Array.isArray(p.skew) || p.skew.length !== pairs)) return undefined;
  const cov = new Float64Array(d * d);
  let at = 0;
  let pair = 0;
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      const u = p.upper[at++];
      cov[i * d + j] = u;
      if (j === i) continue;
      const stored = p.lower?.[pair];
      cov[j * d + i] = typeof stored === 'number' ? stored : u + (p.skew?.[pair] ?? 0) * ulp(u);
      pair++;
    }
  }
  return cov;
}
