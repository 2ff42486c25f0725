import { errorSchema } from '../collect/schemas.js';
import { MAX_FREE_TEXT } from '../server/free-text.js';

const str = { type: 'string' } as const;
const num = { type: 'number' } as const;
const nullableStr = { type: ['string', 'null'] } as const;
const counts = { type: 'object', properties: { exposures: num, responses: num, negatives: num, predicted: num } } as const;
const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema } as const;
/** A webhook delivery of an alert's notice: `none` when no webhook was to hear it (none configured, or removed before it was delivered). */
const delivery = {
  type: 'object',
  properties: { state: { type: 'string', enum: ['pending', 'delivered', 'failed', 'none'] }, attempts: num, lastError: nullableStr, deliveredAt: nullableStr },
} as const;

/**
 * An alert as GET /v1/alerts and the webhook show it.
 *
 * @example
 * app.get('/v1/alerts/:id', { schema: { response: { 200: alertSchema } } }, handler);
 */
export const alertSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    id: str,
    status: { type: 'string', enum: ['open', 'acknowledged', 'resolved'] },
    metric: { type: 'string', enum: ['volume', 'response-rate', 'negative-rate', 'calibration'] },
    direction: { type: 'string', enum: ['high', 'low'] },
    action: str, placement: str, segment: str,
    observed: num,
    expected: { type: 'object', properties: { low: num, high: num, center: num } },
    pValue: { type: 'number', description: 'The tail probability in the alert\'s direction; at least 1e-300: a smaller tail (an extreme surge) is reported as 1e-300, an upper bound.' },
    evidence: { type: 'object', properties: { current: counts, baseline: counts, window: { type: 'object', properties: { from: str, to: str } } } },
    message: str,
    examples: { type: 'object', properties: { decisions: { type: 'array', items: str }, outcomes: { type: 'array', items: str } } },
    links: { type: 'object', properties: { self: str, decisions: str, examples: { type: 'array', items: str } } },
    raisedAt: str, resolvedAt: nullableStr, resolvedReason: nullableStr,
    resolution: {
      type: ['object', 'null'],
      properties: { at: str, observed: num, message: str },
      description: 'What the current window showed when the alert recovered: its time (= resolvedAt), the observed value and the sentence; `observed` and `message` above stay the opening\'s. Null while it is open, and when it was closed without recovering (resolvedReason says why).',
    },
    acknowledgedAt: nullableStr, acknowledgedBy: nullableStr,
    reopenedAt: nullableStr,
    reopenCount: num,
    delivery,
    resolvedDelivery: { ...delivery, type: ['object', 'null'], description: 'The webhook delivery of its resolution; null while it is open.' },
  },
} as const;

/** The monitors' routes, for /openapi.json. @example app.get('/v1/alerts', { schema: monitorSchemas.list }, handler) */
export const monitorSchemas = {
  list: {
    tags: ['measure'],
    summary: 'Monitor alerts, newest first, by status, action and time; paged by a cursor',
    querystring: {
      type: 'object',
      additionalProperties: false,
      properties: {
        status: { type: 'string', enum: ['open', 'acknowledged', 'resolved'] },
        action: str,
        since: { type: 'string', format: 'date-time', description: 'Alerts raised at or after this time.' },
        limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50 },
        after: { type: 'string', minLength: 1, maxLength: 400, description: 'The `next` of the previous page: the alerts after it, in the same order.' },
      },
    },
    response: {
      200: {
        type: 'object',
        properties: {
          alerts: { type: 'array', items: alertSchema },
          next: { type: ['string', 'null'], description: 'Pass as `after` for the next page (with the same filters): given whenever this page is full (`limit` alerts), so the page after a full last one is empty; null when this page is not full.' },
        },
      },
      ...errors,
    },
  },
  get: {
    tags: ['measure'],
    summary: 'One monitor alert',
    params: { type: 'object', properties: { id: str }, required: ['id'] },
    response: { 200: alertSchema, ...errors },
  },
  ack: {
    tags: ['measure'],
    summary: 'Acknowledge an alert: it stays known, and no new alert of its key and metric fires until it recovers',
    params: { type: 'object', properties: { id: str }, required: ['id'] },
    body: { type: ['object', 'null'], additionalProperties: false, properties: { by: { type: 'string', maxLength: MAX_FREE_TEXT, description: 'Who acknowledges (default: the label of the key used).' } } },
    response: { 200: alertSchema, ...errors },
  },
  step: {
    tags: ['measure'],
    summary: 'Run a monitor step now (fold pending decisions and outcomes, check every key) and send due alert notices (raised, reopened, resolved)',
    // It takes no options: a body with any is refused, naming them, as every other route's is.
    body: { type: ['object', 'null'], additionalProperties: false, properties: {}, description: 'None needed: the step takes no options (an empty object is taken).' },
    response: {
      200: { type: 'object', properties: { events: num, raised: { type: 'array', items: str }, resolved: { type: 'array', items: str }, reopened: { type: 'array', items: str }, committed: { type: 'boolean' }, delivered: num } },
      ...errors,
    },
  },
} as const;
