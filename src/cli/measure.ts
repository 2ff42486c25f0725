import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import type { Settings } from '../config/settings.js';
import { MIN_ALPHA, type EffectType } from '../measure/experiments/effect.js';
import type { PolicyCandidate } from '../measure/policy-eval/candidate.js';
import { numberIn, wholeNumber } from './options.js';
import type { Store } from '../store/store.js';

/**
 * What the commands run on, loaded when one runs: registering them (every `tact` call, `--help`
 * included) loads neither the stores nor the statistics.
 */
const measureModules = async () => {
  const [settings, format, holdout, results, policyEval, tact, pin, existing] = await Promise.all([
    import('../config/settings.js'), import('../measure/format.js'), import('../measure/experiments-service/holdout-results.js'), import('../measure/experiments-service/results.js'),
    import('../measure/policy-eval/evaluate.js'), import('../server/tact.js'), import('../measure/policy-eval/model-candidate.js'), import('./existing-store.js'),
  ]);
  return { ...settings, ...format, ...holdout, ...results, ...policyEval, documentKinds: tact.documentKinds, MODEL_PIN: pin.MODEL_PIN, ...existing };
};
type MeasureModules = Awaited<ReturnType<typeof measureModules>>;

const time = (s: string | undefined, what: string): number | undefined => {
  if (s === undefined) return undefined;
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw new Error(`The ${what} "${s}" is not a date; use ISO 8601, e.g. 2026-11-01 or 2026-11-01T08:00:00Z.`);
  return t;
};

/**
 * Refuses a window that holds no time, by its flags (the API's check names its fields, `to` and
 * `from`): --to at or before --from, or --from not before now when no --to is given.
 */
const checkWindow = (o: { from?: string; to?: string }, from: number | undefined, to: number | undefined): void => {
  if (from === undefined) return;
  if (to !== undefined && to <= from) throw new Error(`The --to "${o.to}" is not after the --from "${o.from}": the window holds no decisions. Give a --to later than --from.`);
  if (to === undefined && from >= Date.now()) throw new Error(`The --from "${o.from}" is not before now (${new Date().toISOString()}): the window holds no decisions.`);
};

/** The level of a readout's intervals, as the API takes it: from {@link MIN_ALPHA} to below 0.5. */
const alphaOf = (s: string | undefined): number | undefined => {
  if (s === undefined) return undefined;
  const a = s.trim() === '' ? NaN : Number(s);
  if (!(a >= MIN_ALPHA && a < 0.5)) throw new Error(`The --alpha "${s}" must be a level from 0.000001 (a 99.9999% interval) to below 0.5, e.g. 0.05.`);
  return a;
};

const effectOf = (s: string): EffectType => {
  if (s !== 'relative' && s !== 'absolute') throw new Error(`The --effect "${s}" must be relative or absolute.`);
  return s;
};

/** The options of a readout (an experiment's results, the holdout's). */
interface ReadoutOptions {
  from?: string;
  to?: string;
  preDays: string;
  effect: string;
  alpha?: string;
  json?: boolean;
}

/** Adds the readout options to a command. */
function readoutOptions(cmd: Command): Command {
  return cmd
    .option('--from <date>', 'subjects first exposed from this time (default: the whole log)')
    .option('--to <date>', 'decisions and outcomes before this time (default: now)')
    .option('--pre-days <n>', 'CUPED pre-period in days before first exposure (0: off; at most 365)', '14')
    .option('--effect <type>', 'relative (lifts) or absolute (differences)', 'relative')
    .option('--alpha <level>', 'intervals at 1 − alpha, from 0.000001 to below 0.5 (default: 0.05, 95% intervals)')
    .option('--json', 'print the results as one JSON object');
}

/** Opens the store and its settings, computes a readout, prints it (as JSON or formatted), closes the store. */
async function printReadout<R>(o: ReadoutOptions, read: (m: MeasureModules, store: Store, settings: Settings, q: { from?: number; to?: number; preDays: number; effect: EffectType; alpha?: number }) => Promise<R>, format: (m: MeasureModules, r: R) => string): Promise<void> {
  const q = { from: time(o.from, '--from'), to: time(o.to, '--to'), preDays: wholeNumber('--pre-days', o.preDays, 0, 365), effect: effectOf(o.effect), alpha: alphaOf(o.alpha) };
  checkWindow(o, q.from, q.to);
  const m = await measureModules();
  const store = await m.openExistingStore(process.env);
  try {
    const settings = new m.Settings(store.documents, m.documentKinds, { models: store.models });
    await settings.reload();
    const r = await read(m, store, settings, q);
    process.stdout.write(o.json ? JSON.stringify(r) + '\n' : format(m, r));
  } finally {
    await store.close();
  }
}

/**
 * `tact experiment results <id>`: an experiment's readout from the decision log of the store of
 * TACT_DATA_DIR / TACT_DATABASE_URL.
 *
 * @example
 * tact experiment results hero-test --pre-days 14 --alpha 0.1 --json
 */
export function experimentCommand(program: Command): void {
  const exp = program.command('experiment').description('Experiments: results per arm and metric from the decision log.');
  readoutOptions(exp.command('results').description('Each arm against the control on every metric of the experiment, with intervals at 1 − alpha (95% by default).').argument('<id>', 'the experiment id (see the `experiments` configuration)'))
    .addHelpText('after', '\nExamples:\n  tact experiment results hero-test\n  tact experiment results hero-test --from 2026-11-01 --alpha 0.1 --json')
    .action((id: string, o: ReadoutOptions) =>
    printReadout(o, (m, store, settings, q) => m.experimentResults(store.measure, settings, id, { ...q, profiles: store.profiles, documents: store.documents }), (m, r) => m.formatResults(r)),
  );
}

/**
 * `tact holdout results`: the global holdout (never personalized) against the personalized
 * subjects, from the decision log of the store of TACT_DATA_DIR / TACT_DATABASE_URL.
 *
 * @example
 * tact holdout results --placement home --from 2026-11-01
 */
export function holdoutCommand(program: Command): void {
  const cmd = program.command('holdout').description('The global holdout: what personalization adds over the safe default.');
  readoutOptions(
    cmd
      .command('results')
      .description('Compare the holdout with the personalized subjects on the value function, conversions, revenue and guardrails.')
      .option('--placement <id>', 'one placement (default: every placement that applies the holdout)'),
  )
    .addHelpText('after', '\nExamples:\n  tact holdout results\n  tact holdout results --placement home --from 2026-11-01 --effect absolute')
    .action((o: ReadoutOptions & { placement?: string }) => printReadout(o, (m, store, settings, q) => m.holdoutResults(store.measure, settings, { ...q, placement: o.placement, profiles: store.profiles, documents: store.documents }), (m, r) => m.formatHoldout(r)));
}

/** An error of the evaluation that names the API's candidate fields, saying the flags that set them instead. */
function asFlags(err: unknown): unknown {
  if (err instanceof Error) err.message = err.message.replace(/`candidate\.policy`/g, '--policy').replace(/`candidate\.model`/g, '--model');
  return err;
}

/**
 * `tact evaluate-policy`: what a candidate would have earned on the logged decisions of a
 * placement (IPS, SNIPS, DM, DR with bootstrap intervals, and the diagnostics), with a progress bar.
 *
 * @example
 * tact evaluate-policy --placement home --lever "winter push=1.5" --exploration 0.1
 */
export function evaluatePolicyCommand(program: Command): void {
  program
    .command('evaluate-policy')
    .description('Off-policy evaluation on the decision log: what a candidate policy version, lever weights, exploration setting or scoring model would have earned.')
    .requiredOption('--placement <id>', 'the placement whose logged decisions to use (required)')
    .option('--policy <version>', 'a stored policy version as the candidate (default: each logged decision\'s own)')
    .option('--lever <name=weight...>', 'a lever weight of the candidate (repeatable; default: as each logged decision\'s policy had it)')
    .option('--exploration <share>', "the candidate's exploration budget, from 0 to 1 (default: as logged)")
    .option('--none-score <score>', "the candidate's score of doing nothing (default: as logged)")
    .option('--model <name>', 'the model that scores: rate, uplift (live) or uplift@N (default: as logged)')
    .option('--from <date>', 'decisions from this time, ISO 8601 (default: the whole log)')
    .option('--to <date>', 'decisions before this time, ISO 8601 (default: now); those whose attribution window is still open are left out')
    .option('--replicates <n>', 'bootstrap replicates (50–5000)', '500')
    .option('--seed <n>', 'bootstrap seed', '1')
    .option('--clip <weight>', 'also report clipped IPS, every weight capped at this value (above 0), with the bias clipping adds')
    .option('--json', 'print the evaluation as one JSON object')
    .addHelpText('after', '\nGive at least one of --policy, --lever, --exploration, --none-score and --model: what the candidate\nchanges. A progress bar shows on a terminal (stderr); elsewhere nothing is printed until the result.\n\nExamples:\n  tact evaluate-policy --placement home --lever "winter push=1.5" --exploration 0.1\n  tact evaluate-policy --placement home --policy 7 --from 2026-11-01 --clip 10 --json')
    .action(async (o: { placement: string; policy?: string; lever?: string[]; exploration?: string; noneScore?: string; model?: string; from?: string; to?: string; replicates: string; seed: string; clip?: string; json?: boolean }) => {
      const { MODEL_PIN, openExistingStore, evaluatePolicy, formatEvaluation } = await measureModules();
      // Each value is checked by its flag's name before the store is opened.
      const candidate: PolicyCandidate = {};
      if (o.policy !== undefined) candidate.policy = wholeNumber('--policy', o.policy, 1);
      if (o.exploration !== undefined) candidate.exploration = numberIn('--exploration', o.exploration, 0, 1, 'a share from 0 to 1, e.g. 0.1');
      if (o.noneScore !== undefined) candidate.noneScore = numberIn('--none-score', o.noneScore, -Number.MAX_VALUE, Number.MAX_VALUE, 'a number');
      if (o.model !== undefined) {
        if (!MODEL_PIN.test(o.model)) throw new Error(`The --model "${o.model}" must be rate, uplift (the live uplift version) or uplift@N (a stored version, e.g. uplift@3).`);
        candidate.model = o.model;
      }
      for (const l of o.lever ?? []) {
        const i = l.lastIndexOf('=');
        if (i <= 0) throw new Error(`The --lever "${l}" must be name=weight, e.g. "winter push=1.5".`);
        const weight = l.slice(i + 1).trim() === '' ? NaN : Number(l.slice(i + 1));
        if (!(Number.isFinite(weight) && weight >= 0)) throw new Error(`The --lever "${l}" must be name=weight with a weight of at least 0, e.g. "${l.slice(0, i)}=1.5".`);
        (candidate.levers ??= {})[l.slice(0, i)] = weight;
      }
      if (!Object.keys(candidate).length) throw new Error('Say what the candidate changes: give --policy, --lever, --exploration, --none-score or --model (one or more).');
      const replicates = wholeNumber('--replicates', o.replicates, 50, 5000);
      const seed = wholeNumber('--seed', o.seed, 0, 4_294_967_295);
      const clip = o.clip === undefined ? undefined : numberIn('--clip', o.clip, Number.MIN_VALUE, Number.MAX_VALUE, 'a weight above 0, e.g. 10');
      const from = time(o.from, '--from');
      const to = time(o.to, '--to');
      checkWindow(o, from, to);
      const end = to ?? Date.now();
      const store = await openExistingStore(process.env);
      const bar = process.stderr.isTTY ? new SingleBar({ format: 'evaluate-policy {bar} {percentage}% {read} decisions', hideCursor: true }, Presets.shades_classic) : undefined;
      let start: number | undefined;
      try {
        const r = await evaluatePolicy(store.measure, store.documents, { placement: o.placement, candidate, from, to: end, replicates, seed, clip }, (read, at) => {
          if (!bar) return;
          if (start === undefined) {
            start = from ?? at;
            bar.start(Math.max(1, end - start), 0, { read: 0 });
          }
          bar.update(Math.min(end - start, at - start), { read });
        }, store.models).catch((err: unknown) => {
          throw asFlags(err);
        });
        bar?.stop();
        process.stdout.write(o.json ? JSON.stringify(r) + '\n' : formatEvaluation(r));
      } finally {
        bar?.stop();
        await store.close();
      }
    });
}
