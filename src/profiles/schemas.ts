import { errorSchema } from '../collect/schemas.js';
import { RECENT_EVENTS } from './profile-state.js';

const anyObj = { type: 'object', additionalProperties: true } as const;

/** One identity conflict: one per kind, value and reason, counting the messages that hit it. */
const identityConflict = {
  type: 'object',
  description: 'An identifier a merge rule kept off this profile, once per kind, value and reason.',
  properties: {
    messageId: { type: 'string', description: 'The last message that hit it.' },
    kind: { type: 'string' }, value: { type: 'string' }, reason: { type: 'string', description: 'The rule that stopped it.' },
    count: { type: 'integer', minimum: 1, description: 'How many messages hit it.' },
    firstAt: { type: 'string', format: 'date-time' }, lastAt: { type: 'string', format: 'date-time' },
    at: { type: 'string', format: 'date-time', description: 'The same as `lastAt`.' },
  },
  required: ['messageId', 'kind', 'value', 'reason', 'count', 'firstAt', 'lastAt', 'at'],
} as const;

/** Whether `consentHistory` is the event-time history (docs/collection.md, Consent). */
const consentHistoryStatus = {
  type: 'object',
  description: `Whether \`consentHistory\` is the history the event-time order of the messages gives. \`complete: false\` only on the embedded (SQLite) store, when a consent statement arrived after newer ones or two profiles with consent were merged and the events since then are more than the profile's ${RECENT_EVENTS} newest, which is all that store rebuilds the history from (it never scans its event log): the rows from \`incompleteSince\` on may then miss changes or show them out of order. PostgreSQL always answers complete.`,
  properties: {
    complete: { type: 'boolean' },
    incompleteSince: { type: 'string', format: 'date-time', description: 'From when the rows may miss changes (the rows before are exact). Only when `complete` is false.' },
    cause: { type: 'string', enum: ['late_statement', 'merge', 'unknown'], description: 'Why: a statement that arrived after newer ones, a merge of two profiles that both held consent, or a mark kept without its cause. Only when `complete` is false.' },
    note: { type: 'string', description: 'The same in a sentence, for an auditor. Only when `complete` is false.' },
  },
  required: ['complete'],
} as const;

/** OpenAPI descriptions of the profile routes. */
export const profileSchemas = {
  get: {
    tags: ['profiles'],
    summary: 'A profile: traits, features, consent, identities, accounts and recent events',
    description: 'The identifier is looked up as userId, then anonymousId, then email; `kind:value` names the kind (e.g. `email:ana@example.com`, `profile:<id>`; Segment\'s `user_id:` and `anonymous_id:` read as `userId:` and `anonymousId:`; an external id\'s type may hold colons: `ios:idfa:ABC` is tried as kind `ios`, then `ios:idfa`). A kind near one of Tact\'s or the merge rules\' but none of them (`userid:u1`) is a 404 `unknown_identifier_kind` naming the kind meant. Facts only.',
    params: { type: 'object', properties: { identifier: { type: 'string' } }, required: ['identifier'] },
    querystring: { type: 'object', additionalProperties: false, properties: { events: { type: 'integer', minimum: 0, maximum: RECENT_EVENTS, default: 20, description: `How many recent events to include (a profile keeps its ${RECENT_EVENTS} most recent).` } } },
    response: {
      200: {
        type: 'object',
        properties: {
          id: { type: 'string' }, matchedBy: anyObj, createdAt: { type: 'string' }, updatedAt: { type: 'string' },
          firstSeenAt: { type: ['string', 'null'] }, lastSeenAt: { type: ['string', 'null'] }, eventCount: { type: 'integer' }, timezone: { type: ['string', 'null'] },
          locale: { type: ['string', 'null'], description: 'The `context.locale` of the latest event (by event time) that carried one, as sent (e.g. `fr-FR`).' },
          traits: anyObj, features: anyObj, events: anyObj, lifecycle: anyObj, consent: anyObj,
          consentHistory: { type: 'array', items: anyObj, description: 'Consent changes, newest first, at most 50: as the event-time order of the messages gives them, whatever order they arrived in (see `consentHistoryStatus`).' },
          consentHistoryStatus, identities: { type: 'array', items: anyObj }, accounts: { type: 'array', items: anyObj },
          flags: { type: 'array', items: anyObj, description: 'The flags people recorded (POST /v1/flags) and have not cleared, on the person, the profiles merged into it, and (with `account`) its accounts — as GET /v1/flags?subject= lists them; `active` is false once `until` has passed. A decision\'s rules read the active ones as `flags.<name>` (since 2026-12-06).' },
          merges: { type: 'array', items: anyObj }, identityConflicts: { type: 'array', items: identityConflict, description: 'Newest first, at most 20.' }, recentEvents: { type: 'array', items: anyObj }, note: { type: 'string' },
        },
      },
      400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema,
    },
  },
  account: {
    tags: ['profiles'],
    summary: 'An account (B2B group) with its traits and members, by profile id, in pages (`next` → `after`)',
    params: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
    querystring: {
      type: 'object',
      additionalProperties: false,
      properties: {
        after: { type: 'string', description: 'The `next` of an earlier answer (a profile id): the members after it. Left out: the first page.' },
        limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100, description: 'The most members answered.' },
      },
    },
    response: {
      200: {
        type: 'object',
        required: ['id', 'traits', 'createdAt', 'updatedAt', 'members', 'next'],
        properties: {
          id: { type: 'string' }, traits: anyObj, createdAt: { type: 'string' }, updatedAt: { type: 'string' },
          members: { type: 'array', description: 'Members ordered by profile id (profile ids are time-ordered: earliest profiles first).', items: { type: 'object', required: ['profileId', 'role'], properties: { profileId: { type: 'string' }, role: { type: ['string', 'null'], description: 'The member\'s role; null when none was sent.' } } } },
          next: { type: ['string', 'null'], description: 'The cursor of the next page (pass it as `after`); null when this page is the last.' },
        },
      },
      400: errorSchema, 404: errorSchema,
    },
  },
};
