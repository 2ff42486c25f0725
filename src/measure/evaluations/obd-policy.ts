/**
 * The Bernoulli-TS policy's action distribution, read from its own logs. BTS in OBD is
 * context-free but its posterior moved during the week, so each row's propensity is the
 * probability at that moment. The time-averaged probability of item a in slot p — what the
 * logged CTR averages over — is estimated without bias by the share of slot-p impressions that
 * showed item a. (The mean logged propensity per cell is size-biased: E[p | shown] = E[p²]/E[p];
 * in the men log it sums to 2.34 over the items of slot 1 instead of 1.) The normalised mean
 * propensity is kept as a sensitivity check.
 */
import type { ObdLog } from './obd-data.js';

export type BtsDistributionMethod = 'frequency' | 'mean-propensity';

/**
 * π(item | position) as a row-major nPositions × nItems table.
 * @example btsDistribution(btsLog)[0 * nItems + 5] // P(item 5 in the left slot)
 */
export function btsDistribution(log: ObdLog, method: BtsDistributionMethod = 'frequency'): Float64Array {
  const k = log.nItems;
  const table = new Float64Array(log.nPositions * k);
  const counts = new Float64Array(log.nPositions * k);
  for (let i = 0; i < log.n; i++) {
    const c = log.position[i] * k + log.item[i];
    counts[c]++;
    table[c] += log.propensity[i];
  }
  for (let p = 0; p < log.nPositions; p++) {
    let total = 0;
    for (let a = 0; a < k; a++) {
      const c = p * k + a;
      table[c] = method === 'frequency' ? counts[c] : counts[c] > 0 ? table[c] / counts[c] : 0;
      total += table[c];
    }
    for (let a = 0; a < k; a++) table[p * k + a] = total > 0 ? table[p * k + a] / total : 1 / k;
  }
  return table;
}
