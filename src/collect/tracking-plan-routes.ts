import type { FastifyInstance } from 'fastify';
import { refuseBlank } from '../config/blank-text.js';
import { authorOf } from '../config/routes.js';
import { validationError } from '../errors/tact-error.js';
import { apiTime } from '../server/api-time.js';
import { requireKey } from '../server/auth.js';
import { MAX_FREE_TEXT } from '../server/free-text.js';
import type { Tact } from '../server/tact.js';
import type { ViolationCursor, ViolationSummary } from './collect-store.js';
import { errorSchema } from './schemas.js';
import { trackingPlanKind } from './tracking-plan-kind.js';

const row = {
  type: 'object',
  properties: {
    event: { type: 'string' },
    property: { type: 'string', description: 'The property path (`price`, `products[].sku`, `*` for keys the schema does not name, `["a.b"]` for a key holding a dot, `(event)` for an unplanned event, `context.timezone` for a zone the server does not know).' },
    rule: { type: 'string', description: 'The JSON Schema keyword broken, `unplanned`, or `timezone` (a `context.timezone` the server does not know, counted on every call; it blocks nothing).' },
    count: { type: 'integer' }, blocked: { type: 'integer' },
    lastAt: { type: 'string' }, lastMessageId: { type: 'string' }, lastDetail: { type: 'string' },
    inPlan: { type: 'boolean', description: 'Whether the plan in force names the event (`identify`, `group`: has a schema of their traits); false for rows left by an event since removed, and for unplanned events.' },
  },
} as const;

// Unknown parameters are refused: a misspelt filter (`evnt`) would read every row — or clear them.
const list = {
  tags: ['collect'],
  summary: 'Tracking-plan violations, counted per event, property and rule; most counted first, in pages',
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      event: { type: 'string', minLength: 1, description: 'Only this event\'s rows (`identify` for identify traits, `group` for group traits).' },
      since: { type: 'string', format: 'date-time', description: 'Only rows whose last violation was at or after this time.' },
      limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
      after: { type: 'string', description: 'The `next` of an earlier answer: the rows after its last.' },
    },
  },
  response: { 200: { type: 'object', properties: { violations: { type: 'array', items: row }, next: { type: ['string', 'null'] } } }, 400: errorSchema },
};

const clear = {
  tags: ['collect'],
  summary: 'Clear tracking-plan violations of an event (or of every event), after fixing the client that sent them',
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      // Empty, it named no event: answered `cleared: 0` as if one had been cleared (until 2026-12-08).
      event: { type: 'string', minLength: 1, description: 'The event whose rows to remove.' },
      all: { type: 'boolean', description: 'Remove every event\'s rows (instead of `event`).' },
      reason: { type: 'string', maxLength: MAX_FREE_TEXT, description: 'Why, for the log.' },
    },
  },
  response: { 200: { type: 'object', properties: { event: { type: 'string' }, cleared: { type: 'integer' } } }, 400: errorSchema },
};

/** `next`: the page's last row, as an opaque string. */
const encodeCursor = (v: ViolationCursor) => Buffer.from(JSON.stringify([v.count, v.event, v.property, v.rule])).toString('base64url');

function decodeCursor(after: string): ViolationCursor {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(after, 'base64url').toString('utf8'));
  } catch {
    v = undefined;
  }
  // A NUL inside would reach PostgreSQL, which holds no such text, past the guard on parameters (server/input-guard.ts).
  if (!Array.isArray(v) || v.length !== 4 || !Number.isSafeInteger(v[0]) || !v.slice(1).every((x) => typeof x === 'string' && !x.includes('\u0000'))) {
    throw validationError([{ field: 'querystring.after', message: 'The `after` cursor is not one this endpoint hands out: pass the `next` of an earlier answer, or leave it out to read from the first row.' }]);
  }
  return { count: v[0] as number, event: v[1] as string, property: v[2] as string, rule: v[3] as string };
}

/**
 * GET and DELETE /v1/tracking-plan/violations: the violation rows, filtered and paged, each
 * saying whether the plan in force still names its event; and clearing them (admin key, logged).
 *
 * @example
 * await trackingPlanRoutes(app, tact); // GET /v1/tracking-plan/violations?event=Order%20Completed&limit=50
 */
export async function trackingPlanRoutes(app: FastifyInstance, tact: Tact): Promise<void> {
  const read = requireKey(tact.keys, 'server', 'read tracking-plan violations');
  const admin = requireKey(tact.keys, 'admin', 'clear tracking-plan violations');

  app.get<{ Querystring: { event?: string; since?: string; limit?: number; after?: string } }>('/v1/tracking-plan/violations', { preHandler: read, schema: list }, async (req) => {
    const q = req.query;
    const limit = q.limit ?? 100;
    // One row more than the page: whether there is a next page, without an empty last one.
    const rows: ViolationSummary[] = await tact.store.collect.violations({
      event: q.event, since: apiTime(q.since), after: q.after === undefined ? undefined : decodeCursor(q.after), limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const plan = tact.settings.get(trackingPlanKind);
    return {
      // An `(event)` row is a track event's (trait calls have none): a track event named "group" is in
      // the plan only if the plan names it, not because the plan has a schema of group traits.
      violations: page.map((v) => ({ ...v, lastAt: new Date(v.lastAt).toISOString(), inPlan: v.property === '(event)' ? plan.namesEvent(v.event) : plan.names(v.event) })),
      next: rows.length > limit ? encodeCursor(page[page.length - 1]) : null,
    };
  });

  app.delete<{ Querystring: { event?: string; all?: boolean; reason?: string } }>('/v1/tracking-plan/violations', { preHandler: admin, schema: clear }, async (req) => {
    const { event, all, reason } = req.query;
    refuseBlank({ reason });
    if ((event === undefined) === (all !== true)) {
      throw validationError([{ field: event === undefined ? 'querystring.event' : 'querystring.all', message: 'Name the event whose violations to clear with `event`, or clear every event\'s with `all=true`; not both.' }]);
    }
    const cleared = await tact.store.collect.clearViolations(event);
    tact.log.info({ ...(event === undefined ? { all: true } : { event }), cleared, by: authorOf(req), ...(reason ? { reason } : {}) }, 'tracking-plan violations cleared');
    return event === undefined ? { cleared } : { event, cleared };
  });
}
