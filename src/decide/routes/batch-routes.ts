import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { requireKey } from '../../server/auth.js';
import type { Tact } from '../../server/tact.js';
import { runAudience, type AudienceRequest } from '../batch/audience-run.js';
import { decideSchemas } from './schemas.js';

/**
 * POST /v1/decide/batch: decisions for an audience, streamed as NDJSON (used by `tact decide-batch`).
 *
 * @example
 * await batchRoutes(app, tact);
 */
export async function batchRoutes(app: FastifyInstance, tact: Tact): Promise<void> {
  const auth = requireKey(tact.keys, 'server', 'run batch decisions');
  app.post<{ Body: AudienceRequest }>('/v1/decide/batch', { preHandler: auth, schema: decideSchemas.batch }, async (req, reply) => {
    const lines = runAudience(tact, req.body);
    // Surface a bad placement or audience as a 400 before the stream starts.
    const first = await lines.next();
    async function* rest(): AsyncGenerator<string> {
      if (!first.done) yield JSON.stringify(first.value) + '\n';
      try {
        for await (const line of lines) yield JSON.stringify(line) + '\n';
      } catch (err) {
        yield JSON.stringify({ type: 'error', message: (err as Error).message }) + '\n';
      }
    }
    void reply.header('content-type', 'application/x-ndjson');
    return reply.send(Readable.from(rest()));
  });
}
