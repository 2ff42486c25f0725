import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openStore, storeChoiceFromEnv, type StoreChoice } from '../store/open.js';
import type { Store } from '../store/store.js';
import { checkDatabaseUrlSpaces, storeError } from './error-text.js';

/**
 * Opens the store the environment names for a command that reads it (keys, readouts): an embedded
 * store that is not there is refused, naming its folder. Opened as it was, a mistyped
 * TACT_DATA_DIR made a new empty store there and the command read nothing from it — `tact keys
 * list` printed no key and exited 0. PostgreSQL is opened as it is (its own errors name what is
 * missing); the errors of opening either are said as `tact serve` says them (storeError).
 *
 * @example
 * const store = await openExistingStore(process.env);
 */
export async function openExistingStore(env: NodeJS.ProcessEnv): Promise<Store> {
  const choice = storeChoiceOf(env);
  if (!choice.databaseUrl) {
    const dir = resolve(choice.dataDir ?? './data');
    const named = env.TACT_DATA_DIR ? `TACT_DATA_DIR ${dir}` : `default ${dir} (no TACT_DATA_DIR)`;
    if (existsSync(dir) && !statSync(dir).isDirectory()) throw new Error(`The ${named} is a file, not a folder: it should name the folder of the store.`);
    if (!existsSync(join(dir, 'tact.db'))) {
      const where = env.TACT_DATA_DIR ? `${dir} (TACT_DATA_DIR)` : `${dir} (the default ./data: set TACT_DATA_DIR to the store's folder, or TACT_DATABASE_URL)`;
      throw new Error(`There is no Tact store in ${where}: check the folder, or start \`tact serve\` with it to make one.`);
    }
  }
  return openNamedStore(choice);
}

/**
 * The store the environment chooses (storeChoiceFromEnv), for `tact serve` and the commands: a
 * TACT_DATABASE_URL with blanks around it is refused first, naming it (checkDatabaseUrlSpaces).
 *
 * @example
 * const choice = storeChoiceOf(process.env);
 */
export function storeChoiceOf(env: NodeJS.ProcessEnv): StoreChoice {
  checkDatabaseUrlSpaces(env);
  return storeChoiceFromEnv(env);
}

/**
 * Opens (or makes) the store of a choice for a command; its errors name the variable that chose
 * it (TACT_DATA_DIR, TACT_DATABASE_URL), as `tact serve`'s do — `tact keys` and `tact migrate`
 * printed SQLite's and pg's own words ("attempt to write a readonly database") until 2026-12-05.
 *
 * @example
 * const store = await openNamedStore(storeChoiceOf(process.env));
 */
export async function openNamedStore(choice: StoreChoice): Promise<Store> {
  return openStore(choice).catch((err: unknown) => {
    throw storeError(err, choice);
  });
}
