import type { StoreKind } from '../../../test/harness.js';
import { learnEstimateCases } from './learn-estimates.case.js';
import { learnModelCases } from './learn-models.case.js';
import { learnStoreCases } from './learn-store.case.js';
import { segmentEventCases } from './segment-events.case.js';

/** Estimates, segments and models: the same behaviour on every store. */
export function learnConformance(kind: StoreKind): void {
  learnStoreCases(kind);
  learnEstimateCases(kind);
  learnModelCases(kind);
  segmentEventCases(kind);
}
