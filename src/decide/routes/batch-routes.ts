import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { requireKey } from '../../server/auth.js';
import { errorForClient } from '../../server/errors.js';
import type { Tact } from '../../server/tact.js';
import { runAudience, type AudienceRequest } from '../batch/audience-run.js';
import { decideSchemas } from './schemas.js';

/** One line of the stream (AudienceLine, audience-run.ts); the stream is not serialized through this schema. */
const LINE = {
  type: 'object',
  required: ['type'],
  additionalProperties: true,
  properties: {
    type: { type: 'string', enum: ['progress', 'decision', 'done', 'error'], description: '`progress` and `done` carry the counts (`scanned`, `evaluated`, `total`, `matched`, `decided`, `actions`, `audienceErrors`, `audienceError`), `done` also `stoppedBy` (`end`, `limit`, `maxActions`); `decision` carries `subject`, `profileId`, `decision` and, on outbound channels, `sendTime`; `error` carries `error` (a code of the error catalogue), `message` (its sentence; for a fault of the server `internal_subject` — the decision for that subject failed and the run went on — or `internal_stream` — the stream stopped there —, the details in the server log), `errorId` and the `profileId` it is about, when one.' },
    subject: { type: 'string' }, profileId: { type: 'string' }, decision: { type: 'object', additionalProperties: true }, sendTime: { type: 'object', additionalProperties: true },
    scanned: { type: 'integer' }, evaluated: { type: 'integer', description: 'Of the profiles scanned, those the audience was evaluated on (a profile merged into another is skipped).' }, total: { type: 'integer' }, matched: { type: 'integer' }, decided: { type: 'integer' }, actions: { type: 'integer' }, audienceErrors: { type: 'integer' }, audienceError: { type: 'string' },
    stoppedBy: { type: 'string', enum: ['end', 'limit', 'maxActions'] }, error: { type: 'string' }, message: { type: 'string' }, errorId: { type: 'string' },
  },
} as const;

/**
 * POST /v1/decide/batch: decisions for an audience, streamed as NDJSON (used by `tact decide-batch`).
 *
 * @example
 * await batchRoutes(app, tact);
 */
export async function batchRoutes(app: FastifyInstance, tact: Tact): Promise<void> {
  const auth = requireKey(tact.keys, 'server', 'run batch decisions');
  app.post<{ Body: AudienceRequest }>('/v1/decide/batch', { preHandler: auth, schema: { ...decideSchemas.batch, response: { 200: { description: 'One JSON object a line (NDJSON), each of one `type` (AudienceLine, audience-run.ts).', content: { 'application/x-ndjson': { schema: LINE } } } } } }, async (req, reply) => {
    const lines = runAudience(tact, req.body);
    // Surface a bad placement or audience as a 400 before the stream starts.
    const first = await lines.next();
    async function* rest(): AsyncGenerator<string> {
      if (!first.done) yield JSON.stringify(first.value) + '\n';
      try {
        for await (const line of lines) yield JSON.stringify(line) + '\n';
      } catch (err) {
        // Unexpected faults are told as the error handler tells a 500: the catalogue's sentence, the details logged.
        const e = errorForClient(err, req.log, { method: req.method, route: req.routeOptions.url });
        yield JSON.stringify({ type: 'error', error: e.code, message: e.message, errorId: e.id }) + '\n';
      }
    }
    void reply.header('content-type', 'application/x-ndjson');
    return reply.send(Readable.from(rest()));
  });
}
