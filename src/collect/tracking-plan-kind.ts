import type { DocumentKind } from '../config/document-kind.js';
import { checkTrackingPlan, compilePlan, type CompiledPlan, type TrackingPlan } from './tracking-plan.js';

/** The tracking plan in force. */
export const trackingPlanKind: DocumentKind<TrackingPlan, CompiledPlan> = {
  kind: 'tracking-plan',
  configKey: 'trackingPlan',
  description: 'Agreed event names and the JSON Schema of their properties; violations counted, blocked where the plan says.',
  empty: {},
  check: checkTrackingPlan,
  compile: compilePlan,
};
