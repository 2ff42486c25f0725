/**
 * Special functions in double precision: log-gamma (Lanczos), erfc (W. J. Cody 1969, the SPECFUN
 * CALERF coefficients), the standard normal CDF and its inverse (Wichura, AS 241, 1988), and the
 * logistic helpers used by the bandit and uplift models.
 */

const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/**
 * ln Γ(x) for x > 0 (Lanczos approximation, g = 7, ~15 significant digits).
 *
 * @example
 * lnGamma(5); // ln 24
 */
export function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0];
  const t = z + LANCZOS_G + 0.5;
  for (let i = 1; i < LANCZOS_G + 2; i++) a += LANCZOS[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a+b). @example lnBeta(1, 1) // 0 */
export function lnBeta(a: number, b: number): number {
  return lnGamma(a) + lnGamma(b) - lnGamma(a + b);
}

/**
 * Complementary error function, Cody's rational Chebyshev approximations (relative error ~1e-15).
 *
 * @example
 * erfc(0.5); // 0.4795001221869535
 */
export function erfc(x: number): number {
  const y = Math.abs(x);
  if (y <= 0.46875) {
    const t = y * y;
    const sa = (((1.85777706184603153e-1 * t + 3.16112374387056560e0) * t + 1.13864154151050156e2) * t + 3.77485237685302021e2) * t + 3.20937758913846947e3;
    const sb = (((t + 2.36012909523441209e1) * t + 2.44024637934444173e2) * t + 1.28261652607737228e3) * t + 2.84423683343917062e3;
    return 1 - (x * sa) / sb;
  }
  let r: number;
  // exp(−y²) split as exp(−ysq²)·exp(−(y−ysq)(y+ysq)) to keep full precision (as in CALERF).
  const ysq = Math.trunc(y * 16) / 16;
  const expTerm = Math.exp(-ysq * ysq) * Math.exp(-(y - ysq) * (y + ysq));
  if (y <= 4) {
    const sc = (((((((2.15311535474403846e-8 * y + 5.64188496988670089e-1) * y + 8.88314979438837594e0) * y + 6.61191906371416295e1) * y + 2.98635138197400131e2) * y + 8.81952221241769090e2) * y + 1.71204761263407058e3) * y + 2.05107837782607147e3) * y + 1.23033935479799725e3;
    const sd = (((((((y + 1.57449261107098347e1) * y + 1.17693950891312499e2) * y + 5.37181101862009858e2) * y + 1.62138957456669019e3) * y + 3.29079923573345963e3) * y + 4.36261909014324716e3) * y + 3.43936767414372164e3) * y + 1.23033935480374942e3;
    r = (expTerm * sc) / sd;
  } else if (y >= 26.6) {
    r = 0;
  } else {
    const t = 1 / (y * y);
    const sp = ((((1.63153871373020978e-2 * t + 3.05326634961232344e-1) * t + 3.60344899949804439e-1) * t + 1.25781726111229246e-1) * t + 1.60837851487422766e-2) * t + 6.58749161529837803e-4;
    const sq = ((((t + 2.56852019228982242e0) * t + 1.87295284992346047e0) * t + 5.27905102951428412e-1) * t + 6.05183413124413191e-2) * t + 2.33520497626869185e-3;
    r = ((0.5641895835477562869 - (t * sp) / sq) / y) * expTerm;
  }
  return x < 0 ? 2 - r : r;
}

/** Standard normal density. @example normalPdf(0) // 0.3989422804014327 */
export function normalPdf(z: number): number {
  return 0.3989422804014327 * Math.exp(-0.5 * z * z);
}

/**
 * Standard normal CDF Φ(z), accurate in both tails.
 *
 * @example
 * normalCdf(1.959963984540054); // 0.975
 */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z * Math.SQRT1_2);
}

const A = [3.387132872796366608, 133.14166789178437745, 1971.5909503065514427, 13731.693765509461125, 45921.953931549871457, 67265.770927008700853, 33430.575583588128105, 2509.0809287301226727];
const B = [1, 42.313330701600911252, 687.1870074920579083, 5394.1960214247511077, 21213.794301586595867, 39307.89580009271061, 28729.085735721942674, 5226.495278852854561];
const C = [1.42343711074968357734, 4.6303378461565452959, 5.7694972214606914055, 3.64784832476320460504, 1.27045825245236838258, 0.24178072517745061177, 0.0227238449892691845833, 7.7454501427834140764e-4];
const D = [1, 2.05319162663775882187, 1.6763848301838038494, 0.68976733498510000455, 0.14810397642748007459, 0.0151986665636164571966, 5.475938084995344946e-4, 1.05075007164441684324e-9];
const E = [6.6579046435011037772, 5.4637849111641143699, 1.7848265399172913358, 0.29656057182850489123, 0.026532189526576123093, 0.0012426609473880784386, 2.71155556874348757815e-5, 2.01033439929228813265e-7];
const F = [1, 0.59983220655588793769, 0.13692988092273580531, 0.0148753612908506148525, 7.868691311456132591e-4, 1.8463183175100546818e-5, 1.4215117583164458887e-7, 2.04426310338993978564e-15];

const poly = (c: number[], x: number): number => {
  let v = c[c.length - 1];
  for (let i = c.length - 2; i >= 0; i--) v = v * x + c[i];
  return v;
};

/**
 * Inverse standard normal CDF (Wichura's AS 241, ~16 digits).
 *
 * @example
 * normalQuantile(0.95); // 1.6448536269514722
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return -Infinity;
    if (p === 1) return Infinity;
    return NaN;
  }
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * poly(A, r)) / poly(B, r);
  }
  let r = q < 0 ? p : 1 - p;
  r = Math.sqrt(-Math.log(r));
  const v = r <= 5 ? poly(C, r - 1.6) / poly(D, r - 1.6) : poly(E, r - 5) / poly(F, r - 5);
  return q < 0 ? -v : v;
}

/** Logistic function 1/(1+e^−x), stable for large |x|. @example sigmoid(0) // 0.5 */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** Log-odds ln(p/(1−p)). @example logit(0.5) // 0 */
export function logit(p: number): number {
  return Math.log(p / (1 - p));
}
