import { findProfile, matchedBy } from '../../profiles/lookup.js';
import type { Store } from '../../store/store.js';
import type { Learning } from '../learning.js';
import { type DecisionEstimateSource, type DecisionEstimateView, decisionEstimatesFor } from './decision-estimates.js';
import type { AnomalyRecord } from './estimate-store.js';
import { type EstimateView, clean, estimateView } from './estimate-view.js';

const iso = (t: number) => new Date(t).toISOString();

/** An anomaly flag as the API and `tact estimates` show it. */
export const anomalyView = (a: AnomalyRecord) => clean({ profileId: a.subjectId, metric: a.metric, at: iso(a.at), value: a.value, low: a.low, high: a.high, level: a.level, modelVersion: a.modelVersion, seq: a.seq });

/** The recent anomaly flags a profile's estimates answer lists (newest first). */
export const PROFILE_ANOMALIES = 20;

/** What GET /v1/profiles/{identifier}/estimates and `tact estimates --json` answer of a profile. */
export interface ProfileEstimates {
  id: string;
  matchedBy: Record<string, string>;
  estimates: ({ model: string; key: string; description?: string; detail?: Record<string, unknown> } & EstimateView)[];
  /** The goal rate of every catalog action for the profile, as its decisions score it (the decider's Beta ladder), apart from the configured models' `estimates`. */
  decisionEstimates: DecisionEstimateView[];
  segments: string[];
  microSegment: { index: number; modelVersion: string } | null;
  anomalies: ReturnType<typeof anomalyView>[];
  note: string;
}

/**
 * A profile's inferences as the API answers them and `tact estimates` prints them: each estimate
 * with its interval, evidence, rung and status, the goal rate of every action as its decisions
 * score it (`decisionEstimates`: the decider's Beta ladder; until 2026-12-05 left out, so a profile with no
 * model configured read as having no estimate while its decisions showed one), the segments and
 * micro-segment, the recent anomaly flags, and how the identifier found the profile. Undefined when no profile matches (each caller
 * says so in its own words: the CLI reads the store as of the server's last checkpoint).
 *
 * @example
 * await profileEstimates({ store, learning, decisions }, 'email:ana@example.com'); // { id: 'p_…', matchedBy: { kind: 'email', … }, estimates: […], decisionEstimates: […], anomalies: […], … }
 */
export async function profileEstimates(o: { store: Pick<Store, 'profiles' | 'estimates'>; learning: Pick<Learning, 'ladderPosition' | 'estimates'>; decisions: DecisionEstimateSource }, identifier: string, now = Date.now()): Promise<ProfileEstimates | undefined> {
  const found = await findProfile(o.store.profiles, identifier);
  const state = found && (await o.store.profiles.getProfile(found.profileId));
  if (!found || !state) return undefined;
  const position = await o.learning.ladderPosition(state, now);
  const list = await o.learning.estimates.forSubject(state, now, position);
  const decisionEstimates = await decisionEstimatesFor(o.decisions, state, position);
  const anomalies = await o.store.estimates.anomalies({ subjectId: state.id, limit: PROFILE_ANOMALIES });
  return clean({
    id: state.id,
    matchedBy: matchedBy(identifier, found.matched, state.id),
    estimates: list.map((x) => ({ model: x.model, key: x.key, ...(x.description ? { description: x.description } : {}), ...estimateView(x.estimate, x.model === 'baseline' ? 'number' : 'share'), ...(x.detail ? { detail: x.detail } : {}) })),
    decisionEstimates,
    segments: position.segments,
    microSegment: position.microSegment ? { index: position.microSegment.index, modelVersion: position.microSegment.modelVersion } : null,
    anomalies: anomalies.map(anomalyView),
    note: 'Inferences, kept apart from the profile\'s facts (GET /v1/profiles/{identifier}). `source` says whose evidence an estimate rests on (population, segment, micro-segment, or the subject\'s own: personal); "learning" means its interval is not yet narrow enough on that evidence. `estimates` are the configured models\' (metrics, rates, send time); `decisionEstimates` are the goal rate of each catalog action as a decision for this profile would score it now (the decision log\'s Beta ladder, under the live policy) — a placement with a Thompson bandit, uplift scoring or an experiment arm that pins a policy scores with its own, which each decision\'s explanation names.',
  });
}
