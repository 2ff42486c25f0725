import type { FastifyInstance, FastifyRequest } from 'fastify';
import { TactError, validationError, type FieldProblem } from '../errors/tact-error.js';
import { requireKey } from '../server/auth.js';
import type { Tact } from '../server/tact.js';
import type { MessageType } from './message.js';
import { MAX_BATCH_BYTES, MAX_MESSAGE_BYTES, normalizeMessage } from './normalize.js';
import { collectSchemas } from './schemas.js';

const SINGLE: [string, MessageType][] = [
  ['track', 'track'], ['identify', 'identify'], ['page', 'page'], ['screen', 'screen'], ['group', 'group'], ['alias', 'alias'],
];
// analytics.js (analytics-next) posts to /v1/t, /v1/i, /v1/p, /v1/s, /v1/g, /v1/a and batches to /v1/b.
const SHORT: Record<string, MessageType> = { t: 'track', i: 'identify', p: 'page', s: 'screen', g: 'group', a: 'alias' };

/** One rejected message of a batch: where it was, its id, and why. */
interface Rejection {
  index: number;
  messageId?: string;
  problems: FieldProblem[];
}

/**
 * Segment's HTTP Tracking API, unchanged: POST /v1/track … /v1/batch, write key as Basic user
 * name or `writeKey` in the body, answer `{"success":true}` once the messages are durably stored.
 */
export async function collectRoutes(app: FastifyInstance, tact: Tact): Promise<void> {
  const auth = requireKey(tact.keys, 'write', 'send events');
  const noBodyValidation = () => () => true;
  const single = async (req: FastifyRequest, type: MessageType) => {
    const receivedAt = Date.now();
    const n = normalizeMessage(req.body, type, { receivedAt });
    if (!n.ok) {
      tact.metrics.ingested.inc({ outcome: 'rejected' });
      if (n.tooLarge) throw new TactError('message_too_large', { size: n.tooLarge });
      throw validationError(n.problems, n.messageId ? { messageId: n.messageId } : undefined);
    }
    const [r] = await tact.ingestor.submit([{ message: n.message, json: n.json }]);
    if (r.outcome === 'blocked') {
      throw new TactError('tracking_plan_blocked', { event: n.message.event ?? type, detail: r.violations.map((v) => v.detail).join('; ') }, { problems: r.violations.map((v) => ({ field: v.property, message: v.detail })) });
    }
    return { success: true };
  };
  for (const [path, type] of [...SINGLE, ...Object.entries(SHORT)]) {
    app.post(`/v1/${path}`, {
      bodyLimit: MAX_MESSAGE_BYTES + 1024,
      preHandler: auth,
      validatorCompiler: noBodyValidation,
      config: { collect: true },
      schema: path.length === 1 ? { hide: true } as object : collectSchemas.single(type),
    }, (req) => single(req, type));
  }

  const batch = async (req: FastifyRequest) => {
    const receivedAt = Date.now();
    const body = req.body as Record<string, unknown> | null;
    if (!body || typeof body !== 'object' || !Array.isArray(body.batch)) {
      throw validationError([{ field: 'batch', message: 'The `batch` property is required and must be a list of messages. It was not present on the data you sent.' }]);
    }
    const raw = body.batch as unknown[];
    const rejected: Rejection[] = [];
    const good: { message: ReturnType<typeof normalizeMessage> & { ok: true }; index: number }[] = [];
    raw.forEach((m, index) => {
      const n = normalizeMessage(m, undefined, { receivedAt, sentAt: body.sentAt, context: body.context, integrations: body.integrations });
      if (n.ok) good.push({ message: n, index });
      else rejected.push({ index, messageId: n.messageId, problems: n.problems });
    });
    const outcomes = await tact.ingestor.submit(good.map((g) => ({ message: g.message.message, json: g.message.json })));
    let duplicates = 0;
    outcomes.forEach((o, i) => {
      if (o.outcome === 'duplicate') duplicates += 1;
      if (o.outcome === 'blocked') {
        rejected.push({ index: good[i].index, messageId: good[i].message.message.messageId, problems: o.violations.map((v) => ({ field: v.property, message: `The tracking plan blocks this ${v.event} message: ${v.detail}.` })) });
      }
    });
    rejected.sort((a, b) => a.index - b.index);
    if (rejected.length) tact.metrics.ingested.inc({ outcome: 'rejected' }, rejected.length - outcomes.filter((o) => o.outcome === 'blocked').length);
    if (raw.length > 0 && rejected.length === raw.length) {
      throw new TactError('batch_rejected', { count: raw.length }, { extra: { rejected } });
    }
    return rejected.length ? { success: true, accepted: raw.length - rejected.length, duplicates, rejected } : { success: true };
  };
  for (const path of ['batch', 'b', 'import']) {
    app.post(`/v1/${path}`, {
      bodyLimit: MAX_BATCH_BYTES,
      preHandler: auth,
      validatorCompiler: noBodyValidation,
      config: { collect: true },
      schema: path === 'batch' ? collectSchemas.batch : ({ hide: true } as object),
    }, batch);
  }

  app.get('/v1/tracking-plan/violations', {
    preHandler: requireKey(tact.keys, 'server', 'read tracking-plan violations'),
    schema: collectSchemas.violations,
  }, async () => ({ violations: (await tact.store.collect.violations()).map((v) => ({ ...v, lastAt: new Date(v.lastAt).toISOString() })) }));
}
