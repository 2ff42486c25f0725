/**
 * The answers of GET /v1/segments, /v1/segments/{name}/members and /v1/segments/{name}/events
 * (routes.ts), as JSON schemas for /openapi.json. Fastify serializes through them and keeps only
 * the fields a schema lists unless it is open, so every object here is open
 * (`additionalProperties: true`).
 */

const open = { additionalProperties: true } as const;
const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const time = { type: 'string', format: 'date-time' } as const;

/** One segment with its counts. */
const segment = {
  type: 'object',
  ...open,
  required: ['name', 'when', 'members', 'entries', 'exits', 'errors'],
  properties: {
    name: str,
    when: { type: 'string', description: 'The rule: who is in the segment.' },
    description: str,
    members: { ...int, description: 'Profiles in the segment now.' },
    entries: { ...int, description: 'Entries recorded.' },
    exits: { ...int, description: 'Exits recorded.' },
    errors: { ...int, description: 'Evaluations of the rule that failed in this process since it started (the subject was left out). It counts evaluations, not subjects: a subject is evaluated again at its next event, at each sweep and when a model the rule reads goes live, and each failure counts, so it can exceed the number of profiles. An edit of the rule starts it afresh.' },
    lastError: { type: 'object', ...open, required: ['message', 'at'], description: 'The last of those failures, when there is one.', properties: { message: str, at: time } },
    warning: { type: 'string', description: 'Present when every evaluation of the rule in this process failed, at least 20 of them: why (the last error), and that the segment holds no one — a comparison of a value whose type the check could not know when the rule was written (a last_value feature, a trait) with one of another type.' },
  },
} as const;

/** The live micro-segments model: what it clustered, and each micro-segment's centre and size. */
const microSegments = {
  type: ['object', 'null'],
  ...open,
  required: ['modelVersion', 'features', 'k', 'sizes', 'varianceExplained', 'clusters', 'status'],
  description: 'The live micro-segments; null when none is live.',
  properties: {
    modelVersion: { type: 'string', description: 'e.g. `micro-segments@3`.' },
    features: { type: 'array', items: str, description: 'The features it clustered, as they were named when it was trained.' },
    k: { ...int, description: 'How many micro-segments.' },
    sizes: { type: 'array', items: { type: 'number' }, description: 'Each micro-segment\'s size at fitting.' },
    varianceExplained: { type: ['number', 'null'], description: 'Share of the variance the clustering explains, on the standardised features.' },
    clusters: {
      type: 'array',
      items: {
        type: 'object',
        ...open,
        required: ['index', 'size', 'centre'],
        properties: {
          index: { ...int, description: 'The number `microSegment` takes in a rule.' },
          size: { type: 'number' },
          centre: { type: 'object', ...open, description: 'The centre in the features\' own units (days since, for a time), by feature.' },
        },
      },
    },
    status: { type: 'string', enum: ['live', 'needs-retraining'], description: '`needs-retraining`: the features it clustered changed since it was trained, and it is not applied.' },
    reason: { type: 'string', description: 'With `needs-retraining`: why.' },
    renamed: { type: 'object', ...open, description: 'Features renamed since it was trained (the same definition under a new name): old name to new.' },
  },
} as const;

/**
 * GET /v1/segments: 200.
 *
 * @example
 * { response: { 200: segmentsSchema } }
 */
export const segmentsSchema = {
  type: 'object',
  ...open,
  required: ['version', 'segments', 'microSegments'],
  properties: {
    version: { ...int, description: 'The version of the segments\' configuration.' },
    segments: { type: 'array', items: segment },
    microSegments,
  },
} as const;

/**
 * GET /v1/segments/{name}/members: 200.
 *
 * @example
 * { response: { 200: membersSchema } }
 */
export const membersSchema = {
  type: 'object',
  ...open,
  required: ['segment', 'members', 'next'],
  properties: {
    segment: str,
    members: { type: 'array', items: { type: 'object', ...open, required: ['profileId', 'since'], properties: { profileId: str, since: { ...time, description: 'The `at` of its entry: when Tact evaluated the rule and let it in, not the timestamp of the event that caused it.' } } } },
    next: { type: ['string', 'null'], description: 'The `after` of the next page; null on the last.' },
  },
} as const;

/**
 * GET /v1/segments/{name}/events: 200.
 *
 * @example
 * { response: { 200: eventsSchema } }
 */
export const eventsSchema = {
  type: 'object',
  ...open,
  required: ['segment', 'events', 'next'],
  properties: {
    segment: str,
    events: {
      type: 'array',
      items: {
        type: 'object',
        ...open,
        required: ['profileId', 'kind', 'at', 'reason', 'seq', 'segmentsVersion'],
        properties: {
          profileId: str,
          kind: { type: 'string', enum: ['entry', 'exit'] },
          at: { ...time, description: 'When Tact recorded it: the moment it evaluated the rule (processed the event, replayed the events after an edit, swept, …), not the `timestamp` of the event that caused it — that event is `seq`. A batch imported late, or the replay of a rule added or edited, records entries and exits at the time of processing; the rule is evaluated at that time too (a rule on days since reads them from then).' },
          reason: { type: 'string', description: 'What caused it: `event`, `estimate`, `definition`, `sweep`, `model`, `feature`, `lifecycle` (a stage or tier the rule reads was redefined), `merged`, `removed` or `erased` (reserved for subject erasure, which no route exposes yet).' },
          seq: { type: 'integer', description: 'The event that caused it.' },
          segmentsVersion: { ...int, description: 'The version of the segments\' configuration it was evaluated under.' },
        },
      },
    },
    next: { type: 'string', description: 'The `after` to poll from next.' },
  },
} as const;
