import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { defaultServerUrl, serverUrl } from '../cli/options.js';
import { configCall, readKey, type StoredVersion } from './config-calls.js';
import { CONFIG_CANDIDATES } from './config-file.js';

/** A kind as GET /v1/config lists it. */
interface KindListed {
  kind: string;
  configKey: string;
  version: number;
}

/** The configuration in force, read whole at one epoch. */
export interface Pulled {
  epoch: number;
  /** In the order of GET /v1/config; only the kinds a version was written of. */
  kinds: (StoredVersion & { configKey: string })[];
}

/** How many times the kinds are read again when a change commits while they are read. */
const READS = 5;

/**
 * `tact config pull [file]`: the configuration in force on a running server, written as a config
 * file — each kind a version was written of, under its section (`mergeRules`, `trackingPlan`, …),
 * secrets as `{ redacted: true }` (which `tact config push` and the API take as "keep the one in
 * force"). So the configuration can be kept in version control and reviewed: pull, edit, push
 * (`--dry-run` first). YAML, or JSON for a file named `.json`; to stdout without a file.
 *
 * @example
 * TACT_ADMIN_KEY=… tact config pull tact.config.yaml --force
 */
export function pullCommand(config: Command): void {
  config
    .command('pull')
    .description('Write the configuration in force on a running server as a config file (each kind under its section; secrets redacted, which push keeps): to keep it in version control, edit it and push it back.')
    .argument('[file]', 'where to write it (YAML; JSON when it ends in .json); stdout without one, or with -')
    .option('-u, --url <url>', 'server URL (env TACT_URL)', defaultServerUrl(process.env))
    .option('-k, --key <key>', 'server or admin key (env TACT_SERVER_KEY, else TACT_ADMIN_KEY)')
    .option('--force', 'replace the file when it exists')
    .addHelpText('after', '\nExamples:\n  tact config pull > tact.config.yaml\n  tact config pull tact.config.yaml --force -u https://tact.example.com\n  tact config pull config.json')
    .action(async (file: string | undefined, o: { url: string; key?: string; force?: boolean }) => {
      const key = readKey(o.key);
      // `-` is stdout, as for the other commands that write (`decide-batch -o -`).
      if (file === '-') file = undefined;
      if (file) refuseTarget(file, o.force === true);
      const url = serverUrl('--url', o.url);
      const pulled = await pullConfig(url, key);
      const text = configText(pulled, url, file?.endsWith('.json') ? 'json' : 'yaml');
      const summary = `${pulled.kinds.length ? pulled.kinds.map((k) => `${k.kind} version ${k.version}`).join(', ') : 'no kind written yet'} (configuration epoch ${pulled.epoch})`;
      if (!file) {
        process.stdout.write(text);
        process.stderr.write(`Pulled ${summary}.\n`);
        return;
      }
      writeFileSync(file, text);
      process.stdout.write(`Wrote ${file}: ${summary}.\n`);
    });
}

/**
 * Refuses, before anything is read from the server, a file the pull cannot write: one that exists
 * (without --force), a folder, or one whose folder does not exist — each said as what it is (a
 * folder was "a file that exists", a missing folder "no file or folder" at the file's path).
 */
function refuseTarget(file: string, force: boolean): void {
  if (existsSync(file)) {
    if (statSync(file).isDirectory()) throw new Error(`${file} is a folder: name a file to write in it (${join(file, CONFIG_CANDIDATES[0])}).`);
    if (!force) throw new Error(`The file ${file} exists: pass --force to replace it, or name another.`);
    return;
  }
  const folder = dirname(file);
  if (!existsSync(folder)) throw new Error(`The folder ${folder} does not exist: make it first, or name a file in another.`);
  if (!statSync(folder).isDirectory()) throw new Error(`${folder} is a file, not a folder: ${file} cannot be written.`);
}

/**
 * Reads every kind a version was written of, in force at one epoch: the epoch is read before and
 * after the kinds, and they are read again when a change committed meanwhile (a change of several
 * kinds read in part would not be a configuration that was ever in force).
 */
export async function pullConfig(url: string, key: string): Promise<Pulled> {
  const get = <T>(path: string) => configCall<T>(url, key, 'GET', path);
  for (let attempt = 1; ; attempt++) {
    const listed = await get<{ kinds: KindListed[]; epoch: number }>('/v1/config');
    const kinds = [];
    for (const k of listed.kinds.filter((x) => x.version > 0)) kinds.push({ ...(await get<StoredVersion>(`/v1/config/${encodeURIComponent(k.kind)}`)), configKey: k.configKey });
    const after = await get<{ epoch: number }>('/v1/config');
    if (after.epoch === listed.epoch) return { epoch: listed.epoch, kinds };
    if (attempt === READS) throw new Error(`The configuration kept changing while it was read (${READS} times): pull it again.`);
  }
}

/**
 * The pulled configuration as a config file's text: a header saying where and when it was read
 * and each section's version, author and reason (YAML comments; none in JSON, which has no
 * comments), then the sections in the order of GET /v1/config. Long rules are not folded.
 *
 * @example
 * configText({ epoch: 3, kinds: [{ kind: 'features', configKey: 'features', version: 2, body: [], author: 'ana', reason: 'x', createdAt: '2026-12-08T00:00:00.000Z' }] }, 'http://127.0.0.1:8787', 'yaml');
 */
export function configText(pulled: Pulled, url: string, format: 'yaml' | 'json'): string {
  const sections = Object.fromEntries(pulled.kinds.map((k) => [k.configKey, k.body]));
  if (format === 'json') return `${JSON.stringify(sections, null, 2)}\n`;
  const header = [
    `# The configuration in force on ${url} at epoch ${pulled.epoch}, pulled ${new Date().toISOString()} (tact config pull).`,
    '# Secrets read { redacted: true }: pushed back so, the one in force is kept.',
    ...pulled.kinds.map((k) => `# ${k.configKey}: ${k.kind} version ${k.version}, ${k.createdAt} by ${JSON.stringify(k.author)}: ${JSON.stringify(k.reason)}`),
  ];
  return `${header.join('\n')}\n${pulled.kinds.length ? stringify(sections, { lineWidth: 0 }) : ''}`;
}
