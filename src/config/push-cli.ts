import type { Command } from 'commander';
import { defaultServerUrl, serverUrl } from '../cli/options.js';
import { adminKey, configCall, kindShown, type StoredVersion } from './config-calls.js';
import { CONFIG_CANDIDATES, loadConfigFile } from './config-file.js';
import { differenceLine, documentDiff } from './document-diff.js';
import { historyCommands } from './history-cli.js';
import { pullCommand } from './pull-cli.js';
import type { SecretChange } from './secrets.js';

/** A kind's answer to PUT /v1/config, as the command prints it. */
interface Change {
  kind: string;
  version: number;
  unchanged: boolean;
  warnings: { field: string; message: string }[];
  /** What the change does to the kind's secrets (only for a kind with secrets). */
  secrets?: SecretChange[];
}

/**
 * `tact config push [file]`: a config file's sections sent to a running server as one change
 * (PUT /v1/config, admin key) — checked against each other, stored together or not at all —
 * without a restart; `--dry-run` says what the change would be and stores nothing. Every section
 * of the file is sent (not only those changed since the file was last applied at a start): a
 * section the server already holds is answered unchanged.
 *
 * @example
 * TACT_ADMIN_KEY=… tact config push tact.config.yaml --dry-run
 */
export function configCommand(program: Command): void {
  const config = program.command('config').description('The configuration of a running server: push a config file to it, pull the one in force from it, list a kind\'s versions, roll one back.');
  config
    .command('push')
    .description('Send a config file\'s sections to a running server as one change (PUT /v1/config): each checked against the others, all stored or none, in force at once in every process. Exits 1 when the server refuses it, naming each bad field.')
    .argument('[file]', `the config file (default: TACT_CONFIG, else ${CONFIG_CANDIDATES.join(', ')} in this folder)`)
    .option('-u, --url <url>', 'server URL (env TACT_URL)', defaultServerUrl(process.env))
    .option('-k, --key <key>', 'admin key (env TACT_ADMIN_KEY)')
    .option('--reason <text>', 'why: kept with every version (default: "pushed from FILE")')
    .option('--dry-run', 'check the change and say what it would store, storing nothing')
    .option('--json', 'print the server\'s answer, with `differences` (by kind, the lines printed), as one JSON object on the last line')
    .addHelpText('after', '\nExamples:\n  TACT_ADMIN_KEY=… tact config push --dry-run\n  tact config push tact.config.yaml --reason "orders renamed purchases" -u https://tact.example.com')
    .action(async (file: string | undefined, o: { url: string; key?: string; reason?: string; dryRun?: boolean; json?: boolean }) => {
      const key = adminKey(o.key);
      const loaded = loadConfigFile(file ?? process.env.TACT_CONFIG, process.cwd(), file !== undefined ? 'named on the command line' : 'from TACT_CONFIG');
      if (!loaded) throw new Error(`No config file to push: name one, or set TACT_CONFIG (none of ${CONFIG_CANDIDATES.join(', ')} is in ${process.cwd()}).`);
      // Loaded here, not at the top: `tact --help` loads no server (help-load.test.ts).
      const { documentKinds } = await import('../server/tact.js');
      const byKey = new Map(documentKinds.map((k) => [k.configKey, k.kind]));
      const unknown = Object.keys(loaded.sections).filter((s) => !byKey.has(s));
      if (unknown.length) throw new Error(`The config file ${loaded.path} has section(s) ${unknown.join(', ')} that Tact does not know; the sections are ${[...byKey.keys()].join(', ')}.`);
      const documents = Object.fromEntries(Object.entries(loaded.sections).map(([section, body]) => [byKey.get(section)!, body]));
      if (!Object.keys(documents).length) throw new Error(`The config file ${loaded.path} has no sections: nothing to push.`);
      const url = serverUrl('--url', o.url);
      const res = await fetch(`${url}/v1/config`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        // fromFile: a section the server started with (the config file wrote its version) is unchanged, not written again under the key.
        body: JSON.stringify({ documents, reason: o.reason ?? `pushed from ${loaded.path}`, dryRun: Boolean(o.dryRun), fromFile: true }),
      });
      const answer = (await res.json().catch(() => ({}))) as { message?: string; problems?: { field: string; message: string }[]; changes?: Change[]; epoch?: number };
      if (!res.ok) {
        const problems = (answer.problems ?? []).map((p) => `\n  ${p.field}: ${p.message}`).join('');
        throw new Error(`The server refused the change (${res.status}): ${answer.message ?? res.statusText}${problems}`);
      }
      const differences = await changedFrom(url, key, answer.changes ?? [], documents);
      process.stdout.write(pushText(answer.changes ?? [], Boolean(o.dryRun), differences));
      if (o.json) process.stdout.write(`${JSON.stringify({ ...answer, differences: Object.fromEntries(differences) })}\n`);
    });
  pullCommand(config);
  historyCommands(config);
}

/**
 * What each kind written (or, in a dry run, to be written) changes, a line a difference: against the
 * version before the one written (read after the change, so another change made meanwhile is not
 * shown as this one's), or in a dry run against the version in force. Secrets are never shown.
 */
async function changedFrom(url: string, key: string, changes: readonly Change[], documents: Record<string, unknown>): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const c of changes) {
    if (c.unchanged) continue;
    // A dry run's version is the next one: the one before it is the version in force.
    const previous = c.version - 1;
    const shown = await kindShown(c.kind);
    let before = shown.empty;
    if (previous > 0) {
      // The lines are a reviewer's aid: the change stands without them.
      const read = await configCall<StoredVersion>(url, key, 'GET', `/v1/config/${encodeURIComponent(c.kind)}?version=${previous}`).catch(() => undefined);
      if (!read) continue;
      before = read.body;
    }
    // A secret is read back redacted, so a difference at its path is one only if the server says the secret changed.
    const kept = new Set((c.secrets ?? []).filter((x) => x.change === 'kept').map((x) => x.path));
    out.set(c.kind, documentDiff(before, documents[c.kind]).filter((d) => !kept.has(d.path)).map((d) => differenceLine(d, shown.secrets)));
  }
  return out;
}

/**
 * What `tact config push` prints of the server's answer: a line a kind, what it changes under it
 * (`differences`, by kind) and its warnings.
 *
 * @example
 * pushText([{ kind: 'features', version: 4, unchanged: false, warnings: [] }], false); // 'features: version 4\n'
 */
export function pushText(changes: readonly Change[], dryRun: boolean, differences: ReadonlyMap<string, readonly string[]> = new Map()): string {
  return changes.map((c) => {
    const head = c.unchanged ? `${c.kind}: unchanged (version ${c.version} holds it)` : `${c.kind}: ${dryRun ? 'would be ' : ''}version ${c.version}`;
    return [head, ...(differences.get(c.kind) ?? []).map((d) => `  ${d}`), ...c.warnings.map((w) => `  warning: ${w.field}: ${w.message}`)].join('\n');
  }).join('\n') + (changes.length ? '\n' : '') + (dryRun ? 'Dry run: nothing was stored.\n' : '');
}
