import type { Command } from 'commander';
import { TactError } from '../errors/tact-error.js';
import { clean } from './estimates/estimate-view.js';
import { liveAndLatest, modelHistory } from './registry/registry-views.js';
import type { ModelRegistry, Promotion } from './registry/registry.js';
import { MODEL_NAMES } from './train/training-kind.js';
import { didYouMean, withLearning } from './cli.js';


/** What the operator types for a model, refused by name when there is none (the API's 404 says the same). */
function checkName(name: string, stored: readonly string[]): void {
  const names = [...new Set([...MODEL_NAMES, ...stored])];
  if (!names.includes(name)) throw new Error(`There is no model "${name}"; the models are ${names.join(', ')}.${didYouMean(name, names)}`);
}

/**
 * `tact models [name]`, `tact models promote <name> <version>`, `tact models rollback <name>`:
 * the model registry from the command line — what `GET /v1/models`, `POST /v1/models/{name}/promote`
 * and `/rollback` do, on the store of TACT_DATA_DIR / TACT_DATABASE_URL (a running server picks up
 * the live version within its registry's two-second cache). A promotion goes through the same
 * comparison with the live version as the API's; `--force` needs `--reason`, kept in the history.
 * A refused promotion prints why and exits 1.
 *
 * @example
 * tact models rates
 * tact models promote rates 6
 * tact models rollback rates --reason "conversions fell after v6"
 */
export function modelsCommand(program: Command): void {
  const models = program
    .command('models')
    .description('The model registry: each model\'s live and latest version; with a name, its versions and history of promotions, refusals and rollbacks (subcommands promote and rollback change the live version).')
    .argument('[model]', `one of: ${MODEL_NAMES.join(', ')} (default: every model)`)
    .option('--json', 'print the answer as one JSON object on the last line (as GET /v1/models or GET /v1/models/{name})')
    .addHelpText('after', '\nExamples:\n  tact models\n  tact models rates\n  tact models promote rates 6\n  tact models promote rates 6 --force --reason "held-out comparison pending; v5 misses new actions"\n  tact models rollback rates --reason "conversions fell after v6"')
    .action(async (name: string | undefined, opts: { json?: boolean }) => {
      await withLearning(async (l) => {
        const reg = l.registry;
        if (name === undefined) return print(await listAll(reg), opts.json, listText);
        checkName(name, await reg.store.names());
        return print(await describe(reg, name), opts.json, describeText);
      });
    });
  models
    .command('promote')
    .description('Make a version live. The first version goes live; a later one only when its comparison with the live version lets it (or training.autoPromote lets an inconclusive one through), unless --force with --reason. A refusal is recorded in the history and exits 1.')
    .argument('<model>', `one of: ${MODEL_NAMES.join(', ')}`)
    .argument('<version>', 'the version number (tact models <model> lists them)')
    .option('--force', 'make it live without the comparison (needs --reason)')
    .option('--reason <text>', 'why: kept in the model\'s history')
    .option('--json', 'print the answer as one JSON object on the last line (as POST /v1/models/{name}/promote)')
    .addHelpText('after', '\nExamples:\n  tact models promote rates 6\n  tact models promote rates 6 --force --reason "v5 misses the new actions"')
    .action(async (name: string, versionText: string, opts: { force?: boolean; reason?: string; json?: boolean }) => {
      const version = Number(versionText);
      if (!Number.isInteger(version) || version < 1) throw new Error(`The version must be a whole number of 1 or more (tact models ${name} lists them); got "${versionText}".`);
      if (opts.force && !opts.reason?.trim()) throw new Error('A forced promotion needs --reason "…": it is kept in the model\'s history.');
      await withLearning(async (l) => {
        checkName(name, await l.registry.store.names());
        const p = await notFoundAsError(() => l.registry.promote(name, version, { actor: 'cli', force: opts.force, reason: opts.reason }));
        print(p, opts.json, promotionText);
        if (!p.promoted) process.exitCode = 1;
      });
    });
  models
    .command('rollback')
    .description('Go back to the version that was live before the current one was promoted (recorded in the history).')
    .argument('<model>', `one of: ${MODEL_NAMES.join(', ')}`)
    .option('--reason <text>', 'why: kept in the model\'s history')
    .option('--json', 'print the answer as one JSON object on the last line (as POST /v1/models/{name}/rollback)')
    .addHelpText('after', '\nExamples:\n  tact models rollback rates\n  tact models rollback rates --reason "conversions fell after v6" --json')
    .action(async (name: string, opts: { reason?: string; json?: boolean }) => {
      await withLearning(async (l) => {
        checkName(name, await l.registry.store.names());
        const r = await notFoundAsError(() => l.registry.rollback(name, { actor: 'cli', reason: opts.reason }));
        print(r, opts.json, (a) => `${name}: version ${a.version} is live again (was ${a.from})\n${warningsText(a.warnings)}`);
      });
    });
}

/** A registry refusal (an unknown version, no version to roll back to) as the sentence the API would give. */
async function notFoundAsError<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw e instanceof TactError ? new Error(e.message) : e;
  }
}

function print<T>(answer: T, json: boolean | undefined, text: (a: T) => string): void {
  process.stdout.write(json ? JSON.stringify(clean(answer)) + '\n' : text(answer));
}

/** Every model with its live and latest version (GET /v1/models' `models`, without the schedule). */
export async function listAll(reg: ModelRegistry): Promise<{ models: ({ name: string } & Awaited<ReturnType<typeof liveAndLatest>>)[] }> {
  const names = [...new Set([...MODEL_NAMES, ...(await reg.store.names())])];
  const models = [];
  for (const name of names) models.push({ name, ...(await liveAndLatest(reg, name)) });
  return { models };
}

/** One model: live version, versions and history, newest first (GET /v1/models/{name} without the description). */
export async function describe(reg: ModelRegistry, name: string): Promise<{ name: string } & Awaited<ReturnType<typeof modelHistory>>> {
  return { name, ...(await modelHistory(reg, name)) };
}

/**
 * The list as a table: a model never trained says so.
 *
 * @example
 * listText({ models: [{ name: 'rates', live: { version: 5, since: '…' }, latest: { version: 6, … } }] });
 * // "model            live   latest\nrates            v5     v6 trained 2026-… (not live)\n"
 */
export function listText(a: Awaited<ReturnType<typeof listAll>>): string {
  const rows = a.models.map((m) => {
    const live = m.live ? `v${m.live.version}` : '—';
    const latest = !m.latest ? 'never trained' : `v${m.latest.version} trained ${m.latest.trainedAt?.replace(/\.\d{3}Z$/, 'Z')} by ${m.latest.trainedBy}${m.live?.version === m.latest.version ? '' : m.live ? ' (not live)' : ' (none live)'}`;
    return `${m.name.padEnd(16)} ${live.padEnd(6)} ${latest}\n`;
  });
  return `${'model'.padEnd(16)} ${'live'.padEnd(6)} latest\n${rows.join('')}`;
}

/** One model's versions and history, newest first, as lines. */
export function describeText(a: Awaited<ReturnType<typeof describe>>): string {
  const head = `${a.name}: ${a.live ? `version ${a.live.version} live since ${a.live.since?.replace(/\.\d{3}Z$/, 'Z')}` : a.versions.length ? 'no version live' : 'never trained'}\n`;
  const versions = a.versions.map((v) => `  v${String(v.version).padEnd(4)} trained ${v.trainedAt?.replace(/\.\d{3}Z$/, 'Z')} by ${v.trainedBy}, data ${v.dataFrom ? `${v.dataFrom.slice(0, 10)} – ` : 'up '}to ${v.dataTo?.slice(0, 16).replace('T', ' ')}${a.live?.version === v.version ? '  ← live' : ''}\n`);
  const history = a.history.map((e) => `  ${e.at?.replace(/\.\d{3}Z$/, 'Z')}  ${e.action.padEnd(11)} ${e.version === null ? '' : `v${e.version} `}by ${e.actor}: ${e.reason}\n`);
  return `${head}${versions.length ? `versions (newest first):\n${versions.join('')}` : ''}${history.length ? `history (newest first):\n${history.join('')}` : ''}`;
}

/** A promotion's answer in words: live or not, and why (the comparison's summary is in the reason). */
export function promotionText(p: Promotion): string {
  return `${p.name}: version ${p.version} ${p.promoted ? 'is live' : 'was not promoted'}${p.previous !== null && p.promoted && p.previous !== p.version ? ` (was ${p.previous})` : ''} — ${p.reason}\n${warningsText(p.warnings)}`;
}

function warningsText(w: { message: string }[] | undefined): string {
  return (w ?? []).map((x) => `  warning: ${x.message}\n`).join('');
}
