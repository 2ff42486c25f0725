/**
 * Sample-ratio mismatch: Pearson's chi-square goodness-of-fit of the observed units per arm
 * against the configured weights. A tiny p-value means assignment or logging is broken, and
 * every other number in the readout is suspect. GrowthBook warns below p = 0.001; so do we.
 */
import { chiSquareSf } from '../../maths/distributions.js';

export interface SrmResult {
  chiSquare: number;
  df: number;
  pValue: number;
  /** Units each arm should have had under the weights. */
  expected: number[];
  /** True when pValue < threshold. */
  mismatch: boolean;
  threshold: number;
}

/**
 * Chi-square SRM check. Arms with weight ≤ 0 are ignored, as in GrowthBook's check_srm.
 * @example sampleRatioMismatch([1000, 1200], [0.5, 0.5]) // { chiSquare: 18.18, pValue: 2.0e-5, mismatch: true }
 */
export function sampleRatioMismatch(observed: readonly number[], weights: readonly number[], threshold = 0.001): SrmResult {
  if (observed.length !== weights.length) {
    throw new RangeError(`The SRM check needs one weight per arm; it got ${observed.length} arms and ${weights.length} weights.`);
  }
  const total = observed.reduce((s, o) => s + o, 0);
  const totalWeight = weights.reduce((s, w) => s + Math.max(0, w), 0);
  const expected = weights.map((w) => (w > 0 && totalWeight > 0 ? (w / totalWeight) * total : 0));
  let chiSquare = 0;
  let cells = 0;
  for (let i = 0; i < observed.length; i++) {
    if (weights[i] <= 0) continue;
    cells++;
    if (expected[i] > 0) chiSquare += (observed[i] - expected[i]) ** 2 / expected[i];
  }
  const df = Math.max(1, cells - 1);
  const pValue = total > 0 && cells > 1 ? chiSquareSf(chiSquare, df) : 1;
  return { chiSquare, df, pValue, expected, mismatch: pValue < threshold, threshold };
}
