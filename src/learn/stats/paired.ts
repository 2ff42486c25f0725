/**
 * The mean of paired differences a − b with its 95% interval (normal approximation on the
 * differences' standard error): how two versions' scores of the same held-out cases compare.
 * With fewer than two pairs the interval is unbounded.
 *
 * @example
 * pairedDifference([1, 0, 1, 1], [0, 0, 1, 0]); // { n: 4, mean: 0.5, low: −0.07, high: 1.07 }
 */
export function pairedDifference(a: readonly number[], b: readonly number[]): { n: number; mean: number; low: number; high: number } {
  const n = a.length;
  if (n === 0) return { n, mean: NaN, low: -Infinity, high: Infinity };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += a[i] - b[i];
  const mean = sum / n;
  if (n < 2) return { n, mean, low: -Infinity, high: Infinity };
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (a[i] - b[i] - mean) ** 2;
  const half = 1.96 * Math.sqrt(ss / (n - 1) / n);
  return { n, mean, low: mean - half, high: mean + half };
}
