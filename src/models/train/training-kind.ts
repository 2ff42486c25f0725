import type { DocumentKind } from '../../config/document-kind.js';
import type { FieldProblem } from '../../errors/tact-error.js';
import { parseDuration } from '../../profiles/features/definition.js';
import { checkDuration, isObject } from '../kind-checks.js';

/** How often the schedule looks for what is due (schedule.ts): no interval shorter than it is taken. */
export const SCHEDULE_TICK_MS = 60_000;

/**
 * Every model `tact train` knows, in training order (micro-segments first: rates use them).
 *
 * @example
 * MODEL_NAMES.includes('rates'); // true
 */
export const MODEL_NAMES = ['micro-segments', 'send-time', 'rates', 'baselines', 'recommendations', 'uplift'] as const;
/**
 * A model `tact train` knows.
 *
 * @example
 * const m: ModelName = 'send-time';
 */
export type ModelName = (typeof MODEL_NAMES)[number];

/**
 * Retraining on a schedule, and which models may go live without a comparison (or when theirs is inconclusive).
 *
 * @example
 * { every: '24h', models: ['recommendations', 'send-time'], autoPromote: ['send-time'], segmentSweep: '6h' }
 */
export interface TrainingDoc {
  /** How often each model is retrained (default 24h); "off" stops the schedule. */
  every?: string;
  /** The models the schedule retrains (default all). */
  models?: string[];
  /**
   * Models whose new versions go live without an off-policy comparison. An operator's recorded
   * choice; every other model's new version waits for a comparison or a forced promotion.
   */
  autoPromote?: string[];
  /** How often segment membership is re-evaluated for everyone (time-dependent rules); default 6h, "off" to stop. */
  segmentSweep?: string;
}

/** Compiled schedule. */
export interface CompiledTraining {
  everyMs: number | null;
  models: readonly string[];
  autoPromote: ReadonlySet<string>;
  sweepMs: number | null;
}

const names = (p: FieldProblem[], field: string, v: unknown) => {
  if (v === undefined) return;
  const known = `(${MODEL_NAMES.join(', ')})`;
  if (!Array.isArray(v)) return void p.push({ field, message: `The \`${field}\` must be a list of model names ${known}${typeof v === 'string' ? `: write [${JSON.stringify(v)}] for one` : ''}.` });
  v.forEach((x, i) => {
    if (!MODEL_NAMES.includes(x as ModelName)) p.push({ field: `${field}[${i}]`, message: `The \`${field}[${i}]\` ${typeof x === 'string' ? `\`${x}\` is no model name` : 'must be a model name'}; the models are ${MODEL_NAMES.join(', ')}.` });
  });
};

/**
 * The training schedule (`training` in tact.config.yaml).
 *
 * @example
 * settings.get(trainingKind).everyMs; // 86400000 by default
 */
export const trainingKind: DocumentKind<TrainingDoc, CompiledTraining> = {
  kind: 'training',
  configKey: 'training',
  fields: ['every', 'models', 'autoPromote', 'segmentSweep'] satisfies (keyof TrainingDoc)[],
  description: 'How often models retrain, which ones, which may go live without a comparison (or when theirs has too little evidence to say), and the segment sweep.',
  empty: {},
  check(body: unknown): FieldProblem[] {
    if (!isObject(body)) return [{ field: 'training', message: 'The training settings must be an object.' }];
    const p: FieldProblem[] = [];
    if (body.every !== 'off') checkDuration(p, 'every', body.every, true);
    if (body.segmentSweep !== 'off') checkDuration(p, 'segmentSweep', body.segmentSweep, true);
    // The schedule looks for what is due once a minute: a shorter interval would promise runs that never come (it was taken, 2026-12-05).
    for (const field of ['every', 'segmentSweep'] as const) {
      const ms = body[field] === 'off' || p.some((x) => x.field === field) ? undefined : parseDuration(body[field]);
      if (ms !== undefined && ms < SCHEDULE_TICK_MS) p.push({ field, message: `The \`${field}\` (${String(body[field])}) is shorter than a minute: the schedule looks for what is due once a minute, so nothing would run more often. Write \`1m\` or longer, or "off".` });
    }
    names(p, 'models', body.models);
    names(p, 'autoPromote', body.autoPromote);
    return p;
  },
  compile: (b) => ({
    everyMs: b.every === 'off' ? null : (parseDuration(b.every ?? '24h') as number),
    models: b.models ?? MODEL_NAMES,
    autoPromote: new Set(b.autoPromote ?? []),
    sweepMs: b.segmentSweep === 'off' ? null : (parseDuration(b.segmentSweep ?? '6h') as number),
  }),
};
