import type { MessageType } from './message.js';

const obj = { type: 'object', additionalProperties: true } as const;

const common = {
  messageId: { type: 'string', description: 'Unique id; a message sent twice with the same id is stored once.' },
  userId: { type: 'string', description: 'Your id for the person (userId or anonymousId is required). A JSON number is read as its digits only when whole and at most 2^53 − 1; send larger ids as strings.' },
  anonymousId: { type: 'string', description: 'A device or cookie id for a person not yet known.' },
  context: { ...obj, description: 'Segment context: ip, page, userAgent, timezone, traits, externalIds, consent.categoryPreferences …' },
  integrations: { ...obj, description: 'Destinations map, kept as sent.' },
  timestamp: { type: 'string', format: 'date-time', description: 'When it happened (corrected for client clock skew when sentAt is given); at most 24 hours after receipt.' },
  originalTimestamp: { type: 'string', format: 'date-time' },
  sentAt: { type: 'string', format: 'date-time' },
  writeKey: { type: 'string', description: 'The write key, as analytics.js sends it (else use HTTP Basic).' },
} as const;

const byType: Record<MessageType, Record<string, unknown>> = {
  track: { event: { type: 'string', description: 'What the person did, e.g. "Order Completed".' }, properties: obj },
  identify: { traits: { ...obj, description: 'Declared traits (email, name, plan …); `company` makes an account membership.' } },
  page: { name: { type: 'string' }, category: { type: 'string' }, properties: obj },
  screen: { name: { type: 'string' }, category: { type: 'string' }, properties: obj },
  group: { groupId: { type: 'string', description: 'The account id.' }, traits: { ...obj, description: 'Account traits; `role` (or context.traits.role) is the member role.' } },
  alias: { previousId: { type: 'string', description: 'The identity to merge into userId.' } },
};

const required: Record<MessageType, string[]> = { track: ['event'], identify: [], page: [], screen: [], group: ['groupId'], alias: ['previousId', 'userId'] };

const ok = { type: 'object', properties: { success: { type: 'boolean' } }, additionalProperties: true } as const;
const error = {
  type: 'object',
  properties: { error: { type: 'string' }, message: { type: 'string' }, errorId: { type: 'string' }, problems: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } } },
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
