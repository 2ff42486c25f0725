import type { CompiledFeature } from '../profiles/features/definition.js';
import type { MicroSegmentsState } from './segment-lookup.js';

/**
 * Whether a micro-segments version can still place subjects: `live` while the features it
 * clustered are defined as they were when it was trained and are the ones `segments.microSegments`
 * names; else `needs-retraining`, with the reason. A version that needs retraining is not applied
 * (its means, sds and centroids are in the units of definitions no longer in force): `microSegment`
 * is null and the ladder skips the micro-segment rung until a new version is trained.
 */
export type MicroSegmentsStatus = { status: 'live' } | { status: 'needs-retraining'; reason: string };

/**
 * The definitions of `names` as a fingerprint stored with a version: each one's hash, in order
 * (the hash changes with what a definition computes, not with its description).
 *
 * @example
 * definitionsOf(settings.get(featuresKind), ['orders', 'revenue']); // ['k3Jd9a0QwE', 'Z1x…']
 */
export function definitionsOf(features: readonly CompiledFeature[], names: readonly string[]): string[] {
  const byName = new Map(features.map((f) => [f.def.name, f.hash]));
  return names.map((n) => byName.get(n) ?? '');
}

/**
 * A version's status against the features in force and the configured list (null: micro-segments
 * no longer configured, which leaves the version as it is). A version stored before definitions
 * were kept with it is judged by what can be told: a feature gone, the list changed.
 *
 * @example
 * microSegmentsStatus(live.state, settings.get(featuresKind), ['revenue']);
 * // { status: 'needs-retraining', reason: '`revenue` was redefined after this version was trained' }
 */
export function microSegmentsStatus(s: MicroSegmentsState, features: readonly CompiledFeature[], configured: readonly string[] | null): MicroSegmentsStatus {
  const byName = new Map(features.map((f) => [f.def.name, f.hash]));
  const problems: string[] = [];
  const gone = s.features.filter((n) => !byName.has(n));
  if (gone.length) problems.push(`${list(gone)} ${gone.length > 1 ? 'are' : 'is'} no longer defined`);
  const redefined = s.definitions ? s.features.filter((n, i) => byName.has(n) && byName.get(n) !== s.definitions![i]) : [];
  if (redefined.length) problems.push(`${list(redefined)} ${redefined.length > 1 ? 'were' : 'was'} redefined after this version was trained`);
  if (configured) {
    const added = configured.filter((n) => !s.features.includes(n));
    const dropped = s.features.filter((n) => !configured.includes(n));
    if (added.length || dropped.length) {
      problems.push(`\`segments.microSegments.features\` now names ${list(configured)}, and this version clustered ${list(s.features)}`);
    }
  }
  if (!problems.length) return { status: 'live' };
  return { status: 'needs-retraining', reason: problems.join('; ') };
}

const list = (names: readonly string[]) => names.map((n) => `\`${n}\``).join(', ');
