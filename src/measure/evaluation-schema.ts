/**
 * The answer of POST /v1/evaluate-policy (PolicyEvaluation, policy-eval/evaluate.ts; its report,
 * ope/report.ts) as /openapi.json declares it. Fastify serializes through this schema, so every
 * field that can be null is declared so, and each object keeps `additionalProperties`, as the
 * readouts' (readout-schemas.ts).
 */
import { open } from './readout-schemas.js';

const num = { type: 'number' } as const;
const int = { type: 'integer' } as const;
const str = { type: 'string' } as const;
const nullableNum = { type: ['number', 'null'] } as const;
const interval = { type: 'array', items: num, minItems: 2, maxItems: 2, description: 'Bootstrap (BCa) interval [low, high] at 95%.' } as const;

const estimator = {
  ...open(
    {
      value: num,
      ci: interval,
      sd: { ...num, description: 'Bootstrap standard deviation.' },
      dropped: { ...int, description: 'Resamples on which the estimator had no value (every weight 0), left out of `ci` and `sd`.' },
    },
    ['value', 'ci', 'sd', 'dropped'],
    'Null when its inputs are missing or the report is blocked (`warnings` says why).',
  ),
  type: ['object', 'null'],
} as const;

const warning = open(
  {
    code: { type: 'string', enum: ['logger-never-explored', 'no-support', 'partial-support', 'tiny-effective-sample', 'low-effective-sample', 'dominant-weight', 'concentrated-weight', 'dropped-replicates', 'clipped-weights', 'candidate-deterministic', 'no-decisions', 'pending-rewards', 'reward-model-disagrees', 'candidate-unchanged'] },
    severity: { type: 'string', enum: ['block', 'caution'], description: '`block`: every estimate is withheld (null).' },
    message: { ...str, description: 'A whole sentence.' },
    details: { type: 'object', additionalProperties: num, description: 'The figures the message quotes.' },
  },
  ['code', 'severity', 'message', 'details'],
);

const diagnostics = open(
  {
    n: int,
    effectiveSampleSize: { ...num, description: 'Kish effective sample size (Σw)² / Σw².' },
    maxWeight: num,
    maxWeightShare: { ...num, description: 'Largest weight as a share of Σw.' },
    topWeights: open({ rows: int, weightShare: num, ipsShare: num }, ['rows', 'weightShare', 'ipsShare'], 'The largest 1% of the weights: their share of Σw and of Σ|w·r|.'),
    meanWeight: num,
    zeroTargetShare: { ...num, description: 'Share of logged decisions whose choice the candidate would never make.' },
    loggerDeterministicShare: { ...num, description: 'Share of logged decisions where the logger had no choice (propensity 1).' },
    candidateDeterministic: { type: 'boolean', description: 'The candidate puts probability 1 on one choice in every logged decision.' },
    unsupportedTargetMass: { ...nullableNum, description: 'Mean candidate probability on choices the logger could not make; null when not computable.' },
    unsupportedShare: { ...nullableNum, description: 'Share of logged decisions where the candidate puts probability on a choice the logger could not make; null when not computable.' },
  },
  ['n', 'effectiveSampleSize', 'maxWeight', 'maxWeightShare', 'topWeights', 'meanWeight', 'zeroTargetShare', 'loggerDeterministicShare', 'candidateDeterministic', 'unsupportedTargetMass', 'unsupportedShare'],
);

const clippedIps = {
  ...open(
    {
      clip: { ...num, description: 'λ: the largest weight kept.' },
      value: num,
      ci: { ...interval, description: 'Interval of the clipped estimator (not of the candidate\'s value).' },
      sd: num,
      dropped: int,
      rows: { ...int, description: 'Logged decisions whose weight was above λ.' },
      bias: { ...num, description: 'IPS − clipped IPS on this log: the estimated bias clipping adds.' },
    },
    ['clip', 'value', 'ci', 'sd', 'dropped', 'rows', 'bias'],
    'IPS with every weight capped at `clip`, beside IPS; null without `clip` or when the report is blocked.',
  ),
  type: ['object', 'null'],
} as const;

const warnings = { type: 'array', items: warning, description: 'When not to trust the estimates; a `block` withholds them all.' } as const;

/**
 * An off-policy evaluation (PolicyEvaluation), as POST /v1/evaluate-policy answers it.
 *
 * @example
 * app.post('/v1/evaluate-policy', { schema: { response: { 200: policyEvaluationSchema } } }, handler);
 */
export const policyEvaluationSchema = open(
  {
    placement: str,
    candidate: open(
      { policy: int, model: str, levers: { type: 'object', additionalProperties: num }, exploration: num, noneScore: num },
      [],
      'The candidate as it was sent.',
    ),
    read: { ...int, description: 'Logged decisions read at the placement in the window.' },
    skipped: { type: 'object', additionalProperties: int, description: 'Logged decisions that cannot be evaluated, by reason (among them those whose attribution window is still open: their outcomes may still come).' },
    loggedValue: { ...nullableNum, description: 'Mean reward of the logged decisions evaluated (the logging policy\'s own value); null when none was.' },
    replayMismatches: { ...int, description: 'Logged decisions whose first-rank propensity the replay did not reproduce (left out; should be 0).' },
    unscoredCandidates: { ...int, description: 'Candidates admitted by the candidate\'s rules that the log never scored: counted as choices without support (at ε/K each, a lower bound), see `report.diagnostics.unsupportedShare`.' },
    report: open(
      {
        n: { ...int, description: 'Logged decisions evaluated.' },
        estimates: open({ ips: estimator, snips: estimator, dm: estimator, dr: estimator, sndr: estimator }, ['ips', 'snips', 'dm', 'dr', 'sndr']),
        diagnostics,
        warnings,
        blocked: { type: 'boolean', description: 'A blocking warning withholds every estimate.' },
        clippedIps,
      },
      ['n', 'estimates', 'diagnostics', 'warnings', 'blocked', 'clippedIps'],
    ),
    warnings,
  },
  ['placement', 'candidate', 'read', 'skipped', 'loggedValue', 'replayMismatches', 'unscoredCandidates', 'report', 'warnings'],
);
