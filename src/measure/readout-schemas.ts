/**
 * The answers of the readouts (GET /v1/experiments/{id}/results, GET /v1/holdout/results) as
 * /openapi.json declares them: ExperimentResults and HoldoutResults (experiments-service), their
 * readout (experiments/readout.ts). Fastify serializes through these schemas, so every field that
 * can be null is declared so (a number declared without null is written as 0), and each object
 * keeps `additionalProperties` (a field added to the readout is answered before it is declared).
 */
const num = { type: 'number' } as const;
const int = { type: 'integer' } as const;
const str = { type: 'string' } as const;
const nullableNum = { type: ['number', 'null'] } as const;
const time = { type: 'string', format: 'date-time' } as const;
const effectType = { type: 'string', enum: ['relative', 'absolute'] } as const;
const interval = { type: 'array', items: num, minItems: 2, maxItems: 2, description: 'Two-sided interval [low, high] at level 1 − alpha.' } as const;
/**
 * An object schema of declared fields that keeps `additionalProperties` (a field added to an answer
 * is answered before it is declared).
 *
 * @example
 * open({ n: { type: 'integer' } }, ['n'], 'Rows read.');
 */
export const open = <P extends Record<string, unknown>, R extends readonly string[]>(properties: P, required: R, description?: string) =>
  ({ type: 'object', additionalProperties: true, required, properties, ...(description ? { description } : {}) }) as const;

const metricSpec = open(
  {
    name: str,
    kind: { type: 'string', enum: ['mean', 'proportion'] },
    lowerIsBetter: { type: 'boolean', description: 'A decrease is the good direction (costs, unsubscribes).' },
    guardrail: { type: 'boolean', description: 'Not optimised; a significant move the bad way is `harm`.' },
    nonNegative: { type: 'boolean', description: 'The metric cannot be negative: its lift is at least −100%.' },
  },
  ['name', 'kind'],
);

const frequentist = open(
  {
    type: effectType, estimate: num, ci: interval, pValue: num, alpha: num,
    se: { ...num, description: "Welch's standard error (absent for a score interval, which is not estimate ± z·se)." },
    df: { ...num, description: "Welch's degrees of freedom (welch-t only)." },
    pValueMethod: { type: 'string', enum: ['newcombe-inversion', 'fisher-exact'], description: "How a score interval's `pValue` was found (newcombe-wilson and mover-r-wilson only): the level at which the interval excludes no effect, or Fisher's exact test when an expected count is below 5." },
    method: { type: 'string', enum: ['welch-t', 'newcombe-wilson', 'mover-r-wilson'], description: "`welch-t` for means and CUPED-adjusted proportions; the score intervals for a proportion read from its counts (difference, lift)." },
  },
  ['type', 'estimate', 'ci', 'pValue', 'alpha', 'method'],
  'The fixed-horizon test at 1 − alpha; null when the effect cannot be estimated.',
);

const sequential = open(
  { type: effectType, estimate: num, se: num, ci: interval, pValue: { ...num, description: "Always-valid p-value (1 / e-value, at most 1; Welch's p when `floor` is set)." }, alpha: num, tuning: { ...num, description: 'Total units the interval is narrowest at.' }, method: { type: 'string', enum: ['sequential-mixture'] },
    floor: open({ method: { type: 'string', enum: ['welch-t', 'score'] }, df: num }, ['method'], "Present when the fixed-horizon interval at the same level reached past the mixture's, and so `ci` and `pValue` cover it (an interval valid at every look is never narrower than one valid at a single look): `welch-t`, Welch's t interval (degrees of freedom `df`) of a mean over few units, whose `ci` and `pValue` are shown; `score`, a proportion's asymmetric score interval, which `ci` is widened to cover on the side it passed.") },
  ['type', 'estimate', 'se', 'ci', 'pValue', 'alpha', 'tuning', 'method'],
  'The always-valid (peeking-safe) test; null when the effect cannot be estimated.',
);

const bayesian = open(
  {
    type: effectType,
    expected: { ...nullableNum, description: 'Posterior mean of the effect; null when it is infinite (`note` says why).' },
    sd: { ...nullableNum, description: 'Posterior standard deviation; null when it is infinite.' },
    ci: { ...interval, description: 'Central credible interval at 1 − alpha.' },
    chanceToWin: { ...num, description: 'P(effect > 0), or P(effect < 0) when lower is better.' },
    risk: open({ control: nullableNum, treatment: nullableNum }, ['control', 'treatment'], 'Expected loss of shipping either arm, in effect units; null when infinite.'),
    method: { type: 'string', enum: ['gaussian-effect', 'beta-binomial'] },
    note: { ...str, description: 'Why a moment is null; absent when none is.' },
  },
  ['type', 'expected', 'sd', 'ci', 'chanceToWin', 'risk', 'method'],
  'The Bayesian readout; null when the effect cannot be estimated.',
);

const arm = open({ n: int, mean: { ...nullableNum, description: 'The mean over the arm\'s units; null with no unit.' } }, ['n', 'mean']);

const metricReadout = open(
  {
    metric: str,
    armId: str,
    control: arm,
    treatment: arm,
    cuped: { ...open({ theta: num }, ['theta']), type: ['object', 'null'], description: 'The CUPED coefficient when the metric was adjusted with its pre-period; else null.' },
    frequentist: { ...frequentist, type: ['object', 'null'] },
    sequential: { ...sequential, type: ['object', 'null'] },
    bayesian: { ...bayesian, type: ['object', 'null'] },
    verdict: { type: 'string', enum: ['better', 'worse', 'harm', 'inconclusive', 'not-enough-data'], description: 'From the always-valid interval of the difference (for a proportion, the score interval must agree).' },
    verdictAlpha: { ...num, description: 'The level this verdict was called at (Bonferroni over arms, Holm over primary metrics).' },
  },
  ['metric', 'armId', 'control', 'treatment', 'cuped', 'frequentist', 'sequential', 'bayesian', 'verdict', 'verdictAlpha'],
);

const readout = open(
  {
    srm: open(
      {
        chiSquare: num, df: int, pValue: num,
        expected: { type: 'array', items: num, description: 'Units each group should have had under the weights.' },
        mismatch: { type: 'boolean', description: 'pValue below threshold: check assignment and logging before trusting any number.' },
        threshold: num,
        method: { type: 'string', enum: ['chi-square', 'exact-binomial', 'bonferroni-exact-binomial'] },
      },
      ['chiSquare', 'df', 'pValue', 'expected', 'mismatch', 'threshold', 'method'],
      'The sample-ratio-mismatch check.',
    ),
    alpha: { ...num, description: 'The intervals shown are at level 1 − alpha.' },
    verdictAlpha: { ...num, description: 'Alpha over the number of arms compared with the control (Bonferroni).' },
    metrics: { type: 'array', items: metricReadout, description: 'One per metric and arm against the control.' },
    warnings: { type: 'array', items: str, description: 'Whole sentences, e.g. the SRM warning.' },
  },
  ['srm', 'alpha', 'verdictAlpha', 'metrics', 'warnings'],
);

const windowFields = {
  from: { ...time, type: ['string', 'null'], description: 'Subjects first exposed from; null: the whole log.' },
  to: { ...time, description: 'Decisions and outcomes before (exclusive).' },
  preDays: { ...int, description: 'CUPED pre-period in days (0: off).' },
} as const;

const common = {
  effect: { ...effectType, description: 'How the readout states effects: relative lifts or absolute differences.' },
  decisions: { ...int, description: 'Decisions read from the log.' },
  crossovers: { ...int, description: 'Subjects seen in more than one group, counted in their first.' },
  metrics: { type: 'array', items: metricSpec },
  readout,
} as const;

/**
 * An experiment's results (ExperimentResults), as GET /v1/experiments/{id}/results answers them.
 *
 * @example
 * app.get('/v1/experiments/:id/results', { schema: { response: { 200: experimentResultsSchema } } }, handler);
 */
export const experimentResultsSchema = open(
  {
    experiment: open(
      {
        id: str, placement: str,
        status: { type: 'string', enum: ['running', 'stopped'] },
        control: str,
        arms: { type: 'array', items: open({ id: str, weight: { ...num, description: 'Share of the traffic (normalised to sum to 1).' } }, ['id', 'weight']) },
      },
      ['id', 'placement', 'status', 'control', 'arms'],
    ),
    window: open({ ...windowFields, stoppedAt: { ...time, type: ['string', 'null'], description: 'When a stopped experiment stopped (the default end of its window); else null.' } }, ['from', 'to', 'preDays', 'stoppedAt']),
    units: { type: 'object', additionalProperties: int, description: 'Subjects per arm, by first exposure.' },
    holdout: { ...int, description: 'Subjects the global holdout kept out (not part of the comparison).' },
    horizon: open(
      {
        plannedUnits: { type: ['integer', 'null'], description: "The experiment's `plannedUnits`: the total units its fixed-horizon test was planned for; null without a plan." },
        units: { ...int, description: 'Units read in the arms.' },
        reached: { type: ['boolean', 'null'], description: 'Whether the units reach the plan (the fixed-horizon results are valid from then on); null without a plan.' },
      },
      ['plannedUnits', 'units', 'reached'],
    ),
    periods: {
      type: 'array',
      description: "The experiment's designs over the window, oldest first: a new one wherever its status, salt, arms or weights changed (the warnings name such a change; the SRM check expects each unit under the weights of its first exposure).",
      items: open(
        {
          from: { ...time, description: 'When the configuration version that set this design was written.' },
          to: { ...time, type: ['string', 'null'], description: 'When the next design was written; null for the one in force.' },
          status: { type: 'string', enum: ['running', 'stopped'] },
          arms: { type: 'array', items: open({ id: str, weight: num }, ['id', 'weight']) },
          units: { type: 'object', additionalProperties: int, description: 'Subjects first exposed in this period, per arm.' },
        },
        ['from', 'to', 'status', 'arms', 'units'],
      ),
    },
    ...common,
  },
  ['experiment', 'window', 'effect', 'decisions', 'units', 'holdout', 'crossovers', 'horizon', 'periods', 'metrics', 'readout'],
);

/**
 * The global holdout's results (HoldoutResults), as GET /v1/holdout/results answers them.
 *
 * @example
 * app.get('/v1/holdout/results', { schema: { response: { 200: holdoutResultsSchema } } }, handler);
 */
export const holdoutResultsSchema = open(
  {
    holdout: open({ share: num, salt: str }, ['share', 'salt'], "The policy's holdout: the share the SRM check expects, and its salt."),
    placement: { type: ['string', 'null'], description: 'The placement read; null: every placement that applies the holdout.' },
    window: open(windowFields, ['from', 'to', 'preDays']),
    units: open({ holdout: int, personalized: int }, ['holdout', 'personalized'], 'Subjects per group, by first decision.'),
    periods: {
      type: 'array',
      description: "The holdout's shares and salts over the window, oldest first: a new one wherever the policy changed its share or salt (the warnings name such a change; the SRM check expects each subject under the share of its first decision).",
      items: open(
        {
          from: { ...time, description: 'When the policy version that set this holdout was written.' },
          to: { ...time, type: ['string', 'null'], description: 'When the next holdout was written; null for the one in force.' },
          share: { ...num, description: 'The share held out; 0 where the policy had no holdout.' },
          salt: { type: ['string', 'null'], description: 'The salt of the draw; null where the policy had no holdout.' },
          units: open({ holdout: int, personalized: int }, ['holdout', 'personalized'], 'Subjects first decided in this period, per group.'),
        },
        ['from', 'to', 'share', 'salt', 'units'],
      ),
    },
    ...common,
  },
  ['holdout', 'placement', 'window', 'effect', 'decisions', 'units', 'crossovers', 'periods', 'metrics', 'readout'],
);
