import type { MessageType } from './message.js';
import { ISO_8601 } from './normalize.js';

const obj = { type: 'object', additionalProperties: true } as const;

/**
 * An id field as normalize.ts reads it: a string of at most 512 characters, or a JSON number that
 * is a whole one held exactly (read as its digits).
 */
const id = (description: string) => ({
  description: `${description} A string of at most 512 characters, or a whole JSON number within ±(2^53 − 1), read as its digits; send larger ids as strings.`,
  anyOf: [{ type: 'string', maxLength: 512 }, { type: 'integer', minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER }],
});

/** A time as normalize.ts reads it: an ISO-8601 date or date-time, or epoch milliseconds. */
const time = (description: string) => ({
  description: `${description} An ISO-8601 date or date-time ("2026-11-23T10:00:00.000Z"; without an offset it is UTC; a space before the time, an offset of hours alone and a decimal comma are read too), or a number of milliseconds since 1970-01-01T00:00:00Z within ±8.64e15.`,
  anyOf: [{ type: 'string', pattern: ISO_8601.source }, { type: 'number', minimum: -8.64e15, maximum: 8.64e15 }],
});

const common = {
  messageId: { type: 'string', minLength: 1, maxLength: 200, description: 'Unique id, at most 200 characters (not white space alone); a message sent twice with the same id is stored once.' },
  userId: id('Your id for the person (userId or anonymousId is required).'),
  anonymousId: id('A device or cookie id for a person not yet known.'),
  context: { ...obj, description: 'Segment context: ip, page, userAgent, timezone, traits, externalIds, consent.categoryPreferences …' },
  integrations: { ...obj, description: 'Destinations map, kept as sent.' },
  timestamp: time('When it happened (corrected for client clock skew when sentAt is given); at most 24 hours after receipt.'),
  originalTimestamp: time('The client\'s clock reading when it happened; read before `timestamp` when both are sent.'),
  sentAt: time('The client\'s clock reading when it sent the message, for the clock-skew correction.'),
  writeKey: { type: 'string', description: 'The write key, as analytics.js sends it (else use HTTP Basic).' },
} as const;

const byType: Record<MessageType, Record<string, unknown>> = {
  track: { event: { type: 'string', description: 'What the person did, e.g. "Order Completed".' }, properties: obj },
  identify: { traits: { ...obj, description: 'Declared traits (email, name, plan …), over those in context.traits (RudderStack sends them there), key by key; `company` makes an account membership. A trait named __proto__ is not kept.' } },
  page: { name: { type: 'string' }, category: { type: 'string' }, properties: obj },
  screen: { name: { type: 'string' }, category: { type: 'string' }, properties: obj },
  group: { groupId: id('The account id.'), traits: { ...obj, description: 'Account traits; `role` (or context.traits.role) is the member role. A trait named __proto__ is not kept.' } },
  alias: { previousId: id('The identity to merge into userId.') },
};

const required: Record<MessageType, string[]> = { track: ['event'], identify: [], page: [], screen: [], group: ['groupId'], alias: ['previousId', 'userId'] };

const ok = { type: 'object', properties: { success: { type: 'boolean' } }, additionalProperties: true } as const;
const error = {
  type: 'object',
  properties: { error: { type: 'string' }, message: { type: 'string' }, errorId: { type: 'string' }, problems: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } }, suggestion: { type: 'string', description: 'The identifier or name likely meant (`unknown_identifier_kind`, `unknown_name`: docs/errors.md).' } },
  additionalProperties: true,
} as const;

/** OpenAPI descriptions of the collection routes (validation is done by Tact's own checks, which name every field). */
export const collectSchemas = {
  single(type: MessageType) {
    return {
      tags: ['collect'],
      summary: `Segment ${type} call`,
      description: `Segment's HTTP Tracking API ${type} call, unchanged. Answers {"success":true} once the message is durably stored. Limit 32 KB.`,
      body: { type: 'object', required: required[type], properties: { ...common, ...byType[type] }, additionalProperties: true },
      response: { 200: ok, 400: error, 401: error, 413: error },
    };
  },
  batch: {
    tags: ['collect'],
    summary: 'Segment batch call',
    description: 'Up to 500 KB of messages, each with its `type`. Valid messages are stored even when others are rejected; `rejected` lists those with the reason for each.',
    body: {
      type: 'object',
      required: ['batch'],
      properties: { batch: { type: 'array', items: obj }, sentAt: common.sentAt, context: common.context, integrations: common.integrations, writeKey: common.writeKey },
    },
    response: {
      200: {
        type: 'object',
        properties: {
          success: { type: 'boolean' },
          accepted: { type: 'integer' },
          duplicates: { type: 'integer' },
          rejected: { type: 'array', items: { type: 'object', properties: { index: { type: 'integer' }, messageId: { type: 'string' }, problems: error.properties.problems } } },
        },
      },
      400: error,
      401: error,
      413: error,
    },
  },
};

export const errorSchema = error;
