/**
 * CDFs and quantiles of the distributions measure's tests use: normal, Student's t,
 * chi-square and beta. Built on ./special.ts; checked against scipy.stats in the tests.
 */
import { logBeta, logGamma, regularizedBeta, regularizedGammaP, regularizedGammaQ } from './special.js';

const SQRT2 = Math.SQRT2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/**
 * Standard normal density.
 * @example normalPdf(0) // ≈ 0.398942
 */
export function normalPdf(z: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * z * z);
}

/**
 * Complementary error function erfc(x), through Q(1/2, x²) so that far tails keep precision.
 * @example erfc(1) // ≈ 0.157299
 */
export function erfc(x: number): number {
  if (x >= 0) return regularizedGammaQ(0.5, x * x);
  return 1 + regularizedGammaP(0.5, x * x);
}

/**
 * Standard normal CDF Φ(z).
 * @example normalCdf(1.959963984540054) // ≈ 0.975
 */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / SQRT2);
}

/**
 * Standard normal quantile Φ⁻¹(p): Wichura's AS 241 (PPND16), polished by one Newton step.
 * @example normalQuantile(0.975) // ≈ 1.959964
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return -Infinity;
    if (p === 1) return Infinity;
    return NaN;
  }
  const x = as241(p);
  // One Newton step on Φ(x) − p removes any residual error of the rational approximation.
  return x - (normalCdf(x) - p) / normalPdf(x);
}

function poly(c: readonly number[], x: number): number {
  let s = 0;
  for (let i = c.length - 1; i >= 0; i--) s = s * x + c[i];
  return s;
}

const A = [3.387132872796366608, 133.14166789178437745, 1971.5909503065514427, 13731.693765509461125, 45921.953931549871457, 67265.770927008700853, 33430.575583588128105, 2509.0809287301226727];
const B = [1, 42.313330701600911252, 687.1870074920579083, 5394.1960214247511077, 21213.794301586595867, 39307.89580009271061, 28729.085735721942674, 5226.495278852545925];
const C = [1.42343711074968357734, 4.6303378461565452959, 5.7694972214606914055, 3.64784832476320460504, 1.27045825245236838258, 0.24178072517745061177, 0.0227238449892691845833, 7.7454501427834140764e-4];
const D = [1, 2.05319162663775882187, 1.6763848301838038494, 0.68976733498510000455, 0.14810397642748007459, 0.0151986665636164571966, 5.475938084995344946e-4, 1.05075007164441684324e-9];
const E = [6.6579046435011037772, 5.4637849111641143699, 1.7848265399172913358, 0.29656057182850489123, 0.026532189526576123093, 0.0012426609473880784386, 2.71155556874348757815e-5, 2.01033439929228813265e-7];
const F = [1, 0.59983220655588793769, 0.13692988092273580531, 0.0148753612908506148525, 7.868691311456132591e-4, 1.8463183175100546818e-5, 1.4215117583164458887e-7, 2.04426310338993978564e-15];

function as241(p: number): number {
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * poly(A, r)) / poly(B, r);
  }
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  let x: number;
  if (r <= 5) {
    r -= 1.6;
    x = poly(C, r) / poly(D, r);
  } else {
    r -= 5;
    x = poly(E, r) / poly(F, r);
  }
  return q < 0 ? -x : x;
}

/**
 * Student's t density with `df` degrees of freedom (df may be fractional, as in Welch's test).
 * @example studentTPdf(0, 1) // = 1/π
 */
export function studentTPdf(t: number, df: number): number {
  const logC = logGamma((df + 1) / 2) - logGamma(df / 2) - 0.5 * Math.log(df * Math.PI);
  return Math.exp(logC - ((df + 1) / 2) * Math.log1p((t * t) / df));
}

/**
 * Student's t CDF.
 * @example studentTCdf(-1.8608, 17.776) // ≈ 0.0397 (half of R's sleep-data p-value)
 */
export function studentTCdf(t: number, df: number): number {
  if (!Number.isFinite(df) || df > 1e7) return normalCdf(t);
  if (t === 0) return 0.5;
  const tail = 0.5 * regularizedBeta(df / (df + t * t), df / 2, 0.5);
  return t > 0 ? 1 - tail : tail;
}

/**
 * Two-sided tail probability P(|T| ≥ |t|), computed without cancellation.
 * @example studentTTwoSided(1.8608, 17.776) // ≈ 0.07939
 */
export function studentTTwoSided(t: number, df: number): number {
  if (!Number.isFinite(df) || df > 1e7) return erfc(Math.abs(t) / SQRT2);
  return regularizedBeta(df / (df + t * t), df / 2, 0.5);
}

/**
 * Student's t quantile: Newton's method from the normal quantile, safeguarded by bisection.
 * @example studentTQuantile(0.975, 10) // ≈ 2.228139
 */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : NaN;
  if (!Number.isFinite(df) || df > 1e7) return normalQuantile(p);
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  let lo = 0;
  let hi = 1;
  while (studentTCdf(hi, df) < p) hi *= 2;
  let x = Math.min(Math.max(normalQuantile(p), lo), hi);
  for (let i = 0; i < 200; i++) {
    const f = studentTCdf(x, df) - p;
    if (Math.abs(f) < 1e-15) break;
    if (f < 0) lo = x;
    else hi = x;
    let next = x - f / studentTPdf(x, df);
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (Math.abs(next - x) < 1e-14 * Math.max(1, Math.abs(x))) {
      x = next;
      break;
    }
    x = next;
  }
  return x;
}

/**
 * Chi-square survival function P(X ≥ x) with k degrees of freedom.
 * @example chiSquareSf(2, 5) // ≈ 0.849145 (scipy.stats.chisquare docs example)
 */
export function chiSquareSf(x: number, k: number): number {
  return regularizedGammaQ(k / 2, x / 2);
}

/**
 * Beta(a, b) CDF at x.
 * @example betaCdf(0.3, 2, 5) // ≈ 0.579825
 */
export function betaCdf(x: number, a: number, b: number): number {
  return regularizedBeta(x, a, b);
}

/**
 * Beta(a, b) quantile: Halley steps on I_x(a, b) − p from the starting guesses of Numerical
 * Recipes (3rd ed., §6.14), guarded by bisection so that it always converges. The models call it
 * for every interval they report, so it must be fast (a handful of CDF evaluations, not sixty).
 * @example betaQuantile(0.5, 2, 2) // = 0.5
 */
export function betaQuantile(p: number, a: number, b: number): number {
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  if (Math.min(a, b) >= LARGE_BETA) return betaQuantileLarge(p, a, b);
  let x = Math.min(Math.max(betaGuess(p, a, b), 1e-300), 1 - 1e-16);
  // log B(a, b), once for every evaluation of the CDF below.
  const lbeta = logBeta(a, b);
  const a1 = a - 1;
  const b1 = b - 1;
  for (let j = 0; j < 40; j++) {
    if (x <= 0 || x >= 1) break;
    const err = regularizedBeta(x, a, b, lbeta) - p;
    const lx = Math.log(x);
    const l1x = Math.log1p(-x);
    // As close as the CDF can tell: its own rounding (below) would keep steps of an ulp or two
    // going to the 40th (Beta(500, 9500) at 0.05 took 40 CDF evaluations instead of 3).
    if (Math.abs(err) <= cdfResolution(lx, l1x, a, b, lbeta) * Math.max(p, 1e-3)) return x;
    const dens = Math.exp(a1 * lx + b1 * l1x - lbeta);
    if (!(dens > 0) || !Number.isFinite(dens)) break;
    const u = err / dens;
    const step = u / (1 - 0.5 * Math.min(1, u * (a1 / x - b1 / (1 - x))));
    let next = x - step;
    if (next <= 0) next = 0.5 * x;
    if (next >= 1) next = 0.5 * (x + 1);
    const moved = Math.abs(next - x);
    x = next;
    if (moved < 1e-15 * Math.max(x, 1e-300)) break;
  }
  if (x > 0 && x < 1 && Math.abs(regularizedBeta(x, a, b, lbeta) - p) <= Math.max(1e-12, cdfResolution(Math.log(x), Math.log1p(-x), a, b, lbeta)) * Math.max(p, 1e-3)) return x;
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 200; i++) {
    const mid = 0.5 * (lo + hi);
    if (regularizedBeta(mid, a, b, lbeta) < p) lo = mid;
    else hi = mid;
    if (hi - lo < 1e-16 * Math.max(mid, 1e-300)) break;
  }
  return 0.5 * (lo + hi);
}

/**
 * The relative error the Beta CDF can resolve at x (given ln x and ln(1 − x)): its prefactor exp(a·ln x + b·ln(1 − x) −
 * ln B(a, b)) carries the rounding of terms as large as a·|ln x|, so with shapes of thousands its
 * error is ≈ 10⁻¹³ of its value. A quantile asked closer than that (10⁻¹² · p) sent Beta(5000,
 * 95000) to 200 steps of bisection that could do no better (1.4 ms a quantile, 2026-12-05).
 */
function cdfResolution(lnX: number, ln1mX: number, a: number, b: number, lbeta: number): number {
  return 8 * Number.EPSILON * (a * Math.abs(lnX) + b * Math.abs(ln1mX) + Math.abs(lbeta));
}

/**
 * Both shapes at least this large: the quantile is read from the normal by its Cornish–Fisher
 * expansion, not by steps on the CDF. The CDF's continued fraction takes about √a terms there
 * (two quantiles of Beta(5·10⁵, 9.5·10⁶) took 0.9 ms, of Beta(5·10⁷, 9.5·10⁸) 1.4 ms and ran into
 * its 10,000-term limit), and a prior of that strength is what empirical Bayes fits to a
 * homogeneous population and what pins an estimate.
 */
const LARGE_BETA = 1e5;

/**
 * The Beta(a, b) quantile for large a and b: the Cornish–Fisher expansion (Cornish & Fisher 1937;
 * the terms as in Abramowitz & Stegun 26.2.49) to the fourth cumulant, with the Beta's skewness
 * and excess kurtosis (Johnson, Kotz & Balakrishnan, Continuous Univariate Distributions 2,
 * §25.4). Its error falls as (a + b)^(−3/2): within 10⁻⁶ of a standard deviation of SciPy's
 * `beta.ppf` from a, b ≥ 10⁵ at p from 0.005 to 0.995 (distributions.test.ts).
 */
function betaQuantileLarge(p: number, a: number, b: number): number {
  const n = a + b;
  const mean = a / n;
  const sd = Math.sqrt((a * b) / (n * n * (n + 1)));
  const skew = (2 * (b - a) * Math.sqrt(n + 1)) / ((n + 2) * Math.sqrt(a * b));
  const kurt = (6 * ((a - b) * (a - b) * (n + 1) - a * b * (n + 2))) / (a * b * (n + 2) * (n + 3));
  const z = normalQuantile(p);
  const z2 = z * z;
  const w = z + (skew / 6) * (z2 - 1) + (kurt / 24) * (z2 * z - 3 * z) - ((skew * skew) / 36) * (2 * z2 * z - 5 * z);
  return Math.min(1, Math.max(0, mean + sd * w));
}

function betaGuess(p: number, a: number, b: number): number {
  if (a >= 1 && b >= 1) {
    const pp = p < 0.5 ? p : 1 - p;
    const t = Math.sqrt(-2 * Math.log(pp));
    let x = (2.30753 + t * 0.27061) / (1 + t * (0.99229 + t * 0.04481)) - t;
    if (p < 0.5) x = -x;
    const al = (x * x - 3) / 6;
    const h = 2 / (1 / (2 * a - 1) + 1 / (2 * b - 1));
    const w = (x * Math.sqrt(al + h)) / h - (1 / (2 * b - 1) - 1 / (2 * a - 1)) * (al + 5 / 6 - 2 / (3 * h));
    return a / (a + b * Math.exp(2 * w));
  }
  const lna = Math.log(a / (a + b));
  const lnb = Math.log(b / (a + b));
  const t = Math.exp(a * lna) / a;
  const u = Math.exp(b * lnb) / b;
  const w = t + u;
  return p < t / w ? Math.pow(a * w * p, 1 / a) : 1 - Math.pow(b * w * (1 - p), 1 / b);
}
