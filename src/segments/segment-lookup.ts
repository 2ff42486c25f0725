import type { Settings } from '../config/settings.js';
import { type MicroSegmentModel, microSegmentOf } from '../learn/segments/micro-segments.js';
import type { ModelVersion } from '../models/registry/model-store.js';
import type { ModelRegistry } from '../models/registry/registry.js';
import type { CompiledFeature } from '../profiles/features/definition.js';
import { featuresKind } from '../profiles/features/features-kind.js';
import { lifecycleKind } from '../profiles/lifecycle.js';
import type { ProfileState } from '../profiles/profile-state.js';
import { ruleVars } from '../profiles/profile-view.js';
import { featureVector, fillMissing } from './feature-vector.js';
import { admits, ruleReads } from './membership.js';
import { type MicroSegmentsStatus, appliedNames, microSegmentsStatus } from './micro-segments-status.js';
import type { SegmentStore } from './segment-store.js';
import { segmentsKind } from './segments-kind.js';

/** The stored `micro-segments` model: the fitted k-means and the features it was fitted on. */
export interface MicroSegmentsState {
  features: string[];
  model: MicroSegmentModel;
  /** Share of the (standardised) variance the clusters explain, 1 − within/total. */
  explained: number;
  /** Per feature, the value a subject without one takes (missingFill); absent in models fitted before: 0. */
  fill?: number[];
  /**
   * Per feature, the hash of its definition at training (definitionsOf): a feature redefined since
   * makes the version need retraining (micro-segments-status.ts). Absent in models fitted before.
   */
  definitions?: string[];
}

/**
 * Where a subject sits on the granularity ladder (population → segment → micro-segment →
 * personal): its segments (in the order the operator listed them; the first is its ladder
 * segment) and its learned micro-segment under the live model.
 *
 * @example
 * { segments: ['big_spenders', 'newsletter'], segment: 'big_spenders', microSegment: { index: 3, modelVersion: 'micro-segments@2', key: 'micro-segment:2:3' } }
 */
export interface LadderPosition {
  segments: string[];
  segment: string | null;
  microSegment: { index: number; modelVersion: string; key: string } | null;
}

/**
 * Answers "which segment and micro-segment is this subject in, now?" from the profile as it stands:
 * a segment rule over facts (and `microSegment`, and `now`) is evaluated on the state it is handed,
 * so the decision after an event sees the membership that event made — the stored membership
 * follows it only once the log consumer has run (and, for a rule on time, the sweep). A rule that
 * reads `estimates` is answered from the stored membership, which the model consumers re-evaluate
 * as they change the estimates. The micro-segment is computed from the profile's current features
 * (O(k·d)). A rule that cannot be evaluated leaves the subject out (its failures are counted by the
 * membership consumer, not here).
 *
 * @example
 * const pos = await lookup.position(state, Date.now());
 */
export class SegmentLookup {
  /**
   * The live version's status, for the version and the compiled features and segments it was
   * judged against — the very objects the settings hold (a reload puts new ones in force, all
   * kinds at once), so the status and the features a subject is placed by are always one pair.
   */
  private judged: { version: number; features: readonly CompiledFeature[]; segments: unknown; status: MicroSegmentsStatus } | undefined;

  constructor(private readonly segments: SegmentStore, private readonly settings: Settings, private readonly registry: ModelRegistry) {}

  /** The subject's segments and micro-segment. */
  async position(state: ProfileState, now: number): Promise<LadderPosition> {
    const audiences = this.settings.get(segmentsKind).audiences;
    const microSegment = await this.microSegment(state, now);
    // No audiences defined: nothing to evaluate or read.
    if (!audiences.length) return { segments: [], segment: null, microSegment };
    const stored = audiences.some(readsEstimates) ? new Set((await this.segments.membershipsOf(state.id)).map((m) => m.segment)) : undefined;
    let vars: Record<string, unknown> | undefined;
    const admitted = (a: (typeof audiences)[number]) => {
      if (readsEstimates(a)) return stored!.has(a.name);
      // No micro-segment applied: `microSegment` is unknown, not null (admits).
      // `lifecycle` is worked out when a rule reads it (ruleVars), so the variables are not spread.
      if (!vars) {
        vars = ruleVars(state, this.settings.get(featuresKind), now, audiences.some((x) => ruleReads(x.when, 'lifecycle')) ? this.settings.get(lifecycleKind) : undefined);
        if (microSegment) vars.microSegment = microSegment.index;
      }
      return admits(a.rule, a.when, vars).pass;
    };
    const segments = audiences.filter(admitted).map((a) => a.name);
    return { segments, segment: segments[0] ?? null, microSegment };
  }

  /**
   * The subject's micro-segment under the live model, or null before one is trained and while the
   * live one needs retraining (the features it clustered changed: micro-segments-status.ts).
   */
  async microSegment(state: ProfileState, now: number): Promise<LadderPosition['microSegment']> {
    const micro = await this.liveMicroSegments();
    if (!micro || micro.status.status !== 'live') return null;
    const live = micro.version;
    // A feature renamed since the training is read under its new name (micro-segments-status.ts),
    // from the features the status was judged against.
    const x = fillMissing(featureVector(state, micro.features, appliedNames(live.state, micro.status), now), live.state.fill);
    const index = microSegmentOf(live.state.model, x);
    return { index, modelVersion: `micro-segments@${live.version}`, key: `micro-segment:${live.version}:${index}` };
  }

  /**
   * The live micro-segments version with its status against the features and segments in force
   * (judged once per version and compiled settings), and the features it was judged against — read
   * the version's features from those — or undefined before one is trained.
   *
   * @example
   * const micro = await lookup.liveMicroSegments(); // { version: { version: 3, state, … }, status: { status: 'live' }, features }
   */
  async liveMicroSegments(): Promise<{ version: ModelVersion<MicroSegmentsState>; status: MicroSegmentsStatus; features: readonly CompiledFeature[] } | undefined> {
    const live = await this.registry.live<MicroSegmentsState>('micro-segments');
    if (!live) return undefined;
    const features = this.settings.get(featuresKind);
    const segments = this.settings.get(segmentsKind);
    const j = this.judged;
    if (j?.version !== live.version || j.features !== features || j.segments !== segments) {
      this.judged = { version: live.version, features, segments, status: microSegmentsStatus(live.state, features, segments.microSegments?.features ?? null) };
    }
    return { version: live, status: this.judged!.status, features };
  }
}

/** Whether a segment rule reads the subject's estimates (the same test the membership consumer makes). */
const readsEstimates = (a: { when: string }) => ruleReads(a.when, 'estimates');
