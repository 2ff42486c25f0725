/**
 * How long the blocks of a block bootstrap should be, chosen from the data.
 *
 * Rows that follow each other in time (a bandit's rounds: consecutive predictions share one
 * posterior) are not independent, and resampling them one by one makes intervals too narrow.
 * The circular block bootstrap resamples runs of `b` consecutive rows instead; `b` is chosen by
 * the automatic rule of Politis & White (2004), "Automatic Block-Length Selection for the
 * Dependent Bootstrap", Econometric Reviews 23(1):53–70, with the correction of Patton, Politis &
 * White (2009), Econometric Reviews 28(4):372–375:
 *
 *   b = (2·G² / D)^(1/3) · n^(1/3),  G = Σ_k λ(k/M)·|k|·R(k),  D = (4/3)·ĝ(0)²,  ĝ(0) = Σ_k λ(k/M)·R(k)
 *
 * with R(k) the sample autocovariances, λ the flat-top window (1 up to ½, then 2(1 − |t|) to 1)
 * and M = 2·m̂, m̂ the smallest lag after which K_N = max(5, ⌈√log₁₀ n⌉) autocorrelations in a
 * row are all below c·√(log₁₀ n / n), c = 2. For independent rows it gives b ≈ 1.
 */

/** The flat-top lag window of Politis & Romano (1995). */
function flatTop(t: number): number {
  const a = Math.abs(t);
  return a <= 0.5 ? 1 : a <= 1 ? 2 * (1 - a) : 0;
}

/** Sample autocovariances R(0..maxLag) of `xs` (divided by n, as in the paper). */
function autocovariances(xs: ArrayLike<number>, maxLag: number): Float64Array {
  const n = xs.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += xs[i];
  mean /= n;
  const c = new Float64Array(n);
  for (let i = 0; i < n; i++) c[i] = xs[i] - mean;
  const r = new Float64Array(maxLag + 1);
  for (let k = 0; k <= maxLag; k++) {
    let s = 0;
    for (let i = k; i < n; i++) s += c[i] * c[i - k];
    r[k] = s / n;
  }
  return r;
}

/**
 * The circular block bootstrap's block length for the mean of `xs` (rounded, at least 1, at most
 * n/3).
 *
 * @example
 * circularBlockLength(independentRows); // 1 or 2
 * circularBlockLength(ar1With0_8, 10_000); // ≈ 67 (the AR(1) value of the formula above)
 */
export function circularBlockLength(xs: ArrayLike<number>): number {
  const n = xs.length;
  if (n < 8) return 1;
  const kn = Math.max(5, Math.ceil(Math.sqrt(Math.log10(n))));
  const maxLag = Math.min(n - 1, Math.ceil(Math.sqrt(n)) + kn);
  const r = autocovariances(xs, maxLag);
  if (!(r[0] > 0)) return 1;
  const bound = 2 * Math.sqrt(Math.log10(n) / n);
  // m̂: the first lag after which kn autocorrelations in a row are insignificant.
  let m = maxLag - kn;
  for (let k = 1; k + kn - 1 <= maxLag; k++) {
    let quiet = true;
    for (let j = k; j < k + kn; j++) {
      if (Math.abs(r[j] / r[0]) >= bound) {
        quiet = false;
        break;
      }
    }
    if (quiet) {
      m = k - 1;
      break;
    }
  }
  const M = Math.min(2 * Math.max(m, 1), maxLag);
  let g = 0;
  let g0 = r[0];
  for (let k = 1; k <= M; k++) {
    const l = flatTop(k / M);
    g += 2 * l * k * r[k];
    g0 += 2 * l * r[k];
  }
  const d = (4 / 3) * g0 * g0;
  if (!(d > 0) || g === 0) return 1;
  const b = Math.cbrt((2 * g * g) / d) * Math.cbrt(n);
  return Math.max(1, Math.min(Math.round(b), Math.floor(n / 3)));
}
