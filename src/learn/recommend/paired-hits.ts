import { wilsonInterval } from '../../measure/stats/proportion-intervals.js';

/**
 * The difference of two hit rates measured on the same cases (recall@k of a model and of
 * popularity on the same held-out subjects), with Newcombe's square-and-add interval for paired
 * proportions (Newcombe, Stat Med 17 (1998) 2635–2650, method 10): Wilson limits of each rate,
 * combined with the estimated correlation of the pairs. Unlike the normal approximation on the
 * differences, it does not collapse to a point when every pair differs the same way (ten hits
 * against ten misses is not a certain difference of 1).
 *
 * @example
 * pairedHitDifference([1, 1, 0, 1], [0, 1, 0, 0]); // { n: 4, difference: 0.5, low: −0.14, high: 0.79 }
 */
export function pairedHitDifference(a: readonly number[], b: readonly number[], z = 1.959964): { n: number; difference: number; low: number; high: number } {
  const n = a.length;
  if (n === 0) return { n, difference: NaN, low: -1, high: 1 };
  // both, only a, only b, neither
  let both = 0;
  let onlyA = 0;
  let onlyB = 0;
  for (let i = 0; i < n; i++) {
    if (a[i] && b[i]) both++;
    else if (a[i]) onlyA++;
    else if (b[i]) onlyB++;
  }
  const neither = n - both - onlyA - onlyB;
  const xa = both + onlyA;
  const xb = both + onlyB;
  const pa = xa / n;
  const pb = xb / n;
  const [la, ua] = wilsonInterval(xa, n, z);
  const [lb, ub] = wilsonInterval(xb, n, z);
  // The correlation of the two rates, with Newcombe's continuity correction of a positive one.
  const margins = xa * (n - xa) * xb * (n - xb);
  const cross = both * neither - onlyA * onlyB;
  const phi = margins === 0 ? 0 : cross > n / 2 ? (cross - n / 2) / Math.sqrt(margins) : cross >= 0 ? 0 : cross / Math.sqrt(margins);
  const d = pa - pb;
  const low = d - Math.sqrt(Math.max(0, (pa - la) ** 2 + (ub - pb) ** 2 - 2 * phi * (pa - la) * (ub - pb)));
  const high = d + Math.sqrt(Math.max(0, (pb - lb) ** 2 + (ua - pa) ** 2 - 2 * phi * (pb - lb) * (ua - pa)));
  return { n, difference: d, low: Math.max(-1, low), high: Math.min(1, high) };
}
