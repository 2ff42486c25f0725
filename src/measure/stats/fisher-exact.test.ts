import { describe, expect, it } from 'vitest';
import { fisherExactTwoSided, smallestExpectedCount } from './fisher-exact.js';

// References: scipy 1.17.1, scipy.stats.fisher_exact([[x1, n1 - x1], [x2, n2 - x2]]).pvalue, printed to 16 digits.
describe("Fisher's exact test, two-sided (scipy.stats.fisher_exact)", () => {
  it.each([
    // fisher_exact([[2, 0], [0, 300]]) → 2.200171613385844e-05 (= 1 / C(302, 2))
    [2, 2, 0, 300, 2.200171613385844e-5],
    // fisher_exact([[3, 197], [0, 200]]) → 0.24812030075187969
    [3, 200, 0, 200, 0.24812030075187969],
    [0, 200, 3, 200, 0.24812030075187969],
    // fisher_exact([[10, 0], [0, 10]]) → 1.082508822446903e-05
    [10, 10, 0, 10, 1.082508822446903e-5],
    // fisher_exact([[2, 0], [0, 2]]) → 0.3333333333333333
    [2, 2, 0, 2, 1 / 3],
    // fisher_exact([[5, 51], [0, 29]]) → 0.1606214432094711
    [5, 56, 0, 29, 0.1606214432094711],
    // fisher_exact([[4, 6], [490, 10]]) → 6.61628771838271e-08
    [4, 10, 490, 500, 6.61628771838271e-8],
    // fisher_exact([[12, 8], [40, 460]]) → 1.973804114234504e-08
    [12, 20, 40, 500, 1.973804114234504e-8],
    // fisher_exact([[5, 95], [12, 88]]) → 0.12617886126369043
    [5, 100, 12, 100, 0.12617886126369043],
    // fisher_exact([[480, 9520], [560, 9440]]) → 0.011837819987262266
    [480, 10000, 560, 10000, 0.011837819987262266],
    // fisher_exact([[56, 14], [48, 32]]) → 0.012521129749209154
    [56, 70, 48, 80, 0.012521129749209154],
    // fisher_exact([[610, 9390], [500, 9500]]) → 0.0007551673315979796
    [610, 10000, 500, 10000, 0.0007551673315979796],
    // fisher_exact([[100, 0], [0, 100]]) → 2.208760693199503e-59
    [100, 100, 0, 100, 2.208760693199503e-59],
  ])('%i/%i against %i/%i: %f', (x1, n1, x2, n2, p) => {
    expect(fisherExactTwoSided(x1, n1, x2, n2) / p).toBeCloseTo(1, 9);
    expect(fisherExactTwoSided(x2, n2, x1, n1) / p).toBeCloseTo(1, 9);
  });

  it('is 1 where only one table has the margins, or the table is the likeliest', () => {
    // fisher_exact([[0, 10], [0, 10]]) → 1.0; fisher_exact([[1, 0], [0, 1]]) → 1.0; fisher_exact([[14, 14], [16, 14]]) → 1.0
    expect(fisherExactTwoSided(0, 10, 0, 10)).toBe(1);
    expect(fisherExactTwoSided(1, 1, 0, 1)).toBe(1);
    expect(fisherExactTwoSided(14, 28, 16, 30)).toBeCloseTo(1, 12);
  });
});

describe('smallest expected count of a 2×2 table', () => {
  it('is the smaller row total × the smaller column total / n', () => {
    expect(smallestExpectedCount(2, 2, 0, 300)).toBeCloseTo(4 / 302, 15);
    expect(smallestExpectedCount(5, 100, 12, 100)).toBe(8.5);
    expect(smallestExpectedCount(10, 10, 0, 10)).toBe(5);
    expect(smallestExpectedCount(480, 10000, 560, 10000)).toBe(520);
  });
});
