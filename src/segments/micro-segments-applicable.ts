import type { Settings } from '../config/settings.js';
import type { CheckApplicable } from '../models/registry/registry.js';
import { featuresKind } from '../profiles/features/features-kind.js';
import { microSegmentsStatus } from './micro-segments-status.js';
import type { MicroSegmentsState } from './segment-lookup.js';
import { segmentsKind } from './segments-kind.js';

/**
 * Whether a micro-segments version can be applied under the features and the list in force: one
 * that needs retraining (micro-segments-status.ts) places no one, so the registry warns when a
 * rollback or a promotion makes it live (until 2026-12-05 it went live without a word, and every
 * member of a rule on `microSegment` exited).
 *
 * @example
 * registry.setApplicability('micro-segments', microSegmentsApplicability(settings));
 */
export function microSegmentsApplicability(settings: Settings): CheckApplicable {
  return (version) => {
    const state = version.state as MicroSegmentsState;
    if (!Array.isArray(state?.features)) return null;
    const s = microSegmentsStatus(state, settings.get(featuresKind), settings.get(segmentsKind).microSegments?.features ?? null);
    if (s.status === 'live') return null;
    return `it needs retraining (${s.reason}). \`microSegment\` is unknown to segment rules and the rate ladder skips the micro-segment rung, so audiences on \`microSegment\` stay empty until a version trained on the features in force goes live (POST /v1/models/micro-segments/train).`;
  };
}
