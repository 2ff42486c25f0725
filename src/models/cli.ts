import type { Command } from 'commander';
import { Settings } from '../config/settings.js';
import { findProfile } from '../profiles/lookup.js';
import { documentKinds } from '../server/tact.js';
import { openStore, storeChoiceFromEnv } from '../store/open.js';
import type { Store } from '../store/store.js';
import { clean, estimateView } from './estimates/estimate-view.js';
import { Learning } from './learning.js';
import { MODEL_NAMES } from './train/training-kind.js';

/** Opens the store the environment names with its settings and the models, runs `fn`, closes. */
async function withLearning<T>(fn: (l: Learning, store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(storeChoiceFromEnv(process.env));
  try {
    const settings = new Settings(store.documents, documentKinds);
    await settings.reload();
    return await fn(Learning.create({ store, settings, log: () => undefined }), store);
  } finally {
    await store.close();
  }
}

/**
 * `tact train [model]`: trains now on the store (the server need not stop); each new version is
 * promoted only as the promotion rules allow, and says why.
 *
 * @example
 * tact train recommendations --json
 */
export function trainCommand(program: Command): void {
  program
    .command('train')
    .description('Train models now on the store of TACT_DATA_DIR / TACT_DATABASE_URL; each new version goes live only as the promotion rules allow.')
    .argument('[model]', `one of: ${MODEL_NAMES.join(', ')} (default: all)`)
    .option('--json', 'print the results as one JSON object on the last line')
    .action(async (model: string | undefined, opts: { json?: boolean }) => {
      if (model !== undefined && !(MODEL_NAMES as readonly string[]).includes(model)) throw new Error(`There is no model "${model}"; the models are ${MODEL_NAMES.join(', ')}.`);
      const results = await withLearning((l) => l.train(model ? [model] : MODEL_NAMES, 'cli'));
      for (const r of results) {
        const what = r.skipped !== undefined ? `skipped: ${r.skipped}` : `version ${r.version} — ${r.promotion?.promoted ? 'live' : 'not promoted'} (${r.promotion?.reason})`;
        process.stdout.write(`${r.model.padEnd(16)} ${what}  [${r.seconds} s]\n`);
      }
      if (opts.json) process.stdout.write(JSON.stringify(clean({ results })) + '\n');
    });
}

/**
 * `tact estimates <identifier>`: what Tact infers about one profile, each with its interval,
 * evidence, rung and status.
 *
 * @example
 * tact estimates email:ana@example.com
 */
export function estimatesCommand(program: Command): void {
  program
    .command('estimates')
    .description('What Tact infers about a profile: each estimate with its interval, evidence, rung and status ("learning" = not enough data yet).')
    .argument('<identifier>', 'userId, anonymousId, email, or kind:value (e.g. email:ana@example.com, profile:<id>)')
    .option('--json', 'print the estimates as JSON')
    .action(async (identifier: string, opts: { json?: boolean }) => {
      await withLearning(async (l, store) => {
        const found = await findProfile(store.profiles, identifier);
        const state = found && (await store.profiles.getProfile(found.profileId));
        if (!state) throw new Error(`No profile matches ${identifier}.`);
        const now = Date.now();
        const position = await l.ladderPosition(state, now);
        const list = (await l.estimates.forSubject(state, now, position)).map((x) => ({ model: x.model, key: x.key, ...estimateView(x.estimate, x.model === 'baseline' ? 'number' : 'share'), detail: x.detail }));
        if (opts.json) {
          process.stdout.write(JSON.stringify(clean({ id: state.id, estimates: list, segments: position.segments, microSegment: position.microSegment })) + '\n');
          return;
        }
        process.stdout.write(`profile ${state.id}\n`);
        if (!list.length) process.stdout.write('  no models are configured (metrics, rates, sendTime in tact.config.yaml)\n');
        for (const e of list) {
          const slot = e.model === 'send-time' ? ` — ${(e.detail as { label?: string } | undefined)?.label}` : '';
          process.stdout.write(`  ${`${e.model}${e.key ? ` ${e.key}` : ''}`.padEnd(28)} ${e.reading}${slot}\n`);
        }
        process.stdout.write(`  segments: ${position.segments.join(', ') || '(none)'}; micro-segment: ${position.microSegment ? `${position.microSegment.index} (${position.microSegment.modelVersion})` : '(no model trained)'}\n`);
      });
    });
}
