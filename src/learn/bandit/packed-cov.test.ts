import { describe, expect, it } from 'vitest';
import { Rng } from '../math/prng.js';
import { packCov, ulp, unpackCov } from './packed-cov.js';

describe('a covariance stored as its upper triangle', () => {
  it('gives back every entry exactly, also below the diagonal where rounding made it differ from its mirror', () => {
    const rng = new Rng(7);
    const d = 6;
    for (let rep = 0; rep < 200; rep++) {
      const cov = new Float64Array(d * d);
      for (let i = 0; i < d; i++) {
        for (let j = i; j < d; j++) {
          const v = (rng.float() - 0.5) * 10 ** (rng.int(40) - 20);
          cov[i * d + j] = v;
          // below: equal, an ulp or a few off, across a power of two, of the other sign, far off, or subnormal
          const kind = rng.int(6);
          cov[j * d + i] = j === i ? v : kind === 0 ? v : kind === 1 ? v + (rng.int(9) - 4) * ulp(v) : kind === 2 ? v * (1 - 2 ** -52) : kind === 3 ? -v * 1e-3 : kind === 4 ? v * 3 : 5e-320;
        }
      }
      const packed = JSON.parse(JSON.stringify(packCov(cov, d)));
      expect(packed.upper).toHaveLength((d * (d + 1)) / 2);
      expect([...unpackCov(packed, d)!]).toEqual([...cov]);
    }
  });

  it('stores a symmetric matrix as its triangle alone, an ulp apart as a digit', () => {
    expect(packCov([2, 0.5, 0.5, 3], 2)).toEqual({ upper: [2, 0.5, 3] });
    expect(packCov([2, 0.5, 0.5 + ulp(0.5), 3], 2)).toEqual({ upper: [2, 0.5, 3], skew: [1] });
    expect(packCov([2, 0.5, -0.5, 3], 2)).toEqual({ upper: [2, 0.5, 3], lower: { 0: -0.5 } }); // of the other sign: stored as itself
  });

  it('refuses arrays that do not fit d', () => {
    expect(unpackCov({ upper: [1, 2, 3, 4] }, 2)).toBeUndefined();
    expect(unpackCov({ upper: [1, 2, 3], skew: [0, 0] }, 2)).toBeUndefined();
    expect([...unpackCov({ upper: [4] }, 1)!]).toEqual([4]);
  });
});
