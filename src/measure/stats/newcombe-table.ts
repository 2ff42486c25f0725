/**
 * Published values for tests: R. G. Newcombe, "Interval estimation for the difference between
 * independent proportions: comparison of eleven methods", Statistics in Medicine 17 (1998)
 * 873–890, Table II, method 10 (hybrid score), 95%. Each row: x1, n1, x2, n2, the difference
 * x1/n1 − x2/n2 and its lower and upper limits (4 decimals). The last four rows are the
 * zero-variance cases (every outcome 0, or 1, on a side).
 *
 * @example
 * it.each(NEWCOMBE_TABLE_II)('%i/%i − %i/%i', (x1, n1, x2, n2, d, lo, hi) => …);
 */
export const NEWCOMBE_TABLE_II: readonly (readonly [number, number, number, number, number, number, number])[] = [
  [56, 70, 48, 80, 0.2, 0.0524, 0.3339],
  [9, 10, 3, 10, 0.6, 0.1705, 0.809],
  [6, 7, 2, 7, 0.5714, 0.0582, 0.8062],
  [5, 56, 0, 29, 0.0893, -0.0381, 0.1926],
  [0, 10, 0, 20, 0, -0.1611, 0.2775],
  [0, 10, 0, 10, 0, -0.2775, 0.2775],
  [10, 10, 0, 20, 1, 0.6791, 1],
  [10, 10, 0, 10, 1, 0.6075, 1],
];
