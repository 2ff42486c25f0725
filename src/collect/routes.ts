import type { FastifyInstance, FastifyRequest } from 'fastify';
import { TactError, validationError } from '../errors/tact-error.js';
import { requireKey } from '../server/auth.js';
import { bodyText } from '../server/body-text.js';
import { emptyBody } from '../server/errors.js';
import type { Tact } from '../server/tact.js';
import type { MessageType } from './message.js';
import { MAX_BATCH_BYTES, normalizeMessage } from './normalize.js';
import { collectSchemas } from './schemas.js';
import { trackingPlanRoutes } from './tracking-plan-routes.js';
import { blockedProblems } from './tracking-plan-violations.js';

const SINGLE: [string, MessageType][] = [
  ['track', 'track'], ['identify', 'identify'], ['page', 'page'], ['screen', 'screen'], ['group', 'group'], ['alias', 'alias'],
];
// analytics.js (analytics-next) posts to /v1/t, /v1/i, /v1/p, /v1/s, /v1/g, /v1/a and batches to /v1/b.
const SHORT: Record<string, MessageType> = { t: 'track', i: 'identify', p: 'page', s: 'screen', g: 'group', a: 'alias' };
/** The most a single call's body may hold, after decompression: a batch's (the message in it is measured as sent, 32 KB). */
const SINGLE_BODY_BYTES = MAX_BATCH_BYTES;
/** A blocked message's problem, as a batch's `rejected` words it (which message the plan blocks). */
const blockedInBatch = (v: { event: string }, detail: string) => `The tracking plan blocks this ${v.event} message: ${detail}.`;
/** The refusal of a batch request sent without a body (as batch-body.ts words a body that is no object). */
const NO_BATCH_BODY = { field: 'batch', message: 'A batch body must be a JSON object holding the messages as its `batch` list ({"batch": [ … ]}); the request had no body.' };
/** The refusal of a single call sent without a body, worded as a batch's: the body is the message. */
const noMessageBody = (type: MessageType) => ({ field: '(message)', message: `${type === 'identify' || type === 'alias' ? 'An' : 'A'} ${type} call's body must be a JSON object holding the message; the request had no body.` });

/**
 * Segment's HTTP Tracking API, unchanged: POST /v1/track … /v1/batch, write key as Basic user
 * name or `writeKey` in the body, answer `{"success":true}` once the messages are durably stored;
 * and the tracking plan's violations (tracking-plan-routes.ts).
 */
export async function collectRoutes(app: FastifyInstance, tact: Tact): Promise<void> {
  // A key in the `Authorization` header is checked before the body is read (server/auth.ts
  // checkKeysBeforeBody). Without the header — or with a Bearer token that is not Tact's (Segment's
  // OAuth access token, which analytics-node sends with `writeKey` in the body) — the key can only
  // be `writeKey` in the body, as analytics.js sends it, so that body is read first: each route's bodyLimit (500 KB,
  // a single call's as a batch's, after decompression) bounds what a request without a key makes the server read.
  // A revoked key of Tact's, in the header or as `writeKey`, refuses the request whatever else it carries.
  const auth = requireKey(tact.keys, 'write', 'send events');
  const noBodyValidation = () => () => true;
  const single = async (req: FastifyRequest, type: MessageType) => {
    const receivedAt = Date.now();
    // No body at all (no `Content-Type`, so no parser ran): said so, as a batch request without one is.
    if (req.body === undefined) {
      tact.metrics.ingested.inc({ outcome: 'rejected' });
      throw validationError([noMessageBody(type)]);
    }
    const n = normalizeMessage(req.body, type, { receivedAt });
    if (!n.ok) {
      tact.metrics.ingested.inc({ outcome: 'rejected' });
      if (n.tooLarge) throw new TactError('message_too_large', { size: n.tooLarge });
      throw validationError(n.problems, n.messageId ? { messageId: n.messageId } : undefined);
    }
    const [r] = await tact.ingestor.submit([{ message: n.message, json: n.json }]);
    if (r.outcome === 'rejected') throw validationError(r.problems ?? [], { messageId: n.message.messageId });
    if (r.outcome === 'blocked') {
      // Every wrong field (at most 20, then how many more), though the row counts once (tracking-plan-violations.ts).
      const problems = blockedProblems(r.violations);
      throw new TactError('tracking_plan_blocked', { event: n.message.event ?? type, detail: problems.map((p) => p.message).join('; ') }, { problems });
    }
    return { success: true };
  };
  for (const [path, type] of [...SINGLE, ...Object.entries(SHORT)]) {
    app.post(`/v1/${path}`, {
      // The 32 KB limit is of the message as sent, the UTF-8 bytes of its JSON, measured by
      // normalizeMessage as it measures each message of a batch: a body that writes it longer
      // (`\u00e9` escapes, pretty-printed) is no larger a message. The body itself is bounded for
      // memory as a batch's is (500 KB); one over that is a 413 `message_too_large` naming the body's size.
      bodyLimit: SINGLE_BODY_BYTES,
      preHandler: auth,
      validatorCompiler: noBodyValidation,
      config: { collect: true },
      schema: path.length === 1 ? { hide: true } as object : collectSchemas.single(type),
    }, (req) => single(req, type));
  }

  const batch = async (req: FastifyRequest) => {
    const receivedAt = Date.now();
    // No body at all (no `Content-Type`, so no parser ran): refused as a `null` body is, naming the body.
    if (typeof req.body !== 'string') throw validationError([NO_BATCH_BODY]);
    const read = await tact.batches.read(req.body, receivedAt, tact.projection());
    // The body's text (up to 500 KB) is not needed once read: the request would otherwise hold it
    // until the batch's commit answers, and every young collection meanwhile would copy it.
    req.body = undefined;
    if (!read.ok) {
      if (read.fault.code === 'invalid_json') throw new TactError('invalid_json', { detail: read.fault.detail });
      throw validationError([read.fault.problem]);
    }
    const { items, rejected } = read;
    const outcomes = await tact.ingestor.submit(items);
    let duplicates = 0;
    // Refused by the ingestor (blocked by the plan, or with no usable identifier): counted in its metrics already.
    let refused = 0;
    outcomes.forEach((o, i) => {
      if (o.outcome === 'duplicate') duplicates += 1;
      if (o.outcome === 'blocked') {
        refused += 1;
        rejected.push({ index: items[i].index, messageId: items[i].message.messageId, problems: blockedProblems(o.violations, blockedInBatch) });
      }
      if (o.outcome === 'rejected') {
        refused += 1;
        rejected.push({ index: items[i].index, messageId: items[i].message.messageId, problems: o.problems ?? [] });
      }
    });
    rejected.sort((a, b) => a.index - b.index);
    if (rejected.length > refused) tact.metrics.ingested.inc({ outcome: 'rejected' }, rejected.length - refused);
    if (read.count > 0 && rejected.length === read.count) {
      throw new TactError('batch_rejected', { count: read.count }, { extra: { rejected } });
    }
    // tact import (/v1/import) counts the messages stored already apart, so it is always told.
    const counted = rejected.length > 0 || req.routeOptions.url === '/v1/import';
    return counted ? { success: true, accepted: read.count - rejected.length, duplicates, rejected } : { success: true };
  };
  // Batch bodies arrive as text and are read by tact.batches: on this thread, or — with parse
  // workers (TACT_PARSE_WORKERS; ADR 0004) — in a worker when the body is large.
  await app.register(async (scope) => {
    // Bytes, read in the charset the Content-Type names (server/body-text.ts).
    const asText = (req: FastifyRequest, bytes: string | Buffer, done: (err: Error | null, body?: unknown) => void) => {
      let body: string;
      try {
        body = bodyText(bytes as Buffer, req.headers['content-type']);
      } catch (err) {
        return done(err as Error);
      }
      return body === '' ? done(emptyBody(req)) : done(null, body);
    };
    scope.removeContentTypeParser(['application/json', 'text/plain']);
    scope.addContentTypeParser(['application/json', 'text/plain'], { parseAs: 'buffer' }, asText);
    for (const path of ['batch', 'b', 'import']) {
      scope.post(`/v1/${path}`, {
        bodyLimit: MAX_BATCH_BYTES,
        preHandler: auth,
        validatorCompiler: noBodyValidation,
        config: { collect: true },
        schema: path === 'batch' ? collectSchemas.batch : ({ hide: true } as object),
      }, batch);
    }
  });

  await trackingPlanRoutes(app, tact);
}
