import { errorSchema } from '../../collect/schemas.js';
import { MAX_FREE_TEXT } from '../../server/free-text.js';
import { withOptionalBody } from '../../server/openapi-optional-body.js';

const anyObj = { type: 'object', additionalProperties: true } as const;
const str = { type: 'string' } as const;
/**
 * The longest subject (or account) a request may name: a tracked event's identifier limit
 * (src/collect/normalize.ts). PostgreSQL's btree indexes refuse keys of more than about 2,700
 * bytes, so a longer one would reach an index as a 500 there while SQLite took it.
 */
const SUBJECT_MAX = 512;
const subjectStr = { type: 'string', maxLength: SUBJECT_MAX } as const;
/** A free-text input: a note, or who made a change. */
const freeText = { type: 'string', maxLength: MAX_FREE_TEXT } as const;
const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema } as const;

const num = { type: 'number' } as const;
const int = { type: 'integer' } as const;

/**
 * An Estimate (src/learn/estimate.ts) as the decision answers show it. Open (a later server may
 * add fields), and every nested object too: the serializer keeps a field this schema does not list.
 */
const estimate = {
  type: 'object',
  additionalProperties: true,
  description: 'An inferred number, never bare: its interval, the evidence behind it and the rung of the granularity ladder it comes from.',
  required: ['value', 'low', 'high', 'level', 'evidence', 'source', 'status', 'modelVersion', 'updatedAt'],
  properties: {
    value: { type: 'number', description: 'Point estimate (posterior mean, or the model\'s central value).' },
    low: { type: 'number', description: 'Lower end of the interval at `level`.' },
    high: { type: 'number', description: 'Upper end of the interval at `level`.' },
    level: { type: 'number', description: 'Interval level, e.g. 0.9 for a 90% interval: for an action, the `estimates.level` of the policy version the decision was made under.' },
    evidence: { type: 'number', description: 'Evidence behind the estimate at its own rung (trials, observations).' },
    source: { type: 'string', enum: ['population', 'segment', 'micro-segment', 'personal'], description: 'The rung of the granularity ladder the estimate comes from.' },
    status: { type: 'string', enum: ['learning', 'established'], description: '`learning` while the interval is wider than the policy\'s threshold (not enough data yet), or for `reason`.' },
    reason: { type: 'string', enum: ['stale', 'extrapolated', 'shift', 'pending'], description: 'Why a `learning` estimate is learning when it is not "not enough data yet": `stale`, a baseline after a gap in its readings (not yet made good); `extrapolated`, a bandit\'s estimate for a context beyond those it learned from; `pending`, an action\'s rate whose trials include too many choices still inside their attribution windows (its interval reaches up to the rate without them); `shift`, a baseline re-learning its level after a shift (the Estimate type\'s, as GET /v1/profiles/{identifier}/estimates shows it: an action\'s estimate in a decision never has it).' },
    open: {
      type: 'object',
      required: ['choices'],
      properties: { choices: { type: 'integer', minimum: 1 }, exposure: { type: 'number', minimum: 0 } },
      description: 'An action\'s rate whose evidence holds choices still inside their attribution windows: how many, and once the delay from choice to success is learned the trials they count as in the value (the Estimate type\'s, as GET /v1/profiles/{identifier}/estimates shows it; a decision\'s, as logged with its candidates since 2026-12-06 — absent from decisions logged before).',
    },
    modelVersion: { type: 'string', description: 'The model (and version) that produced it.' },
    updatedAt: {
      type: ['string', 'null'],
      description: 'ISO-8601 time of its last update. For an action\'s estimate from a bandit, when the action\'s evidence last changed; for one from the outcome counts (the ladder), the time of the newest decision or credited success in the counts it read (null while they held none, and for decisions logged before 2026-12-07). An uplift, the end of its model\'s data window. An item\'s estimate (recommendation placements) has its model\'s `dataTo`, or for a personal one the time of the subject\'s newest history fact behind it if later.',
    },
    posterior: {
      type: 'object',
      additionalProperties: true,
      required: ['alpha', 'beta'],
      description: 'A rate\'s Beta posterior (α, β pseudo-counts), when it is one.',
      properties: { alpha: num, beta: num },
    },
  },
} as const;

const factor = {
  type: 'object',
  additionalProperties: true,
  required: ['name', 'value'],
  description: 'One term of a score: the estimate (or the uplift over "none"), the value, a lever, the contact cost.',
  properties: { name: str, value: num, detail: str },
} as const;

/** One outcome credited to one decision (src/decide/records.ts `OutcomeRecord`, with `at` as ISO-8601). */
const outcomeRecord = {
  type: 'object',
  additionalProperties: true,
  required: ['id', 'at', 'type', 'value', 'decisionId', 'action', 'credit', 'reward', 'success', 'source'],
  properties: {
    id: { type: 'string', description: 'The outcome\'s own id (a track event\'s messageId, or the `messageId` reported).' },
    at: { type: 'string', format: 'date-time' },
    profileKey: { type: 'string', description: 'The profile the outcome was recorded for (`anon:<identifier>` for a subject with no profile). Absent from the answer to a write key (a browser), whose decide answer does not carry the profile either.' },
    type: { type: 'string', description: 'impression, click, dismissal, conversion, unsubscribe, complaint …' },
    value: { type: ['number', 'null'], description: 'The outcome\'s own value (e.g. revenue), when it has one.' },
    decisionId: { type: ['string', 'null'], description: 'The decision credited; null when none was (no decision of the subject within the attribution window).' },
    action: { type: ['string', 'null'], description: 'The action credited, when there is one; null on a decision that chose no action ("none", a handoff, items).' },
    item: { type: 'string', description: 'The recommended item the outcome was reported for, when it named one.' },
    credit: { type: 'number', description: 'Share of the credit (1 for last-touch; split evenly under `even` attribution).' },
    reward: { type: 'number', description: 'The reward under the policy\'s value function, times the credit — of the outcome itself when no decision is credited (`decisionId` null, `credit` 0): what it was worth, credited to none.' },
    success: { type: 'boolean', description: 'True when it is the action\'s goal, the first for this decision: it counts as a success of the estimate.' },
    source: { type: 'string', enum: ['api', 'event'], description: 'Reported through POST /v1/outcomes, or a tracked event.' },
    recordedAt: { type: 'string', format: 'date-time', description: 'When Tact recorded it; `at` is when it happened, which a late report (an offline conversion sent days on) puts well before. The estimates date their evidence by this time (`updatedAt`). Absent for outcomes recorded before 2026-12-07.' },
  },
} as const;

/** One candidate of a full explanation: scored (with its estimate and terms) or excluded (with the stage, rule and reason). */
const candidate = {
  type: 'object',
  additionalProperties: true,
  required: ['action', 'status'],
  properties: {
    action: str,
    status: { type: 'string', enum: ['scored', 'excluded'] },
    score: { type: 'number', description: 'Scored candidates.' },
    estimate: { ...estimate, description: 'Scored candidates among the best ten and the chosen ones: the estimate of the action\'s goal rate (the score\'s term unless `uplift` is present).' },
    uplift: { ...estimate, description: 'Under `scoring: uplift`, when the score used it: the action\'s established uplift over doing nothing for this subject (the `uplift` model\'s version).' },
    factors: { type: 'array', items: factor },
    review: { type: 'string', enum: ['review', 'pending', 'approved'], description: 'High-stakes: needs a person, waits for one, or was approved.' },
    approval: {
      type: 'object',
      description: 'With `review: "approved"`: the review (`reviewId`), who approved it (`reviewer`, as the review records it) and when (`at`), since 2026-12-06.',
      properties: { reviewId: str, reviewer: { type: ['string', 'null'] }, at: { type: ['string', 'null'] } },
    },
    stage: { type: 'string', description: 'Excluded candidates: the pipeline stage that excluded it.' },
    rule: { type: 'string', description: 'Excluded candidates: the rule.' },
    reason: { type: 'string', description: 'Excluded candidates: why, as a sentence.' },
  },
} as const;

/** Why the decision is what it is: the sentences, the versions, and with `explain: full` every candidate and the facts. */
const explanation = {
  type: 'object',
  additionalProperties: true,
  required: ['customer'],
  properties: {
    customer: { type: 'string', description: 'The sentence a customer may read (the only field in answers to a browser).' },
    operator: { type: 'string', description: 'The sentence for an operator.' },
    policyVersion: int, catalogVersion: int,
    modelVersion: { type: 'string', description: 'The estimates\' model, the bandit or the recommender that decided.' },
    experiment: {
      type: 'object',
      additionalProperties: true,
      required: ['arm'],
      description: 'The placement\'s experiment and the subject\'s arm in it, or the global holdout\'s arm; `unit` the identifier that assigned it.',
      properties: { id: str, arm: str, unit: str },
    },
    ladder: {
      type: 'object',
      additionalProperties: true,
      description: 'The subject\'s rungs of the estimates\' ladder at decision time, when the decision recorded them.',
      properties: {
        segment: { type: ['string', 'null'] },
        microSegment: { type: ['integer', 'null'], description: 'The micro-segment\'s index under `microSegmentModel` (null before one is trained).' },
        microSegmentModel: { type: ['string', 'null'] },
      },
    },
    excludedByStage: { type: 'object', additionalProperties: int, description: 'Candidates excluded per pipeline stage (only the stages that excluded any).' },
    handoff: { type: 'object', additionalProperties: true, required: ['territory', 'queue'], properties: { territory: str, queue: str } },
    candidates: { type: 'array', items: candidate, description: 'With `explain: full`: every candidate, the scored ones best first.' },
    facts: { ...anyObj, description: 'With `explain: full`: the value of every fact a rule read.' },
    absentFacts: { type: 'array', items: str, description: 'With `explain: full`: the facts a rule read that the subject did not have.' },
    context: { ...anyObj, description: 'With `explain: full`: the context the caller sent.' },
  },
} as const;

const choice = {
  type: 'object',
  additionalProperties: true,
  required: ['rank', 'kind'],
  properties: {
    rank: { type: 'integer' },
    kind: { type: 'string', enum: ['action', 'none', 'handoff', 'item'], description: '`item`: one ranked item of a recommendation placement (propensity 1: the list is deterministic).' },
    action: str, variant: str, content: anyObj, queue: str,
    item: { type: 'string', description: 'The recommended item (kind `item`).' },
    propensityError: { type: 'number', description: 'Bound on the numerical error of `propensity` (bandit selection computes it by quadrature).' },
    score: { type: 'number' },
    propensity: { type: 'number', description: 'The exact probability with which this choice was made at its rank, given the ranks above it (for a held action\'s stand-in: the probability the held action was picked).' },
    exposurePropensity: { type: 'number', description: 'The probability that what this choice shows was shown at its rank: the sum over every pick that leads to it (the safe default or "none" picked directly, or an action held for review that it stands in for). Present only when there is more than one route; otherwise it is `propensity`. Off-policy estimates of what customers saw weigh by it.' },
    held: anyObj,
    explanation: { type: 'string' },
    estimate: { ...estimate, description: 'An action\'s estimate of its goal rate (the best ten and the chosen ones), or what the recommender inferred of an item: a recommendation\'s score, a re-ranked item\'s affinity (its `score` is the blend with the caller\'s relevance, not an inference), or the population\'s share; absent for an item the model does not know.' },
    uplift: { ...estimate, description: 'Under `scoring: uplift`, when the score used it: the action\'s established uplift over doing nothing for this subject, with its interval (the `uplift` model\'s version); `estimate` stays the goal rate.' },
    factors: { type: 'array', items: factor },
  },
} as const;

/**
 * A decision as answered by POST /v1/decide and GET /v1/decisions/{id}.
 *
 * @example
 * app.get('/v1/decisions/:id', { schema: { response: { 200: decisionSchema } } }, handler);
 */
export const decisionSchema = {
  type: 'object',
  additionalProperties: true,
  required: ['decisionId', 'at', 'placement', 'choices', 'explanation'],
  properties: {
    decisionId: str, at: str, placement: str, channel: str, arm: str,
    subject: { type: 'object', properties: { identifier: str, profileId: { type: ['string', 'null'] } } },
    choices: { type: 'array', items: choice },
    explanation,
    outcomes: { type: 'array', items: outcomeRecord, description: 'GET /v1/decisions/{id}: the outcomes credited to it.' },
  },
} as const;

/**
 * What an answer that went ahead for a subject no profile holds says when the subject's kind is near
 * one of Tact's or the merge rules' but none of them (`emial:`): subjectWarnings (src/profiles/lookup.ts).
 *
 * @example
 * { response: { 200: { type: 'object', properties: { warnings: subjectWarningsSchema } } } }
 */
export const subjectWarningsSchema = {
  type: 'array',
  description: 'Present only when there is something to say: the subject matches no profile, and its identifier names a kind near one of Tact\'s or the merge rules\' but none of them (`emial:ana@example.com`), so the answer is for a subject Tact knows nothing of. The sentence is that of the 404 `unknown_identifier_kind` of GET /v1/profiles/{identifier}.',
  items: {
    type: 'object',
    additionalProperties: true,
    required: ['field', 'message', 'suggestion'],
    properties: {
      field: { type: 'string', description: 'The field the warning is about (`subject`).' },
      message: { type: 'string', description: 'The sentence: the kind named, the identifier likely meant, and the kinds there are.' },
      suggestion: { type: 'string', description: 'The identifier likely meant (`email:ana@example.com`).' },
    },
  },
} as const;

/** What POST /v1/outcomes may say of an outcome it recorded (outcome-routes.ts): subjectWarningsSchema's items, `suggestion` only when a value is likely meant, and the unmatched `reason`. */
const outcomeWarningsSchema = {
  ...subjectWarningsSchema,
  items: {
    ...subjectWarningsSchema.items,
    required: ['field', 'message'],
    properties: {
      ...subjectWarningsSchema.items.properties,
      suggestion: { type: 'string', description: 'The value likely meant, when one is (`email:ana@example.com`, `click`, `socks-offer`).' },
      reason: { type: 'string', enum: ['decision_past_window', 'action_not_shown'], description: 'Why the outcome was credited to no decision, when it fitted what it named (the reason of `tact_outcomes_unmatched_total`).' },
    },
  },
} as const;

/** A flag as the API shows it. @example { response: { 201: flagSchema } } */
export const flagSchema = {
  type: 'object',
  additionalProperties: true,
  properties: {
    id: str, target: anyObj, name: str, note: str, until: { type: ['string', 'null'] }, author: str, createdAt: str, clearedAt: { type: ['string', 'null'] }, clearedBy: { type: ['string', 'null'] }, active: { type: 'boolean' },
    account: { type: 'string', description: 'Listed for a subject (`GET /v1/flags?subject=`): present on an open flag of an account the subject belongs to — rules read it for the subject — and the account\'s id (since 2026-12-06); absent on the subject\'s own flags.' },
  },
} as const;

/** A review (held high-stakes choice) as the API shows it. @example { response: { 200: holdSchema } } */
export const holdSchema = {
  type: 'object',
  additionalProperties: true,
  properties: {
    id: str, decisionId: str, subject: str, profileKey: str, placement: str, action: str, variant: { type: ['string', 'null'] }, queue: str,
    status: { type: 'string', enum: ['pending', 'approved', 'rejected', 'delivered', 'expired', 'superseded'], description: '`expired`: pending for longer than the policy\'s `review.expireAfter` (7 days by default); no verdict is taken on it. `superseded`: pending, but its content (`contentHash`: the action\'s terms, the variant\'s content) was edited or withdrawn in the catalog since it was held; no verdict is taken on it, and the subject\'s next decision where the action competes holds it under a new review (`supersededBy`); or pending, but a newer review of the same subject and action followed it (`supersededBy`): decisions follow only the newest.' },
    supersededBy: { type: ['string', 'null'], description: 'Of a review whose content changed since it was held (`superseded`, or `approved` and so never to be delivered): the newer review of the same subject and action, of the content as it is now, once there is one; of a review a newer one of the same subject and action followed (opened once this one no longer applied, or delivered in its place after a merge — since 2026-12-06), that newer review: decisions follow only the newest, and no verdict is taken on this one; else null.' },
    expiresAt: { type: ['string', 'null'], description: 'When a pending review expires (or expired); for an approved one, when the approval lapses if not delivered by then (the policy\'s `review.approvalValidFor`, 30 days by default: a new review is asked after it); for a rejected one, when its block ends (the policy\'s `review.rejectFor`, 30 days by default: the action is not offered to the subject until then); null once delivered.' },
    createdAt: str, decidedAt: { type: ['string', 'null'] }, reviewer: { type: ['string', 'null'] }, note: { type: ['string', 'null'] }, deliveredIn: { type: ['string', 'null'] },
    contentHash: { type: ['string', 'null'], description: 'SHA-256 (hex) of the content the review is of, as the catalog had it when the review was opened: the action\'s name, `properties` and `customerReason`, and the variant\'s id and content. An approval delivers only that content: edited since, the action is held again under a new review. Absent on reviews opened before 2026-12-04.' },
  },
} as const;

/**
 * OpenAPI descriptions of the decision routes; bodies are validated by them (errors name the field).
 *
 * @example
 * app.post('/v1/decide', { schema: decideSchemas.decide }, handler);
 */
export const decideSchemas = {
  decide: {
    tags: ['decide'],
    summary: 'Decide what (if anything) to show or send one subject at one placement',
    description: 'Runs eligibility → applicability → suitability → consent → contact policy → human territory → scoring → selection, logs the decision durably, then answers. With a write key, only placements marked `public` may be asked, and the answer carries only the customer explanation.',
    body: {
      type: 'object',
      required: ['subject', 'placement'],
      additionalProperties: false,
      properties: {
        subject: { type: 'string', minLength: 1, maxLength: SUBJECT_MAX, description: 'Any identifier: userId, anonymousId, email, or kind:value (at most 512 characters, as a tracked event\'s).' },
        placement: { type: 'string', minLength: 1 },
        context: { ...anyObj, description: 'What the caller knows about the moment (page, device …); rules read it as `context`. At a recommendation placement, `context.items` ([{id, relevance}]) asks for that list re-ranked.' },
        n: { type: 'integer', minimum: 1, maximum: 100, default: 1, description: 'How many ranked choices; more than the placement\'s slots gives slots.' },
        explain: { type: 'string', enum: ['summary', 'full'], default: 'summary', description: '`full` adds every candidate\'s verdict and the fact values used.' },
      },
    },
    response: { 200: { ...decisionSchema, properties: { ...decisionSchema.properties, warnings: subjectWarningsSchema } }, ...errors },
  },
  getDecision: {
    tags: ['decide'],
    summary: 'One logged decision with its full explanation and the outcomes credited to it',
    params: { type: 'object', properties: { id: str }, required: ['id'] },
    response: { 200: decisionSchema, ...errors },
  },
  replay: {
    tags: ['decide'],
    summary: 'Replay a logged decision\'s rule stages from the facts it kept, under its own catalog and policy versions',
    params: { type: 'object', properties: { id: str }, required: ['id'] },
    response: {
      200: {
        type: 'object',
        properties: {
          decisionId: str, catalogVersion: { type: 'integer' }, policyVersion: { type: 'integer' }, checked: { type: 'integer' },
          differences: { type: 'array', items: { type: 'object', properties: { action: str, logged: str, replayed: str } } },
          explainsItself: { type: 'boolean' },
        },
      },
      ...errors,
    },
  },
  listDecisions: {
    tags: ['decide'],
    summary: 'The decision log, newest first, by subject, action, placement and time',
    querystring: {
      type: 'object',
      additionalProperties: false,
      properties: {
        subject: str, action: { type: 'string', description: 'An action id — the decisions that chose it, or held it for review and showed the placement\'s safe default in its place — or `queue:<name>` for handoffs, or `none` for the decisions that chose to do nothing.' }, placement: str,
        from: { type: 'string', format: 'date-time', description: 'Decisions made at or after this time.' }, to: { type: 'string', format: 'date-time', description: 'Decisions made before this time (not at it).' },
        after: { type: 'string', minLength: 1, maxLength: 400, description: 'The `next` of the previous page: the decisions after its last one, in the log\'s order (newest first by time, then id), those made in the same millisecond included.' },
        limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50 },
      },
    },
    response: {
      200: {
        type: 'object',
        required: ['decisions', 'next'],
        properties: {
          decisions: { type: 'array', items: decisionSchema },
          next: { type: ['string', 'null'], description: 'The cursor of the next page (pass it as `after`, with the same filters); null when this page is the last.' },
          warnings: {
            ...subjectWarningsSchema,
            description: `Of the \`subject\` asked about (field \`subject\`): ${subjectWarningsSchema.description} Of the \`action\` or \`placement\` (field \`action\`, \`placement\`): present when the first page is empty, the catalog in force has no such id, and it is one or two typos from one it has (\`welcom\`); \`suggestion\` is that id. An action or placement removed from the catalog is still found while its decisions are in the log.`,
          },
        },
      },
      ...errors,
    },
  },
  outcome: {
    tags: ['decide'],
    summary: 'Report an outcome (impression, click, dismissal, conversion, unsubscribe, complaint …)',
    description: 'Credited to the decision named by `decisionId`, or to the subject\'s decisions within the attribution window. The reward is the policy\'s value function. A write key may only report outcomes of a named decision. `item` names which of a recommendation\'s items the outcome is of.',
    body: {
      type: 'object',
      required: ['type'],
      additionalProperties: false,
      properties: {
        // Bounded like the ids they name (a 100,000-character type was stored, and read back with every decision).
        type: { type: 'string', minLength: 1, maxLength: 200 },
        // Not empty: read as absent, an empty one would credit the subject's latest decision, or its top choice.
        decisionId: { type: 'string', minLength: 1, maxLength: 200 },
        // A tracked event's limits (src/collect/normalize.ts); PostgreSQL's indexes take no longer keys.
        subject: subjectStr,
        action: { type: 'string', minLength: 1, maxLength: 128, description: 'An action id (at most 128 characters, as the catalog\'s).' },
        item: { type: 'string', minLength: 1, maxLength: 512, description: 'The item of the decision\'s recommendations the outcome is of (the one clicked or bought); needs `decisionId`, and must be among its items.' },
        // 1e308 passed, and sums of such values overflow to Infinity in the totals and the value function.
        value: { type: 'number', minimum: -1e15, maximum: 1e15, description: 'The outcome\'s own value (e.g. revenue), within ±10¹⁵.' },
        messageId: { type: 'string', minLength: 1, maxLength: 200, description: 'Its id: the same id is recorded once (an empty one would make every outcome sent with it one).' },
        timestamp: { type: 'string', format: 'date-time' },
      },
    },
    response: { 200: { type: 'object', properties: { recorded: { type: 'array', items: outcomeRecord, description: 'The records written: one per decision credited (none when no decision was: a record with `decisionId` null). For a duplicate, those the first call with this `messageId` stored.' }, duplicate: { type: 'boolean', description: 'The `messageId` was recorded before: nothing new was written, and `recorded` is what the first call stored.' }, warnings: { ...outcomeWarningsSchema, description: `Of the \`subject\` named (field \`subject\`): ${subjectWarningsSchema.description} Of the \`type\` (field \`type\`): present when no part of Tact reads it (its own types, the policy's rewards, the outcomes its events become, the actions' goals) and it is one typo from one that is (\`clickk\`); the outcome is recorded as sent, and \`suggestion\` is the type likely meant. Of the \`action\` (field \`action\`, without a \`decisionId\`): present when the catalog has no such action, no decision was credited with it, and it is one typo from one the catalog has (\`socks-ofer\`); recorded as sent, and \`suggestion\` is the action likely meant. Of an outcome recorded credited to no decision though it fitted what it named (since 2026-12-06, no \`suggestion\`; \`reason\` as in \`tact_outcomes_unmatched_total\`): \`decision_past_window\` (field \`timestamp\`), the decision named but after its attribution window ended — the sentence gives the decision's time, the window and its end; \`action_not_shown\` (field \`action\`), a catalog action that no decision of the subject's chose within its window before the outcome.` } } }, ...errors },
  },
  addFlag: {
    tags: ['decide'],
    summary: 'Flag a subject or an account with relationship context, until a date',
    body: {
      type: 'object',
      required: ['name', 'note'],
      additionalProperties: false,
      properties: {
        subject: subjectStr, account: subjectStr, name: { type: 'string', minLength: 1 }, note: { ...freeText, minLength: 1 }, until: str, author: freeText,
        messageId: { type: 'string', minLength: 1, maxLength: 200, description: 'The request\'s own id, chosen by the client (a UUID), to send it again safely: the same `messageId` with the same body adds no second flag — it is answered the flag the first call added, as it is now, with `duplicate: true` — also after a restart, and from another process on the same database. With another body it is a 409 naming `messageId`. Without one, each request adds a flag.' },
      },
    },
    response: {
      201: {
        ...flagSchema,
        properties: {
          ...flagSchema.properties,
          duplicate: { type: 'boolean', description: 'Present when the request named a `messageId`: true when a flag was added with it before — nothing new was added, and the flag is the one the first call added, as it is now (cleared since, if it was).' },
          warnings: {
            type: 'array',
            description: 'Present only when there is something to say: the flag names an account no group() call (nor an identify with `company`) has made yet — stored all the same, it applies to the account\'s members once there are any; a typo (`Acme` for `acme`) would pause no one (field `account`); no rule in force reads `flags.<name>` and no human territory lists it — stored all the same, it changes no decision until one does, and the closest name a rule reads is suggested (field `name`; since 2026-12-06).',
            items: { type: 'object', additionalProperties: true, required: ['field', 'message'], properties: { field: str, message: str } },
          },
        },
      },
      ...errors,
      409: { ...errorSchema, description: '`conflict`: the `messageId` was sent before with another body (`problems` names `messageId`; the message says which fields differ from the flag it added); nothing was added.' },
    },
  },
  listFlags: {
    tags: ['decide'],
    summary: 'Flags of a subject (with the open flags of its accounts) or an account (cleared ones too), or every open flag',
    description: 'A filter sent empty or blank (`?subject=`) is a 400 naming it (since 2026-12-06; it was read as no filter, and every open flag answered).',
    querystring: { type: 'object', additionalProperties: false, properties: { subject: str, account: str } },
    response: { 200: { type: 'object', properties: { flags: { type: 'array', items: flagSchema } } }, ...errors },
  },
  clearFlag: {
    tags: ['decide'],
    summary: 'Clear a flag (it is kept, with who cleared it and when)',
    params: { type: 'object', properties: { id: str }, required: ['id'] },
    response: { 200: flagSchema, ...errors },
  },
  listReviews: {
    tags: ['decide'],
    summary: 'High-stakes choices held for review',
    description: 'A filter sent empty or blank (`?queue=`) is a 400 naming it (since 2026-12-06; it was read as no filter).',
    querystring: { type: 'object', additionalProperties: false, properties: { status: { type: 'string', enum: ['pending', 'approved', 'rejected', 'delivered', 'expired', 'superseded'] }, queue: str, limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 }, before: { type: 'string', description: 'The `next` of the previous page: the reviews after it, newest first.' } } },
    response: {
      200: {
        type: 'object',
        properties: {
          reviews: { type: 'array', items: holdSchema },
          next: { type: ['string', 'null'] },
          warnings: {
            ...subjectWarningsSchema,
            items: { ...subjectWarningsSchema.items, required: ['field', 'message'] },
            description: 'Present only when there is something to say: the first page is empty and its `queue` is neither the policy\'s `review.queue` nor a human territory\'s queue (field `queue`; since 2026-12-06); `suggestion` is the closest of them when one is near. A queue a policy named before still lists the reviews decided under it.',
          },
        },
      },
      ...errors,
    },
  },
  getReview: {
    tags: ['decide'],
    summary: 'One review',
    params: { type: 'object', properties: { id: str }, required: ['id'] },
    response: { 200: holdSchema, ...errors },
  },
  decideReview(verb: 'approve' | 'reject') {
    // The body is optional: a verdict without one is recorded under the key's label, with no note.
    return withOptionalBody({
      tags: ['decide'],
      summary: verb === 'approve' ? 'Approve a held choice: the subject\'s next decision may deliver it' : 'Reject a held choice: it is not offered to that subject for the policy\'s `review.rejectFor`',
      description: 'Optional body: `{ "reviewer": "…", "note": "…" }`, kept with the verdict (`reviewer` defaults to the key used).',
      params: { type: 'object', properties: { id: str }, required: ['id'] },
      body: { type: ['object', 'null'], additionalProperties: false, properties: { reviewer: freeText, note: freeText } },
      response: { 200: holdSchema, ...errors, 409: errorSchema },
    });
  },
  batch: {
    tags: ['decide'],
    summary: 'Decide for every subject of an audience (outbound); streams NDJSON lines',
    description: 'Lines are `{"type":"progress"…}`, `{"type":"decision"…}` (with `sendTime` — `sendAt` and its estimate — on outbound channels when send time is on) and a final `{"type":"done"…}`. The same pipeline, caps and budgets apply as to single decisions; `tact decide-batch` is the client.',
    body: {
      type: 'object',
      required: ['placement', 'audience'],
      additionalProperties: false,
      properties: {
        placement: { type: 'string', minLength: 1 },
        audience: { type: 'string', minLength: 1, description: 'CEL over the profile as a segment\'s rule and a decision\'s rules read it — `traits`, `features`, `events`, `consent`, `lifecycle`, `estimates`, `microSegment`, `flags`, `accounts`, `segments` —, e.g. `features.orders >= 1.0`, `"churn_risk" in segments` or `estimates.rates.email_open.value > 0.45`.' },
        context: anyObj,
        limit: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Stop after this many subjects in the audience.' },
        maxActions: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Stop after this many action choices (the campaign\'s own cap).' },
        includeNone: { type: 'boolean', default: false, description: 'Also stream decisions whose choice is "none".' },
        sendTime: { type: 'boolean', description: 'Add `sendTime` to each decision on an outbound channel: `sendAt`, the next start of the subject\'s best hour of week in their time zone, with the send-time estimate (default: on when send time is configured).' },
      },
    },
  },
};
