/**
 * The answers of the model registry's routes (routes.ts), as JSON schemas for /openapi.json.
 * Fastify serializes through them and keeps only the fields a schema lists unless it is open, so
 * every object here is open (`additionalProperties: true`); a number that may be non-finite is
 * nullable (`clean` makes it null; a plain number would read 0).
 */

const open = { additionalProperties: true } as const;
const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const time = { type: 'string', format: 'date-time' } as const;
const nullableTime = { type: ['string', 'null'] } as const;
const nullableNumber = { type: ['number', 'null'] } as const;
const openObject = (description: string) => ({ type: 'object', ...open, description }) as const;

/** The version of a model in force, and since when; null when none is. */
const live = {
  type: ['object', 'null'],
  ...open,
  required: ['version', 'since'],
  description: 'The version in force, and since when; null when none is.',
  properties: { version: int, since: time },
} as const;

/** A trained version without its parameters (ModelVersionSummary). */
const versionSummary = {
  type: 'object',
  ...open,
  required: ['version', 'trainedAt', 'dataFrom', 'dataTo', 'trainedBy', 'metrics'],
  properties: {
    version: int,
    trainedAt: time,
    dataFrom: { ...nullableTime, description: 'Start of the data it was trained on; null when it used everything.' },
    dataTo: { ...time, description: 'End of the data it was trained on: when its training began.' },
    trainedBy: { type: 'string', description: '`schedule`, `cli`, or the API key that asked.' },
    metrics: openObject('What training measured: sizes, fitted parameters, held-out figures.'),
  },
} as const;

/** What a comparison of a candidate with the live version found (Comparison); null when none was made. */
const comparison = {
  type: ['object', 'null'],
  ...open,
  description: 'The comparison of the version with the one live before it; null when none was made (the first version, `force`, a rollback).',
  properties: {
    better: { type: 'boolean', description: 'True when the candidate passes the comparison and may replace the live version. Kept under this name for the clients that read it: for rates, micro-segments, send-time, baselines and recommendations passing means "not shown worse", not "better" — `verdict` says which.' },
    verdict: { type: 'string', enum: ['better', 'not worse', 'no difference', 'worse', 'inconclusive'], description: 'What the comparison found: `better` (shown better), `not worse` (not shown worse: it may still score a little below the live version within noise), `no difference` (a tie), `worse`, `inconclusive` (too little evidence). Absent on comparisons recorded before 2026-12-06.' },
    summary: { type: 'string', description: 'One sentence, kept with the promotion or the refusal.' },
    inconclusive: { type: 'boolean', description: 'Too little evidence to say either way.' },
    figures: openObject('The figures compared.'),
  },
} as const;

/** One entry of a model's history (ModelEvent). */
const modelEvent = {
  type: 'object',
  ...open,
  required: ['name', 'version', 'action', 'reason', 'actor', 'at', 'comparison', 'previous'],
  properties: {
    name: str,
    version: { type: ['integer', 'null'] },
    action: { type: 'string', enum: ['trained', 'promoted', 'refused', 'rolled-back'] },
    reason: str,
    actor: { type: 'string', description: '`schedule`, `cli`, or the API key that asked.' },
    at: time,
    comparison,
    previous: { type: ['integer', 'null'], description: 'The version live before this change.' },
  },
} as const;

/** Said with a version made live that cannot be applied (VersionWarning); absent when there is nothing to say. */
const versionWarnings = {
  type: 'array',
  description: 'Present only when the version made live cannot be applied under the settings in force (a `micro-segments` version that needs retraining: its features were redefined or removed, or `segments.microSegments.features` names others): it is live all the same, and places no one until a version trained on the features in force goes live.',
  items: {
    type: 'object',
    ...open,
    required: ['version', 'message'],
    properties: { version: { ...int, description: 'The version live now.' }, message: { type: 'string', description: 'Why it cannot be applied, and what that does.' } },
  },
} as const;

/** The answer to a promotion (Promotion). */
const promotion = {
  type: 'object',
  ...open,
  required: ['name', 'version', 'promoted', 'previous', 'reason', 'comparison'],
  properties: {
    name: str,
    version: int,
    promoted: { type: 'boolean' },
    previous: { type: ['integer', 'null'], description: 'The version live before; null when none was.' },
    reason: { type: 'string', description: 'Why it was promoted or refused, in a sentence.' },
    comparison,
    warnings: versionWarnings,
  },
} as const;

/** What one training of one model did (TrainResult). */
const trainResult = {
  type: 'object',
  ...open,
  required: ['model', 'seconds'],
  properties: {
    model: str,
    version: { ...int, description: 'The version trained; absent when nothing was.' },
    skipped: { type: 'string', description: 'Why nothing was trained, in a sentence.' },
    busy: { type: 'boolean', description: 'Skipped because another training of the model ran.' },
    promotion,
    metrics: openObject('What training measured.'),
    error: { type: 'string', description: 'Why the training failed.' },
    sameAs: { ...int, description: 'The live version whose model the training made again (equal state: nothing new since it was trained). On demand the version is still stored, and its promotion refused unless `force` (the comparison still recorded); the schedule stores none (`version` absent).' },
    unchanged: { type: 'string', description: 'With `sameAs`: that in a sentence, and whether a version was stored.' },
    seconds: { ...nullableNumber, description: 'How long it took.' },
  },
} as const;

const results = { type: 'array', items: trainResult } as const;

/**
 * GET /v1/models: 200.
 *
 * @example
 * { response: { 200: modelsSchema } }
 */
export const modelsSchema = {
  type: 'object',
  ...open,
  required: ['models', 'schedule'],
  properties: {
    models: {
      type: 'array',
      items: {
        type: 'object',
        ...open,
        required: ['name', 'description', 'live', 'latest', 'autoPromote', 'scheduled'],
        properties: {
          name: str,
          description: { type: ['string', 'null'] },
          live,
          latest: { ...versionSummary, type: ['object', 'null'], description: 'The newest version; null when none is trained.' },
          autoPromote: { type: 'boolean', description: 'Whether `training.autoPromote` lists it.' },
          scheduled: {
            type: ['object', 'null'],
            ...open,
            required: ['state', 'lastRunAt', 'lastResult', 'failedAt', 'error', 'nextAt'],
            description: 'How the schedule last trained it; null when it never has.',
            properties: {
              state: { type: 'string', description: '`done`, `failed`, or `running` on its first run.' },
              lastRunAt: nullableTime,
              lastResult: { type: ['object', 'null'], ...open, description: '`{ version, skipped, promoted, sameAs }` of the last run that ended; `sameAs` is the live version the run made again (equal state), in which case it stored no version.' },
              failedAt: nullableTime,
              error: { type: ['string', 'null'], description: 'What failed, when, and when it is tried again.' },
              nextAt: { ...nullableTime, description: 'When it is due again; null when the schedule is off or does not list it.' },
            },
          },
        },
      },
    },
    schedule: {
      type: 'object',
      ...open,
      required: ['everyMs', 'models', 'segmentSweepMs'],
      properties: {
        everyMs: { ...nullableNumber, description: 'How often the schedule trains; null when it is off.' },
        models: { type: 'array', items: str },
        segmentSweepMs: nullableNumber,
      },
    },
  },
} as const;

/**
 * GET /v1/models/{name}: 200.
 *
 * @example
 * { response: { 200: modelSchema } }
 */
export const modelSchema = {
  type: 'object',
  ...open,
  required: ['name', 'description', 'live', 'versions', 'history'],
  properties: {
    name: str,
    description: { type: ['string', 'null'] },
    live,
    versions: { type: 'array', items: versionSummary, description: 'Newest first, at most 50.' },
    history: { type: 'array', items: modelEvent, description: 'Trainings, promotions, refusals and rollbacks, newest first (at most 100).' },
  },
} as const;

/**
 * POST /v1/models/{name}/train with `sync=true`: 200.
 *
 * @example
 * { response: { 200: trainedSchema } }
 */
export const trainedSchema = { type: 'object', ...open, required: ['results'], properties: { results } } as const;

/**
 * POST /v1/models/{name}/train: 202.
 *
 * @example
 * { response: { 202: trainingStartedSchema } }
 */
export const trainingStartedSchema = {
  type: 'object',
  ...open,
  description: 'The training started (or the one of this model not over, in any process sharing the store): `{ id, model, state, startedAt, statusUrl }`.',
  required: ['id', 'model', 'state', 'startedAt', 'statusUrl'],
  properties: {
    id: str,
    model: str,
    state: { type: 'string', enum: ['waiting', 'running', 'done', 'failed', 'busy'] },
    startedAt: time,
    statusUrl: { type: 'string', description: 'Where to poll the training.' },
  },
} as const;

/**
 * GET /v1/models/{name}/trainings/{id}: 200.
 *
 * @example
 * { response: { 200: trainingSchema } }
 */
export const trainingSchema = {
  ...trainingStartedSchema,
  description: 'A training started by POST /v1/models/{name}/train.',
  properties: {
    ...trainingStartedSchema.properties,
    finishedAt: time,
    waitingFor: { type: 'string', description: 'While `waiting`: whose training it waits for, since when.' },
    result: { type: 'object', ...open, required: ['results'], description: 'With `done`: what `sync=true` answers.', properties: { results } },
    error: { type: 'string', description: 'With `failed` or `busy`: why, in a sentence.' },
  },
} as const;

/**
 * POST /v1/models/{name}/promote: 200.
 *
 * @example
 * { response: { 200: promotionSchema } }
 */
export const promotionSchema = promotion;

/**
 * POST /v1/models/{name}/rollback: 200.
 *
 * @example
 * { response: { 200: rollbackSchema } }
 */
export const rollbackSchema = {
  type: 'object',
  ...open,
  required: ['name', 'version', 'from'],
  properties: { name: str, version: { ...int, description: 'The version live now.' }, from: { ...int, description: 'The version live before.' }, warnings: versionWarnings },
} as const;

/** A 95% interval of an observed uplift; null when there is none (no treated or no control rows). */
const upliftInterval = {
  type: ['object', 'null'],
  ...open,
  required: ['low', 'high'],
  properties: { low: nullableNumber, high: nullableNumber },
} as const;

/**
 * One calibration report: a rate's or the decisions' (calibration.ts: predicted rates against
 * observed ones), or, for `uplift`, an action's under the live version (uplift-calibration.ts:
 * predicted uplift against the observed treatment − control difference). The fields each kind
 * alone carries say so.
 */
const calibrationReport = {
  type: 'object',
  ...open,
  required: ['model', 'key', 'n', 'pending', 'bins'],
  properties: {
    model: str,
    key: { type: ['string', 'null'], description: 'The rate or the action; null for the decisions, and for `uplift` when no version is live.' },
    n: { ...int, description: 'Predictions judged (`uplift`: held-out decisions of the action or of "none" whose attribution window has closed).' },
    pending: { ...int, description: 'Predictions whose outcome may still come: left out.' },
    versions: { type: 'array', items: { type: 'object', properties: { modelVersion: { type: 'string' }, n: int }, required: ['modelVersion', 'n'], additionalProperties: false }, description: '`rates` only: the model versions that made the resolved predictions, most first (each exposure records the live version\'s prediction, so the report spans every version live during its points; a version\'s own held-out figures are in GET /v1/models/rates).' },
    bins: { type: 'array', items: openObject('A bin of predictions: mean predicted against observed (`uplift`: `low`, `high`, `count`, `treated`, `control`, `meanPredicted`, `observed`, `interval`, `holds` — whether the interval holds the predicted uplift, null when not judged; `verdict` — `holds`, `misses`, `too few` (fewer than `minRows` effective treated or control rows) or null; `effectiveTreated`, `effectiveControl` — Kish effective sizes).') },
    meanPredicted: { ...nullableNumber, description: 'The mean prediction (`uplift`: the mean predicted uplift); null with none.' },
    observedRate: nullableNumber,
    ece: { ...nullableNumber, description: 'Expected calibration error; null with no predictions.' },
    mce: nullableNumber,
    brier: nullableNumber,
    intervals: openObject('95% intervals of `ece`, `mce` and `brier`.'),
    calibratedReference: openObject('The ECE and MCE a perfectly calibrated model with these predictions would show.'),
    coverage: openObject('How many held-out subjects\' later readings fall inside their 90% intervals, with its 95% Wilson interval.'),
    binsWithFewRows: int,
    withoutPosterior: { ...int, description: '`decisions` only: action choices whose estimate was not a Beta posterior (bandit or uplift scoring), left out.' },
    goal: { type: ['string', 'null'], description: '`uplift` only: the goal outcome the action\'s uplift is predicted on; null when no version is live.' },
    version: { type: ['integer', 'null'], description: '`uplift` only: the live version reported on; null when none is trained.' },
    windowMs: { type: ['integer', 'null'], description: '`uplift` only: the action\'s attribution window (the catalog\'s, else the policy\'s), in ms: a decision is judged once it has closed; null when no version is live.' },
    pendingAtLeast: { type: 'boolean', description: '`uplift` only, present when true: `pending` is a lower bound (counting stopped after 100,000 of the newest decisions).' },
    treated: { ...int, description: '`uplift` only: judged decisions that showed the action.' },
    control: { ...int, description: '`uplift` only: judged decisions that showed nothing ("none").' },
    level: { type: 'number', description: '`uplift` only: the level of `interval` and of the bins\' intervals (0.95).' },
    observed: { ...nullableNumber, description: '`uplift` only: the observed uplift, treated − control of the goal\'s conversion (weighted by the decisions\' propensities); null without treated or control decisions.' },
    interval: { ...upliftInterval, description: '`uplift` only: the 95% interval of `observed`; null with it.' },
    meanAbsoluteGap: { ...nullableNumber, description: '`uplift` only: over the bins with an observed uplift, the row-weighted mean of |mean predicted − observed|; null with none.' },
    binsObserved: { ...int, description: '`uplift` only: bins with an observed uplift (treated and control rows).' },
    binsJudged: { ...int, description: '`uplift` only: of those, the bins judged: at least `minRows` effective treated and control rows.' },
    binsHolding: { ...int, description: '`uplift` only: of the judged bins, those whose interval holds their mean predicted uplift.' },
    minRows: { ...int, description: '`uplift` only: the effective treated and control rows a bin needs to be judged (10).' },
  },
} as const;

/**
 * GET /v1/models/{name}/calibration: 200.
 *
 * @example
 * { response: { 200: calibrationSchema } }
 */
export const calibrationSchema = {
  type: 'object',
  ...open,
  required: ['model', 'reports'],
  properties: { model: str, reports: { type: 'array', items: calibrationReport } },
} as const;
