import { describe, expect, it } from 'vitest';
import { pairedHitDifference } from './paired-hits.js';

/** Pairs from the cells of a paired 2×2 table: both hit, only the first, only the second, neither. */
function pairs(both: number, onlyA: number, onlyB: number, neither: number): [number[], number[]] {
  const a: number[] = [];
  const b: number[] = [];
  for (const [n, x, y] of [[both, 1, 1], [onlyA, 1, 0], [onlyB, 0, 1], [neither, 0, 0]]) for (let i = 0; i < n; i++) (a.push(x), b.push(y));
  return [a, b];
}

describe('pairedHitDifference', () => {
  it('matches Newcombe\'s square-and-add interval on the Cavo et al. (2012) table: −0.0621 [−0.1186, −0.0046]', () => {
    // Reference: Fagerland, Lydersen & Laake, Statistical Analysis of Contingency Tables (2017), ch. 8,
    // as checked by the R package contingencytables (tests/testthat/test-ch8.R).
    const r = pairedHitDifference(...pairs(59, 6, 16, 80));
    expect(r.n).toBe(161);
    expect(r.difference).toBeCloseTo(-0.0621, 4);
    expect(r.low).toBeCloseTo(-0.1186, 4);
    expect(r.high).toBeCloseTo(-0.0046, 4);
  });

  it('keeps a width when every pair differs the same way (the normal approximation gives the point 1)', () => {
    const r = pairedHitDifference(...pairs(0, 10, 0, 0));
    expect(r.difference).toBe(1);
    expect(r.high).toBe(1);
    // 1 − √((1 − 0.7225)² + 0.2775²): the Wilson limits of 10/10 and 0/10 (Wilson 1927)
    expect(r.low).toBeCloseTo(1 - Math.SQRT2 * 0.27753, 4);
  });
});
