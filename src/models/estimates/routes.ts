import type { FastifyInstance } from 'fastify';
import { errorSchema } from '../../collect/schemas.js';
import { nameNotFound } from '../../errors/not-found.js';
import { mergeRulesKind } from '../../identity/merge-rules-kind.js';
import { findProfile, matchedBy, profileNotFound } from '../../profiles/lookup.js';
import { requireKey } from '../../server/auth.js';
import type { Tact } from '../../server/tact.js';
import { metricsKind } from '../baselines/metrics-kind.js';
import type { AnomalyRecord } from './estimate-store.js';
import { anomaliesSchema, subjectEstimatesSchema } from './estimate-schema.js';
import { clean, estimateView } from './estimate-view.js';

const iso = (t: number) => new Date(t).toISOString();
const anomalyView = (a: AnomalyRecord) => clean({ profileId: a.subjectId, metric: a.metric, at: iso(a.at), value: a.value, low: a.low, high: a.high, level: a.level, modelVersion: a.modelVersion, seq: a.seq });

/**
 * GET /v1/profiles/{identifier}/estimates and GET /v1/metrics/{name}/anomalies: inferences, apart from facts.
 *
 * @example
 * await estimateRoutes(app, tact); // GET /v1/profiles/ana/estimates
 */
export async function estimateRoutes(app: FastifyInstance, tact: Tact): Promise<void> {
  const read = requireKey(tact.keys, 'server', 'read estimates');

  app.get<{ Params: { identifier: string } }>('/v1/profiles/:identifier/estimates', {
    preHandler: read,
    schema: {
      tags: ['learn'],
      summary: "What Tact infers about a profile: each estimate with its interval, evidence, rung and status",
      description: 'Every configured metric baseline, rate and the send time — a model with no data for this profile answers from the population with status "learning". Also the profile\'s segments, micro-segment and recent anomaly flags.',
      params: { type: 'object', properties: { identifier: { type: 'string' } }, required: ['identifier'] },
      response: { 200: subjectEstimatesSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema },
    },
  }, async (req) => {
    const found = await findProfile(tact.store.profiles, req.params.identifier);
    const state = found && (await tact.store.profiles.getProfile(found.profileId));
    if (!found || !state) throw profileNotFound(req.params.identifier, tact.settings.get(mergeRulesKind));
    const now = Date.now();
    const position = await tact.learning.ladderPosition(state, now);
    const list = await tact.learning.estimates.forSubject(state, now, position);
    const anomalies = await tact.store.estimates.anomalies({ subjectId: state.id, limit: 20 });
    return clean({
      id: state.id,
      matchedBy: matchedBy(req.params.identifier, found.matched, state.id),
      estimates: list.map((x) => ({ model: x.model, key: x.key, ...(x.description ? { description: x.description } : {}), ...estimateView(x.estimate, x.model === 'baseline' ? 'number' : 'share'), ...(x.detail ? { detail: x.detail } : {}) })),
      segments: position.segments,
      microSegment: position.microSegment ? { index: position.microSegment.index, modelVersion: position.microSegment.modelVersion } : null,
      anomalies: anomalies.map(anomalyView),
      note: 'Inferences, kept apart from the profile\'s facts (GET /v1/profiles/{identifier}). `source` says whose evidence an estimate rests on (population, segment, micro-segment, or the subject\'s own: personal); "learning" means its interval is not yet narrow enough on that evidence.',
    });
  });

  app.get<{ Params: { name: string }; Querystring: { limit?: number } }>('/v1/metrics/:name/anomalies', {
    preHandler: read,
    schema: {
      tags: ['learn'],
      summary: 'Readings outside their subject\'s established range, newest first',
      description: 'Flags are raised only once a subject\'s baseline is established; a reading while it is learning is never flagged.',
      params: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
      querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } } },
      response: { 200: anomaliesSchema, 404: errorSchema },
    },
  }, async (req) => {
    const metrics = tact.settings.get(metricsKind).map((m) => m.def.name);
    const list = await tact.store.estimates.anomalies({ metric: req.params.name, limit: req.query.limit ?? 100 });
    // A metric taken out whose flags are kept still answers them.
    if (!metrics.includes(req.params.name) && !list.length) throw nameNotFound({ one: 'metric', many: 'metrics' }, req.params.name, metrics);
    return { metric: req.params.name, anomalies: list.map(anomalyView) };
  });
}
