import type { FastifyInstance } from 'fastify';
import { errorSchema } from '../../collect/schemas.js';
import { nameNotFound } from '../../errors/not-found.js';
import { mergeRulesKind } from '../../identity/merge-rules-kind.js';
import { profileNotFound } from '../../profiles/lookup.js';
import { requireKey } from '../../server/auth.js';
import type { Tact } from '../../server/tact.js';
import { metricsKind } from '../baselines/metrics-kind.js';
import { type DecisionEstimateSource, liveDecisionEstimates } from './decision-estimates.js';
import { anomaliesSchema, subjectEstimatesSchema } from './estimate-schema.js';
import { anomalyView, profileEstimates } from './profile-estimates.js';

/**
 * GET /v1/profiles/{identifier}/estimates and GET /v1/metrics/{name}/anomalies: inferences, apart from facts.
 *
 * @example
 * await estimateRoutes(app, tact); // GET /v1/profiles/ana/estimates
 */
export async function estimateRoutes(app: FastifyInstance, tact: Tact): Promise<void> {
  const read = requireKey(tact.keys, 'server', 'read estimates');
  // The decider's own estimates (wired once the decisions capability is: at the first request).
  let decisions: DecisionEstimateSource | undefined;

  app.get<{ Params: { identifier: string } }>('/v1/profiles/:identifier/estimates', {
    preHandler: read,
    schema: {
      tags: ['learn'],
      summary: "What Tact infers about a profile: each estimate with its interval, evidence, rung and status",
      description: 'Every configured metric baseline, rate and the send time — a model with no data for this profile answers from the population with status "learning" — and, in `decisionEstimates`, the goal rate of every catalog action as a decision for this profile would score it now (the decision log\'s Beta ladder, whether or not any model is configured). Also the profile\'s segments, micro-segment and recent anomaly flags.',
      params: { type: 'object', properties: { identifier: { type: 'string' } }, required: ['identifier'] },
      response: { 200: subjectEstimatesSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema },
    },
  }, async (req) => {
    decisions ??= liveDecisionEstimates(tact.decide, tact.store.profiles);
    const answer = await profileEstimates({ store: tact.store, learning: tact.learning, decisions }, req.params.identifier);
    if (!answer) throw profileNotFound(req.params.identifier, tact.settings.get(mergeRulesKind));
    return answer;
  });

  app.get<{ Params: { name: string }; Querystring: { limit?: number } }>('/v1/metrics/:name/anomalies', {
    preHandler: read,
    schema: {
      tags: ['learn'],
      summary: 'Readings outside their subject\'s established range, newest first',
      description: 'Flags are raised only once a subject\'s baseline is established; a reading while it is learning is never flagged.',
      params: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
      querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } } },
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
