/**
 * Learned micro-segments: k-means over standardised profile features. The model is plain JSON
 * (means, sds, centroids) so the lead can store it and assign a subject in O(k·d) on every event.
 */
import { kmeans } from './kmeans.js';
import { assignCluster } from './kmeans.js';
import { fitStandardizer, standardizeMatrix, standardizeRow } from './standardize.js';

/** A stored micro-segmentation. */
export interface MicroSegmentModel {
  k: number;
  d: number;
  mean: number[];
  sd: number[];
  centroids: number[];
  /** Subjects per micro-segment at fitting time. */
  sizes: number[];
  modelVersion: string;
}

/**
 * Fits k micro-segments on feature rows (n×d, row-major).
 *
 * @example
 * const model = fitMicroSegments(features, 6, { k: 20, seed: 7 });
 */
export function fitMicroSegments(X: Float64Array, d: number, opts: { k: number; seed?: number; modelVersion?: string }): MicroSegmentModel {
  const s = fitStandardizer(X, d);
  const Z = standardizeMatrix(s, X, d);
  const res = kmeans(Z, d, opts.k, { seed: opts.seed ?? 0 });
  const sizes = new Array<number>(opts.k).fill(0);
  for (const c of res.assignment) sizes[c] += 1;
  return { k: opts.k, d, mean: [...s.mean], sd: [...s.sd], centroids: [...res.centroids], sizes, modelVersion: opts.modelVersion ?? 'micro-segments@1' };
}

/**
 * The micro-segment of one subject's features: the nearest cluster that held profiles at fitting
 * (an empty one, left when the profiles had fewer distinct rows than k, places no one).
 *
 * @example
 * microSegmentOf(model, [3, 120.5, 0, 1, 0, 2]); // e.g. 11
 */
export function microSegmentOf(model: MicroSegmentModel, x: ArrayLike<number>): number {
  const z = standardizeRow({ mean: Float64Array.from(model.mean), sd: Float64Array.from(model.sd) }, x);
  return assignCluster(Float64Array.from(model.centroids), model.k, model.d, z, model.sizes);
}
