import type { FastifyInstance } from 'fastify';
import type { Tact } from '../../server/tact.js';
import { batchRoutes } from './batch-routes.js';
import { decideRoutes } from './decide-routes.js';
import { flagReviewRoutes } from './flag-review-routes.js';
import { outcomeRoutes } from './outcome-routes.js';

/**
 * Every route of the decisions capability: decide, the decision log, outcomes, flags, reviews,
 * batch decisions.
 *
 * @example
 * await decisionRoutes(app, tact);
 */
export async function decisionRoutes(app: FastifyInstance, tact: Tact): Promise<void> {
  await decideRoutes(app, tact);
  await outcomeRoutes(app, tact);
  await flagReviewRoutes(app, tact);
  await batchRoutes(app, tact);
}
