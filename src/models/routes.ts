import type { FastifyInstance } from 'fastify';
import type { Tact } from '../server/tact.js';
import { segmentRoutes } from '../segments/routes.js';
import { estimateRoutes } from './estimates/routes.js';
import { recommendRoutes } from './recommend/routes.js';
import { modelRoutes } from './registry/routes.js';

/**
 * Every route of the models: estimates and anomalies, segments, the model registry and
 * calibration, recommendations and re-ranking (OpenAPI tag `learn`).
 *
 * @example
 * await learnRoutes(app, tact);
 */
export async function learnRoutes(app: FastifyInstance, tact: Tact): Promise<void> {
  await estimateRoutes(app, tact);
  await segmentRoutes(app, tact);
  await modelRoutes(app, tact);
  await recommendRoutes(app, tact);
}
