/**
 * Share of the profiles the largest cluster may hold before the clustering counts as lumped: one
 * group with, at most, a few outlying profiles set apart. Above it the micro-segment rung pools
 * (almost) everyone together, so such a version is not promoted over another
 * (micro-segments-comparator.ts).
 */
export const LUMPED_SHARE = 0.95;

/** Why clusters come out empty or lumped: what the training can tell of its rows. */
export interface SpreadCauses {
  /** Distinct rows of features among the profiles, when fewer than k. */
  distinctRows?: number;
  /** Features that take one value for every profile (that have one). */
  constant?: readonly string[];
  /** Features no profile has a value for. */
  missing?: readonly string[];
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
const list = (names: readonly string[]) => names.map((n) => `\`${n}\``).join(', ');
const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;

/**
 * Why a clustering groups no one apart — its largest cluster holds more than {@link LUMPED_SHARE}
 * of the profiles (all of them: the others are empty) — as a sentence, or null when it does not.
 *
 * @example
 * lumpedClusters([80, 0, 0, 0]); // 'cluster 0 holds all 80 profiles and the other 3 are empty'
 * lumpedClusters([77, 1, 1, 1]); // 'cluster 0 holds 77 of the 80 profiles (96.3%), the other 3 clusters 3 between them'
 * lumpedClusters([40, 40, 0]); // null
 */
export function lumpedClusters(sizes: readonly number[]): string | null {
  const n = sizes.reduce((a, b) => a + b, 0);
  if (n === 0 || sizes.length < 2) return null;
  const top = sizes.reduce((b, s, i) => (s > sizes[b] ? i : b), 0);
  const others = sizes.length - 1;
  if (sizes[top] === n) return `cluster ${top} holds all ${plural(n, 'profile', 'profiles')} and the other ${others} ${others === 1 ? 'is' : 'are'} empty`;
  if (sizes[top] / n <= LUMPED_SHARE) return null;
  return `cluster ${top} holds ${sizes[top]} of the ${n} profiles (${pct(sizes[top] / n)}), the other ${plural(others, 'cluster', 'clusters')} ${n - sizes[top]} between them`;
}

/**
 * What a micro-segments training says of its clusters besides their sizes (its metrics'
 * `warnings`): that they are lumped (above), or that some are empty, and why where the rows tell —
 * fewer distinct rows of features than k, a feature that takes one value for everyone, a feature
 * no profile has a value for. Empty when the clusters are all in use and none holds nearly all.
 *
 * @example
 * spreadWarnings([80, 0, 0, 0], { distinctRows: 1, constant: ['orders'], missing: ['basket'] });
 * // ['Micro-segments group no one apart: cluster 0 holds all 80 profiles and the other 3 are empty. The profiles have 1 distinct row of features, fewer than k = 4 (`orders` takes one value for every profile; no profile has a value for `basket`). Cluster features that vary between profiles.']
 */
export function spreadWarnings(sizes: readonly number[], causes: SpreadCauses = {}): string[] {
  const k = sizes.length;
  const empty = sizes.filter((s) => s === 0).length;
  const lumped = lumpedClusters(sizes);
  if (!lumped && !empty) return [];
  const why: string[] = [];
  if (causes.constant?.length) why.push(`${list(causes.constant)} ${causes.constant.length === 1 ? 'takes' : 'take'} one value for every profile`);
  if (causes.missing?.length) why.push(`no profile has a value for ${list(causes.missing)}`);
  const because = why.length ? ` (${why.join('; ')})` : '';
  const rows = causes.distinctRows !== undefined && causes.distinctRows < k ? `The profiles have ${plural(causes.distinctRows, 'distinct row', 'distinct rows')} of features, fewer than k = ${k}${because}.` : why.length ? `${because.slice(2, -1).replace(/^./, (c) => c.toUpperCase())}.` : '';
  if (lumped) {
    const advice = causes.distinctRows !== undefined && causes.distinctRows < 2 ? 'Cluster features that vary between profiles.' : 'The clusters set a few outlying profiles apart rather than groups: cluster features whose values spread the profiles into groups.';
    return [[`Micro-segments group no one apart: ${lumped}.`, rows, advice].filter(Boolean).join(' ')];
  }
  const fewer = causes.distinctRows !== undefined && causes.distinctRows < k ? `A \`segments.microSegments.k\` of ${k - empty} gives the same groups.` : '';
  return [[`${empty} of the ${k} clusters ${empty === 1 ? 'is' : 'are'} empty and place${empty === 1 ? 's' : ''} no one.`, rows, fewer].filter(Boolean).join(' ')];
}
