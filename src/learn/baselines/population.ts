/**
 * The population rung of a metric baseline: a typical range from pooled readings with no
 * personal structure (no hour, weekday or recency). In the product the pool is the same metric
 * across subjects; the Air Quality evaluation has one device, so there the pool is the stream's own
 * past readings — the "everyone's average" a new device would start from.
 */
import { conformalInterval } from './weighted-quantile.js';

/** A bounded first-in-first-out pool of readings (plain JSON). */
export interface PopulationSample {
  values: number[];
  cap: number;
}

/**
 * Adds a reading, dropping the oldest beyond the cap (in place).
 *
 * @example
 * addToPopulation(pool, 41.5);
 */
export function addToPopulation(pool: PopulationSample, value: number): void {
  pool.values.push(value);
  if (pool.values.length > pool.cap) pool.values.splice(0, pool.values.length - pool.cap);
}

/**
 * Split-conformal interval of the pool at `level` (unbounded while the pool is too small).
 *
 * @example
 * populationInterval({ values: [1, 2, 3], cap: 10 }, 0.9); // [−∞, ∞]: three readings cannot bound 90%
 */
export function populationInterval(pool: PopulationSample, level: number): [number, number] {
  return conformalInterval(pool.values, level);
}

/**
 * The middle of the pool: its median (NaN when empty).
 *
 * @example
 * populationMedian({ values: [3, 1, 2], cap: 10 }); // 2
 */
export function populationMedian(pool: PopulationSample): number {
  const s = Float64Array.from(pool.values).sort();
  const k = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[k] : (s[k - 1] + s[k]) / 2;
}

/**
 * A population pooled from other subjects' readings (the product's population rung for a new subject).
 *
 * @example
 * const pool = poolFromSubjects([[1, 2], [3, 4]], 1000);
 */
export function poolFromSubjects(subjects: number[][], cap = 10_000): PopulationSample {
  const pool: PopulationSample = { values: [], cap };
  for (const values of subjects) for (const v of values) addToPopulation(pool, v);
  return pool;
}
