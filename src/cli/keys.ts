import type { Command } from 'commander';
import { closestWord } from '../errors/edit-distance.js';
import { Keys } from '../keys/keys.js';
import type { KeyKind } from '../keys/key-store.js';
import { revokeUnlessLastAdmin } from '../keys/last-admin.js';
import { openStore, storeChoiceFromEnv } from '../store/open.js';
import { openExistingStore } from './existing-store.js';

const KINDS = ['write', 'server', 'admin'];

/** `tact keys list|create|revoke`: manage API keys directly in the store (the server need not run). */
export function keysCommand(program: Command): void {
  const keys = program.command('keys').description('List, make and revoke API keys in the store of TACT_DATA_DIR / TACT_DATABASE_URL.');
  // Listing and revoking read a store that is there; making a key may make the store (before the first start).
  const withKeys = async <T>(fn: (k: Keys) => Promise<T>, make = false): Promise<T> => {
    const store = make ? await openStore(storeChoiceFromEnv(process.env)) : await openExistingStore(process.env);
    try {
      return await fn(new Keys(store.keys));
    } finally {
      await store.close();
    }
  };
  keys.command('list').description('Every key (never the secrets).').action(() => withKeys(async (k) => {
    for (const key of await k.list()) {
      process.stdout.write(`${key.id}  ${key.kind.padEnd(6)}  ${key.revokedAt ? 'revoked' : 'active '}  ${new Date(key.createdAt).toISOString()}  ${key.label}\n`);
    }
  }));
  keys.command('create').description('Make a key; its secret is printed once.')
    .argument('<kind>', 'write, server or admin')
    .argument('<label>', 'what it is for, e.g. "web shop"')
    .action((kind: string, label: string) => {
      // Checked before the store is opened (which makes TACT_DATA_DIR when it is missing).
      if (!KINDS.includes(kind)) {
        const near = closestWord(kind, KINDS);
        throw new Error(`The kind "${kind}" must be write, server or admin.${near ? ` Did you mean ${near}?` : ''}`);
      }
      return withKeys(async (k) => {
        const { key, secret } = await k.create(kind as KeyKind, label);
        process.stdout.write(`${key.kind} key ${key.id} (${label}):\n${secret}\nShown once; only its hash is stored.\n`);
      }, true);
    });
  keys.command('revoke').description('Revoke a key by id (servers stop accepting it within 5 seconds); never the last active admin key.')
    .argument('<id>', 'the key\'s id, as `tact keys list` shows it')
    .action((id: string) => withKeys(async (k) => {
      // As the API does: make another admin key first (`tact keys create admin <label>`).
      await revokeUnlessLastAdmin(k, id);
      process.stdout.write(`revoked ${id}\n`);
    }));
}

/** `tact migrate`: applies pending schema migrations and says which. */
export function migrateCommand(program: Command): void {
  program.command('migrate').description('Apply pending schema migrations to the store (serve does this too).').action(async () => {
    const store = await openStore(storeChoiceFromEnv(process.env));
    const { applied } = await store.migrate();
    await store.close();
    process.stdout.write(applied.length ? `applied: ${applied.join('; ')}\n` : `the ${store.kind} store is up to date\n`);
  });
}
