import type { FastifyInstance } from 'fastify';
import type { Tact } from './tact.js';
import { VERSION } from './app.js';

const health = { type: 'object', properties: { status: { type: 'string' }, store: { type: 'string' }, durability: { type: 'string', description: 'What an acknowledgement waits for: `fsync` (the disk) or `os` (the operating system); TACT_DURABILITY.' }, version: { type: 'string' }, queueDepth: { type: 'integer' } } } as const;

/** GET /health answers without a key: the store answers, and how deep the write queue is. */
export async function healthRoutes(app: FastifyInstance, tact: Tact): Promise<void> {
  app.get('/health', {
    schema: {
      tags: ['ops'],
      summary: 'Liveness and store reachability (no key needed)',
      response: { 200: health, 503: health },
    },
  }, async (_req, reply) => {
    try {
      await tact.store.ping();
      return { status: 'ok', store: tact.store.kind, durability: tact.store.durability, version: VERSION, queueDepth: tact.ingestor.depth };
    } catch {
      void reply.status(503);
      return { status: 'store unreachable', store: tact.store.kind, durability: tact.store.durability, version: VERSION, queueDepth: tact.ingestor.depth };
    }
  });
}
