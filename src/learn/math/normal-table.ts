/**
 * A fast standard normal CDF for inner loops (the bandit's propensity integrals evaluate it
 * millions of times): cubic Hermite interpolation of Φ on a 1/256 grid over [−9, 9], with the
 * exact derivative φ at the nodes. The interpolation error is at most h⁴·max|Φ⁽⁴⁾|/384 ≈ 4·10⁻¹³
 * (h = 1/256); the test checks the bound against Cody's erfc on a dense grid. Outside [−9, 9]
 * Φ is within 1.2·10⁻¹⁹ of 0 or 1.
 */
import { normalCdf, normalPdf } from './special.js';

const LO = -9;
const STEPS_PER_UNIT = 256;
const H = 1 / STEPS_PER_UNIT;
const N = 18 * STEPS_PER_UNIT;
const CDF = new Float64Array(N + 1);
const PDF_H = new Float64Array(N + 1);
for (let k = 0; k <= N; k++) {
  const z = LO + k * H;
  CDF[k] = normalCdf(z);
  PDF_H[k] = normalPdf(z) * H;
}

/** Guaranteed absolute error of {@link fastNormalCdf} (checked by its test). */
export const FAST_NORMAL_CDF_ERROR = 1e-12;

/**
 * Φ(z) by table interpolation, absolute error below {@link FAST_NORMAL_CDF_ERROR}.
 *
 * @example
 * fastNormalCdf(1.959963984540054); // 0.975 (to 12 digits)
 */
export function fastNormalCdf(z: number): number {
  if (z <= LO) return 0;
  if (z >= -LO) return 1;
  const s = (z - LO) * STEPS_PER_UNIT;
  const k = Math.floor(s);
  const t = s - k;
  const t2 = t * t;
  const t3 = t2 * t;
  return (2 * t3 - 3 * t2 + 1) * CDF[k] + (t3 - 2 * t2 + t) * PDF_H[k] + (3 * t2 - 2 * t3) * CDF[k + 1] + (t3 - t2) * PDF_H[k + 1];
}
