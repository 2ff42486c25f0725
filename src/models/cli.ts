import type { Command } from 'commander';
import type { Settings } from '../config/settings.js';
import { closestWord } from '../errors/edit-distance.js';
import { stopOnSignal } from '../decide/batch/command.js';
import type { Store } from '../store/store.js';
import { type CalibrationView, versionsLine } from './calibration/calibration.js';
import { CALIBRATED_MODELS, FEW_ROWS } from './calibration/calibrated-models.js';
import { CLI_WORDING } from './calibration/wording.js';
import type { UpliftCalibrationView } from './uplift/uplift-calibration.js';
import { clean } from './estimates/estimate-view.js';
import type { ProfileEstimates } from './estimates/profile-estimates.js';
import type { Learning } from './learning.js';
import type { TrainOptions, TrainResult } from './train/trainer.js';
import { MODEL_NAMES } from './train/training-kind.js';

/**
 * Opens the store the environment names with its settings and the models, runs `fn`, closes. A
 * store that is not there is refused, naming its folder: opened as it was, a mistyped
 * TACT_DATA_DIR made an empty store there and the command said nothing was configured. The
 * store, the models and the settings are loaded here, when a command runs: registering the
 * commands (every `tact` call, `--help` included) loads none of them.
 */
export async function withLearning<T>(fn: (l: Learning, store: Store, settings: Settings) => Promise<T>): Promise<T> {
  const [{ openExistingStore }, { Settings }, { documentKinds }, { Learning }] = await Promise.all([import('../cli/existing-store.js'), import('../config/settings.js'), import('../server/tact.js'), import('./learning.js')]);
  const store = await openExistingStore(process.env);
  try {
    const settings = new Settings(store.documents, documentKinds);
    await settings.reload();
    const learning = Learning.create({ store, settings, log: () => undefined });
    try {
      return await fn(learning, store, settings);
    } finally {
      // A version promoted here re-evaluates the segment rules that read it before the store closes.
      await learning.settled();
    }
  } finally {
    await store.close();
  }
}

/**
 * `tact train [model]`: trains now on the store (the server need not stop); each new version is
 * promoted only as the promotion rules allow, and says why. A model a server is training is
 * trained once that training is over, after a line saying whom it waits for; Ctrl-C ends the
 * wait, or lets the model in training finish and starts no other — exit code 130 when that left a
 * model untrained, 0 when every model was over. A model whose training fails says why on its line
 * and the others still train: exit code 2 (done in part).
 *
 * @example
 * tact train recommendations --json
 */
export function trainCommand(program: Command): void {
  program
    .command('train')
    .description('Train models now on the store of TACT_DATA_DIR / TACT_DATABASE_URL; each new version goes live only as the promotion rules allow. A model whose training fails says why and the others still train (exit code 2).')
    .argument('[model]', `one of: ${MODEL_NAMES.join(', ')} (default: all)`)
    .option('--json', 'print the results as one JSON object on the last line')
    .option('--force', 'ask to promote a new version as any other even when it is the same model as the live one (by default such a version is stored, not promoted)')
    .addHelpText('after', '\nExamples:\n  tact train\n  tact train recommendations --json\n  tact train rates --force')
    .action(async (model: string | undefined, opts: { json?: boolean; force?: boolean }) => {
      if (model !== undefined && !(MODEL_NAMES as readonly string[]).includes(model)) throw new Error(`There is no model "${model}"; the models are ${MODEL_NAMES.join(', ')}.${didYouMean(model, MODEL_NAMES)}`);
      const names = model ? [model] : MODEL_NAMES;
      // The store is opened before the "training …" line: a store that is not there is said alone.
      const code = await withLearning((l) => trainNow(names, (o) => l.train(names, 'cli', { ...o, force: opts.force }), { json: opts.json, stopOnSignal }));
      if (code) process.exitCode = code;
    });
}

/** ` Did you mean x?` for the name `word` most likely means, as `tact evaluate` says it; empty when none is near. */
export function didYouMean(word: string, names: readonly string[]): string {
  const near = closestWord(word, [...names]);
  return near ? ` Did you mean ${near}?` : '';
}

/** How `tact train` hears Ctrl-C: `stopOnSignal` of decide-batch (tests pass their own). */
export type StopOnSignal = typeof stopOnSignal;

/**
 * What `tact train` does once its arguments are read: trains `names` with `train`, printing each
 * model's line as soon as it is done, and answers the exit code: 130 (143 for SIGTERM) when a
 * signal left models untrained, else 2 when a model's training failed (the others trained), else
 * 0 (a signal while the last model trained lets it finish).
 *
 * @example
 * process.exitCode = await trainNow(['rates'], (o) => learning.train(['rates'], 'cli', o), { stopOnSignal });
 */
export async function trainNow(names: readonly string[], train: (o: TrainOptions) => Promise<TrainResult[]>, opts: { json?: boolean; stopOnSignal: StopOnSignal }): Promise<number> {
  process.stderr.write(`training ${names.join(', ')}…\n`);
  // Ctrl-C ends a wait at once; a model in training is finished and stored (its lease released), and no other starts.
  let waiting = false;
  const stop = opts.stopOnSignal(() => (waiting ? 'no longer waiting; nothing more is trained' : 'finishing the model in training; no other is started'));
  try {
    // Each model's line as soon as it is done: a long run shows its progress.
    const results = await train({
      signal: stop.signal,
      keepGoing: true,
      onResult: (r) => ((waiting = false), process.stdout.write(trainLine(r))),
      onBusy: (sentence) => ((waiting = true), process.stderr.write(`${sentence}; waiting for it to finish (Ctrl-C to stop)…\n`)),
    });
    // A signal that came once every model was over (or while the last one trained, finished since) interrupted nothing.
    const left = stop.by ? names.filter((n) => !results.some((r) => r.model === n)) : [];
    if (left.length) process.stderr.write(`Stopped by ${stop.by}: ${left.join(', ')} not trained.\n`);
    const failed = results.filter((r) => r.error !== undefined).map((r) => r.model);
    if (failed.length) process.stderr.write(`The training of ${failed.join(', ')} failed (the reason is on its line); the other models were trained.\n`);
    const code = left.length ? stop.exitCode : failed.length ? 2 : 0;
    // A script reading the last line alone can tell the models a signal left untrained.
    if (opts.json) process.stdout.write(JSON.stringify(clean({ results, ...(left.length ? { notTrained: left, stoppedBy: stop.by } : {}) })) + '\n');
    return code;
  } finally {
    stop.done();
  }
}

/**
 * One trained model as `tact train` prints it.
 *
 * @example
 * trainLine({ model: 'rates', skipped: 'no data yet', seconds: 0.1 }); // "rates            skipped: no data yet  [0.1 s]\n"
 * // a version whose training or promotion warns is followed by a line per warning ("                 warning: …"),
 * // one the same model as the live version by a note ("                 note: version 5 is the same model as version 4, …")
 */
export function trainLine(r: TrainResult): string {
  const what = r.error !== undefined ? `failed: ${r.error}` : r.skipped !== undefined ? `skipped: ${r.skipped}` : r.version === undefined && r.unchanged ? `unchanged: ${r.unchanged}` : `version ${r.version} — ${r.promotion?.promoted ? 'live' : 'not promoted'} (${r.promotion?.reason})`;
  // What the promotion warns of (it repeats the training's warnings), else what the training warned of.
  const promoted = r.promotion?.warnings?.map((w) => w.message) ?? [];
  const trained = (r.metrics as { warnings?: unknown } | undefined)?.warnings;
  const warnings = promoted.length ? promoted : Array.isArray(trained) ? trained.filter((w): w is string => typeof w === 'string') : [];
  const note = r.version !== undefined && r.unchanged ? `${' '.repeat(17)}note: ${r.unchanged}\n` : '';
  return `${r.model.padEnd(16)} ${what}  [${r.seconds} s]\n${note}${warnings.map((w) => `${' '.repeat(17)}warning: ${w}\n`).join('')}`;
}

/**
 * `tact estimates <identifier>`: what Tact infers about one profile, each with its interval,
 * evidence, rung and status — the configured models' estimates and the goal rate of every action
 * as its decisions score it — its segments and micro-segment and its recent anomaly flags — the
 * answer of GET /v1/profiles/{identifier}/estimates (profileEstimates), read from the store. On
 * the embedded store that is the profile rows as of the server's last checkpoint: a profile made
 * in the last seconds may not be there yet, and the refusal says so (and how to read it now).
 *
 * @example
 * tact estimates email:ana@example.com
 */
export function estimatesCommand(program: Command): void {
  program
    .command('estimates')
    .description('What Tact infers about a profile: each estimate with its interval, evidence, rung and status ("learning" = not enough data yet) — the configured models\' and the goal rate of every action as its decisions score it — its segments, micro-segment and recent anomaly flags.')
    .argument('<identifier>', 'userId, anonymousId, email, or kind:value (e.g. email:ana@example.com, profile:<id>)')
    .option('--json', 'print the estimates as JSON (the answer of GET /v1/profiles/{identifier}/estimates)')
    .addHelpText('after', `\n${CHECKPOINT_LAG}\n\nExamples:\n  tact estimates user-42\n  tact estimates email:ana@example.com --json`)
    .action(async (identifier: string, opts: { json?: boolean }) => {
      await withLearning(async (l, store, settings) => {
        const [{ profileEstimates }, { storedDecisionEstimates }] = await Promise.all([import('./estimates/profile-estimates.js'), import('./estimates/decision-estimates.js')]);
        // The decisions' own estimates: the ladder over the decision log's counts, read as a starting server reads them.
        const answer = await profileEstimates({ store, learning: l, decisions: await storedDecisionEstimates(store, settings) }, identifier);
        if (!answer) {
          // The API's sentence (a kind near one of Tact's, `userid:`, names the one meant), said of the store as this command reads it.
          const [{ profileNotFound }, { mergeRulesKind }] = await Promise.all([import('../profiles/lookup.js'), import('../identity/merge-rules-kind.js')]);
          throw new Error(noProfileMatches(identifier, profileNotFound(identifier, settings.get(mergeRulesKind)), store.kind));
        }
        if (opts.json) {
          process.stdout.write(JSON.stringify(answer) + '\n');
          return;
        }
        process.stdout.write(estimatesText(answer));
      });
    });
}

/** What `tact estimates --help` says of the store it reads. */
const CHECKPOINT_LAG = 'On the embedded store (TACT_DATA_DIR) it reads the profiles as of the server\'s last checkpoint\n(every 10 s): a profile created in the last seconds may not be there yet. The server answers it\nat once: GET /v1/profiles/{identifier}/estimates (server key).';

/**
 * Why `tact estimates` found no profile. On the embedded store it reads the profile rows as of the
 * server's last checkpoint (docs/architecture.md), so a profile the API already answers may not be
 * there yet: the sentence says so and names the route that reads it now, instead of the API's "No
 * profile matches". PostgreSQL writes the states with each batch: there the API's sentence stands.
 *
 * @example
 * noProfileMatches('email:e1@x.io', profileNotFound('email:e1@x.io', rules), 'sqlite');
 * // 'No profile matched `email:e1@x.io` in the store as of the server\'s last checkpoint (every 10 s): … GET /v1/profiles/email%3Ae1%40x.io/estimates …'
 */
export function noProfileMatches(identifier: string, apiError: { code: string; message: string }, storeKind: 'sqlite' | 'postgres'): string {
  if (storeKind !== 'sqlite') return apiError.message;
  const lag = `a profile created in the last seconds may not be there yet. To read it now, ask the server: GET /v1/profiles/${encodeURIComponent(identifier)}/estimates (server key).`;
  // A misspelt kind keeps its suggestion: the profile may be missing for that reason instead.
  if (apiError.code !== 'not_found') return `${apiError.message} This command reads the store as of the server's last checkpoint (every 10 s), so ${lag}`;
  return `No profile matched \`${identifier}\` in the store as of the server's last checkpoint (every 10 s): ${lag}`;
}

/**
 * A profile's estimates as `tact estimates` prints them: one line per configured model's estimate,
 * one per action as its decisions score it (until 2026-12-05 left out: with no model configured
 * the command said there was no estimate while the decisions showed one), the segments, the
 * micro-segment, then the anomaly flags (newest first).
 *
 * @example
 * estimatesText(await profileEstimates({ store, learning, decisions }, 'ana')); // "profile p_… (userId ana)\n  baseline session_length …\n  decision shoes-offer …"
 */
export function estimatesText(a: ProfileEstimates): string {
  const m = a.matchedBy;
  const lines = [`profile ${a.id} (${m.mergedInto ? `profile ${m.value}, merged into it` : `${m.kind} ${m.value}`})`];
  if (!a.estimates.length) lines.push('  no metric, rate or send-time model is configured (the `metrics`, `rates` and `sendTime` sections of the config file, or PUT /v1/config/{kind})');
  for (const e of a.estimates) {
    const slot = e.model === 'send-time' ? ` — ${(e.detail as { label?: string } | undefined)?.label}` : '';
    lines.push(`  ${`${e.model}${e.key ? ` ${e.key}` : ''}`.padEnd(28)} ${e.reading}${slot}`);
  }
  const models = [...new Set(a.decisionEstimates.map((d) => d.modelVersion))].join(', ');
  lines.push(a.decisionEstimates.length ? `  decisions: the goal rate of each action as a decision for this profile would score it now (${models}, the decision log's counts)` : '  decisions: the catalog has no action');
  for (const d of a.decisionEstimates) lines.push(`  ${`decision ${d.action}`.padEnd(28)} ${d.goal} ${d.reading}`);
  lines.push(`  segments: ${a.segments.join(', ') || '(none)'}; micro-segment: ${a.microSegment ? `${a.microSegment.index} (${a.microSegment.modelVersion})` : '(no model trained)'}`);
  const n = (x: number | null) => (x === null ? '?' : Number(x.toPrecision(4)).toString());
  lines.push(`  anomaly flags: ${a.anomalies.length ? 'newest first' : 'none'}`);
  for (const f of a.anomalies) lines.push(`    ${f.at}  ${f.metric} ${n(f.value)}, outside its ${Math.round(f.level * 100)}% range ${n(f.low)}–${n(f.high)} (${f.modelVersion})`);
  return `${lines.join('\n')}\n`;
}

/**
 * `tact calibration [model]`: how well a model's predictions held on outcomes that came after
 * them — ECE, MCE, Brier with their 95% intervals, the reliability bins as a chart, and the
 * coverage of its 90% intervals.
 *
 * @example
 * tact calibration decisions --json
 */
export function calibrationCommand(program: Command): void {
  program
    .command('calibration')
    .description('Reliability of a rate model on held-out outcomes: ECE, MCE and Brier with their 95% intervals, the ECE a calibrated model would read, predicted against observed per bin, and the coverage of its 90% intervals.')
    .argument('[model]', `one of: ${CALIBRATED_MODELS.join(', ')} (default: all; rates with --key)`)
    .option('--key <key>', 'one rate only (rates; implied when no model is named)')
    .option('--json', 'print the reports as one JSON object on the last line')
    .addHelpText('after', '\nExamples:\n  tact calibration\n  tact calibration rates --key click --json')
    .action(async (model: string | undefined, opts: { key?: string; json?: boolean }) => {
      if (model !== undefined && !(CALIBRATED_MODELS as readonly string[]).includes(model)) throw new Error(`There is no calibration report for "${model}"; the models with one are ${CALIBRATED_MODELS.join(', ')}.${didYouMean(model, CALIBRATED_MODELS)}`);
      // A key names a rate: with no model it asks for that rate, not for `decisions` too (which has no keys).
      const names = model ? [model] : opts.key !== undefined ? ['rates'] : [...CALIBRATED_MODELS];
      const [{ modelCalibrationReports }, { renderUpliftCalibration }] = await Promise.all([import('./calibration/reports.js'), import('./uplift/uplift-calibration.js')]);
      const all = await withLearning(async (_l, store, settings) => {
        const out: (CalibrationView | UpliftCalibrationView)[] = [];
        for (const n of names) {
          const reports = await modelCalibrationReports(store, settings, n, opts.key, Date.now(), CLI_WORDING);
          if (!reports.length) process.stdout.write(`${n}: none configured (\`${n}\` in tact.config.yaml)\n`);
          out.push(...reports);
        }
        return out;
      });
      for (const r of all) process.stdout.write(r.model === 'uplift' ? renderUpliftCalibration(r as UpliftCalibrationView) : renderCalibration(r as CalibrationView));
      if (opts.json) process.stdout.write(JSON.stringify(clean({ reports: all })) + '\n');
    });
}

/**
 * One report as text: the figures, their 95% intervals, the ECE a calibrated model would read
 * with the same predictions (a binned ECE is above 0 even then), then predicted and observed rate
 * per bin as bars.
 *
 * @example
 * renderCalibration(report); // "decisions: 1,200 resolved predictions (40 still inside their window)\n  ECE 0.0091 · MCE …"
 */
export function renderCalibration(r: CalibrationView & { withoutPosterior?: number; binsWithFewRows?: number }): string {
  const name = `${r.model}${r.key ? ` ${r.key}` : ''}`;
  const lines = [`${name}: ${r.n.toLocaleString('en-US')} resolved predictions (${r.pending.toLocaleString('en-US')} still inside their window)${r.withoutPosterior ? `; ${r.withoutPosterior.toLocaleString('en-US')} choices scored without a Beta estimate left out` : ''}`];
  if (!r.n) return `${lines[0]}\n  nothing to report yet\n`;
  const made = versionsLine(r);
  if (made) lines.push(made);
  const cov = r.coverage;
  const f = (x: number) => x.toFixed(4);
  const pct = (x: number) => (x * 100).toFixed(1);
  const iv = r.intervals;
  const ref = r.calibratedReference.ece;
  const against = iv.ece.low > ref.mean ? 'is above it: more than chance gives at this n' : iv.ece.high < ref.mean ? 'is below it' : 'holds it: no sign of miscalibration beyond chance';
  lines.push(`  ECE ${f(r.ece)} · MCE ${f(r.mce)} · Brier ${f(r.brier)} · mean predicted ${f(r.meanPredicted)}, observed ${f(r.observedRate)}`);
  lines.push(`  95% intervals (${iv.resamples.toLocaleString('en-US')} resamples of the ${iv.groups.toLocaleString('en-US')} subjects): ECE ${f(iv.ece.low)}–${f(iv.ece.high)} · MCE ${f(iv.mce.low)}–${f(iv.mce.high)} · Brier ${f(iv.brier.low)}–${f(iv.brier.high)}`);
  if (r.eceDebiased !== undefined && iv.eceDebiased) lines.push(`  debiased ECE ${f(r.eceDebiased)} (95% ${f(iv.eceDebiased.low)}–${f(iv.eceDebiased.high)}): the binned ECE less the bias its bins' noise adds (Kumar, Liang & Ma 2019), to read against 0`);
  lines.push(`  a perfectly calibrated model with these predictions would read ECE ${f(ref.mean)} (95% ${f(ref.low)}–${f(ref.high)}, ${r.calibratedReference.simulations.toLocaleString('en-US')} simulations), not 0; ECE's interval ${against}`);
  lines.push(`  90% intervals: ${cov.coverage === null ? 'not enough subjects with several outcomes yet' : `${pct(cov.coverage)}% held the outcome (${cov.inside} of ${cov.subjects} subjects; 95% ${pct(cov.interval.low)}–${pct(cov.interval.high)}%)`}`);
  const top = Math.max(...r.bins.map((b) => Math.max(b.meanPredicted, b.observedRate)), 1e-9);
  const bar = (x: number) => '█'.repeat(Math.round((x / top) * 30)).padEnd(30);
  if (r.binsWithFewRows) lines.push(`  ${r.binsWithFewRows} of the ${r.bins.length} bins hold fewer than ${FEW_ROWS} predictions: their observed rates are noisy (a standard error of 0.09 or more near 0.5), marked "few rows"`);
  lines.push('  bin                 n   predicted                                 observed');
  for (const b of r.bins as (typeof r.bins[number] & { few?: boolean })[]) lines.push(`  ${`[${b.low.toFixed(3)}, ${b.high.toFixed(3)}]`.padEnd(16)} ${String(b.count).padStart(6)}  ${b.meanPredicted.toFixed(3)} ${bar(b.meanPredicted)}  ${b.observedRate.toFixed(3)} ${bar(b.observedRate)}${b.few ? '  few rows' : ''}`);
  return `${lines.join('\n')}\n`;
}
