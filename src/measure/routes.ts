import type { FastifyInstance } from 'fastify';
import { errorSchema } from '../collect/schemas.js';
import { requireKey } from '../server/auth.js';
import type { Tact } from '../server/tact.js';
import { MIN_ALPHA, type EffectType } from './experiments/effect.js';
import { holdoutResults } from './experiments-service/holdout-results.js';
import { experimentResults } from './experiments-service/results.js';
import { evaluatePolicy } from './policy-eval/evaluate.js';
import { policyEvaluationSchema } from './evaluation-schema.js';
import { experimentResultsSchema, holdoutResultsSchema } from './readout-schemas.js';
import type { PolicyCandidate } from './policy-eval/candidate.js';
import { apiTime } from '../server/api-time.js';

const anyObj = { type: 'object', additionalProperties: true } as const;
const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema } as const;
const time = { type: 'string', format: 'date-time' } as const;
const effect = { type: 'string', enum: ['relative', 'absolute'], default: 'relative', description: 'Lifts relative to the control, or absolute differences in the metric\'s unit.' } as const;

/**
 * The measure capability's route schemas (they appear in /openapi.json).
 *
 * @example
 * app.get('/v1/experiments/:id/results', { schema: measureSchemas.results }, handler);
 */
export const measureSchemas = {
  results: {
    tags: ['measure'],
    summary: "An experiment's results per arm and metric: difference with CI, always-valid test, chance to beat control, expected loss, SRM, CUPED",
    params: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
    querystring: {
      type: 'object',
      additionalProperties: false,
      properties: {
        from: { ...time, description: 'Subjects first exposed from (default: the whole log); one exposed before keeps its first exposure and is not a unit of the window.' },
        to: { ...time, description: 'Decisions and outcomes before (default: now).' },
        preDays: { type: 'integer', minimum: 0, maximum: 365, default: 14, description: 'CUPED pre-period: days before each subject\'s first exposure (0: off).' },
        alpha: { type: 'number', minimum: MIN_ALPHA, exclusiveMaximum: 0.5, default: 0.05, description: 'One minus the intervals\' level: from 0.000001 (a 99.9999% interval) to below 0.5. Smaller, 1 − alpha/2 rounds to 1 in a double and a quantile to infinity (until 2026-12-05 1e-16 was taken: a 500, and intervals of NaN and Infinity in the CLI).' },
        effect,
      },
    },
    response: { 200: experimentResultsSchema, ...errors },
  },
  holdout: {
    tags: ['measure'],
    summary: 'The global holdout (never personalized) against the personalized subjects: difference with CI, always-valid test, chance to beat, expected loss, SRM against the holdout share of each subject\'s first decision, the holdout\'s periods, CUPED',
    querystring: {
      type: 'object',
      additionalProperties: false,
      properties: {
        placement: { type: 'string', description: 'A placement of the catalog (default: every placement that applies the holdout).' },
        from: { ...time, description: 'Subjects first exposed from (default: the whole log); one exposed before keeps its first exposure and is not a unit of the window.' },
        to: { ...time, description: 'Decisions and outcomes before (default: now).' },
        preDays: { type: 'integer', minimum: 0, maximum: 365, default: 14, description: 'CUPED pre-period: days before each subject\'s first decision (0: off).' },
        alpha: { type: 'number', minimum: MIN_ALPHA, exclusiveMaximum: 0.5, default: 0.05, description: 'One minus the intervals\' level: from 0.000001 (a 99.9999% interval) to below 0.5. Smaller, 1 − alpha/2 rounds to 1 in a double and a quantile to infinity (until 2026-12-05 1e-16 was taken: a 500, and intervals of NaN and Infinity in the CLI).' },
        effect,
      },
    },
    response: { 200: holdoutResultsSchema, ...errors, 409: errorSchema },
  },
  evaluate: {
    tags: ['measure'],
    summary: 'Off-policy evaluation: what a candidate policy would have earned on the logged decisions (IPS, SNIPS, DM, DR with bootstrap CIs and diagnostics)',
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['placement', 'candidate'],
      properties: {
        placement: { type: 'string' },
        candidate: { ...anyObj, description: '`{ "policy": 3 }` (a policy version), `{ "levers": { "name": weight } }`, `{ "exploration": 0.1 }`, `{ "noneScore": 0.5 }`, `{ "model": "uplift@2" }` (the scoring model: rate, uplift or uplift@N), or a mix.' },
        from: time,
        to: time,
        replicates: { type: 'integer', minimum: 50, maximum: 5000, default: 500 },
        seed: { type: 'integer', minimum: 0, maximum: 4_294_967_295, default: 1 },
        limit: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 200_000 },
        clip: { type: 'number', exclusiveMinimum: 0, description: 'Also report clipped IPS (every weight capped at this value) beside IPS; clipping adds a bias the report estimates.' },
      },
    },
    response: { 200: policyEvaluationSchema, ...errors },
  },
} as const;

/**
 * GET /v1/experiments/{id}/results, GET /v1/holdout/results and POST /v1/evaluate-policy (server key).
 *
 * @example
 * await measureRoutes(app, tact);
 */
export async function measureRoutes(app: FastifyInstance, tact: Tact): Promise<void> {
  const read = requireKey(tact.keys, 'server', 'read experiment results and evaluate policies');
  app.get<{ Params: { id: string }; Querystring: { from?: string; to?: string; preDays?: number; alpha?: number; effect?: EffectType } }>(
    '/v1/experiments/:id/results',
    { preHandler: read, schema: measureSchemas.results },
    async (req) => {
      const q = req.query;
      return experimentResults(tact.store.measure, tact.settings, req.params.id, { from: apiTime(q.from), to: apiTime(q.to), preDays: q.preDays, alpha: q.alpha, effect: q.effect, profiles: tact.store.profiles, documents: tact.store.documents });
    },
  );
  app.get<{ Querystring: { placement?: string; from?: string; to?: string; preDays?: number; alpha?: number; effect?: EffectType } }>(
    '/v1/holdout/results',
    { preHandler: read, schema: measureSchemas.holdout },
    async (req) => {
      const q = req.query;
      return holdoutResults(tact.store.measure, tact.settings, { placement: q.placement, from: apiTime(q.from), to: apiTime(q.to), preDays: q.preDays, alpha: q.alpha, effect: q.effect, profiles: tact.store.profiles, documents: tact.store.documents });
    },
  );
  app.post<{ Body: { placement: string; candidate: PolicyCandidate; from?: string; to?: string; replicates?: number; seed?: number; limit?: number; clip?: number } }>(
    '/v1/evaluate-policy',
    { preHandler: read, schema: measureSchemas.evaluate },
    async (req) => {
      const b = req.body;
      return evaluatePolicy(tact.store.measure, tact.store.documents, { ...b, from: apiTime(b.from), to: apiTime(b.to) }, undefined, tact.store.models);
    },
  );
}
