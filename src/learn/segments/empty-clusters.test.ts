import { describe, expect, it } from 'vitest';
import { kmeans } from './kmeans.js';
import { type MicroSegmentModel, fitMicroSegments, microSegmentOf } from './micro-segments.js';
import { relabelLike } from './relabel.js';
import { fitStandardizer, standardizeMatrix } from './standardize.js';

/** `a` rows [0, 0] then `b` rows [1, 1]: two distinct rows, as QA's buyers and viewers (views, cats). */
const twoRows = (a: number, b: number) => Float64Array.from([...Array(a).fill([0, 0]), ...Array(b).fill([1, 1])].flat());
const sizesOf = (assignment: Int32Array, k: number) => Array.from({ length: k }, (_, c) => assignment.filter((x) => x === c).length);

describe('clusters left empty (fewer distinct rows than k)', () => {
  it('k-means settles, the rows of a group together, the clusters left empty taking no row (until 2026-12-05 it ran to maxIter)', () => {
    for (const [a, b, k] of [[23, 24, 3], [22, 24, 3], [10, 10, 5], [30, 5, 8]]) {
      const X = twoRows(a, b);
      const Z = standardizeMatrix(fitStandardizer(X, 2), X, 2);
      const r = kmeans(Z, 2, k, { seed: 0 });
      // The mean of 24 equal rows is 1e-16 off the row, and an empty cluster restarted on the row
      // itself took the group next pass, and back: it never settled.
      expect(r.iterations, `${a}/${b} k=${k}`).toBeLessThan(10);
      expect(sizesOf(r.assignment, k).filter((s) => s > 0).sort((x, y) => x - y), `${a}/${b} k=${k}`).toEqual([Math.min(a, b), Math.max(a, b)]);
    }
  });

  it('place no one: a cluster empty at fitting on the very row of a group does not take its people', () => {
    // Cluster 1 is the group, its centroid the mean of equal rows (1 ulp off); cluster 2 is empty, on the row itself.
    const model: MicroSegmentModel = { k: 3, d: 1, mean: [0], sd: [1], centroids: [-1, 1 + 2.2e-16, 1], sizes: [23, 24, 0], modelVersion: 'micro-segments' };
    expect(microSegmentOf(model, [1])).toBe(1);
    expect(microSegmentOf(model, [-0.9])).toBe(0);
  });

  it('never take a number a cluster holding people can take, when a refit with a larger k is renumbered', () => {
    const previous: MicroSegmentModel = { k: 2, d: 1, mean: [0], sd: [1], centroids: [-1, 1], sizes: [22, 24], modelVersion: 'micro-segments' };
    // Nearest to the old cluster 1 by 2e-16 is the empty one: by distance alone it took number 1.
    const refit: MicroSegmentModel = { ...previous, k: 3, centroids: [-1, 1 + 2.2e-16, 1], sizes: [23, 24, 0] };
    expect(relabelLike(refit, previous).sizes).toEqual([23, 24, 0]);
    expect(relabelLike({ ...refit, centroids: [1, -1, 1 + 2.2e-16], sizes: [0, 23, 24] }, previous).sizes).toEqual([23, 24, 0]);
    // A number that held no one is worth nothing: it does not hold back a group from its own.
    const withEmpty: MicroSegmentModel = { ...refit, sizes: [22, 24, 0] };
    expect(relabelLike({ ...refit, centroids: [-1, 1, 1 + 2.2e-16], sizes: [23, 0, 24] }, withEmpty).sizes).toEqual([23, 24, 0]);
  });

  it('QA\'s retraining with k 3 over two distinct rows keeps the 24 viewers in micro-segment 1', () => {
    const v1 = fitMicroSegments(twoRows(22, 24), 2, { k: 2 });
    const viewer = [1, 1];
    expect(v1.sizes[microSegmentOf(v1, viewer)]).toBe(24);
    const v2 = relabelLike(fitMicroSegments(twoRows(23, 24), 2, { k: 3 }), v1);
    expect(microSegmentOf(v2, viewer)).toBe(microSegmentOf(v1, viewer));
    expect(v2.sizes[microSegmentOf(v2, viewer)]).toBe(24);
    expect(microSegmentOf(v2, [0, 0])).toBe(microSegmentOf(v1, [0, 0]));
  });
});
