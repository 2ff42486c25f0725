import type { CompiledFeature } from '../profiles/features/definition.js';
import type { MicroSegmentsState } from './segment-lookup.js';

/**
 * Whether a micro-segments version can still place subjects: `live` while the features it
 * clustered are defined as they were when it was trained and are the ones `segments.microSegments`
 * names; else `needs-retraining`, with the reason. A feature renamed (the same definition under a
 * new name: a definition's hash does not hold its name) is still that feature: the version stays
 * live and reads it under the name in `renamed` (old name → new). A version that needs retraining
 * is not applied (its means, sds and centroids are in the units of definitions no longer in
 * force): `microSegment` is null and the ladder skips the micro-segment rung until a new version
 * is trained.
 */
export type MicroSegmentsStatus = { status: 'live'; renamed?: Record<string, string> } | { status: 'needs-retraining'; reason: string };

/**
 * The definitions of `names` as a fingerprint stored with a version: each one's hash, in order
 * (the hash changes with what a definition computes, not with its description or name).
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
 * no longer configured, which leaves the version as it is). Each feature it clustered is, now:
 * itself, while defined as it was (and configured); else the one feature defined as it was under
 * another name that the version did not cluster (and that the list names) — renamed, as the
 * numbering matches it (micro-segments-numbering.ts); else gone or redefined. Midway through a
 * rename (both names defined, the list naming the new one) the old name is still read: its state
 * is whole, the new one's may be backfilling. A version stored before definitions were kept with
 * it is judged by what can be told: a feature gone, the list changed (a rename cannot be told).
 *
 * @example
 * microSegmentsStatus(live.state, settings.get(featuresKind), ['revenue']);
 * // { status: 'needs-retraining', reason: '`revenue` was redefined after this version was trained' }
 * microSegmentsStatus(live.state, settings.get(featuresKind), ['spend']); // `revenue` renamed `spend`
 * // { status: 'live', renamed: { revenue: 'spend' } }
 */
export function microSegmentsStatus(s: MicroSegmentsState, features: readonly CompiledFeature[], configured: readonly string[] | null): MicroSegmentsStatus {
  const byName = new Map(features.map((f) => [f.def.name, f.hash]));
  const wanted = (n: string) => !configured || configured.includes(n);
  const asTrained = (n: string, i: number) => byName.has(n) && (!s.definitions || byName.get(n) === s.definitions[i]);
  /** What each feature clustered is called now, for the configured list. */
  const called: string[] = [];
  const renamed: Record<string, string> = {};
  const gone: string[] = [];
  const redefined: string[] = [];
  s.features.forEach((n, i) => {
    const same = asTrained(n, i);
    if (same && wanted(n)) return void called.push(n);
    const hash = s.definitions?.[i];
    const to = hash ? features.filter((f) => f.hash === hash && !s.features.includes(f.def.name) && !called.includes(f.def.name) && wanted(f.def.name)) : [];
    if (to.length === 1) {
      called.push(to[0].def.name);
      if (!same) renamed[n] = to[0].def.name;
      return;
    }
    called.push(n);
    if (!byName.has(n)) gone.push(n);
    else if (!same) redefined.push(n);
  });
  const problems: string[] = [];
  if (gone.length) problems.push(`${list(gone)} ${gone.length > 1 ? 'are' : 'is'} no longer defined`);
  if (redefined.length) problems.push(`${list(redefined)} ${redefined.length > 1 ? 'were' : 'was'} redefined after this version was trained`);
  if (configured) {
    const added = configured.filter((n) => !called.includes(n));
    const dropped = called.filter((n) => !configured.includes(n));
    if (added.length || dropped.length) {
      problems.push(`\`segments.microSegments.features\` now names ${list(configured)}, and this version clustered ${list(s.features)}`);
    }
  }
  if (problems.length) return { status: 'needs-retraining', reason: problems.join('; ') };
  return Object.keys(renamed).length ? { status: 'live', renamed } : { status: 'live' };
}

/**
 * The names a live version reads its features under now, in the order it clustered them: its
 * own, or the new name of one renamed (featureVector looks a value up by name).
 *
 * @example
 * appliedNames(live.state, { status: 'live', renamed: { revenue: 'spend' } }); // ['spend', 'orders']
 */
export function appliedNames(s: Pick<MicroSegmentsState, 'features'>, status: MicroSegmentsStatus): string[] {
  return status.status === 'live' && status.renamed ? s.features.map((n) => status.renamed![n] ?? n) : s.features;
}

const list = (names: readonly string[]) => names.map((n) => `\`${n}\``).join(', ');
