import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { pino, type Logger } from 'pino';
import { closestWord } from '../errors/edit-distance.js';
import type { Keys } from '../keys/keys.js';
import type { KeyKind } from '../keys/key-store.js';
import { revokeUnlessLastAdmin } from '../keys/last-admin.js';
import { logLevel } from '../ops/log-level.js';

/** The stores, loaded when a command runs (registering the commands, `--help` included, loads none). */
const stores = async () => {
  const [open, existing, keys] = await Promise.all([import('../store/open.js'), import('./existing-store.js'), import('../keys/keys.js')]);
  return { ...open, ...existing, ...keys };
};

const KINDS = ['write', 'server', 'admin'];

/**
 * `tact keys list|create|revoke`: manage API keys directly in the store (the server need not run).
 * Making and revoking a key is logged as the API logs it (`key created`, `key revoked`: id, kind,
 * label, `by: "cli"` and the system user), on stderr at TACT_LOG_LEVEL: as a sentence when stderr
 * is a terminal (a JSON line there sat among the human output), as a JSON line otherwise (a log
 * collector's); stdout keeps the secret and the sentences.
 *
 * @example
 * keysCommand(program); // tact keys create write "web shop"
 */
export function keysCommand(program: Command, log?: Logger): void {
  // Made before the store is touched: a wrong TACT_LOG_LEVEL stops the command before any key changes.
  const audit = () => (log ??= pino({ level: logLevel(process.env) }, process.stderr.isTTY ? { write: (line: string) => process.stderr.write(auditSentence(line)) } : pino.destination({ dest: 2, sync: true })));
  const who = () => ({ by: 'cli', user: systemUser() });
  const keys = program.command('keys').description('List, make and revoke API keys in the store of TACT_DATA_DIR / TACT_DATABASE_URL.');
  // Listing and revoking read a store that is there; making a key may make the store (before the first start).
  const withKeys = async <T>(fn: (k: Keys) => Promise<T>, make = false): Promise<T> => {
    const { openNamedStore, storeChoiceOf, openExistingStore, Keys } = await stores();
    const store = make ? await openNamedStore(storeChoiceOf(process.env)) : await openExistingStore(process.env);
    try {
      return await fn(new Keys(store.keys));
    } finally {
      await store.close();
    }
  };
  keys.command('list').description('Every key (never the secrets).')
    .addHelpText('after', '\nEach line: id, kind, active or revoked, when it was made, label.\n\nExamples:\n  tact keys list\n  TACT_DATA_DIR=/var/lib/tact tact keys list')
    .action(() => withKeys(async (k) => {
    const all = await k.list();
    if (!all.length) process.stdout.write('no keys yet: make one with `tact keys create`, or start `tact serve` (it makes the first ones)\n');
    for (const key of all) {
      process.stdout.write(`${key.id}  ${key.kind.padEnd(6)}  ${key.revokedAt ? 'revoked' : 'active '}  ${new Date(key.createdAt).toISOString()}  ${key.label}\n`);
    }
  }));
  keys.command('create').description('Make a key; its secret is printed once.')
    .argument('<kind>', 'write, server or admin')
    .argument('<label>', 'what it is for, e.g. "web shop"')
    .addHelpText('after', '\nThe store is made when there is none yet (before the first `tact serve`).\n\nExamples:\n  tact keys create write "web shop"\n  tact keys create admin "second admin"')
    .action((kind: string, label: string) => {
      // Checked before the store is opened (which makes TACT_DATA_DIR when it is missing).
      if (!KINDS.includes(kind)) {
        const near = closestWord(kind, KINDS);
        throw new Error(`The kind "${kind}" must be write, server or admin.${near ? ` Did you mean ${near}?` : ''}`);
      }
      const logger = audit();
      return withKeys(async (k) => {
        const { key, secret } = await k.create(kind as KeyKind, label);
        logger.info({ key: key.id, kind: key.kind, label: key.label, ...who() }, 'key created');
        process.stdout.write(`${key.kind} key ${key.id} (${label}):\n${secret}\nShown once; only its hash is stored.\n`);
      }, true);
    });
  keys.command('revoke').description('Revoke a key by id (servers stop accepting it within 5 seconds); never the last active admin key.')
    .argument('<id>', 'the key\'s id, as `tact keys list` shows it')
    .addHelpText('after', '\nExamples:\n  tact keys revoke 6a79dde2-443a-4d58-8b67-2560ca3d8a8f')
    .action((id: string) => {
      const logger = audit();
      return withKeys(async (k) => {
        const key = (await k.list()).find((x) => x.id === id);
        // As the API does: make another admin key first (`tact keys create admin <label>`).
        await revokeUnlessLastAdmin(k, id);
        logger.info({ key: id, kind: key?.kind, label: key?.label, ...who() }, 'key revoked');
        process.stdout.write(key ? `revoked ${key.kind} key ${id} (${key.label})\n` : `revoked ${id}\n`);
      });
    });
}

/**
 * A key's log line (pino's JSON) as said on a terminal.
 *
 * @example
 * auditSentence('{"level":30,"key":"6a79…","kind":"write","label":"web shop","by":"cli","user":"ann","msg":"key created"}');
 * // 'logged: key created 6a79… (write, "web shop") by cli, user ann\n'
 */
export function auditSentence(line: string): string {
  const r = JSON.parse(line) as { msg?: string; key?: string; kind?: string; label?: string; by?: string; user?: string };
  const what = [r.kind, r.label === undefined ? undefined : `"${r.label}"`].filter(Boolean).join(', ');
  return `logged: ${r.msg} ${r.key}${what ? ` (${what})` : ''} by ${r.by}${r.user ? `, user ${r.user}` : ''}\n`;
}

/** The system account running the command, for the log; undefined where it has no name (a container's numeric user). */
function systemUser(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}

/** `tact migrate`: applies pending schema migrations and says which. */
export function migrateCommand(program: Command): void {
  program.command('migrate').description('Apply pending schema migrations to the store (serve does this too).')
    .addHelpText('after', '\nThe store is the one of TACT_DATABASE_URL, else TACT_DATA_DIR (default ./data).\n\nExamples:\n  tact migrate\n  TACT_DATABASE_URL=postgres://postgres@127.0.0.1:5432/tact tact migrate')
    .action(async () => {
    const { openNamedStore, storeChoiceOf } = await stores();
    const choice = storeChoiceOf(process.env);
    // An embedded store that is not there is made (and migrated as it opens): said, so that a mistyped TACT_DATA_DIR shows.
    const dir = choice.databaseUrl ? undefined : resolve(choice.dataDir ?? './data');
    const made = dir !== undefined && !existsSync(join(dir, 'tact.db'));
    const store = await openNamedStore(choice);
    const { applied } = await store.migrate();
    await store.close();
    if (made) process.stdout.write(`made a new ${store.kind} store in ${dir} (there was none) and brought it up to date\n`);
    else process.stdout.write(applied.length ? `applied: ${applied.join('; ')}\n` : `the ${store.kind} store is up to date\n`);
  });
}
