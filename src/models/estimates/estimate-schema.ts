/**
 * The answers of GET /v1/profiles/{identifier}/estimates and GET /v1/metrics/{name}/anomalies, as
 * JSON schemas for /openapi.json. Fastify serializes through them and keeps only the fields a
 * schema lists unless it is open, so every object here is open (`additionalProperties: true`): a
 * field the handler adds later still reaches the client. A number that may be non-finite is
 * nullable (`clean` makes it null; a plain number would read 0).
 */

const open = { additionalProperties: true } as const;
const str = { type: 'string' } as const;
const nullableNumber = { type: ['number', 'null'] } as const;
const time = { type: 'string', format: 'date-time' } as const;

/**
 * An estimate as the API shows it (EstimateView, estimate-view.ts): never a bare number.
 *
 * @example
 * { response: { 200: { type: 'object', properties: { estimate: estimateViewSchema } } } }
 */
export const estimateViewSchema = {
  type: 'object',
  ...open,
  description: 'An inferred number, never bare: its interval, the evidence behind it and the rung of the granularity ladder it comes from.',
  required: ['value', 'low', 'high', 'level', 'evidence', 'source', 'status', 'modelVersion', 'updatedAt', 'reading'],
  properties: {
    value: { ...nullableNumber, description: 'Point estimate (posterior mean, or the model\'s central value); null when there is none yet.' },
    low: { ...nullableNumber, description: 'Lower end of the interval at `level`; null when nothing bounds it yet.' },
    high: { ...nullableNumber, description: 'Upper end of the interval at `level`; null when nothing bounds it yet.' },
    level: { type: 'number', description: 'Interval level, e.g. 0.9 for a 90% interval.' },
    evidence: { type: 'number', description: 'The n the interval rests on (trials, events, readings): the subject\'s own when `source` is personal, else the population\'s or the segment\'s.' },
    source: { type: 'string', enum: ['population', 'segment', 'micro-segment', 'personal'], description: 'Whose evidence it rests on: the rung of the granularity ladder it comes from.' },
    status: { type: 'string', enum: ['learning', 'established'], description: '`learning` while its interval is wider than the threshold on that evidence (not enough data yet), or for `reason`.' },
    reason: { type: 'string', enum: ['stale', 'extrapolated', 'shift', 'pending'], description: 'Why a `learning` estimate is learning when it is not "not enough data yet": `stale`, a baseline after a gap in its readings (not yet made good); `extrapolated`, a bandit\'s estimate beyond the contexts it learned from; `pending`, an action\'s rate whose trials include too many choices still inside their attribution windows (its interval reaches up to the rate without them, ADR 0007); `shift`, a baseline re-learning its level after a run of flagged readings was taken as a shift (its `detail.shiftSince`), until the shift has held a day — its interval is its own, at the new level, and no reading is flagged meanwhile.' },
    open: {
      type: 'object',
      ...open,
      required: ['choices'],
      description: 'An action\'s rate whose evidence holds choices still inside their attribution windows (ADR 0007), at the rung it is centred on. Without `exposure` the value counts them as failures (the lowest reading); the interval reaches up to the rate without them.',
      properties: {
        choices: { type: 'integer', minimum: 1, description: 'How many of the `evidence` trials are still inside their attribution windows.' },
        exposure: { type: 'number', minimum: 0, description: 'Once the delay from choice to success is learned: the trials they count as in the value — each the share of its conversions due by now, summed.' },
      },
    },
    modelVersion: { type: 'string', description: 'The model (and version) that produced it, e.g. `rates@3`.' },
    updatedAt: { type: ['string', 'null'], description: 'When the evidence it rests on last changed; null when it rests on nothing observed yet (a model\'s defaults). Not the time it was read.' },
    reading: { type: 'string', description: 'One line a person can read, e.g. "31.0% (90% 24.2–38.4%, n=120, personal, established)", or with choices still open "0.5% (90% 0.0–14.6%, n=193, 190 inside their windows, population, learning, outcomes of recent choices still to come)".' },
  },
} as const;

/** One inferred number about a profile: the model and key, and its estimate (SubjectEstimate). */
const subjectEstimate = {
  ...estimateViewSchema,
  description: 'One inferred number about the profile: which model and key, and the estimate with its interval and evidence.',
  required: ['model', 'key', ...estimateViewSchema.required],
  properties: {
    model: { type: 'string', enum: ['baseline', 'send-time', 'rate'], description: 'The model: a metric\'s baseline, a rate, or the send time.' },
    key: { type: 'string', description: 'The metric or the rate (empty for the send time).' },
    description: { type: 'string', description: 'The metric\'s or rate\'s description, when the configuration gives one.' },
    ...estimateViewSchema.properties,
    detail: { type: 'object', ...open, description: 'What else the model says, e.g. the send time\'s slot and label, or a rate\'s rungs.' },
  },
} as const;

/** One action's goal rate for the profile as its decisions score it (DecisionEstimateView, decision-estimates.ts). */
const decisionEstimate = {
  ...estimateViewSchema,
  description: 'The goal rate of one catalog action for the profile, as a decision for it would score it now: the decision log\'s Beta ladder (population → segment → micro-segment → personal), under the live policy\'s `estimates` settings.',
  required: ['action', 'goal', ...estimateViewSchema.required],
  properties: {
    action: { type: 'string', description: 'The catalog action.' },
    name: { type: 'string', description: 'The action\'s name, when the catalog gives one.' },
    goal: { type: 'string', description: 'The outcome type whose rate it is (the action\'s goal, e.g. `conversion`).' },
    ...estimateViewSchema.properties,
  },
} as const;

/** A reading outside its subject's established range (AnomalyRecord). */
const anomaly = {
  type: 'object',
  ...open,
  description: 'A reading outside its subject\'s established range.',
  required: ['profileId', 'metric', 'at', 'value', 'low', 'high', 'level', 'modelVersion', 'seq'],
  properties: {
    profileId: str,
    metric: str,
    at: { ...time, description: 'When the reading was made.' },
    value: { ...nullableNumber, description: 'The reading.' },
    low: { ...nullableNumber, description: 'Lower end of the subject\'s range at `level` then.' },
    high: { ...nullableNumber, description: 'Upper end of the subject\'s range at `level` then.' },
    level: { type: 'number', description: 'Interval level of the range, e.g. 0.99.' },
    modelVersion: str,
    seq: { type: 'integer', description: 'The event that carried the reading.' },
  },
} as const;

/**
 * GET /v1/profiles/{identifier}/estimates: 200.
 *
 * @example
 * { response: { 200: subjectEstimatesSchema } }
 */
export const subjectEstimatesSchema = {
  type: 'object',
  ...open,
  required: ['id', 'matchedBy', 'estimates', 'decisionEstimates', 'segments', 'microSegment', 'anomalies', 'note'],
  properties: {
    id: { type: 'string', description: 'The profile\'s id.' },
    matchedBy: { type: 'object', ...open, required: ['kind', 'value'], description: 'How the identifier was found.', properties: { kind: str, value: str } },
    estimates: { type: 'array', items: subjectEstimate, description: 'Every configured metric baseline, rate and the send time.' },
    decisionEstimates: { type: 'array', items: decisionEstimate, description: 'The goal rate of every catalog action as a decision for this profile would score it now (whether or not any model is configured); empty when the catalog has no action.' },
    segments: { type: 'array', items: str, description: 'The segments the profile is in now.' },
    microSegment: {
      type: ['object', 'null'],
      ...open,
      required: ['index', 'modelVersion'],
      description: 'The profile\'s micro-segment under the live micro-segments model; null when none is live.',
      properties: { index: { type: 'integer' }, modelVersion: str },
    },
    anomalies: { type: 'array', items: anomaly, description: 'The profile\'s recent anomaly flags, newest first (at most 20).' },
    note: str,
  },
} as const;

/**
 * GET /v1/metrics/{name}/anomalies: 200.
 *
 * @example
 * { response: { 200: anomaliesSchema } }
 */
export const anomaliesSchema = {
  type: 'object',
  ...open,
  required: ['metric', 'anomalies'],
  properties: { metric: str, anomalies: { type: 'array', items: anomaly, description: 'Newest first.' } },
} as const;
