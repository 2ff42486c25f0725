/**
 * Deterministic assignment: a subject's arm is a pure function of its id and the experiment's
 * salt, so every process (and a re-run months later) agrees without storing anything.
 * The hash is GrowthBook's (FNV-1a 32-bit; version 2 re-hashes to remove v1's bias), checked
 * against the test vectors in GrowthBook's SDK conformance file (packages/sdk-js/test/cases.json).
 */

/**
 * FNV-1a 32-bit over UTF-16 code units, as GrowthBook's SDKs compute it.
 * @example fnv1a32('') // 2166136261
 */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * GrowthBook's bucketing hash: a number in [0, 1) from a seed (salt) and a value (subject id).
 * Version 1: fnv(value + seed) mod 1000; version 2: fnv(String(fnv(seed + value))) mod 10000.
 * @example bucketHash('seed', 'a', 2) // 0.0505
 */
export function bucketHash(seed: string, value: string, version: 1 | 2 = 2): number {
  if (version === 1) return (fnv1a32(value + seed) % 1000) / 1000;
  return (fnv1a32(String(fnv1a32(seed + value))) % 10000) / 10000;
}

/**
 * Bucket ranges for `count` arms: arm i owns [start_i, start_i + coverage·w_i). Weights that do
 * not sum to 1 (±0.01) or do not match the arm count fall back to equal weights (GrowthBook).
 * @example bucketRanges(3, 0.2, [0.2, 0.3, 0.5]) // [[0, 0.04], [0.2, 0.26], [0.5, 0.6]]
 */
export function bucketRanges(count: number, coverage = 1, weights?: readonly number[]): Array<[number, number]> {
  const c = Math.min(1, Math.max(0, coverage));
  let w = weights && weights.length === count ? [...weights] : [];
  const total = w.reduce((s, x) => s + x, 0);
  if (w.length !== count || total < 0.99 || total > 1.01) w = new Array(count).fill(1 / count);
  let start = 0;
  return w.map((wi) => {
    const range: [number, number] = [start, start + c * wi];
    start += wi;
    return range;
  });
}

/**
 * Index of the range holding `bucket`, or −1 when it falls in none (outside coverage).
 * @example chooseArm(0.863, bucketRanges(3)) // 2
 */
export function chooseArm(bucket: number, ranges: ReadonlyArray<readonly [number, number]>): number {
  for (let i = 0; i < ranges.length; i++) {
    if (bucket >= ranges[i][0] && bucket < ranges[i][1]) return i;
  }
  return -1;
}

/** An experiment's arms and traffic. */
export interface ExperimentDesign {
  /** Salt of the experiment's hash; changing it reshuffles everyone. */
  salt: string;
  arms: ReadonlyArray<{ id: string; weight: number }>;
  /** Share of (non-holdout) subjects that enter the experiment; default 1. */
  coverage?: number;
}

/** The global holdout: subjects never personalized, who get the placement's default. */
export interface HoldoutDesign {
  salt: string;
  /** Share of all subjects held out, e.g. 0.02 for Pega's 2% always-on control group. */
  share: number;
}

export type Assignment =
  | { kind: 'holdout'; bucket: number }
  | { kind: 'arm'; armId: string; armIndex: number; bucket: number }
  | { kind: 'excluded'; bucket: number };

/**
 * Assigns a subject: the global holdout first (its own salt, so it is the same subjects in every
 * experiment), then the experiment's arms by weight.
 * @example
 * assign('user-42', { salt: 'hero-banner-v3', arms: [{ id: 'control', weight: 0.5 }, { id: 'new', weight: 0.5 }] },
 *        { salt: 'tact-global-holdout', share: 0.02 })
 * // { kind: 'arm', armId: 'new', … } — the same answer every time
 */
export function assign(subjectId: string, design: ExperimentDesign, holdout?: HoldoutDesign): Assignment {
  if (holdout && holdout.share > 0) {
    const h = bucketHash(holdout.salt, subjectId, 2);
    if (h < holdout.share) return { kind: 'holdout', bucket: h };
  }
  const bucket = bucketHash(design.salt, subjectId, 2);
  const ranges = bucketRanges(design.arms.length, design.coverage ?? 1, armShares(design.arms.map((a) => a.weight)));
  const i = chooseArm(bucket, ranges);
  if (i < 0) return { kind: 'excluded', bucket };
  return { kind: 'arm', armId: design.arms[i].id, armIndex: i, bucket };
}

/**
 * Arm weights as shares of the traffic, summing to 1 (a negative weight counts as 0; none positive:
 * equal shares). Scaled by the largest first, so weights whose sum is not finite in a double
 * (1.5e308 and 1e308) keep their ratio: divided by an infinite total they all read 0, and the arms
 * fell back to equal shares (the configuration refuses such weights since 2026-12-05; one stored
 * before is read here).
 * @example armShares([1.5e308, 1e308, 1]) // [0.6, 0.4, 4e-309]
 */
export function armShares(weights: readonly number[]): number[] {
  let w = weights.map((x) => (x > 0 ? x : 0));
  if (!Number.isFinite(w.reduce((s, x) => s + x, 0))) {
    const top = Math.max(...w);
    w = w.map((x) => (top === Infinity ? (x === Infinity ? 1 : 0) : x / top));
  }
  const total = w.reduce((s, x) => s + x, 0);
  return total > 0 ? w.map((x) => x / total) : weights.map(() => 1 / weights.length);
}
