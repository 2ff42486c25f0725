import { betaQuantile } from '../../maths/distributions.js';

/**
 * Intervals for proportions, which keep their coverage at small and zero counts where the
 * Wald interval p ± z·√(p(1 − p)/n) collapses (0/200 has Wald width 0):
 * - the Clopper–Pearson exact interval for one proportion (Biometrika 26 (1934) 404–413);
 * - Wilson's score interval for one proportion (Wilson, JASA 22 (1927) 209–212);
 * - Newcombe's hybrid score interval for a difference p1 − p2, method 10 of R. G. Newcombe,
 *   "Interval estimation for the difference between independent proportions: comparison of eleven
 *   methods", Statistics in Medicine 17 (1998) 873–890;
 * - MOVER-R for a ratio p1 / p2 from the same Wilson limits (Donner & Zou, Stat Methods Med Res 21
 *   (2012) 347–359; Newcombe, Stat Methods Med Res 25 (2016) 1774–1778): method 10 applied to
 *   p1 − R·p2 = 0, so the ratio's interval excludes 1 exactly when the difference's excludes 0.
 */

/** An estimate with its interval. */
export interface IntervalEstimate {
  estimate: number;
  ci: [number, number];
}

/**
 * The Clopper–Pearson ("exact") interval for x successes in n trials at `level`: the Beta
 * quantiles [B((1 − level)/2; x, n − x + 1), B((1 + level)/2; x + 1, n − x)], 0 and 1 at the ends
 * (C. J. Clopper & E. S. Pearson, Biometrika 26 (1934) 404–413). Never below its level, which a
 * percentile bootstrap of a rare event's rate is at its upper end (46 clicks in 10,000: bootstrap
 * [0.0033, 0.0059], exact [0.00337, 0.00613]).
 * @example clopperPearsonInterval(46, 10000, 0.95) // [0.0033697, 0.0061310]
 */
export function clopperPearsonInterval(x: number, n: number, level: number): [number, number] {
  const tail = (1 - level) / 2;
  return [x <= 0 ? 0 : betaQuantile(tail, x, n - x + 1), x >= n ? 1 : betaQuantile(1 - tail, x + 1, n - x)];
}

/**
 * Wilson's score interval for x successes in n trials: (2np + z² ± z√(z² + 4npq)) / (2(n + z²)).
 * @example wilsonInterval(0, 20, 1.95996) // [0, 0.16113]
 */
export function wilsonInterval(x: number, n: number, z: number): [number, number] {
  const p = x / n;
  const z2 = z * z;
  const centre = 2 * n * p + z2;
  const half = z * Math.sqrt(z2 + 4 * n * p * (1 - p));
  const denom = 2 * (n + z2);
  // At 0 and n successes the limits are exactly 0 and 1; the subtraction would leave rounding dust.
  return [x <= 0 ? 0 : (centre - half) / denom, x >= n ? 1 : (centre + half) / denom];
}

/**
 * Newcombe's hybrid score interval (method 10) for p1 − p2 = x1/n1 − x2/n2:
 * L = Δ − √((p1 − l1)² + (u2 − p2)²), U = Δ + √((u1 − p1)² + (p2 − l2)²), (l, u) Wilson limits.
 * @example newcombeDifference(56, 70, 48, 80, 1.95996) // { estimate: 0.2, ci: [0.0524, 0.3339] }
 */
export function newcombeDifference(x1: number, n1: number, x2: number, n2: number, z: number): IntervalEstimate {
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const [l1, u1] = wilsonInterval(x1, n1, z);
  const [l2, u2] = wilsonInterval(x2, n2, z);
  const d = p1 - p2;
  return { estimate: d, ci: [d - Math.hypot(p1 - l1, u2 - p2), d + Math.hypot(u1 - p1, p2 - l2)] };
}

/**
 * MOVER-R interval for p1 / p2 from Wilson limits; null when p2 = 0 (no ratio).
 * L = (p1p2 − √((p1p2)² − l1u2(2p1 − l1)(2p2 − u2))) / (u2(2p2 − u2)),
 * U = (p1p2 + √((p1p2)² − u1l2(2p1 − u1)(2p2 − l2))) / (l2(2p2 − l2)).
 * @example moverRatio(56, 70, 48, 80, 1.95996)?.estimate // 1.3333
 */
export function moverRatio(x1: number, n1: number, x2: number, n2: number, z: number): IntervalEstimate | null {
  if (!(x2 > 0)) return null;
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const [l1, u1] = wilsonInterval(x1, n1, z);
  const [l2, u2] = wilsonInterval(x2, n2, z);
  const b = p1 * p2;
  // a·R² − 2b·R + c = 0; the lower limit's a may be ≤ 0 (u2 ≥ 2p2 at small counts), the same root is wanted.
  const root = (a: number, c: number, sign: 1 | -1) => (a === 0 ? (b === 0 ? 0 : c / (2 * b)) : (b + sign * Math.sqrt(Math.max(0, b * b - a * c))) / a);
  const lower = root(u2 * (2 * p2 - u2), l1 * (2 * p1 - l1), -1);
  const upper = root(l2 * (2 * p2 - l2), u1 * (2 * p1 - u1), 1);
  return { estimate: p1 / p2, ci: [lower, upper] };
}
