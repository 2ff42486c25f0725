import type { Command } from 'commander';
import { defaultServerUrl, serverUrl, wholeNumber } from '../cli/options.js';
import { adminKey, configCall as call, kindShown, readKey, type StoredVersion } from './config-calls.js';
import { differenceLine, documentDiff } from './document-diff.js';
import { withSecretsInForce } from './secrets.js';

/**
 * `tact config history <kind>`, `diff <kind> [from] [to]` and `rollback <kind> <version>`: a kind's
 * versions, newest first, each with its time, author and reason; what changed between two of them;
 * and a rollback — the document of an earlier version
 * stored as a new version (nothing is overwritten), checked as any change is, against the version
 * in force when it was read (409 if another change came first), with what it changes printed.
 *
 * @example
 * tact config history policy --limit 5
 * TACT_ADMIN_KEY=… tact config rollback policy 3 --reason "the new levers overspent"
 */
export function historyCommands(config: Command): void {
  config
    .command('history')
    .description('A configuration kind\'s versions, newest first: each one\'s time, author and reason.')
    .argument('<kind>', 'the kind (features, lifecycle, catalog, policy, …: GET /v1/config lists them)')
    .option('-n, --limit <n>', 'the most versions listed (1–500)', '20')
    .option('--before <version>', 'only versions older than this one (the next page)')
    .option('-u, --url <url>', 'server URL (env TACT_URL)', defaultServerUrl(process.env))
    .option('-k, --key <key>', 'server or admin key (env TACT_SERVER_KEY, else TACT_ADMIN_KEY)')
    .addHelpText('after', '\nExamples:\n  tact config history policy\n  tact config history features -n 100 --before 120')
    .action(async (kind: string, o: { limit: string; before?: string; url: string; key?: string }) => {
      const key = readKey(o.key);
      const limit = wholeNumber('--limit', o.limit, 1, 500);
      const before = o.before === undefined ? undefined : wholeNumber('--before', o.before, 1);
      const url = serverUrl('--url', o.url);
      const page = await call<{ versions: Omit<StoredVersion, 'body'>[]; next: number | null }>(url, key, 'GET', `/v1/config/${encodeURIComponent(kind)}/history?bodies=false&limit=${limit}${before !== undefined ? `&before=${before}` : ''}`);
      process.stdout.write(historyText(kind, page.versions, page.next));
    });
  config
    .command('diff')
    .description('What changed in a configuration kind between two versions: by default, what the version in force changed from the one before it.')
    .argument('<kind>', 'the kind (features, lifecycle, catalog, policy, …)')
    .argument('[from]', 'the earlier version (default: the one before `to`)')
    .argument('[to]', 'the later version (default: the one in force)')
    .option('-u, --url <url>', 'server URL (env TACT_URL)', defaultServerUrl(process.env))
    .option('-k, --key <key>', 'server or admin key (env TACT_SERVER_KEY, else TACT_ADMIN_KEY)')
    .addHelpText('after', '\nExamples:\n  tact config diff policy\n  tact config diff catalog 3 7')
    .action(async (kind: string, from: string | undefined, to: string | undefined, o: { url: string; key?: string }) => {
      const key = readKey(o.key);
      // 0 is the kind's empty document, before any version.
      const fromAsked = from === undefined ? undefined : wholeNumber('`from` version', from, 0);
      const toAsked = to === undefined ? undefined : wholeNumber('`to` version', to, 1);
      const url = serverUrl('--url', o.url);
      const path = `/v1/config/${encodeURIComponent(kind)}`;
      const read = (v: number | undefined) => call<StoredVersion>(url, key, 'GET', v === undefined ? path : `${path}?version=${v}`);
      const later = await read(toAsked);
      const fromVersion = fromAsked ?? later.version - 1;
      const shown = await kindShown(later.kind);
      const earlier = fromVersion > 0 ? (await read(fromVersion)).body : shown.empty;
      const lines = documentDiff(earlier, later.body).map((d) => `  ${differenceLine(d, shown.secrets)}`);
      const head = `${later.kind} version ${Math.max(0, fromVersion)} → ${later.version}${fromVersion <= 0 ? ' (from the empty document)' : ''}`;
      process.stdout.write(`${head}${lines.length ? `\n${lines.join('\n')}` : ': the same document'}\n`);
    });
  config
    .command('rollback')
    .description('Store the document of an earlier version of a kind as its new version (nothing is overwritten): checked as any change, refused if another change came first. Secrets stay those in force, set or not, whatever the version held.')
    .argument('<kind>', 'the kind (features, lifecycle, catalog, policy, …)')
    .argument('<version>', 'the version whose document to put back (tact config history lists them)')
    .option('--reason <text>', 'why: kept with the new version (default: "rolled back to version N")')
    .option('-u, --url <url>', 'server URL (env TACT_URL)', defaultServerUrl(process.env))
    .option('-k, --key <key>', 'admin key (env TACT_ADMIN_KEY)')
    .addHelpText('after', '\nExamples:\n  tact config history policy\n  tact config rollback policy 3 --reason "the new levers overspent" -k "$TACT_ADMIN_KEY"')
    .action(async (kind: string, version: string, o: { reason?: string; url: string; key?: string }) => {
      const key = adminKey(o.key);
      const n = wholeNumber('version', version, 1);
      const url = serverUrl('--url', o.url);
      const path = `/v1/config/${encodeURIComponent(kind)}`;
      const earlier = await call<StoredVersion>(url, key, 'GET', `${path}?version=${n}`);
      const current = await call<StoredVersion>(url, key, 'GET', path);
      if (n === current.version) throw new Error(`Version ${n} of ${current.kind} is the one in force: nothing to roll back.`);
      // Against the version just read: a change made since refuses it (409) rather than be undone unseen.
      const { secrets } = await kindShown(current.kind);
      // The secrets in force stay, set or not, whatever the earlier version held (secrets.ts).
      const document = withSecretsInForce(earlier.body, current.body, secrets);
      const made = await call<StoredVersion & { unchanged: boolean; warnings: { field: string; message: string }[] }>(url, key, 'PUT', path, { document, reason: o.reason ?? `rolled back to version ${n}`, expectedVersion: current.version });
      const lines = [
        made.unchanged ? `${made.kind}: unchanged (version ${made.version} holds the document of version ${n})` : `${made.kind}: version ${made.version}, the document of version ${n} (was version ${current.version})`,
        ...documentDiff(current.body, document).map((d) => `  ${differenceLine(d, secrets)}`),
        ...made.warnings.map((w) => `  warning: ${w.field}: ${w.message}`),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}

/**
 * The history as the command prints it: a line a version, newest first, and a last line saying how
 * to list older ones when there are.
 *
 * @example
 * historyText('policy', [{ kind: 'policy', version: 2, body: {}, author: 'ana', reason: 'caps', createdAt: '2026-12-08T10:00:00.000Z' }], 1);
 * // 'policy version 2  2026-12-08T10:00:00.000Z  ana: caps\n(older versions: tact config history policy --before 2)\n'
 */
export function historyText(kind: string, versions: readonly Omit<StoredVersion, 'body'>[], next: number | null): string {
  const width = String(versions[0]?.version ?? 0).length;
  const lines = versions.map((v) => `${v.kind} version ${String(v.version).padStart(width)}  ${v.createdAt}  ${v.author}: ${v.reason.replace(/\s+/g, ' ')}`);
  if (!versions.length) lines.push(`${kind}: no version written yet (its empty document is in force)`);
  if (next !== null) lines.push(`(older versions: tact config history ${kind} --before ${next})`);
  return `${lines.join('\n')}\n`;
}
