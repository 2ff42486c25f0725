import type { Settings } from '../config/settings.js';
import type { RateCounts } from '../learn/rates/beta-binomial.js';
import type { LadderCounts } from '../learn/rates/ladder.js';
import { microSegmentOf } from '../learn/segments/micro-segments.js';
import { type RatesModelState, ladderFor } from '../models/rates/rate-model.js';
import { type RateComparison, compareOnPoints, pointLogLik, ratesVerdict, resolvedOutcome } from '../models/rates/rates-comparator.js';
import { ratesKind } from '../models/rates/rates-kind.js';
import type { ModelVersion } from '../models/registry/model-store.js';
import type { CompareVersions, ModelRegistry } from '../models/registry/registry.js';
import { featuresKind } from '../profiles/features/features-kind.js';
import { timeSlicer } from '../models/train/time-slice.js';
import type { Store } from '../store/store.js';
import { featureVector, fillMissing } from './feature-vector.js';
import { lumpedClusters } from './micro-segments-spread.js';
import { appliedNames, microSegmentsStatus } from './micro-segments-status.js';
import type { MicroSegmentsState } from './segment-lookup.js';
import { segmentsKind } from './segments-kind.js';

/** Calibration points read per rate at most. */
const MAX_POINTS = 500_000;

/**
 * Compares two `micro-segments` versions before the candidate replaces the live one. A
 * clustering has no target of its own; what it changes is the middle rung of the rate ladder —
 * which people a subject's rate is pooled with. So it is judged by that: on every rate's
 * resolved exposures recorded after the live version was trained, each version puts the subject
 * in its cluster (from the subject's features now) and the cluster's counts are rebuilt from
 * every resolved exposure of the *other* subjects in it; the ladder (the live `rates` prior
 * strengths) then climbs population → segment → that cluster → the subject's own counts as the
 * exposure kept them, and the outcome is scored by its log-likelihood — the same pairing per
 * subject and the same rule as the `rates` comparison (rates-comparator.ts). With no rates
 * configured there is nothing to judge by, and the comparison is inconclusive. A candidate that
 * needs retraining (micro-segments-status.ts) is never better: it would place no one; nor is one
 * whose clusters are lumped — the largest holding more than 95% of the profiles, all of them when
 * the others are empty (micro-segments-spread.ts) — and a lumped live version gives way to one
 * that is not.
 *
 * @example
 * registry.setComparator('micro-segments', microSegmentsComparator({ store, settings, registry }));
 */
export function microSegmentsComparator(o: { store: Store; settings: Settings; registry: ModelRegistry; now?: () => number }): CompareVersions {
  return async (candidate, live) => {
    const now = (o.now ?? Date.now)();
    const rates = o.settings.get(ratesKind);
    const versions = { candidate: candidate.version, live: live.version };
    const features = o.settings.get(featuresKind);
    const configured = o.settings.get(segmentsKind).microSegments?.features ?? null;
    const candidateState = candidate.state as MicroSegmentsState;
    const unusable = Array.isArray(candidateState.features) ? microSegmentsStatus(candidateState, features, configured) : undefined;
    // A candidate that needs retraining would place no one (until 2026-12-05 it went live whenever the live one needed retraining too).
    if (unusable?.status === 'needs-retraining') {
      return { better: false, summary: `version ${candidate.version} needs retraining and would not be applied: ${unusable.reason}; train a new version`, figures: { versions, candidate: unusable } };
    }
    // A clustering that pools (almost) everyone sets no one apart: not promoted unless forced, whatever
    // the rates say (until 2026-12-06 it went live whenever the comparison was inconclusive and
    // `training.autoPromote` named micro-segments, or the live version needed retraining).
    const lumped = lumpedClusters(sizesOf(candidateState));
    if (lumped) {
      return { better: false, summary: `version ${candidate.version} groups no one apart: ${lumped}; cluster features that vary between profiles, or promote it by hand (\`tact models promote --force\`)`, figures: { versions, sizes: sizesOf(candidateState) } };
    }
    const liveState = live.state as MicroSegmentsState;
    const stale = Array.isArray(liveState.features) ? microSegmentsStatus(liveState, features, configured) : undefined;
    if (stale?.status === 'needs-retraining') {
      return { better: true, verdict: 'better', summary: `the live version ${live.version} needs retraining and is no longer applied: ${stale.reason}`, figures: { versions, live: stale } };
    }
    const liveLumped = lumpedClusters(sizesOf(liveState));
    if (liveLumped) {
      return { better: true, verdict: 'better', summary: `the live version ${live.version} groups no one apart (${liveLumped}), and this one does`, figures: { versions, sizes: sizesOf(candidateState), liveSizes: sizesOf(liveState) } };
    }
    if (!rates.length) {
      return { better: false, inconclusive: true, summary: 'no rates are configured: a clustering is judged by how well its groups predict a rate; promote it by hand (`tact models promote --force`)', figures: {} };
    }
    const ratesLive = await o.registry.live<RatesModelState>('rates');
    const clusterOf = new Map<string, [number, number] | null>();
    const assign = async (subjectId: string): Promise<[number, number] | null> => {
      const hit = clusterOf.get(subjectId);
      if (hit !== undefined) return hit;
      const state = await o.store.profiles.getProfile(subjectId);
      const at = (v: ModelVersion) => {
        const m = v.state as MicroSegmentsState;
        // The live version reads a feature renamed since its training under the new name.
        const names = v === live && stale ? appliedNames(m, stale) : m.features;
        return microSegmentOf(m.model, fillMissing(featureVector(state!, features, names, now), m.fill));
      };
      const pair: [number, number] | null = state ? [at(candidate), at(live)] : null;
      clusterOf.set(subjectId, pair);
      return pair;
    };
    const compared: RateComparison[] = [];
    const skipped: string[] = [];
    for (const rate of rates) {
      const points = (await o.store.estimates.heldOutPoints('rates', rate.def.name, -1, MAX_POINTS)).filter((p) => resolvedOutcome(p, now) !== undefined);
      // Outcomes per subject, and per cluster under each version.
      const own = new Map<string, RateCounts>();
      for (const p of points) add(own, p.subjectId, resolvedOutcome(p, now)!);
      const clusters: [Map<number, RateCounts>, Map<number, RateCounts>] = [new Map(), new Map()];
      const slice = timeSlicer();
      for (const [subjectId, c] of own) {
        await slice.pause();
        const pair = await assign(subjectId);
        if (!pair) continue;
        pair.forEach((k, v) => {
          const g = clusters[v].get(k) ?? clusters[v].set(k, { successes: 0, trials: 0 }).get(k)!;
          g.successes += c.successes;
          g.trials += c.trials;
        });
      }
      const ladder = ladderFor(rate, ratesLive);
      const held = points.filter((p) => p.inputs && (p.recordedAt ?? -Infinity) > live.dataTo);
      // Every held-out subject has resolved points, so it was assigned above.
      const r = compareOnPoints(rate.def.name, held, (p, y) => {
        const pair = clusterOf.get(p.subjectId);
        if (!pair || !p.inputs) return undefined;
        const mine = own.get(p.subjectId)!;
        const score = (v: 0 | 1) => {
          const g = clusters[v].get(pair[v])!;
          // The subject's own outcomes leave its cluster: they are the personal rung's, and one of them is being scored.
          const inputs: LadderCounts = { ...p.inputs!, 'micro-segment': { successes: g.successes - mine.successes, trials: g.trials - mine.trials } };
          return pointLogLik(ladder, inputs, y);
        };
        return { candidate: score(0), live: score(1) };
      }, now);
      if ('worse' in r) compared.push(r);
      else skipped.push(`${rate.def.name}: ${r.subjects} subjects`);
    }
    return ratesVerdict(compared, skipped, versions);
  };
}

/** A version's cluster sizes at fitting (none in a state that is not a micro-segmentation). */
const sizesOf = (s: MicroSegmentsState): number[] => (Array.isArray(s?.model?.sizes) ? s.model.sizes : []);

function add(m: Map<string, RateCounts>, key: string, y: 0 | 1): void {
  const c = m.get(key) ?? m.set(key, { successes: 0, trials: 0 }).get(key)!;
  c.successes += y;
  c.trials += 1;
}

